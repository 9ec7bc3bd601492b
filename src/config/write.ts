/**
 * Putting scope files on disk safely: a new or changed file is written to a
 * temporary file in the same directory, flushed, and then renamed (or, for a new
 * scope, hard-linked so that an existing file is never replaced), so a reader never
 * sees half a file and a crash leaves either the old or the new text.
 */
import { link, rename, rm, unlink } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { basename, dirname, join } from 'node:path';
import { ERRORS, errorMessage, isErrno } from '../errors.js';
import { fsyncDir, writeFileSynced } from '../fs-durable.js';

async function writeTemp(path: string, text: string): Promise<string> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  await writeFileSynced(tmp, text, 'wx', 0o644);
  return tmp;
}

async function discard(tmp: string): Promise<void> {
  await rm(tmp, { force: true });
}

/** Replaces (or creates) `path` with `text` atomically; BB_SCOPE_IO on failure. */
export async function writeFileAtomic(path: string, text: string): Promise<void> {
  let tmp: string | undefined;
  try {
    tmp = await writeTemp(path, text);
    await rename(tmp, path);
    tmp = undefined;
    await fsyncDir(dirname(path));
  } catch (err) {
    if (tmp !== undefined) await discard(tmp);
    throw ERRORS.scopeUnwritable.create({ path, reason: errorMessage(err) }, { cause: err });
  }
}

/**
 * Creates `path` with `text` atomically, refusing when it already exists
 * (BB_SCOPE_EXISTS, checked by the link itself, so two writers cannot both win).
 */
export async function createFileAtomic(path: string, text: string): Promise<void> {
  let tmp: string | undefined;
  try {
    tmp = await writeTemp(path, text);
    await link(tmp, path);
    await unlink(tmp);
    tmp = undefined;
    await fsyncDir(dirname(path));
  } catch (err) {
    if (tmp !== undefined) await discard(tmp);
    if (isErrno(err, 'EEXIST')) throw ERRORS.scopeExists.create({ path }, { cause: err });
    throw ERRORS.scopeUnwritable.create({ path, reason: errorMessage(err) }, { cause: err });
  }
}

/** Deletes a scope file; BB_SCOPE_NOT_FOUND when it is not there. */
export async function removeFile(path: string): Promise<void> {
  try {
    await unlink(path);
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw ERRORS.noScopeFile.create({ path }, { cause: err });
    throw ERRORS.scopeUnremovable.create({ path, reason: errorMessage(err) }, { cause: err });
  }
}
