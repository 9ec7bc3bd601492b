/**
 * Names of kept upload versions: the first upload of a name keeps it, later ones get a
 * timestamp suffix, and a name is claimed with link(2), which fails rather than
 * replace, so two uploads never take the same name. On a file system without hard
 * links the claim falls back to check-then-rename, one commit at a time.
 */
import { link, lstat, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import { errnoCode } from '../errno.js';
import { MAX_FILE_NAME_BYTES, truncateUtf8 } from './upload-name-rules.js';

/** Most suffixes tried within one millisecond before giving up. */
const MAX_VERSION_ATTEMPTS = 1000;

/** The timestamp suffix of a kept version: ISO 8601 UTC with `-` for `:` (safe on every file system). */
export function versionStamp(nowMs: number): string {
  return new Date(nowMs).toISOString().replace(/:/g, '-');
}

/**
 * The name tried for a kept version: attempt 0 is the plain name, 1 the timestamped
 * one, 2.. add `-2`, `-3` (several uploads within one millisecond). The base is
 * shortened (never inside a character) when the result would exceed 255 bytes of UTF-8.
 */
export function versionedName(fileName: string, nowMs: number, attempt: number): string {
  if (attempt === 0) return fileName;
  const suffix = `.${versionStamp(nowMs)}${attempt > 1 ? `-${attempt}` : ''}`;
  return truncateUtf8(fileName, MAX_FILE_NAME_BYTES - suffix.length) + suffix;
}

/** Errors that mean "this file system has no hard links": fall back to check-then-rename. */
function isLinkUnsupported(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS';
}

/** Moves finished temp files to their final names in one directory. */
export class NameClaimer {
  // Commits on file systems without link(2) are serialized: check-then-rename is only safe one at a time.
  private renameLock: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly dir: string,
    private readonly overwrite: boolean,
    private readonly clock: Clock,
    private readonly linkFile: (existing: string, newPath: string) => Promise<void> = link,
  ) {}

  /** Gives `temp` the name `fileName` (or a versioned one); returns the name taken. */
  async claim(temp: string, fileName: string): Promise<string> {
    if (this.overwrite) {
      await rename(temp, join(this.dir, fileName));
      return fileName;
    }
    const now = this.clock.now();
    for (let attempt = 0; attempt < MAX_VERSION_ATTEMPTS; attempt++) {
      const candidate = versionedName(fileName, now, attempt);
      try {
        await this.linkFile(temp, join(this.dir, candidate));
      } catch (err) {
        if (errnoCode(err) === 'EEXIST') continue;
        if (isLinkUnsupported(err)) return this.claimByRename(temp, fileName, now);
        throw err;
      }
      await unlink(temp);
      return candidate;
    }
    throw new Error(`no free version name after ${MAX_VERSION_ATTEMPTS} attempts`);
  }

  private claimByRename(temp: string, fileName: string, now: number): Promise<string> {
    const run = this.renameLock.then(async () => {
      for (let attempt = 0; attempt < MAX_VERSION_ATTEMPTS; attempt++) {
        const candidate = versionedName(fileName, now, attempt);
        try {
          await lstat(join(this.dir, candidate));
          continue;
        } catch (err) {
          if (errnoCode(err) !== 'ENOENT') throw err;
        }
        await rename(temp, join(this.dir, candidate));
        return candidate;
      }
      throw new Error(`no free version name after ${MAX_VERSION_ATTEMPTS} attempts`);
    });
    this.renameLock = run.catch(() => undefined);
    return run;
  }
}
