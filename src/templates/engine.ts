/**
 * The Liquid engine for per-device templates, set up so a template can neither read
 * files nor run code nor depend on the clock or chance:
 * - `include`, `render` and `layout` are refused at parse time (a template is one
 *   file; nothing else on disk can be pulled in), and the engine's template map is
 *   empty besides;
 * - `strictVariables` and `strictFilters`: a missing value or an unknown filter is an
 *   error, never an empty string; `lenientIf` lets `{% if device.vlan %}` test an
 *   optional column;
 * - the filters that read the clock (`date` and friends, for `now`) or chance
 *   (`sample`) are removed, so the same inputs give the same bytes;
 * - no output escaping: configs are text, not HTML.
 * Rendering is synchronous and all-or-nothing: bytes, or a typed error naming the
 * template, line, column and the missing variable.
 */
import { createHash } from 'node:crypto';
import { Liquid, LiquidError, Tag, type Template, type TagToken, type TopLevelToken } from 'liquidjs';

/** A template that parsed: its name, a hash of its text, and the parsed form. */
export interface CompiledTemplate {
  /** The template's file name, e.g. `SEP{MAC}.cnf.xml.liquid`. */
  readonly name: string;
  /** sha256 of the text, hex (changes whenever the text does; render cache key). */
  readonly hash: string;
  readonly parsed: readonly Template[];
}

/** Where a template problem is and what it is (parse or render). */
export interface TemplateProblem {
  readonly template: string;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  readonly column: number;
  /** The missing variable (`device.extension`) for an undefined-variable error. */
  readonly variable?: string;
  readonly message: string;
}

/** The outcome of a parse. */
export type ParseResult = { readonly kind: 'ok'; readonly template: CompiledTemplate } | { readonly kind: 'error'; readonly problem: TemplateProblem };

/** The outcome of a render: the whole file, or nothing. */
export type RenderResult = { readonly kind: 'ok'; readonly bytes: Uint8Array } | { readonly kind: 'error'; readonly problem: TemplateProblem };

/** Tags that would read other files. */
const FILE_TAGS = ['include', 'render', 'layout'] as const;
/** Filters that read the clock (`now`) or chance. */
const IMPURE_FILTERS = ['date', 'date_to_xmlschema', 'date_to_rfc822', 'date_to_string', 'date_to_long_string', 'sample'] as const;

/** A tag that refuses itself at parse time. */
class RefusedTag extends Tag {
  constructor(token: TagToken, remain: TopLevelToken[], liquid: Liquid) {
    super(token, remain, liquid);
    throw new Error(`{% ${token.name} %} is not allowed: a template cannot read other files`);
  }

  render(): never {
    throw new Error('unreachable: the constructor refuses the tag');
  }
}

/** `file:line:column: message` for a problem. */
export function formatTemplateProblem(p: TemplateProblem): string {
  const where = p.line > 0 ? `${p.template}:${p.line}:${p.column}` : p.template;
  return `${where}: ${p.message}`;
}

function problemOf(template: string, err: unknown): TemplateProblem {
  if (err instanceof LiquidError) {
    const pos = err.token ? err.token.getPosition() : [];
    const line = pos[0] ?? 0;
    const column = pos[1] ?? 0;
    const original: unknown = err.originalError;
    const variable = original instanceof Error && 'variableName' in original && typeof original.variableName === 'string' ? original.variableName : undefined;
    const message = variable !== undefined ? `undefined variable: ${variable}` : err.message.replace(/, line:\d+, col:\d+$/, '');
    return variable !== undefined ? { template, line, column, variable, message } : { template, line, column, message };
  }
  return { template, line: 0, column: 0, message: err instanceof Error ? err.message : String(err) };
}

/** One configured Liquid engine; parse once, render many times. Holds no per-device state. */
export class TemplateEngine {
  private readonly liquid: Liquid;

  constructor() {
    this.liquid = new Liquid({ strictVariables: true, strictFilters: true, lenientIf: true, ownPropertyOnly: true, templates: {}, outputEscape: undefined, cache: false });
    for (const tag of FILE_TAGS) this.liquid.registerTag(tag, RefusedTag);
    for (const filter of IMPURE_FILTERS) this.liquid.unregisterFilter(filter);
  }

  /** Parses a template's text; a syntax error, unknown filter or refused tag names the line. */
  parse(name: string, text: string): ParseResult {
    try {
      const parsed = this.liquid.parse(text);
      return { kind: 'ok', template: { name, hash: createHash('sha256').update(text).digest('hex'), parsed } };
    } catch (err) {
      return { kind: 'error', problem: problemOf(name, err) };
    }
  }

  /** Renders to UTF-8 bytes; any error (a missing variable) gives no bytes at all. */
  render(template: CompiledTemplate, vars: object): RenderResult {
    try {
      const text: unknown = this.liquid.renderSync([...template.parsed], vars);
      return { kind: 'ok', bytes: new Uint8Array(Buffer.from(String(text), 'utf8')) };
    } catch (err) {
      return { kind: 'error', problem: problemOf(template.name, err) };
    }
  }
}
