/**
 * TFTP storage on the local file system: the I/O side of the path decision in
 * resolve-path.ts. A request is remapped (remap.ts), planned (root, alternates,
 * default files), and each planned place is looked up; what is found must, after
 * realpath, still be inside the location it was found in (a symlink may not leave
 * the root) and must be a regular file. Uploads go to the inbox in uploads.ts.
 *
 * Reads stream from disk with positional reads; one file descriptor is shared by all
 * transfers of the same file version (refcounted), so 500 phones pulling one 100 MB
 * image hold one descriptor and no more memory than their in-flight blocks. Small
 * files (<= 1 MiB by default) come from a bounded LRU cache keyed by real path,
 * inode, size and mtime, so a config storm reads each file once.
 *
 * Example:
 *
 *     const storage = await createFsStorage({
 *       root: '/srv/tftp',
 *       alternates: ['/srv/tftp-cluster2'],
 *       defaults: [{ pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' }],
 *       caseInsensitive: true,
 *       remap: await loadRemapFile('/etc/benchboot/tftp.map'),
 *       uploads: { dir: '/srv/tftp/backups' },
 *     });
 */
import { constants as fsConstants, type Stats } from 'node:fs';
import { access, open, readdir, readFile, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { systemClock, type Clock } from '../clock.js';
import { errnoCode } from '../errno.js';
import { TftpError } from './tftp-error.js';
import { TFTP_ERROR } from './error-codes.js';
import { createFileCache, type FileCache, type FileCacheOptions, type FileCacheStats } from './file-cache.js';
import { applyRemap, parseRemapRules, type RemapRule } from './remap.js';
import {
  compileDefaultRules,
  displayName,
  isInside,
  MAX_ALTERNATES,
  pickEntry,
  planRead,
  planUpload,
  refusalCode,
  refusalMessage,
  type DefaultRule,
  type ReadPlanConfig,
} from './resolve-path.js';
import type { OpenResult, ReadSource, RequestContext, TftpStorage, UploadTarget } from './storage.js';
import { createUploadInbox, type UploadInbox, type UploadOptions } from './uploads.js';

/** Options of the file-system storage. */
export interface FsStorageOptions {
  /** The TFTP root (must exist and be a readable directory). */
  readonly root: string;
  /** Up to ten alternate locations searched after the root, in order. */
  readonly alternates?: readonly string[];
  /** Default files for names that are found nowhere (first matching glob wins). */
  readonly defaults?: readonly DefaultRule[];
  /** Match names ignoring case (for firmware that changes the case of file names). */
  readonly caseInsensitive?: boolean;
  /** Remap rules applied to each request before the path rules (see remap.ts). */
  readonly remap?: readonly RemapRule[];
  /** Accept uploads (WRQ) into this inbox; absent means uploads are refused. */
  readonly uploads?: UploadOptions;
  /** Small-file cache limits, or false for no cache. */
  readonly cache?: FileCacheOptions | false;
  /** Dates kept upload versions (default: the system clock). */
  readonly clock?: Clock;
}

/** Counters for tests and the status view. */
export interface FsStorageStats {
  readonly cache: FileCacheStats | undefined;
  /** File descriptors held for reads (one per open file version). */
  readonly openFiles: number;
  /** Read sources handed out and not closed yet. */
  readonly activeReads: number;
  /** Uploads in progress. */
  readonly activeUploads: number;
  /** Upload temp files removed at start. */
  readonly cleanedTempFiles: number;
}

/** The file-system storage. */
export interface FsStorage extends TftpStorage {
  /** Real paths of root and alternates, in search order (for the operator, never for clients). */
  readonly locations: readonly string[];
  /** Real path of the upload directory, when uploads are on. */
  readonly uploadDir: string | undefined;
  stats(): FsStorageStats;
}

/** Reads and parses a map file; errors (TftpError) name the file and line (kind `config`). */
export async function loadRemapFile(path: string): Promise<RemapRule[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new TftpError('config', `cannot read the TFTP map file ${path}`, { cause: err });
  }
  return parseRemapRules(text, path);
}

/** Resolves a configured directory to its real path, checking it is a readable directory. */
async function realDirectory(path: string, what: string, mode: number): Promise<string> {
  let real: string;
  try {
    real = await realpath(path);
    const s = await stat(real);
    if (!s.isDirectory()) throw new TftpError('root', `${what} ${path} is not a directory`);
    await access(real, mode);
  } catch (err) {
    if (err instanceof TftpError) throw err;
    throw new TftpError('root', `${what} ${path} is missing or not usable`, { cause: err });
  }
  return real;
}

