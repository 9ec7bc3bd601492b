/**
 * Templates over TFTP (issue 12): a TFTP storage that asks the ProvisionResolver
 * first and hands everything else to the file-system storage underneath.
 *
 *   - a template that answers the request is rendered for the device that asks (known
 *     by its address: lease, then MAC, then inventory row) and sent from memory, so the
 *     tsize of the OACK is the exact size of the render;
 *   - a static file, a name nothing answers, an upload: the file-system storage, with
 *     its path safety, remaps, alternates and `--default-file` rules, unchanged;
 *   - when the file-system storage finds nothing and a `--default-file` rule names a
 *     file that exists only as a template (`XMLDefault.cnf.xml.liquid`), that template
 *     renders for the device;
 *   - a template itself (`*.liquid`) is never sent: it reads as file not found;
 *   - a render that fails (a missing variable) is TFTP error 1 for the device and one
 *     log line naming the device, the template, the line and the variable: never a
 *     half-rendered file.
 */
import { basename } from 'node:path';
import type { Logger } from '../log.js';
import type { FsStorage, FsStorageStats } from '../tftp/fs-storage.js';
import { TFTP_ERROR } from '../tftp/error-codes.js';
import { displayName, matchDefaultRule, normalizeRequestName, type CompiledDefaultRule } from '../tftp/resolve-path.js';
import type { OpenResult, ReadSource, RequestContext, UploadTarget } from '../tftp/storage.js';
import { TEMPLATE_SUFFIX, type ScopeFacts, type ServerFacts } from '../templates/index.js';
import type { ProvisionResolver, ProvisionResult, Requester } from './resolver.js';

/** Who asks, learned from its address: what the server knows of it, its scope and benchboot's address there. */
export interface RequesterContext {
  readonly requester: Requester;
  readonly scope: ScopeFacts;
  readonly server: ServerFacts;
}

/** Finds the requester of a TFTP request by the peer's address; undefined when no served scope covers it. */
export type RequesterLookup = (address: string) => RequesterContext | undefined;

/** What {@link ProvisioningStorage} is built from. */
export interface ProvisioningStorageOptions {
  /** Static files, default rules, remaps and uploads. */
  readonly inner: FsStorage;
  readonly resolver: ProvisionResolver;
  readonly requesterOf: RequesterLookup;
  /** The `--default-file` rules, to render a default that exists only as a template. */
  readonly defaults: readonly CompiledDefaultRule[];
  readonly logger: Logger;
}

/** A rendered file sent from memory: its size is known before the first packet. */
class RenderedSource implements ReadSource {
  readonly size: number;

  constructor(
    private readonly bytes: Uint8Array,
    readonly displayName: string,
    readonly origin: string,
  ) {
    this.size = bytes.length;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    const start = Math.min(offset, this.bytes.length);
    return Promise.resolve(this.bytes.subarray(start, Math.min(start + length, this.bytes.length)));
  }

  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** The TFTP storage of a provisioning bench: templates first, then the file system (see the module comment). */
export class ProvisioningStorage implements FsStorage {
  readonly locations: readonly string[];
  readonly uploadDir: string | undefined;

  constructor(private readonly options: ProvisioningStorageOptions) {
    this.locations = options.inner.locations;
    this.uploadDir = options.inner.uploadDir;
  }

  stats(): FsStorageStats {
    return this.options.inner.stats();
  }

  release(): void {
    this.options.inner.release();
  }

  openWrite(requested: string, ctx: RequestContext): Promise<OpenResult<UploadTarget>> {
    return this.options.inner.openWrite(requested, ctx);
  }

  async openRead(requested: string, ctx: RequestContext): Promise<OpenResult<ReadSource>> {
    const { inner, resolver, requesterOf } = this.options;
    const norm = normalizeRequestName(requested);
    const who = norm.kind === 'ok' ? requesterOf(ctx.peer.address) : undefined;
    if (norm.kind === 'ok' && norm.relative.toLowerCase().endsWith(TEMPLATE_SUFFIX)) return notFound(requested);
    if (norm.kind !== 'ok' || who === undefined) return inner.openRead(requested, ctx);
    const answer = await resolver.resolve({ name: norm.relative, ...who });
    if (answer.kind === 'rendered' || answer.kind === 'render-error') return this.answered(answer, requested, ctx);
    const plain = await inner.openRead(requested, ctx);
    if (answer.kind === 'static' || plain.kind === 'ok' || plain.code !== TFTP_ERROR.fileNotFound) return plain;
    const rule = matchDefaultRule(norm.relative, this.options.defaults);
    if (rule === undefined) return plain;
    const fallback = await resolver.resolve({ name: rule.segments.join('/'), ...who });
    return fallback.kind === 'rendered' || fallback.kind === 'render-error' ? this.answered(fallback, requested, ctx, rule.pattern) : plain;
  }

  private answered(
    answer: Extract<ProvisionResult, { kind: 'rendered' | 'render-error' }>,
    requested: string,
    ctx: RequestContext,
    defaultFor?: string,
  ): OpenResult<ReadSource> {
    const device = answer.device?.hostname ?? answer.device?.mac;
    const origin = `template ${basename(answer.template)}${defaultFor === undefined ? '' : ` (default for ${defaultFor})`}`;
    if (answer.kind === 'rendered') return { kind: 'ok', value: new RenderedSource(answer.bytes, displayName(requested), origin) };
    const p = answer.problem;
    this.options.logger.error('template render failed; the device gets TFTP error 1', {
      code: 'BB_TEMPLATE',
      peer: ctx.peer.address,
      file: displayName(requested),
      template: answer.template,
      line: p.line,
      ...(p.variable === undefined ? {} : { variable: p.variable }),
      ...(device === undefined ? {} : { device }),
      err: p.message,
    });
    return notFound(requested);
  }
}

/** TFTP error 1 naming only the requested file. */
function notFound(requested: string): OpenResult<ReadSource> {
  return { kind: 'error', code: TFTP_ERROR.fileNotFound, message: `File not found: ${displayName(requested)}` };
}
