/**
 * A bounded LRU cache for small hot files (phone configs, `XMLDefault.cnf.xml`,
 * boot menus): when 500 phones ask for the same config in one storm, the file is
 * read from disk once. Entries are keyed by the caller (fs-storage uses real path,
 * inode, size and mtime, so an edited file is a new key and the old one ages out).
 * Concurrent misses for one key share a single load. Total bytes and the size of
 * one entry are both bounded; nothing is evicted silently from a transfer in flight,
 * because a transfer holds the buffer it got, not the cache slot.
 */

/** Limits of the cache. */
export interface FileCacheOptions {
  /** Total bytes kept (default 32 MiB). */
  readonly maxBytes?: number;
  /** Files larger than this are never cached (default 1 MiB). */
  readonly maxEntryBytes?: number;
}

/** Counters, for tests and the status view. */
export interface FileCacheStats {
  readonly hits: number;
  readonly misses: number;
  readonly entries: number;
  readonly bytes: number;
}

/** The cache. */
export interface FileCache {
  /** Files up to this many bytes are worth caching. */
  readonly maxEntryBytes: number;
  /**
   * The cached bytes for `key`, loading them with `load` on a miss (one load per key
   * at a time). Rejects when the load rejects; a failed load is not cached.
   */
  getOrLoad(key: string, load: () => Promise<Uint8Array>): Promise<Uint8Array>;
  /** Drops every entry whose key starts with `prefix` (e.g. an older version of a file). */
  dropPrefix(prefix: string): void;
  stats(): FileCacheStats;
}

/** Default total size of the cache. */
export const DEFAULT_CACHE_BYTES = 32 * 1024 * 1024;
/** Default largest cached file. */
export const DEFAULT_CACHE_ENTRY_BYTES = 1024 * 1024;

/** Creates an LRU file cache bounded in total bytes and entry size. */
export function createFileCache(options: FileCacheOptions = {}): FileCache {
  const maxBytes = options.maxBytes ?? DEFAULT_CACHE_BYTES;
  const maxEntryBytes = Math.min(options.maxEntryBytes ?? DEFAULT_CACHE_ENTRY_BYTES, maxBytes);
  // Map iteration order is insertion order: re-inserting on a hit makes it LRU.
  const entries = new Map<string, Uint8Array>();
  const loading = new Map<string, Promise<Uint8Array>>();
  let bytes = 0;
  let hits = 0;
  let misses = 0;

  const evictUntil = (limit: number): void => {
    for (const [key, data] of entries) {
      if (bytes <= limit) break;
      entries.delete(key);
      bytes -= data.length;
    }
  };

  const store = (key: string, data: Uint8Array): void => {
    if (data.length > maxEntryBytes) return;
    evictUntil(maxBytes - data.length);
    entries.set(key, data);
    bytes += data.length;
  };

  return {
    maxEntryBytes,
    getOrLoad(key, load) {
      const hit = entries.get(key);
      if (hit) {
        hits++;
        entries.delete(key);
        entries.set(key, hit);
        return Promise.resolve(hit);
      }
      const pending = loading.get(key);
      if (pending) {
        hits++;
        return pending;
      }
      misses++;
      const p = load().then(
        (data) => {
          loading.delete(key);
          store(key, data);
          return data;
        },
        (err: unknown) => {
          loading.delete(key);
          throw err;
        },
      );
      loading.set(key, p);
      return p;
    },
    dropPrefix(prefix) {
      for (const [key, data] of entries) {
        if (key.startsWith(prefix)) {
          entries.delete(key);
          bytes -= data.length;
        }
      }
    },
    stats() {
      return { hits, misses, entries: entries.size, bytes };
    },
  };
}
