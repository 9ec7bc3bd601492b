/**
 * The upload inbox (TFTP WRQ, e.g. router configuration backups). Uploads are off
 * unless an upload directory is configured; then a file can only land in that one
 * flat directory:
 *
 * - it is written to a temp file in the directory (`.benchboot-upload-<random>`,
 *   never served), fsynced and renamed into place when the last block arrived, and
 *   the directory is fsynced: a reader never sees half a file;
 * - an aborted upload (client gone, timeout, error) unlinks its temp file; temp files
 *   left by a crash are removed when the inbox starts;
 * - an existing file is never overwritten unless `overwrite: true`: the default keeps
 *   every version, the first under the plain name, later ones with a timestamp
 *   suffix (`router1-confg.2026-11-21T08-15-02.123Z`, then `...Z-2` within the same
 *   millisecond). The name is claimed with link(2), which fails rather than replace,
 *   so two uploads never take the same name;
 * - the size is limited: an announced tsize (RFC 2349) over the limit or over the
 *   free space is refused up front, and every write is checked; running out of disk
 *   (ENOSPC, EDQUOT, EFBIG) or over the limit is TFTP error 3 and the partial file
 *   is removed.
 */
import { constants as fsConstants } from 'node:fs';
import { link, open, readdir, rename, lstat, rm, statfs, unlink, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { errnoCode, errorMessage } from '../errno.js';
import { fsyncDir } from '../fs-durable.js';
import { TFTP_ERROR, type TftpErrorCode } from './error-codes.js';
import { isUploadTempName, MAX_SEGMENT_LENGTH, UPLOAD_TEMP_PREFIX } from './resolve-path.js';
import type { OpenResult, UploadTarget } from './storage.js';

/** Default largest upload: configs are small, but a firmware image may be sent back too. */
export const DEFAULT_UPLOAD_MAX_BYTES = 64 * 1024 * 1024;

/** Most suffixes tried within one millisecond before giving up. */
const MAX_VERSION_ATTEMPTS = 1000;

/** How uploads are accepted. */
export interface UploadOptions {
  /** The upload directory (must exist and be writable). */
  readonly dir: string;
  /** Replace an existing file of the same name instead of keeping versions (default false). */
  readonly overwrite?: boolean;
  /** Largest accepted upload in bytes (default 64 MiB). */
  readonly maxBytes?: number;
  /** Permission bits of saved files (default 0o644). */
  readonly fileMode?: number;
}

/**
 * A storage failure with the TFTP error to send: `UploadTarget.write` and `commit`
 * reject with this, and the server sends `tftpCode` with `message` (which names
 * only the requested file).
 */
export class TftpStorageError extends Error {
  readonly tftpCode: TftpErrorCode;

  constructor(tftpCode: TftpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TftpStorageError';
    this.tftpCode = tftpCode;
  }
}

/** True for `TftpStorageError`. */
export function isTftpStorageError(err: unknown): err is TftpStorageError {
  return err instanceof TftpStorageError;
}

/** The timestamp suffix of a kept version: ISO 8601 UTC with `-` for `:` (safe on every file system). */
export function versionStamp(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/:/g, '-');
}

/**
 * The name tried for a kept version: attempt 0 is the plain name, 1 the timestamped
 * one, 2.. add `-2`, `-3` (several uploads within one millisecond). The base is
 * shortened when the result would exceed the file-name limit.
 */
export function versionedName(fileName: string, nowMs: number, attempt: number): string {
  if (attempt === 0) return fileName;
  const suffix = `.${versionStamp(nowMs)}${attempt > 1 ? `-${attempt}` : ''}`;
  return fileName.slice(0, MAX_SEGMENT_LENGTH - suffix.length) + suffix;
}

