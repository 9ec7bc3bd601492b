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
 *   - when still nothing answers and the name is one of the asker's own per-device
 *     files, its vendor profile's default file answers (profile-default.ts), static
 *     or rendered: `--default-file` rules come first, the profile default after;
 *   - a template itself (`*.liquid`) is never sent: it reads as file not found;
 *   - a render that fails (a missing variable) is TFTP error 1 for the device (HTTP
 *     404) and one log line naming the device, the template, the line and the
 *     variable: never a half-rendered file. The failure is also noted for the device
 *     record (render-failures.ts), which then says "render error", not "not found".
 */
import { basename } from 'node:path';
import type { Logger } from '../log.js';
import type { FsStorage, FsStorageStats } from '../tftp/fs-storage.js';
import { TFTP_ERROR } from '../tftp/error-codes.js';
import { displayName, matchDefaultRule, normalizeRequestName, type CompiledDefaultRule } from '../tftp/resolve-path.js';
import type { OpenResult, ReadSource, RequestContext, UploadTarget } from '../tftp/storage.js';
import { TEMPLATE_SUFFIX, type ScopeFacts, type ServerFacts } from '../templates/index.js';
import { profileDefaultFor } from './profile-default.js';
import type { RenderFailures } from './render-failures.js';
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
  /** Where a failed render is noted for the device record (render-failures.ts). */
  readonly failures?: RenderFailures;
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

/** A source sent under another name and origin (a profile default answering a per-device name). */
class RenamedSource implements ReadSource {
  readonly size: number;
  readonly localFile: ReadSource['localFile'];

  constructor(
    private readonly inner: ReadSource,
    readonly displayName: string,
    readonly origin: string,
  ) {
    this.size = inner.size;
    this.localFile = inner.localFile;
  }

  read(offset: number, length: number): Promise<Uint8Array> {
    return this.inner.read(offset, length);
  }

  close(): Promise<void> {
    return this.inner.close();
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
    if (rule !== undefined) {
      const fallback = await resolver.resolve({ name: rule.segments.join('/'), ...who });
      if (fallback.kind === 'rendered' || fallback.kind === 'render-error') return this.answered(fallback, requested, ctx, rule.pattern);
    }
    return (await this.profileDefault(norm.relative, requested, ctx, who)) ?? plain;
  }

  /**
   * The asker's profile default for one of its per-device names (profile-default.ts),
   * after the `--default-file` rules: rendered when it is a template, else opened
   * through the file-system storage (its path rules) and sent under the asked name.
   */
  private async profileDefault(name: string, requested: string, ctx: RequestContext, who: RequesterContext): Promise<OpenResult<ReadSource> | undefined> {
    const r = who.requester;
    const dflt = profileDefaultFor(r.profile, name, r.mac, r.hostname);
    if (dflt === undefined) return undefined;
    const origin = `default for profile ${dflt.profile}`;
    const found = await this.options.resolver.resolve({ name: dflt.file, ...who });
    if (found.kind === 'rendered' || found.kind === 'render-error') return this.answered(found, requested, ctx, `profile ${dflt.profile}`);
    if (found.kind !== 'static') return undefined;
    const opened = await this.options.inner.openRead(dflt.file, ctx);
    return opened.kind === 'ok' ? { kind: 'ok', value: new RenamedSource(opened.value, displayName(requested), `${origin} (${dflt.file})`) } : undefined;
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
    const failure = { template: basename(answer.template), line: p.line, ...(p.variable === undefined ? {} : { variable: p.variable }), origin };
    this.options.failures?.note(ctx.peer.address, requested, failure);
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
