/**
 * The provisioning resolver's only view of the disk: the names in a location's
 * directory (with a version that changes whenever they do), a stamp per file (size
 * and mtime, to see a template change) and a file's text. FsProvisionFiles reads the
 * real file system and keeps each directory's names until the directory's mtime
 * changes, so a request costs one stat per location, not a readdir.
 */
import { readdir, readFile, stat } from 'node:fs/promises';
import { errnoCode } from '../errno.js';

/** The names in one directory and a version that changes whenever they do. */
export interface Listing {
  /** File names (no directories), sorted. */
  readonly names: readonly string[];
  /** Grows whenever the names of any directory this source lists change. */
  readonly version: number;
}

/** Where the resolver reads names and templates from (real or in memory). */
export interface ProvisionFiles {
  /** The names in `dir`; an empty listing when the directory is missing. */
  list(dir: string): Promise<Listing>;
  /** A value that changes whenever the file does (size and mtime); undefined when it is gone. */
  stamp(path: string): Promise<string | undefined>;
  /** The file's text (UTF-8). */
  readText(path: string): Promise<string>;
}

interface CachedListing {
  readonly mtimeMs: number;
  readonly listing: Listing;
}

/** ProvisionFiles over the real file system, with directory listings cached by mtime. */
export class FsProvisionFiles implements ProvisionFiles {
  private readonly listings = new Map<string, CachedListing>();
  private version = 0;

  /** The names in `dir`, read again only when its mtime changed. */
  async list(dir: string): Promise<Listing> {
    const mtimeMs = await this.dirMtime(dir);
    const cached = this.listings.get(dir);
    if (cached !== undefined && cached.mtimeMs === mtimeMs) return cached.listing;
    const names = mtimeMs < 0 ? [] : await this.readNames(dir);
    const same = cached !== undefined && sameNames(cached.listing.names, names);
    const listing = same ? cached.listing : { names, version: ++this.version };
    this.listings.set(dir, { mtimeMs, listing });
    return listing;
  }

  /** `size:mtime` of the file, or undefined when it does not exist. */
  async stamp(path: string): Promise<string | undefined> {
    try {
      const s = await stat(path);
      return `${s.size}:${s.mtimeMs}`;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return undefined;
      throw err;
    }
  }

  /** The file's text. */
  readText(path: string): Promise<string> {
    return readFile(path, 'utf8');
  }

  /** Forgets every cached listing (reload). */
  clear(): void {
    this.listings.clear();
  }

  private async dirMtime(dir: string): Promise<number> {
    try {
      return (await stat(dir)).mtimeMs;
    } catch (err) {
      if (errnoCode(err) === 'ENOENT' || errnoCode(err) === 'ENOTDIR') return -1;
      throw err;
    }
  }

  private async readNames(dir: string): Promise<string[]> {
    const entries = await readdir(dir, { withFileTypes: true });
    return entries.filter((e) => e.isFile() || e.isSymbolicLink()).map((e) => e.name).sort();
  }
}

function sameNames(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}
