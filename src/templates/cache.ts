/**
 * Rendered files kept until anything they were rendered from changes. The key holds
 * every input of a render: the template (name and text hash), the inventory row's
 * version, the lease address, the served tree's listing version, and a version of the
 * scope and server facts; a change to any of them is a different key, so a stale file
 * is never served. Bounded: past `maxEntries` the least recently used entry goes.
 * Only successful renders are kept (an error is cheap to reproduce and is logged each
 * time).
 */

/** Everything one render read. */
export interface RenderKeyParts {
  /** The template file name. */
  readonly template: string;
  /** Hash of the template text (CompiledTemplate.hash). */
  readonly templateHash: string;
  /** DeviceRow.version, when the device has a row. */
  readonly rowVersion?: string;
  /** The requester's lease address, when it has one. */
  readonly leaseIp?: string;
  /** Bumped by the caller whenever the served tree's names change. */
  readonly listingVersion: number;
  /** Bumped by the caller whenever scope or server facts change (reload, address change). */
  readonly contextVersion: number;
  /** The requested name (a token template renders per device). */
  readonly requested: string;
}

/** The cache key of a render. */
export function renderKey(p: RenderKeyParts): string {
  return JSON.stringify([p.template, p.templateHash, p.rowVersion ?? '', p.leaseIp ?? '', p.listingVersion, p.contextVersion, p.requested]);
}

/** A bounded least-recently-used cache of rendered bytes. */
export class RenderCache {
  private readonly entries = new Map<string, { template: string; bytes: Uint8Array }>();

  constructor(readonly maxEntries = 1024) {
    if (!Number.isInteger(maxEntries) || maxEntries < 1) throw new RangeError(`maxEntries must be a positive integer, not ${maxEntries}`);
  }

  /** Number of rendered files held. */
  get size(): number {
    return this.entries.size;
  }

  /** The bytes rendered for these inputs, if still held (and marks them recently used). */
  get(parts: RenderKeyParts): Uint8Array | undefined {
    const key = renderKey(parts);
    const hit = this.entries.get(key);
    if (hit === undefined) return undefined;
    this.entries.delete(key);
    this.entries.set(key, hit);
    return hit.bytes;
  }

  /** Keeps bytes rendered for these inputs, dropping the least recently used entry when full. */
  set(parts: RenderKeyParts, bytes: Uint8Array): void {
    const key = renderKey(parts);
    this.entries.delete(key);
    this.entries.set(key, { template: parts.template, bytes });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done === true) break;
      this.entries.delete(oldest.value);
    }
  }

  /** Drops every render of one template (its file changed or went away). */
  invalidateTemplate(template: string): void {
    for (const [key, entry] of this.entries) if (entry.template === template) this.entries.delete(key);
  }

  /** Drops everything (reload). */
  clear(): void {
    this.entries.clear();
  }
}
