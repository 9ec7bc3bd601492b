/**
 * ProvisionFiles in memory, for tests and for callers that already hold the files:
 * a map of path to text. Paths are joined with `/`; a directory lists the files
 * directly inside it. Every change bumps the version and the changed file's stamp.
 */
import type { Listing, ProvisionFiles } from './files.js';

/** An in-memory tree of text files. */
export class MemoryProvisionFiles implements ProvisionFiles {
  private readonly texts = new Map<string, { text: string; stamp: number }>();
  private version = 1;

  constructor(files: Readonly<Record<string, string>> = {}) {
    for (const [path, text] of Object.entries(files)) this.write(path, text);
  }

  /** Creates or replaces a file. */
  write(path: string, text: string): void {
    this.version += 1;
    this.texts.set(path, { text, stamp: this.version });
  }

  /** Removes a file. */
  remove(path: string): void {
    this.version += 1;
    this.texts.delete(path);
  }

  /** The names directly inside `dir`. */
  list(dir: string): Promise<Listing> {
    const prefix = dir.endsWith('/') ? dir : `${dir}/`;
    const names = [...this.texts.keys()]
      .filter((p) => p.startsWith(prefix) && !p.slice(prefix.length).includes('/'))
      .map((p) => p.slice(prefix.length))
      .sort();
    return Promise.resolve({ names, version: this.version });
  }

  /** The file's change counter, or undefined when it is not there. */
  stamp(path: string): Promise<string | undefined> {
    const entry = this.texts.get(path);
    return Promise.resolve(entry === undefined ? undefined : String(entry.stamp));
  }

  /** The file's text; rejects when it is not there. */
  readText(path: string): Promise<string> {
    const entry = this.texts.get(path);
    return entry === undefined ? Promise.reject(new Error(`${path}: no such file`)) : Promise.resolve(entry.text);
  }
}
