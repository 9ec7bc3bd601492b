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
 * - at most `maxVersions` versions of a name are kept (default 10): after a save the
 *   oldest timestamped ones go, the first version (the backup taken before any
 *   change) always stays (upload-prune.ts);
 * - the room is limited: a file by `maxBytes`, the whole inbox by `quotaBytes`, and
 *   the file system keeps `minFreeBytes` available (inbox-space.ts). An announced
 *   tsize (RFC 2349) over any of them is refused up front, and every write is
 *   checked; running out of disk (ENOSPC, EDQUOT, EFBIG) or over a bound is TFTP
 *   error 3 and the partial file is removed;
 * - the directory is held open from start, and every file of the inbox is reached
 *   through that descriptor (`/proc/self/fd/N/name`): a directory swapped for a symlink
 *   while serve runs redirects nothing. An upload that arrives when the configured
 *   path no longer names the held directory is refused (error 2) and counted.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, type Stats } from 'node:fs';
import { open, readdir, rm, stat, type FileHandle } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { errnoCode } from '../errno.js';
import { TFTP_ERROR } from './error-codes.js';
import { isUploadTempName, UPLOAD_TEMP_PREFIX } from './resolve-path.js';
import { DEFAULT_UPLOAD_QUOTA_BYTES, defaultMinFreeBytes, InboxSpace, scanInboxSizes, SpaceClaim, systemStatfs, type StatfsFn } from './inbox-space.js';
import { isNoSpace, noRoomMessage, noSpaceError, tooBigError, type NoRoom } from './storage-error.js';
import type { OpenResult, UploadTarget } from './storage.js';
import { UploadFile } from './upload-file.js';
import { NameClaimer } from './upload-names.js';
import { DEFAULT_MAX_UPLOAD_VERSIONS, VersionPruner } from './upload-prune.js';

export { isTftpStorageError, TftpStorageError } from './storage-error.js';
export { versionedName, versionStamp } from './upload-names.js';

/** Default largest upload: configs are small, but a firmware image may be sent back too. */
export const DEFAULT_UPLOAD_MAX_BYTES = 64 * 1024 * 1024;

/** Default permission bits of saved uploads: owner only, since router configs hold passwords. */
export const DEFAULT_UPLOAD_FILE_MODE = 0o600;

/** True for permission bits an upload may get: 0..0o777 (no setuid, setgid or sticky bit). */
export function isUploadFileMode(mode: number): boolean {
  return Number.isInteger(mode) && mode >= 0 && mode <= 0o777;
}

/** How uploads are accepted. */
export interface UploadOptions {
  /** The upload directory (must exist and be writable). */
  readonly dir: string;
  /** Replace an existing file of the same name instead of keeping versions (default false). */
  readonly overwrite?: boolean;
  /** Largest accepted upload in bytes (default 64 MiB). */
  readonly maxBytes?: number;
  /** Permission bits of saved files (default 0o600: backups hold passwords). Set exactly, whatever the umask. */
  readonly fileMode?: number;
  /** Total bytes the inbox may hold (default 1 GiB). */
  readonly quotaBytes?: number;
  /** Most versions kept per name, the first included: 2 or more, or `all` (default 10; one with `overwrite`). */
  readonly maxVersions?: number | 'all';
  /** Bytes that must stay available to unprivileged users on the file system (default 5 % of it, at most 256 MiB). */
  readonly minFreeBytes?: number;
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
  /** Bytes of the files in the inbox, and its bounds. */
  room(): InboxRoom;
  /** Closes the held directory (uploads are refused after). */
  release(): void;
}

/** How full an inbox is, and its bounds (bytes). */
export interface InboxRoom {
  readonly usedBytes: number;
  readonly quotaBytes: number;
  readonly minFreeBytes: number;
  /** Uploads refused because the directory's path named another directory than the one held (swapped). */
  readonly swappedRefusals: number;
}

/** The inbox directory held open: its descriptor's path for file operations, and its identity. */
interface HeldInbox {
  readonly fd: number;
  /** `/proc/self/fd/N`: every inbox file operation goes through it. */
  readonly path: string;
  readonly stats: Stats;
}

