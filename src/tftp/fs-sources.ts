/**
 * Read sources of the file-system storage: small files from the LRU cache (read once
 * per version), larger ones streamed from one shared, refcounted descriptor per file
 * version however many transfers read it.
 */
import type { Stats } from 'node:fs';
import type { FileHandle } from 'node:fs/promises';
import type { FileCache } from './file-cache.js';
import { openVerified, readAt, versionKey } from './fs-lookup.js';
import type { LocalFile, ReadSource } from './storage.js';

/** A file found by a lookup. */
export interface FoundFile {
  readonly realPath: string;
  readonly stats: Stats;
}

/** The on-disk identity of a found file (for senders that stream by path). */
function localFileOf(found: FoundFile): LocalFile {
  return { path: found.realPath, dev: found.stats.dev, ino: found.stats.ino };
}

/** Shared, refcounted read handles: one descriptor per file version. */
class HandlePool {
  private readonly pool = new Map<string, { handle: Promise<FileHandle>; refs: number }>();

  acquire(key: string, realPath: string, expected: Stats): Promise<FileHandle> {
    const entry = this.pool.get(key);
    if (entry) {
      entry.refs++;
      return entry.handle;
    }
    const handle = openVerified(realPath, expected);
    this.pool.set(key, { handle, refs: 1 });
    handle.catch(() => this.pool.delete(key));
    return handle;
  }

  async release(key: string): Promise<void> {
    const entry = this.pool.get(key);
    if (!entry) return;
    entry.refs--;
    if (entry.refs > 0) return;
    this.pool.delete(key);
    await (await entry.handle).close();
  }

  size(): number {
    return this.pool.size;
  }
}

/** Opens read sources and counts those not closed yet. */
export class ReadSources {
  private readonly handles = new HandlePool();
  /** Read sources handed out and not closed yet. */
  active = 0;

  constructor(readonly cache: FileCache | undefined) {}

  /** File descriptors held (one per open file version). */
  openFiles(): number {
    return this.handles.size();
  }

  /** A source for `found`: from the cache when it is small enough, else streamed. */
  open(found: FoundFile, display: string, origin: string): Promise<ReadSource> {
    const cache = this.cache;
    return cache !== undefined && found.stats.size <= cache.maxEntryBytes ? this.cached(cache, found, display, origin) : this.streamed(found, display, origin);
  }

  private async cached(cache: FileCache, found: FoundFile, display: string, origin: string): Promise<ReadSource> {
    const data = await cache.getOrLoad(versionKey(found.realPath, found.stats), async () => {
      const fh = await openVerified(found.realPath, found.stats);
      try {
        return await readAt(fh, 0, found.stats.size, found.stats.size);
      } finally {
        await fh.close();
      }
    });
    let isClosed = false;
    this.active++;
    return {
      size: data.length,
      displayName: display,
      origin,
      localFile: localFileOf(found),
      read: (offset, length) => Promise.resolve(data.subarray(Math.min(offset, data.length), Math.min(offset + length, data.length))),
      close: () => {
        if (!isClosed) this.active--;
        isClosed = true;
        return Promise.resolve();
      },
    };
  }

  private async streamed(found: FoundFile, display: string, origin: string): Promise<ReadSource> {
    const key = versionKey(found.realPath, found.stats);
    const fh = await this.handles.acquire(key, found.realPath, found.stats);
    const size = found.stats.size;
    let isClosed = false;
    this.active++;
    return {
      size,
      displayName: display,
      origin,
      localFile: localFileOf(found),
      read: (offset, length) => readAt(fh, offset, length, size),
      close: async () => {
        if (isClosed) return;
        isClosed = true;
        this.active--;
        await this.handles.release(key);
      },
    };
  }
}
