/**
 * The interfaces a scope directory names, as the root parent reads them: only the
 * `interface:` lines of the `*.yaml`/`*.yml` files directly in it, each file opened
 * through the held directory without following a symlink, a regular file of at most
 * {@link MAX_SCOPE_FILE_BYTES}. Nothing else of a file is parsed or repeated (the
 * unprivileged part loads and validates the scopes; a file root should not read is
 * never echoed anywhere).
 */
import { closeSync, constants as fsConstants, fstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { isInterfaceName } from '../net/interfaces.js';
import { heldPath, openHeldDir } from './held-dir.js';

/** Largest scope file the parent reads for its interface names. */
export const MAX_SCOPE_FILE_BYTES = 1024 * 1024;

/** The `interface:` values of one YAML text (plain or quoted; anything not an interface name is skipped). */
export function interfaceNamesIn(text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(/^\s*interface:\s*(['"]?)([^'"\s#]+)\1\s*(?:#.*)?$/gm)) {
    const name = m[2];
    if (name !== undefined && isInterfaceName(name)) out.push(name);
  }
  return out;
}

function readSmallFile(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, fsConstants.O_RDONLY | fsConstants.O_NOFOLLOW | fsConstants.O_NONBLOCK);
  } catch {
    return undefined; // a symlink, a vanished or unreadable file: not a scope file for the parent
  }
  try {
    const stats = fstatSync(fd);
    if (!stats.isFile() || stats.size > MAX_SCOPE_FILE_BYTES) return undefined;
    const buf = Buffer.alloc(stats.size);
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/** The interfaces the scope files in `dir` name now (empty when the directory cannot be read). */
export function scopeDirInterfaces(dir: string): string[] {
  let held;
  try {
    held = openHeldDir(dir);
  } catch {
    return []; // no directory: no interface is served from it
  }
  try {
    const names = new Set<string>();
    for (const entry of readdirSync(heldPath(held.fd))) {
      if (!/\.ya?ml$/.test(entry)) continue;
      const text = readSmallFile(heldPath(held.fd, entry));
      for (const name of interfaceNamesIn(text ?? '')) names.add(name);
    }
    return [...names];
  } finally {
    held.close();
  }
}