/** Errors that mean "no room": TFTP error 3. */
function isNoSpace(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

/** Errors that mean "this file system has no hard links": fall back to check-then-rename. */
function isLinkUnsupported(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS';
}


/** The upload inbox. */
export interface UploadInbox {
  /** The directory (real path). */
  readonly dir: string;
  /** Temp files removed at start (left by a crash). */
  readonly cleanedTempFiles: number;
  /** Opens an upload of `fileName` (already a checked plain name); `display` is the requested name for messages. */
  open(fileName: string, display: string, tsize?: number): Promise<OpenResult<UploadTarget>>;
  /** Uploads in progress (temp files open). */
  inProgress(): number;
}

/** Removes temp files a crashed run left behind; returns how many. */
export async function cleanStaleTempFiles(dir: string): Promise<number> {
  let removed = 0;
  for (const entry of await readdir(dir)) {
    if (!isUploadTempName(entry)) continue;
    // Only benchboot names files with this prefix; rm does not follow symlinks.
    await rm(join(dir, entry), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Free bytes for unprivileged writers in `dir`, or undefined when unknown. */
async function freeBytes(dir: string): Promise<number | undefined> {
  try {
    const s = await statfs(dir);
    return s.bavail * s.bsize;
  } catch (err) {
    // statfs is missing on some platforms/file systems: the check while writing still applies.
    if (errnoCode(err) === 'ENOSYS' || errnoCode(err) === 'ENOTSUP') return undefined;
    throw err;
  }
}

/** File operations the inbox can be given instead of node:fs (tests: a file system without hard links). */
export interface UploadFsOps {
  readonly link?: (existing: string, newPath: string) => Promise<void>;
}

/**
 * Creates the inbox over an existing directory (its real path): removes stale temp
 * files and returns the inbox. `clock` dates kept versions; `ops` replaces file
 * operations in tests.
 */
export async function createUploadInbox(realDir: string, options: UploadOptions, clock: Clock, ops: UploadFsOps = {}): Promise<UploadInbox> {
  const linkFile = ops.link ?? link;
  const maxBytes = options.maxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
  const overwrite = options.overwrite ?? false;
  const fileMode = options.fileMode ?? 0o644;
  const cleanedTempFiles = await cleanStaleTempFiles(realDir);
  let open_ = 0;
  // Commits on file systems without link(2) are serialized: check-then-rename is only safe one at a time.
  let renameLock: Promise<unknown> = Promise.resolve();

  const claimName = async (temp: string, fileName: string): Promise<string> => {
    if (overwrite) {
      await rename(temp, join(realDir, fileName));
      return fileName;
    }
    const now = clock.now();
    for (let attempt = 0; attempt < MAX_VERSION_ATTEMPTS; attempt++) {
      const candidate = versionedName(fileName, now, attempt);
      try {
        await linkFile(temp, join(realDir, candidate));
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue;
        if (isLinkUnsupported(err)) return claimByRename(temp, fileName, now);
        throw err;
      }
      await unlink(temp);
      return candidate;
    }
    throw new Error(`no free version name after ${MAX_VERSION_ATTEMPTS} attempts`);
  };

  const claimByRename = (temp: string, fileName: string, now: number): Promise<string> => {
    const run = renameLock.then(async () => {
      for (let attempt = 0; attempt < MAX_VERSION_ATTEMPTS; attempt++) {
        const candidate = versionedName(fileName, now, attempt);
        try {
          await lstat(join(realDir, candidate));
          continue;
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw err;
        }
        await rename(temp, join(realDir, candidate));
        return candidate;
      }
      throw new Error(`no free version name after ${MAX_VERSION_ATTEMPTS} attempts`);
    });
    renameLock = run.catch(() => undefined);
    return run;
  };

  const tooBig = (display: string): TftpStorageError =>
    new TftpStorageError(TFTP_ERROR.diskFull, `Disk full or allocation exceeded: ${display} is larger than the upload limit of ${maxBytes} bytes`);
  const noSpace = (display: string, cause: unknown): TftpStorageError =>
    new TftpStorageError(TFTP_ERROR.diskFull, `Disk full or allocation exceeded: no room for ${display}`, { cause });

  const openUpload = async (fileName: string, display: string, tsize?: number): Promise<OpenResult<UploadTarget>> => {
    if (tsize !== undefined && tsize > maxBytes) {
      return { kind: 'error', code: TFTP_ERROR.diskFull, message: tooBig(display).message };
    }
    if (tsize !== undefined) {
      const free = await freeBytes(realDir);
      if (free !== undefined && tsize > free) {
        return { kind: 'error', code: TFTP_ERROR.diskFull, message: `Disk full or allocation exceeded: no room for ${display} (${tsize} bytes)` };
      }
    }
    const temp = join(realDir, `${UPLOAD_TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let fh: FileHandle;
    try {
      fh = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, fileMode);
    } catch (err) {
      if (isNoSpace(err)) return { kind: 'error', code: TFTP_ERROR.diskFull, message: noSpace(display, err).message };
      if (errnoCode(err) === 'EACCES' || errnoCode(err) === 'EROFS') {
        return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: cannot store ${display}` };
      }
      throw err;
    }
    open_++;
    return { kind: 'ok', value: uploadTarget(fh, temp, fileName, display) };
  };

  const uploadTarget = (fh: FileHandle, temp: string, fileName: string, display: string): UploadTarget => {
    let state: 'open' | 'committed' | 'aborted' = 'open';
    let isHandleClosed = false;
    // Operations run one after another, so abort never races a write on the same handle.
    let chain: Promise<unknown> = Promise.resolve();
    const serial = <T>(op: () => Promise<T>): Promise<T> => {
      const next = chain.then(op);
      chain = next.catch(() => undefined);
      return next;
    };

    const closeHandle = async (): Promise<void> => {
      if (isHandleClosed) return;
      isHandleClosed = true;
      open_--;
      await fh.close();
    };

    const discard = async (): Promise<void> => {
      if (state !== 'open') return;
      state = 'aborted';
      // Unlink even when close fails: the partial file must go either way.
      const closed = closeHandle().then(
        () => undefined,
        (err: unknown) => err,
      );
      try {
        await unlink(temp);
      } catch (err) {
        if (errnoCode(err) !== 'ENOENT') throw err;
      }
      const closeError = await closed;
      if (closeError !== undefined) throw closeError;
    };

    const failWith = async (err: TftpStorageError): Promise<never> => {
      try {
        await discard();
      } catch (cleanupErr) {
        throw new TftpStorageError(err.tftpCode, err.message, { cause: new AggregateError([err.cause, cleanupErr], 'cleanup after a failed upload also failed') });
      }
      throw err;
    };

    const fail = (err: unknown): Promise<never> =>
      failWith(
        isNoSpace(err)
          ? noSpace(display, err)
          : new TftpStorageError(TFTP_ERROR.notDefined, `Cannot store ${display}: ${errnoCode(err) ?? errorMessage(err)}`, { cause: err }),
      );

    return {
      write(offset, data) {
        return serial(async () => {
          if (state !== 'open') throw new TftpStorageError(TFTP_ERROR.illegalOperation, `Upload of ${display} is already ${state}`);
          if (offset + data.length > maxBytes) return failWith(tooBig(display));
          try {
            let done = 0;
            while (done < data.length) {
              const { bytesWritten } = await fh.write(data, done, data.length - done, offset + done);
              done += bytesWritten;
            }
          } catch (err) {
            return fail(err);
          }
        });
      },
      commit() {
        return serial(async () => {
          if (state !== 'open') throw new TftpStorageError(TFTP_ERROR.illegalOperation, `Upload of ${display} is already ${state}`);
          let savedAs: string;
          try {
            await fh.sync();
            await closeHandle();
            savedAs = await claimName(temp, fileName);
            await fsyncDir(realDir);
          } catch (err) {
            return fail(err);
          }
          state = 'committed';
          return { savedAs };
        });
      },
      abort() {
        return serial(discard);
      },
    };
  };

  return {
    dir: realDir,
    cleanedTempFiles,
    open: openUpload,
    inProgress: () => open_,
  };
}
