/**
 * Wiring a device book to a device store: `restoreBook` replays what the store
 * holds into the book at start, `journalChanges` subscribes the store to every
 * later change, and `compactBook` snapshots the book. The book stays pure and the
 * store knows nothing of the reducer. The store holds wall-clock times (wall-time.ts);
 * a restart's steady clock starts at the wall clock, so they read back as they are.
 */
import type { DeviceBook, DeviceChange } from './book.js';
import type { Eviction } from './evict.js';
import type { JournalEntry } from './journal-entry.js';
import type { DeviceStore } from './store.js';
import { entryOnWall, recordOnWall, type ToWall } from './wall-time.js';

/** What {@link restoreBook} found. */
export interface RestoreSummary {
  readonly devices: number;
  readonly entriesReplayed: number;
  readonly damagedLines: number;
  readonly tornLines: number;
  /** Devices evicted because the store held more than `maxDevices`. */
  readonly evictions: readonly Eviction[];
}

/**
 * Loads the store into `book` (snapshot records, then journal entries in order) at
 * `nowMs`. Call before {@link journalChanges}, so replayed entries are not journaled twice.
 */
export async function restoreBook(book: DeviceBook, store: DeviceStore, nowMs: number): Promise<RestoreSummary> {
  const loaded = await store.load();
  const evictions = [...book.restore(loaded.records, nowMs)];
  for (const entry of loaded.entries) {
    if (entry.t === 'obs') {
      const r = book.apply(entry.o);
      if (r.kind === 'applied' && r.evicted) evictions.push(r.evicted);
    } else if (entry.t === 'reset') book.reset(entry.mac, entry.atMs);
    else book.forget(entry.mac);
  }
  return {
    devices: book.counts().devices,
    entriesReplayed: loaded.entries.length,
    damagedLines: loaded.damagedLines,
    tornLines: loaded.tornLines,
    evictions,
  };
}

/** The journal entry of a book change. */
export function entryOfChange(change: DeviceChange): JournalEntry {
  switch (change.kind) {
    case 'observed':
      return { t: 'obs', o: change.observation };
    case 'reset':
      return { t: 'reset', mac: change.mac, atMs: change.atMs };
    case 'evicted':
      return { t: 'evict', mac: change.eviction.mac, atMs: change.atMs };
  }
}

/** Options of {@link journalChanges}. */
export interface JournalOptions {
  /**
   * Compact (snapshot the book) after this many journaled changes. Default: 20,000
   * or twice the number of timeline entries the book holds, whichever is larger, so
   * that a snapshot costs at most about half an entry per change and the journal
   * stays within twice the snapshot. (The lease store compacts at once its size: a
   * lease is one line, while a device snapshot also writes every record's facts and
   * progress, and in a DHCP storm of new devices into a full book, snapshotting at
   * once its size took an eighth of the records' CPU.)
   */
  readonly compactAfterEntries?: number;
  /** Times in the book are the server clock's; the store holds `toWall` of them (identity when absent), as the lease files do. */
  readonly toWall?: ToWall;
}

/**
 * Appends every change of `book` to `store` from now on, compacting now and then;
 * returns the unsubscribe function. Compaction failures are logged by the store.
 */
export function journalChanges(book: DeviceBook, store: DeviceStore, options: JournalOptions = {}): () => void {
  let sinceCompaction = 0;
  return book.subscribe((change) => {
    const entry = entryOfChange(change);
    store.append(options.toWall ? entryOnWall(entry, options.toWall) : entry);
    if (++sinceCompaction < compactionThreshold(options.compactAfterEntries, book.counts().events)) return;
    sinceCompaction = 0;
    void compactBook(book, store, options.toWall);
  });
}

/** Journal entries after which {@link journalChanges} compacts: as configured, else max(20,000, twice the entries held). */
export function compactionThreshold(configured: number | undefined, eventsHeld: number): number {
  return configured ?? Math.max(20_000, 2 * eventsHeld);
}

/** Replaces the store's snapshot and journal by the book's current records (their times through `toWall` when given). */
export function compactBook(book: DeviceBook, store: DeviceStore, toWall?: ToWall): Promise<void> {
  const records = book.list();
  return store.compact(toWall ? records.map((r) => recordOnWall(r, toWall)) : records);
}
