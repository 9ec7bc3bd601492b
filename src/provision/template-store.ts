/**
 * Compiled templates by path, parsed when first needed and parsed again only when
 * the file's stamp (size, mtime) changes; and `checkTemplates`, which parses every
 * `.liquid` file of every location at once so start and reload can refuse a bench
 * whose templates do not parse, naming each file:line.
 */
import { join } from 'node:path';
import { TEMPLATE_SUFFIX, type CompiledTemplate, type ParseResult, type TemplateEngine, type TemplateProblem } from '../templates/index.js';
import type { ProvisionFiles } from './files.js';

interface Entry {
  readonly stamp: string;
  readonly result: ParseResult;
}

/** Parsed templates, kept while their files do not change. */
export class TemplateStore {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly engine: TemplateEngine,
    private readonly files: ProvisionFiles,
  ) {}

  /**
   * The compiled template at `path` (named `name` in messages), or its parse problem;
   * undefined when the file is gone.
   */
  async load(path: string, name: string = path): Promise<ParseResult | undefined> {
    const stamp = await this.files.stamp(path);
    if (stamp === undefined) {
      this.entries.delete(path);
      return undefined;
    }
    const cached = this.entries.get(path);
    if (cached !== undefined && cached.stamp === stamp) return cached.result;
    const result = this.engine.parse(name, await this.files.readText(path));
    this.entries.set(path, { stamp, result });
    return result;
  }

  /** Forgets every parsed template (reload). */
  clear(): void {
    this.entries.clear();
  }
}

/** The compiled template of a parse result, or undefined. */
export function compiledOf(result: ParseResult | undefined): CompiledTemplate | undefined {
  return result?.kind === 'ok' ? result.template : undefined;
}

/**
 * Parses every template (`*.liquid`) directly inside each location and returns every
 * problem, in location then name order; empty when all parse. Problems name the
 * template by its path.
 */
export async function checkTemplates(locations: readonly string[], engine: TemplateEngine, files: ProvisionFiles): Promise<TemplateProblem[]> {
  const problems: TemplateProblem[] = [];
  for (const dir of locations) {
    const { names } = await files.list(dir);
    for (const name of names) {
      if (!name.endsWith(TEMPLATE_SUFFIX) || name === TEMPLATE_SUFFIX) continue;
      const path = join(dir, name);
      const result = engine.parse(path, await files.readText(path));
      if (result.kind === 'error') problems.push(result.problem);
    }
  }
  return problems;
}
