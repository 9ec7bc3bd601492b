/**
 * The port through which the DHCP server persists leases. The server declares what it
 * needs (the leases to start from, a durable append before an ACK leaves, close); a
 * backend outside this package (src/store) implements it, and tests use an in-memory one.
 */
import type { Lease, LeaseChange } from './lease.js';

/** Where changes go before an ACK leaves: the durable store, or an in-memory journal in tests. */
export interface LeaseJournal {
  /** Resolves once `changes` are durable; rejects when they could not be made durable. */
  append(changes: readonly LeaseChange[]): Promise<void>;
}

/** A lease backend as the DHCP side uses it: load at open, append durably, close. */
export interface LeaseBackend extends LeaseJournal {
  /** The leases to start from (already reclaimed at open time): feed them to the LeaseTable. */
  readonly loaded: readonly Lease[];
  /** Waits for pending writes, then releases the backend. */
  close(): Promise<void>;
}
