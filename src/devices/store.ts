/**
 * The storage seam of the device records: what the embedded JSON-lines store
 * (jsonl-store.ts) implements today and a shared database could implement later.
 * Appends never wait: timelines are best-effort history, kept off the DHCP
 * fsync-before-ACK path.
 */
import type { JournalEntry } from './journal-entry.js';
import type { LoadedDevices } from './journal-read.js';
import type { DeviceRecord } from './record.js';

/** Counters of a store, for status output. */
export interface DeviceStoreStats {
  /** Entries accepted by `append`. */
  readonly appended: number;
  /** Entries written to disk. */
  readonly written: number;
  /** Entries lost because a write failed (each failure is logged). */
  readonly lost: number;
  /** Writes (one per flushed batch). */
  readonly batches: number;
  readonly compactions: number;
  /** Damaged and torn lines skipped by the last load. */
  readonly damagedLines: number;
  readonly tornLines: number;
}

/**
 * Durable storage of device records. `compact`, `flush` and `close` resolve even
 * when a write failed: the store logs and counts failures itself (`lost`), since
 * a lost timeline entry must never stop a server.
 */
export interface DeviceStore {
  /** Reads what is stored: snapshot records plus journal entries to replay over them. Call once, first. */
  load(): Promise<LoadedDevices>;
  /** Queues an entry; returns at once. It reaches disk with the next batch (timer or size). */
  append(entry: JournalEntry): void;
  /** Queues a reset of one device (same as appending a `reset` entry). */
  reset(mac: string, atMs: number): void;
  /** Replaces snapshot + journal by a snapshot of `records` (the state after every entry appended so far). */
  compact(records: Iterable<Readonly<DeviceRecord>>): Promise<void>;
  /** Writes and syncs everything queued so far. */
  flush(): Promise<void>;
  /** Flushes, then closes. Appends after close are dropped and counted as lost. */
  close(): Promise<void>;
  stats(): DeviceStoreStats;
}
