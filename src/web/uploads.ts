/**
 * The upload directory as the dashboard shows it: the stored backups grouped by the
 * name the device sent (later versions carry a UTC timestamp suffix, see
 * tftp/upload-names.ts), and reading one version by its exact listed name (names
 * never come from the request unchecked: only a name present in the listing is read).
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { VERSION_SUFFIX } from '../tftp/upload-versions.js';

/** Largest version read for a diff (bytes); larger ones are offered for download only. */
export const MAX_DIFF_BYTES = 1024 * 1024;

/** One stored file. */
export interface UploadVersion {
  readonly name: string;
  readonly bytes: number;
  readonly modifiedMs: number;
}

/** The versions of one uploaded name, oldest first. */
export interface UploadGroup {
  readonly base: string;
  readonly versions: readonly UploadVersion[];
}

/** The name the device sent, for a stored name. */
export function uploadBase(name: string): string {
  return name.replace(VERSION_SUFFIX, '');
}

/** Every regular file of `dir` (not temp or hidden files), grouped by base name. */
export async function listUploads(dir: string): Promise<UploadGroup[]> {
  const names = (await readdir(dir)).filter((n) => !n.startsWith('.'));
  const versions: UploadVersion[] = [];
  for (const name of names) {
    const st = await lstat(join(dir, name)).catch(() => undefined);
    if (st?.isFile()) versions.push({ name, bytes: st.size, modifiedMs: st.mtimeMs });
  }
  const groups = new Map<string, UploadVersion[]>();
  for (const v of versions) {
    const base = uploadBase(v.name);
    groups.set(base, [...(groups.get(base) ?? []), v]);
  }
  return [...groups.entries()]
    .map(([base, vs]) => ({ base, versions: vs.sort((a, b) => a.modifiedMs - b.modifiedMs || (a.name < b.name ? -1 : 1)) }))
    .sort((a, b) => (a.base < b.base ? -1 : a.base > b.base ? 1 : 0));
}

/** The listed version called `name`, or undefined when no such file is listed. */
export async function findUpload(dir: string, name: string): Promise<UploadVersion | undefined> {
  const groups = await listUploads(dir);
  return groups.flatMap((g) => g.versions).find((v) => v.name === name);
}

/** The text of a listed version for a diff; undefined when it is not listed or too large. */
export async function readUploadText(dir: string, name: string): Promise<string | undefined> {
  const v = await findUpload(dir, name);
  if (!v || v.bytes > MAX_DIFF_BYTES) return undefined;
  return readFile(join(dir, v.name), 'utf8');
}
