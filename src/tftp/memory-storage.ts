/**
 * TFTP storage in memory, for server and state-machine tests: the same name rules as
 * the file-system storage (resolve-path.ts: separators, `..`, control characters,
 * default files), the same upload semantics (nothing visible before commit, versions
 * kept unless `overwrite`, size limit, error 3 when the simulated disk is full), and
 * no file system.
 *
 *     const storage = createMemoryStorage({ 'SEP0011.cnf.xml': '<device/>' }, { uploads: {} });
 *     // after a WRQ of router1-confg: storage.files.get('router1-confg')
 */
import { systemClock, type Clock } from '../clock.js';
import { TftpError } from './tftp-error.js';
import { TFTP_ERROR } from './error-codes.js';
import { compileDefaultRules, displayName, normalizeRequestName, planRead, planUpload, refusalResult, type DefaultRule, type ReadPlanConfig } from './resolve-path.js';
import type { OpenResult, ReadSource, TftpStorage, UploadTarget } from './storage.js';
import { tooBigError } from './storage-error.js';
import { DEFAULT_UPLOAD_MAX_BYTES, TftpStorageError, versionedName } from './uploads.js';

/** Upload behaviour of the memory storage. */
export interface MemoryUploadOptions {
  readonly overwrite?: boolean;
  readonly maxBytes?: number;
  /** Simulated free space shared by all uploads in progress and stored: writing past it is error 3 (disk full). */
  readonly capacityBytes?: number;
}

/** Options of the memory storage. */
export interface MemoryStorageOptions {
  /** Accept uploads (absent: refused with access violation). */
  readonly uploads?: MemoryUploadOptions;
  readonly defaults?: readonly DefaultRule[];
  readonly clock?: Clock;
}

/** The memory storage, with its contents open to the test. */
export interface MemoryStorage extends TftpStorage {
  /** Files by normalized relative name; committed uploads appear here. */
  readonly files: Map<string, Uint8Array>;
  /** Read sources and uploads not yet closed, committed or aborted. */
  openCount(): number;
}

/** Creates a memory storage holding `files` (names are normalized like requests; text is UTF-8). */
export function createMemoryStorage(
  files: Readonly<Record<string, Uint8Array | string>> | ReadonlyMap<string, Uint8Array | string> = {},
  options: MemoryStorageOptions = {},
): MemoryStorage {
  const compiled = compileDefaultRules(options.defaults ?? [], false);
  if (compiled.kind === 'invalid') throw new TftpError('config', compiled.message);
  const store = new Map<string, Uint8Array>();
  const entries = files instanceof Map ? [...files.entries()] : Object.entries(files);
  for (const [name, content] of entries) {
    const norm = normalizeRequestName(name);
    if (norm.kind === 'refused') throw new TftpError('config', `memory storage file name ${JSON.stringify(name)} is not safe (${norm.reason})`);
    store.set(norm.relative, typeof content === 'string' ? new TextEncoder().encode(content) : content);
  }
  return new InMemoryStorage(store, compiled.rules, options.uploads, options.clock ?? systemClock);
}

/** Files in a map, with uploads held in memory until commit. */
class InMemoryStorage implements MemoryStorage {
  /** Bytes held by uploads in progress. */
  reserved = 0;
  private opened = 0;

  constructor(
    readonly files: Map<string, Uint8Array>,
    private readonly defaults: ReadPlanConfig['defaults'],
    readonly uploads: MemoryUploadOptions | undefined,
    readonly clock: Clock,
  ) {}

  openCount(): number {
    return this.opened;
  }

  /** Counts an upload or read source opened (+1) or ended (-1). */
  track(delta: number): void {
    this.opened += delta;
  }

  /** Bytes of every stored file. */
  storedBytes(): number {
    return [...this.files.values()].reduce((n, f) => n + f.length, 0);
  }

