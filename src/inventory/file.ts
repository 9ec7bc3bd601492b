/**
 * The inventory's only I/O: reading the file, and writing an edited text atomically
 * (a temporary file in the same directory, fsynced, renamed over the old one, then the
 * directory fsynced), so a reader never sees half a file and a crash leaves the old or
 * the new text. Failures become an InventoryError with one `io` issue.
 */
import { randomBytes } from 'node:crypto';
import { readFile, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { errnoCode } from '../errno.js';
import { fsyncDir, writeFileSynced } from '../fs-durable.js';
import { editInventoryText, type InventoryEdit } from './edit.js';
import { InventoryError, type InventoryIssue } from './issues.js';
import { parseInventory, type InventoryParseOptions } from './parse.js';
import type { Inventory } from './validate.js';

function ioIssue(file: string, what: string, err: unknown): InventoryIssue {
  const reason = errnoCode(err) === 'ENOENT' ? 'no such file' : err instanceof Error ? err.message : String(err);
  return { kind: 'io', file, line: 0, column: 0, field: '', message: `cannot ${what}: ${reason}` };
}

/** Reads the file's text; InventoryError (io) when it cannot. */
export async function readInventoryText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new InventoryError([ioIssue(path, 'read', err)], { cause: err });
  }
}

/** Reads and checks an inventory file; returns the inventory and every issue (the caller decides). */
export async function readInventoryFile(path: string, options: Omit<InventoryParseOptions, 'file'> = {}): Promise<{ inventory: Inventory; issues: InventoryIssue[]; text: string }> {
  const text = await readInventoryText(path);
  return { ...parseInventory(text, { ...options, file: path }), text };
}

/** Replaces the file with `text` atomically; InventoryError (io) on failure, the old file untouched. */
export async function writeInventoryText(path: string, text: string): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  try {
    await writeFileSynced(tmp, text, 'wx', 0o644);
    await rename(tmp, path);
    await fsyncDir(dirname(path));
  } catch (err) {
    await rm(tmp, { force: true });
    throw new InventoryError([ioIssue(path, 'write', err)], { cause: err });
  }
}

/**
 * Applies edits to the file: read, edit, check, write atomically. Throws InventoryError
 * with every issue when the result would be invalid (nothing written). A missing file
 * is taken as empty, so the first `add` creates it.
 */
export async function editInventoryFile(path: string, edits: readonly InventoryEdit[], options: Omit<InventoryParseOptions, 'file'> = {}): Promise<Inventory> {
  let text = '';
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (errnoCode(err) !== 'ENOENT') throw new InventoryError([ioIssue(path, 'read', err)], { cause: err });
  }
  const result = editInventoryText(text, edits, { ...options, file: path });
  if (result.kind === 'refused') throw new InventoryError(result.issues);
  await writeInventoryText(path, result.text);
  return result.inventory;
}
