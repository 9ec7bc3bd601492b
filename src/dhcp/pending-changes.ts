/**
 * Lease changes that are in the table but not yet durable (issue 16 point 3). The server
 * applies an exchange's changes at once, so that requests handled meanwhile see them (two
 * clients never get one address), and journals them; the ACK leaves only once they are
 * durable. When the journal fails (a full disk), the changes are taken back, so the table
 * never holds a lease a restart would not know.
 *
 * Per address, the history keeps the record the journal has for sure (`base`) and the
 * exchanges applied since, in order. Writes settle in order, but an offer (never
 * journaled) settles at once: an exchange that became durable behind one still pending
 * stays in the list until those before it settle. Taking an exchange back recomputes the
 * address from `base` and the exchanges that remain.
 */
import type { Ipv4 } from '../net/ipv4.js';
import type { Lease, LeaseChange } from './lease.js';
import type { LeaseJournal } from './lease-journal.js';
import type { LeaseTable } from './lease-table.js';

/** One exchange's changes, applied to the table; settle it with `durable` or `failed`. */
export interface PendingEntry {
  readonly changes: readonly LeaseChange[];
  durable: boolean;
}

interface AddressHistory {
  readonly scope: string;
  readonly ip: Ipv4;
  /** The record once every exchange before the pending ones is settled. */
  base: Lease | undefined;
  readonly entries: PendingEntry[];
}

/** The not-yet-durable changes of a lease table. */
export class PendingChanges {
  private readonly history = new Map<string, AddressHistory>();

  constructor(private readonly table: LeaseTable) {}

  /**
   * Applies `changes` to the table at once, then waits for `journal`: they stay when it
   * resolves, and are taken back (and the error passed on) when it rejects.
   */
  async write(changes: readonly LeaseChange[], journal: LeaseJournal): Promise<void> {
    const entry = this.apply(changes);
    try {
      await journal.append(changes);
    } catch (err) {
      this.failed(entry);
      throw err;
    }
    this.durable(entry);
  }

  /** Applies `changes` to the table and remembers how to take them back. */
  apply(changes: readonly LeaseChange[]): PendingEntry {
    const entry: PendingEntry = { changes, durable: false };
    for (const c of changes) {
      const scope = c.kind === 'put' ? c.lease.scope : c.scope;
      const ip = c.kind === 'put' ? c.lease.ip : c.ip;
      const key = keyOf(scope, ip);
      let h = this.history.get(key);
      if (!h) {
        h = { scope, ip, base: this.table.get(scope, ip), entries: [] };
        this.history.set(key, h);
      }
      if (h.entries.at(-1) !== entry) h.entries.push(entry);
    }
    this.table.apply(changes);
    return entry;
  }

  /** `entry`'s changes are durable: they stay. */
  durable(entry: PendingEntry): void {
    entry.durable = true;
    for (const [key, h] of this.historiesOf(entry)) this.foldDurable(key, h);
  }

  /** `entry`'s changes could not be made durable: the table goes back to what it would be without them. */
  failed(entry: PendingEntry): void {
    for (const [key, h] of this.historiesOf(entry)) {
      const at = h.entries.indexOf(entry);
      if (at >= 0) h.entries.splice(at, 1);
      this.table.restore(h.scope, h.ip, h.entries.reduce((r, e) => recordAfter(h, r, e), h.base));
      this.foldDurable(key, h);
    }
  }

  /** Addresses with changes not yet settled (for tests and counters). */
  get size(): number {
    return this.history.size;
  }

  /** Moves the durable exchanges at the front of `h` into its base; forgets `h` once nothing is pending. */
  private foldDurable(key: string, h: AddressHistory): void {
    while (h.entries[0]?.durable) {
      const first = h.entries.shift();
      if (first) h.base = recordAfter(h, h.base, first);
    }
    if (h.entries.length === 0) this.history.delete(key);
  }

  private historiesOf(entry: PendingEntry): [string, AddressHistory][] {
    const out = new Map<string, AddressHistory>();
    for (const c of entry.changes) {
      const key = c.kind === 'put' ? keyOf(c.lease.scope, c.lease.ip) : keyOf(c.scope, c.ip);
      const h = this.history.get(key);
      if (h) out.set(key, h);
    }
    return [...out];
  }
}

function keyOf(scope: string, ip: Ipv4): string {
  return `${scope}\u0000${ip}`;
}

/** The record of `h`'s address after `entry`'s changes to it, starting from `record`. */
function recordAfter(h: AddressHistory, record: Lease | undefined, entry: PendingEntry): Lease | undefined {
  let out = record;
  for (const c of entry.changes) {
    if (c.kind === 'put' && c.lease.scope === h.scope && c.lease.ip === h.ip) out = c.lease;
    else if (c.kind === 'delete' && c.scope === h.scope && c.ip === h.ip) out = undefined;
  }
  return out;
}