  openRead(requested: string): Promise<OpenResult<ReadSource>> {
    const plan = planRead(requested, { alternateCount: 0, defaults: this.defaults, caseInsensitive: false });
    if (plan.kind === 'refused') return Promise.resolve(refusalResult(plan.reason, requested));
    for (const attempt of plan.attempts) {
      const data = this.files.get(attempt.segments.join('/'));
      if (!data) continue;
      let isClosed = false;
      this.opened++;
      const source: ReadSource = {
        size: data.length,
        displayName: displayName(requested),
        origin: attempt.origin,
        read: (offset, length) => Promise.resolve(data.slice(Math.min(offset, data.length), Math.min(offset + length, data.length))),
        close: () => {
          if (!isClosed) this.opened--;
          isClosed = true;
          return Promise.resolve();
        },
      };
      return Promise.resolve({ kind: 'ok', value: source });
    }
    return Promise.resolve({ kind: 'error', code: TFTP_ERROR.fileNotFound, message: `File not found: ${displayName(requested)}` });
  }

  openWrite(requested: string, ctx: { readonly tsize?: number }): Promise<OpenResult<UploadTarget>> {
    const display = displayName(requested);
    const up = this.uploads;
    if (!up) return Promise.resolve({ kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: uploads are not accepted (${display})` });
    const plan = planUpload(requested);
    if (plan.kind === 'refused') return Promise.resolve(refusalResult(plan.reason, requested));
    const maxBytes = up.maxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
    if (ctx.tsize !== undefined && ctx.tsize > maxBytes) return Promise.resolve({ kind: 'error', code: TFTP_ERROR.diskFull, message: tooBigError(display, maxBytes).message });
    this.opened++;
    return Promise.resolve({ kind: 'ok', value: new MemoryUpload(this, up, plan.fileName, display, maxBytes) });
  }
}

/** One upload held in memory until commit. */
class MemoryUpload implements UploadTarget {
  private buffer = new Uint8Array(0);
  private state: 'open' | 'committed' | 'aborted' = 'open';

  constructor(
    private readonly storage: InMemoryStorage,
    private readonly up: MemoryUploadOptions,
    private readonly fileName: string,
    private readonly display: string,
    private readonly maxBytes: number,
  ) {}

  write(offset: number, data: Uint8Array): Promise<void> {
    if (this.state !== 'open') return Promise.reject(new TftpStorageError(TFTP_ERROR.illegalOperation, `Upload of ${this.display} is already ${this.state}`));
    const needed = Math.max(this.buffer.length, offset + data.length);
    if (needed > this.maxBytes) {
      this.end('aborted');
      return Promise.reject(tooBigError(this.display, this.maxBytes));
    }
    const growth = needed - this.buffer.length;
    const { storage } = this;
    if (this.up.capacityBytes !== undefined && storage.storedBytes() + storage.reserved + growth > this.up.capacityBytes) {
      this.end('aborted');
      return Promise.reject(new TftpStorageError(TFTP_ERROR.diskFull, `Disk full or allocation exceeded: no room for ${this.display}`));
    }
    if (growth > 0) {
      const bigger = new Uint8Array(needed);
      bigger.set(this.buffer);
      this.buffer = bigger;
      storage.reserved += growth;
    }
    this.buffer.set(data, offset);
    return Promise.resolve();
  }

  commit(): Promise<{ readonly savedAs: string }> {
    if (this.state !== 'open') return Promise.reject(new TftpStorageError(TFTP_ERROR.illegalOperation, `Upload of ${this.display} is already ${this.state}`));
    const { files } = this.storage;
    let savedAs = this.fileName;
    if (!this.up.overwrite) {
      const now = this.storage.clock.now();
      for (let attempt = 0; files.has(savedAs); attempt++) savedAs = versionedName(this.fileName, now, attempt + 1);
    }
    const data = this.buffer;
    this.end('committed');
    files.set(savedAs, data);
    return Promise.resolve({ savedAs });
  }

  abort(): Promise<void> {
    if (this.state === 'open') this.end('aborted');
    return Promise.resolve();
  }

  private end(next: 'committed' | 'aborted'): void {
    if (this.state === 'open') this.storage.track(-1);
    this.storage.reserved -= this.buffer.length;
    this.state = next;
  }
}
