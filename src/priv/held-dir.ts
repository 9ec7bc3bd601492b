/**
 * Directories reached through a held descriptor. Opening `/proc/self/fd/N/name` walks
 * from the directory open as descriptor N, whatever its path names now: swapping the
 * directory for a symlink after it was opened redirects nothing (the openat(2) of a
 * language without openat). Used by the root parent, which reads the scope files'
 * interface names and takes over directories an earlier version left root-owned.
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readlinkSync, type Stats } from 'node:fs';

/** Flags of a directory opened without following a last symlink. */
export const DIR_FLAGS = fsConstants.O_RDONLY | fsConstants.O_DIRECTORY | fsConstants.O_NOFOLLOW;

/** The path through which entries of the directory held as `fd` are reached. */
export function heldPath(fd: number, name?: string): string {
  return name === undefined ? `/proc/self/fd/${fd}` : `/proc/self/fd/${fd}/${name}`;
}

/** Where descriptor `fd` really is (the kernel's path of the open file). */
export function realPathOfFd(fd: number): string {
  return readlinkSync(heldPath(fd));
}

/** A directory held open. */
export interface HeldDir {
  readonly fd: number;
  readonly stats: Stats;
  /** Its real path when opened. */
  readonly realPath: string;
  close(): void;
}

/** Opens `path` as a directory (the last component must not be a symlink); throws the errno error. */
export function openHeldDir(path: string): HeldDir {
  const fd = openSync(path, DIR_FLAGS);
  try {
    const stats = fstatSync(fd);
    const realPath = realPathOfFd(fd);
    return { fd, stats, realPath, close: () => closeSync(fd) };
  } catch (err) {
    closeSync(fd);
    throw err;
  }
}
