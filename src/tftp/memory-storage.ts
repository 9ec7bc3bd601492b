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
import { compileDefaultRules, displayName, normalizeRequestName, planRead, planUpload, type DefaultRule } from './resolve-path.js';
import type { OpenResult, ReadSource, TftpStorage, UploadTarget } from './storage.js';
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
  const clock = options.clock ?? systemClock;
  const up = options.uploads;
  const maxBytes = up?.maxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  let reserved = 0;
  let openCount = 0;

  const storedBytes = (): number => [...store.values()].reduce((n, f) => n + f.length, 0);

  const openRead = (requested: string): Promise<OpenResult<ReadSource>> => {
    const plan = planRead(requested, { alternateCount: 0, defaults: compiled.rules, caseInsensitive: false });
    if (plan.kind === 'refused') return Promise.resolve({ kind: 'error', code: plan.code, message: plan.message });
    for (const attempt of plan.attempts) {
      const data = store.get(attempt.segments.join('/'));
      if (!data) continue;
      let isClosed = false;
      openCount++;
      const source: ReadSource = {
        size: data.length,
        displayName: displayName(requested),
        origin: attempt.origin,
        read: (offset, length) => Promise.resolve(data.slice(Math.min(offset, data.length), Math.min(offset + length, data.length))),
        close() {
          if (!isClosed) openCount--;
          isClosed = true;
          return Promise.resolve();
        },
      };
      return Promise.resolve({ kind: 'ok', value: source });
    }
    return Promise.resolve({ kind: 'error', code: TFTP_ERROR.fileNotFound, message: `File not found: ${displayName(requested)}` });
  };

  const openWrite = (requested: string, ctx: { readonly tsize?: number }): Promise<OpenResult<UploadTarget>> => {
    const display = displayName(requested);
    if (!up) return Promise.resolve({ kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: uploads are not accepted (${display})` });
    const plan = planUpload(requested);
    if (plan.kind === 'refused') return Promise.resolve({ kind: 'error', code: plan.code, message: plan.message });
    const tooBig = `Disk full or allocation exceeded: ${display} is larger than the upload limit of ${maxBytes} bytes`;
    if (ctx.tsize !== undefined && ctx.tsize > maxBytes) return Promise.resolve({ kind: 'error', code: TFTP_ERROR.diskFull, message: tooBig });
    const fileName = plan.fileName;
    let buffer = new Uint8Array(0);
    let state: 'open' | 'committed' | 'aborted' = 'open';
    openCount++;
    const end = (next: 'committed' | 'aborted'): void => {
      if (state === 'open') openCount--;
      reserved -= buffer.length;
      state = next;
    };
    const target: UploadTarget = {
      write(offset, data) {
        if (state !== 'open') return Promise.reject(new TftpStorageError(TFTP_ERROR.illegalOperation, `Upload of ${display} is already ${state}`));
        const needed = Math.max(buffer.length, offset + data.length);
        if (needed > maxBytes) {
          end('aborted');
          return Promise.reject(new TftpStorageError(TFTP_ERROR.diskFull, tooBig));
        }
        const growth = needed - buffer.length;
        if (up.capacityBytes !== undefined && storedBytes() + reserved + growth > up.capacityBytes) {
          end('aborted');
          return Promise.reject(new TftpStorageError(TFTP_ERROR.diskFull, `Disk full or allocation exceeded: no room for ${display}`));
        }
        if (growth > 0) {
          const bigger = new Uint8Array(needed);
          bigger.set(buffer);
          buffer = bigger;
          reserved += growth;
        }
        buffer.set(data, offset);
        return Promise.resolve();
      },
      commit() {
        if (state !== 'open') return Promise.reject(new TftpStorageError(TFTP_ERROR.illegalOperation, `Upload of ${display} is already ${state}`));
        let savedAs = fileName;
        if (!up.overwrite) {
          const now = clock.now();
          for (let attempt = 0; store.has(savedAs); attempt++) savedAs = versionedName(fileName, now, attempt + 1);
        }
        const data = buffer;
        end('committed');
        store.set(savedAs, data);
        return Promise.resolve({ savedAs });
      },
      abort() {
        if (state === 'open') end('aborted');
        return Promise.resolve();
      },
    };
    return Promise.resolve({ kind: 'ok', value: target });
  };

  return { files: store, openRead: (name) => openRead(name), openWrite, openCount: () => openCount };
}
