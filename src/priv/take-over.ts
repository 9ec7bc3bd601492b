/**
 * Directories an earlier version left root-owned (it ran the whole of serve as root):
 * the state directory (leases, devices, lock, control socket), the upload directory and
 * the log file. The root parent hands them to the user serve runs as, before that user
 * starts, so that they keep working:
 *
 * - the directory is opened without following a last symlink, and taken over only when
 *   its real path is the path given (no symlink on the way: a swapped parent directory
 *   cannot point the chown at a system directory) — otherwise the exact command is said;
 * - inside, every entry owned by root is given to the user through the held directory
 *   (`/proc/self/fd/N/name`, lchown: a symlink is never followed), subdirectories to a
 *   depth of {@link TAKE_OVER_DEPTH}; a regular file with more than one link is left
 *   (it may be a hard link to a file elsewhere) and reported;
 * - a missing state directory is created for the user.
 */
import { constants as fsConstants, closeSync, fchownSync, fstatSync, lchownSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { errnoCode, errorMessage } from '../errno.js';
import { DIR_FLAGS, heldPath, openHeldDir, realPathOfFd, type HeldDir } from './held-dir.js';

/** Deepest subdirectory level whose entries are taken over. */
export const TAKE_OVER_DEPTH = 4;

/** Who the directories go to. */
export interface TakeOverUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
}

/** What happened to one path. */
export type TakeOverOutcome =
  | { readonly kind: 'taken'; readonly path: string; readonly entries: number; readonly skipped: readonly string[] }
  | { readonly kind: 'created'; readonly path: string }
  | { readonly kind: 'unchanged'; readonly path: string }
  | { readonly kind: 'missing'; readonly path: string }
  /** Not taken over: `reason`, and `fix` the command a person runs. */
  | { readonly kind: 'refused'; readonly path: string; readonly reason: string; readonly fix: string };

/** The command that gives `path` to `user`. */
function chownFix(path: string, user: TakeOverUser): string {
  return `sudo chown -R ${user.uid}:${user.gid} ${path}`;
}

/** Gives root-owned entries under the held directory to the user; returns how many, and what was left. */
function takeOverEntries(dir: HeldDir | { readonly fd: number }, user: TakeOverUser, depth: number, skipped: string[], label: string): number {
  let changed = 0;
  for (const name of readdirSync(heldPath(dir.fd))) {
    const path = heldPath(dir.fd, name);
    const st = lstatSync(path);
    if (st.uid === 0) {
      if (st.isFile() && st.nlink > 1) {
        skipped.push(`${label}/${name} (a file with ${st.nlink} links)`);
        continue;
      }
      lchownSync(path, user.uid, user.gid);
      changed++;
    }
    if (st.isDirectory() && depth > 0) {
      const fd = openSync(path, DIR_FLAGS);
      try {
        changed += takeOverEntries({ fd }, user, depth - 1, skipped, `${label}/${name}`);
      } finally {
        closeSync(fd);
      }
    }
  }
  return changed;
}

/** Takes over the directory at `path` (see the module comment); `create` makes a missing one for the user. */
export function takeOverDirectory(path: string, user: TakeOverUser, create: boolean): TakeOverOutcome {
  const abs = resolve(path);
  let dir: HeldDir;
  try {
    dir = openHeldDir(abs);
  } catch (err) {
    // A symlink or not a directory: nothing to take over; the server reports what it finds there.
    if (errnoCode(err) !== 'ENOENT') return { kind: 'unchanged', path: abs };
    if (!create) return { kind: 'missing', path: abs };
    mkdirSync(abs, { mode: 0o755 });
    dir = openHeldDir(abs);
    try {
      fchownSync(dir.fd, user.uid, user.gid);
    } finally {
      dir.close();
    }
    return { kind: 'created', path: abs };
  }
  try {
    return takeOverHeld(dir, abs, user);
  } finally {
    dir.close();
  }
}

function takeOverHeld(dir: HeldDir, abs: string, user: TakeOverUser): TakeOverOutcome {
  const isRootOwned = dir.stats.uid === 0;
  if (dir.realPath !== abs) {
    // Reached through a symlink somewhere on the path: never chown what it may point at.
    return isRootOwned ? { kind: 'refused', path: abs, reason: `it is ${dir.realPath} through a symlink, and owned by root`, fix: chownFix(dir.realPath, user) } : { kind: 'unchanged', path: abs };
  }
  if (!isRootOwned && dir.stats.uid !== user.uid) return { kind: 'unchanged', path: abs };
  if (isRootOwned) fchownSync(dir.fd, user.uid, user.gid);
  const skipped: string[] = [];
  const entries = takeOverEntries(dir, user, TAKE_OVER_DEPTH, skipped, abs);
  return isRootOwned || entries > 0 || skipped.length > 0 ? { kind: 'taken', path: abs, entries: entries + (isRootOwned ? 1 : 0), skipped } : { kind: 'unchanged', path: abs };
}

/**
 * Creates the file `abs` (0600) for the user, through its directory held open and only
 * when that directory's real path is the one named (no symlink on the way).
 */
function createFileFor(abs: string, user: TakeOverUser): TakeOverOutcome {
  let dir: HeldDir;
  try {
    dir = openHeldDir(dirname(abs));
  } catch (err) {
    return { kind: 'refused', path: abs, reason: `cannot open its directory: ${errorMessage(err)}`, fix: `create ${dirname(abs)}` };
  }
  try {
    if (dir.realPath !== dirname(abs)) return { kind: 'refused', path: abs, reason: `its directory is ${dir.realPath} through a symlink`, fix: `touch ${abs} && ${chownFix(abs, user)}` };
    const fd = openSync(heldPath(dir.fd, basename(abs)), fsConstants.O_WRONLY | fsConstants.O_CREAT | fsConstants.O_EXCL | fsConstants.O_NOFOLLOW, 0o600);
    try {
      fchownSync(fd, user.uid, user.gid);
    } finally {
      closeSync(fd);
    }
    return { kind: 'created', path: abs };
  } finally {
    dir.close();
  }
}

/**
 * Takes over a root-owned regular file (the log file) at `path` when its real path is
 * `path`; a missing one is created for the user (the user may not be able to create it
 * where it is named, e.g. in a root-owned directory).
 */
export function takeOverFile(path: string, user: TakeOverUser): TakeOverOutcome {
  const abs = resolve(path);
  let fd: number;
  try {
    fd = openSync(abs, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return createFileFor(abs, user);
    return { kind: 'refused', path: abs, reason: `cannot open it without following a symlink: ${errorMessage(err)}`, fix: chownFix(abs, user) };
  }
  try {
    const st = fstatSync(fd);
    if (st.uid !== 0) return { kind: 'unchanged', path: abs };
    if (!st.isFile() || st.nlink > 1 || realPathOfFd(fd) !== abs) return { kind: 'refused', path: abs, reason: 'it is owned by root and is not a plain file of its own', fix: chownFix(abs, user) };
    fchownSync(fd, user.uid, user.gid);
    return { kind: 'taken', path: abs, entries: 1, skipped: [] };
  } finally {
    closeSync(fd);
  }
}