/** Opens the inbox directory once (not following a last symlink) for the process's life. */
function holdInbox(realDir: string): HeldInbox {
  const fd = openSync(realDir, fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW);
  return { fd, path: `/proc/self/fd/${fd}`, stats: fstatSync(fd) };
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

/** File operations the inbox can be given instead of node:fs (tests: a file system without hard links). */
export interface UploadFsOps {
  readonly link?: (existing: string, newPath: string) => Promise<void>;
  readonly statfs?: StatfsFn;
}

/**
 * Creates the inbox over an existing directory (its real path): removes stale temp
 * files and returns the inbox. `clock` dates kept versions; `ops` replaces file
 * operations in tests.
 */
export async function createUploadInbox(realDir: string, options: UploadOptions, clock: Clock, ops: UploadFsOps = {}): Promise<UploadInbox> {
  const held = holdInbox(realDir);
  const dir = held.path;
  const cleanedTempFiles = await cleanStaleTempFiles(dir);
  const statfsOf = ops.statfs ?? systemStatfs;
  const limits = {
    quotaBytes: options.quotaBytes ?? DEFAULT_UPLOAD_QUOTA_BYTES,
    minFreeBytes: options.minFreeBytes ?? defaultMinFreeBytes(await statfsOf(dir)),
  };
  const space = new InboxSpace(dir, await scanInboxSizes(dir), limits, statfsOf);
  const overwrite = options.overwrite ?? false;
  const pruner = new VersionPruner(dir, space, overwrite ? 'all' : (options.maxVersions ?? DEFAULT_MAX_UPLOAD_VERSIONS));
  return new Inbox(realDir, held, options, { names: new NameClaimer(dir, overwrite, clock, ops.link), space, pruner }, cleanedTempFiles);
}

/** The parts of an inbox shared by its uploads. */
interface InboxParts {
  readonly names: NameClaimer;
  readonly space: InboxSpace;
  readonly pruner: VersionPruner;
}

/** The OpenResult of an upload refused for room. */
function noRoomResult(display: string, r: NoRoom): OpenResult<never> {
  return { kind: 'error', code: TFTP_ERROR.diskFull, message: noRoomMessage(display, r), isNoRoom: true };
}

/** The upload inbox over one directory. */
class Inbox implements UploadInbox {
  private readonly maxBytes: number;
  private readonly fileMode: number;
  private openFiles = 0;
  private swappedRefusals = 0;
  private isReleased = false;
  private readonly onClosed = (): void => {
    this.openFiles--;
  };

  constructor(
    readonly dir: string,
    private readonly held: HeldInbox,
    options: UploadOptions,
    private readonly parts: InboxParts,
    readonly cleanedTempFiles: number,
  ) {
    this.maxBytes = options.maxBytes ?? DEFAULT_UPLOAD_MAX_BYTES;
    this.fileMode = options.fileMode ?? DEFAULT_UPLOAD_FILE_MODE;
  }

  inProgress(): number {
    return this.openFiles;
  }

  room(): InboxRoom {
    const { space } = this.parts;
    return { usedBytes: space.usedBytes, ...space.limits, swappedRefusals: this.swappedRefusals };
  }

  release(): void {
    if (this.isReleased) return;
    this.isReleased = true;
    closeSync(this.held.fd);
  }

  /** True while the configured path still names the held directory (it was not swapped for a symlink or another directory). */
  private async isStillHeld(): Promise<boolean> {
    if (this.isReleased) return false;
    const now = await stat(this.dir).catch(() => undefined);
    return now !== undefined && now.ino === this.held.stats.ino && now.dev === this.held.stats.dev;
  }

  async open(fileName: string, display: string, tsize?: number): Promise<OpenResult<UploadTarget>> {
    if (!(await this.isStillHeld())) {
      this.swappedRefusals++;
      return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: the upload directory ${this.dir} was replaced since start (a symlink or another directory); ${display} is not stored` };
    }
    if (tsize !== undefined && tsize > this.maxBytes) {
      return { kind: 'error', code: TFTP_ERROR.diskFull, message: tooBigError(display, this.maxBytes).message };
    }
    // The announced size is reserved in the quota at once; without one the upload reserves as it writes.
    const claim = new SpaceClaim(this.parts.space);
    const noRoom = claim.growTo(tsize ?? 0) ?? (await this.parts.space.checkFree(tsize ?? 0));
    if (noRoom !== undefined) {
      claim.release();
      return noRoomResult(display, noRoom);
    }
    let opened: OpenResult<UploadTarget> | undefined;
    try {
      opened = await this.openTemp(fileName, display, claim);
    } finally {
      if (opened?.kind !== 'ok') claim.release();
    }
    return opened;
  }

  private async openTemp(fileName: string, display: string, space: SpaceClaim): Promise<OpenResult<UploadTarget>> {
    const temp = join(this.held.path, `${UPLOAD_TEMP_PREFIX}${randomBytes(8).toString('hex')}`);
    let fh: FileHandle;
    try {
      // Created owner-only whatever the mode asked; the exact mode is set on the descriptor (the umask does not apply to fchmod).
      fh = await open(temp, fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
    } catch (err) {
      if (isNoSpace(err)) return { kind: 'error', code: TFTP_ERROR.diskFull, message: noSpaceError(display, err).message };
      if (errnoCode(err) === 'EACCES' || errnoCode(err) === 'EROFS') {
        return { kind: 'error', code: TFTP_ERROR.accessViolation, message: `Access violation: cannot store ${display}` };
      }
      throw err;
    }
    try {
      await fh.chmod(this.fileMode);
    } catch (err) {
      // The chmod failure is the one reported; closing and removing the temp file only tidy up.
      await fh.close().catch(() => undefined);
      await rm(temp, { force: true });
      throw err;
    }
    this.openFiles++;
    const { names, pruner } = this.parts;
    const place = { dir: this.held.path, temp, fileName, display, maxBytes: this.maxBytes, names, space, pruner, onClosed: this.onClosed };
    return { kind: 'ok', value: new UploadFile(fh, place) };
  }
}
