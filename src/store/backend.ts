/**
 * The interface a lease store backend implements: the DHCP side's `LeaseBackend` port
 * (load, durable append, close) plus what the product asks of a store (compaction and
 * counters). The journal store is one backend; another (a database, say) implements
 * the same interface and the appliance wires it in instead.
 */
import type { LeaseBackend } from '../dhcp/lease-journal.js';

/** Counters of the store, for status output and benchmarks. */
export interface LeaseStoreStats {
  /** Batches written (one durable write each). */
  readonly batches: number;
  /** Changes written to the journal. */
  readonly changesWritten: number;
  /** Largest batch so far. */
  readonly largestBatch: number;
  /** Compactions finished since open. */
  readonly compactions: number;
  /** Current journal generation. */
  readonly generation: number;
  /** Torn trailing lines skipped at open (a crash in the middle of a write). */
  readonly tornLinesSkipped: number;
  /** Records that could not be read at open and were skipped with a warning (damaged lines, bad snapshot entries). */
  readonly damagedRecordsSkipped: number;
}

/** An open lease store: what any backend offers (a second one implements the same). */
export interface LeaseStore extends LeaseBackend {
  readonly dir: string;
  /** Starts a compaction now, or joins the running one (resolves when done); normally it runs by itself. */
  compact(): Promise<void>;
  stats(): LeaseStoreStats;
}