/** What looking up one planned place found. */
type Lookup =
  | { readonly kind: 'file'; readonly realPath: string; readonly stats: Stats }
  | { readonly kind: 'missing' }
  | { readonly kind: 'escape' }
  | { readonly kind: 'denied' };


const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

/** Maps a lookup failure: missing, denied, or rethrown. */
function lookupFailure(err: unknown): Lookup {
  const code = errnoCode(err);
  if (code !== undefined && MISSING_CODES.has(code)) return { kind: 'missing' };
  if (code === 'EACCES' || code === 'EPERM') return { kind: 'denied' };
  throw err;
}

/** Walks the segments under `base`, choosing directory entries ignoring case. */
async function walkCaseInsensitive(base: string, segments: readonly string[]): Promise<string | undefined> {
  let dir = base;
  for (const seg of segments) {
    const entry = pickEntry(await readdir(dir), seg, true);
    if (entry === undefined) return undefined;
    dir = join(dir, entry);
  }
  return dir;
}

/** Looks up one planned place: realpath, containment, regular file. */
async function lookup(base: string, segments: readonly string[], caseInsensitive: boolean): Promise<Lookup> {
  try {
    const path = caseInsensitive ? await walkCaseInsensitive(base, segments) : join(base, ...segments);
    if (path === undefined) return { kind: 'missing' };
    const real = await realpath(path);
    if (!isInside(base, real)) return { kind: 'escape' };
    const stats = await stat(real);
    if (!stats.isFile()) return { kind: 'missing' };
    return { kind: 'file', realPath: real, stats };
  } catch (err) {
    return lookupFailure(err);
  }
}

