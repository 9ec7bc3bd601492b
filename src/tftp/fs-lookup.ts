/**
 * File-system primitives of the TFTP storage: looking up one planned place (realpath,
 * containment inside its location, regular file), identifying a version of a file,
 * opening it without following a last symlink or blocking on a FIFO, and reading it
 * positionally up to the size announced in tsize.
 */
import { constants as fsConstants, type Stats } from 'node:fs';
import { open, readdir, readlink, realpath, stat, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../errno.js';
import { isInside, pickEntry } from './resolve-path.js';

/** What looking up one planned place found. */
export type Lookup =
  | { readonly kind: 'file'; readonly realPath: string; readonly stats: Stats }
  | { readonly kind: 'missing' }
  | { readonly kind: 'escape' }
  | { readonly kind: 'denied' };

/** Errors that mean the file is not there. */
const MISSING_CODES = new Set(['ENOENT', 'ENOTDIR', 'ELOOP', 'ENAMETOOLONG']);

/** Maps a lookup failure: missing, denied, or rethrown. */
export function lookupFailure(err: unknown): Lookup {
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
export async function lookup(base: string, segments: readonly string[], caseInsensitive: boolean): Promise<Lookup> {
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
export function versionKey(realPath: string, s: Stats): string {
  return `${realPath}\u0000${s.dev}:${s.ino}:${s.size}:${s.mtimeMs}:${s.ctimeMs}`;
}

/**
 * Opens a regular file without following a final symlink and without blocking on a FIFO,
 * then checks the descriptor itself: the same file the lookup found (device and inode),
 * and opened at the same real path (the kernel's path of the descriptor). A directory
 * swapped for a symlink between the lookup and the open cannot redirect the read: the
 * descriptor would name another place, and the file is answered as not found.
 */
export async function openVerified(realPath: string, expected: Stats): Promise<FileHandle> {
  const fh = await open(realPath, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  try {
    const s = await fh.stat();
    if (!s.isFile() || s.ino !== expected.ino || s.dev !== expected.dev || (await readlink(`/proc/self/fd/${fh.fd}`)) !== realPath) {
      throw Object.assign(new Error(`file changed while opening`), { code: 'ENOENT' });
    }
  } catch (err) {
    await fh.close();
    throw err;
  }
  return fh;
}

/** Reads up to `length` bytes at `offset`, stopping at `size` (the size announced in tsize). */
export async function readAt(fh: FileHandle, offset: number, length: number, size: number): Promise<Uint8Array> {
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