/** Identity of one version of a file: a change of content or a replacement gives a new key. */
function versionKey(realPath: string, s: Stats): string {
  return `${realPath}\u0000${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

/** Opens a regular file without following a final symlink and without blocking on a FIFO. */
async function openVerified(realPath: string, expected: Stats): Promise<FileHandle> {
  const fh = await open(realPath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  try {
    const s = await fh.stat();
    if (!s.isFile() || s.ino !== expected.ino || s.dev !== expected.dev) {
      throw Object.assign(new Error(`file changed while opening`), { code: 'ENOENT' });
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  return fh;
}

/** Reads up to `length` bytes at `offset`, stopping at `size` (the size announced in tsize). */
async function readAt(fh: FileHandle, offset: number, length: number, size: number): Promise<Uint8Array> {
  const want = Math.max(0, Math.min(length, size - offset));
  // Not zero-filled: only the bytes the file gave are handed out (subarray on a short read).
  const buf = Buffer.allocUnsafeSlow(want);
  let got = 0;
  while (got < want) {
    const { bytesRead } = await fh.read(buf, got, want - got, offset + got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return got === want ? buf : buf.subarray(0, got);
}

/** Shared, refcounted read handles: one descriptor per file version however many transfers read it. */
function createHandlePool(): {
  acquire(key: string, realPath: string, expected: Stats): Promise<FileHandle>;
  release(key: string): Promise<void>;
  size(): number;
} {
  const pool = new Map<string, { handle: Promise<FileHandle>; refs: number }>();
  return {
    acquire(key, realPath, expected) {
      const entry = pool.get(key);
      if (entry) {
        entry.refs++;
        return entry.handle;
      }
      const handle = openVerified(realPath, expected);
      pool.set(key, { handle, refs: 1 });
      handle.catch(() => pool.delete(key));
      return handle;
    },
    async release(key) {
      const entry = pool.get(key);
      if (!entry) return;
      entry.refs--;
      if (entry.refs > 0) return;
      pool.delete(key);
      await (await entry.handle).close();
    },
    size: () => pool.size,
  };
}

/**
 * Creates the file-system storage. Throws TftpError of kind `root` when the root,
 * an alternate or the upload directory is missing or unusable, and of kind `config`
 * for bad options (more than ten alternates, a bad default rule).
 */
export async function createFsStorage(options: FsStorageOptions): Promise<FsStorage> {
  const alternates = options.alternates ?? [];
  if (alternates.length > MAX_ALTERNATES) {
    throw new TftpError('config', `at most ${MAX_ALTERNATES} alternate TFTP locations are searched; ${alternates.length} were given`);
  }
  const caseInsensitive = options.caseInsensitive ?? false;
  const compiled = compileDefaultRules(options.defaults ?? [], caseInsensitive);
  if (compiled.kind === 'invalid') throw new TftpError('config', compiled.message);
  const readMode = fsConstants.R_OK | fsConstants.X_OK;
  const locations = [await realDirectory(options.root, 'TFTP root', readMode)];
  for (const [i, alt] of alternates.entries()) locations.push(await realDirectory(alt, `alternate TFTP location ${i + 1}`, readMode));

  let inbox: UploadInbox | undefined;
  if (options.uploads) {
    const dir = await realDirectory(options.uploads.dir, 'upload directory', fsConstants.W_OK | fsConstants.X_OK);
    const maxBytes = options.uploads.maxBytes;
    if (maxBytes !== undefined && (!Number.isSafeInteger(maxBytes) || maxBytes <= 0)) {
      throw new TftpError('config', `upload size limit must be a positive whole number of bytes, not ${maxBytes}`);
    }
    inbox = await createUploadInbox(dir, options.uploads, options.clock ?? systemClock);
  }

  const plan: ReadPlanConfig = { alternateCount: alternates.length, defaults: compiled.rules, caseInsensitive };
  const remap = options.remap ?? [];
  const cache = options.cache === false ? undefined : createFileCache(options.cache);
  const handles = createHandlePool();
  let activeReads = 0;

  const cachedSource = async (cache: FileCache, found: { realPath: string; stats: Stats }, display: string, origin: string): Promise<ReadSource> => {
    const data = await cache.getOrLoad(versionKey(found.realPath, found.stats), async () => {
      const fh = await openVerified(found.realPath, found.stats);
      try {
        return await readAt(fh, 0, found.stats.size, found.stats.size);
      } finally {
        await fh.close();
      }
    });
    let isClosed = false;
    activeReads++;
    return {
      size: data.length,
      displayName: display,
      origin,
      read: (offset, length) => Promise.resolve(data.subarray(Math.min(offset, data.length), Math.min(offset + length, data.length))),
      close() {
        if (!isClosed) activeReads--;
        isClosed = true;
        return Promise.resolve();
      },
    };
  };

  const streamedSource = async (found: { realPath: string; stats: Stats }, display: string, origin: string): Promise<ReadSource> => {
    const key = versionKey(found.realPath, found.stats);
    const fh = await handles.acquire(key, found.realPath, found.stats);
    const size = found.stats.size;
    let isClosed = false;
    activeReads++;
    return {
      size,
      displayName: display,
      origin,
      read: (offset, length) => readAt(fh, offset, length, size),
      async close() {
        if (isClosed) return;
        isClosed = true;
        activeReads--;
        await handles.release(key);
      },
    };
  };

  const openRead = async (requested: string, ctx: RequestContext): Promise<OpenResult<ReadSource>> => {
    const display = displayName(requested);
    const mapped = applyRemap(remap, requested, { op: 'read', clientIp: ctx.peer.address });
    if (mapped.kind === 'refused') {
      return { kind: 'error', code: refusalCode('remap-abort'), message: refusalMessage('remap-abort', requested) };
    }
    const decided = planRead(mapped.name, plan, requested);
    if (decided.kind === 'refused') return { kind: 'error', code: decided.code, message: decided.message };
    for (const attempt of decided.attempts) {
      const base = locations[attempt.location];
      if (base === undefined) continue;
      const found = await lookup(base, attempt.segments, caseInsensitive);
      if (found.kind === 'missing') continue;
      if (found.kind === 'escape') return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: ${display} leaves the TFTP root` };
      if (found.kind === 'denied') return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: ${display} cannot be read` };
      try {
        const source =
          cache !== undefined && found.stats.size <= cache.maxEntryBytes
            ? await cachedSource(cache, found, display, attempt.origin)
            : await streamedSource(found, display, attempt.origin);
        return { kind: 'ok', value: source };
      } catch (err) {
        // Replaced or removed between lookup and open: look at the next place, as if it were not there.
        if (lookupFailure(err).kind === 'denied') {
          return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: ${display} cannot be read` };
        }
      }
    }
    return { kind: 'error', code: TFTP_ERROR.fileNotFound, message: `File not found: ${display}` };
  };

  const openWrite = async (requested: string, ctx: RequestContext): Promise<OpenResult<UploadTarget>> => {
    const display = displayName(requested);
    if (!inbox) return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: uploads are not accepted (${display})` };
    const mapped = applyRemap(remap, requested, { op: 'write', clientIp: ctx.peer.address });
    if (mapped.kind === 'refused') {
      return { kind: 'error', code: refusalCode('remap-abort'), message: refusalMessage('remap-abort', requested) };
    }
    const decided = planUpload(mapped.name, requested);
    if (decided.kind === 'refused') return { kind: 'error', code: decided.code, message: decided.message };
    return inbox.open(decided.fileName, display, ctx.tsize);
  };

  return {
    locations,
    uploadDir: inbox?.dir,
    openRead,
    openWrite,
    stats: () => ({
      cache: cache?.stats(),
      openFiles: handles.size(),
      activeReads,
      activeUploads: inbox?.inProgress() ?? 0,
      cleanedTempFiles: inbox?.cleanedTempFiles ?? 0,
    }),
  };
}
