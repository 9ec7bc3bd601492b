/**
 * The journal-backed lease store. Writes are grouped: `append(changes)` queues the
 * changes and resolves only after the batch holding them was written and made durable;
 * changes that arrive while a write is in flight form the next batch (group commit).
 * Offers are not journaled (an offer lost in a crash is simply offered again).
 *
 * Compaction rotates the journal without a window where a crash can lose data:
 * (1) between two batches, appends switch to a new generation N+1 (the in-memory
 * copy then holds exactly generations ≤ N); (2) that copy is written as the new
 * snapshot (atomically); (3) only then are the generations ≤ N deleted. On open,
 * generations older than the snapshot's `nextJournal` are leftovers of a crash
 * between (2) and (3) and are removed.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { Lease, LeaseChange } from '../dhcp/lease.js';
import { changeOnWall, formatJournalLine, isJournaled, leaseOnWall, type ToWallTime } from './format.js';
import { openJournalFile, removeJournalFiles, writeSnapshotFile } from './files.js';
import type { JournalFileWrapper, JournalWriter } from './journal-writer.js';
import type { LeaseStore, LeaseStoreStats } from './backend.js';
import { releaseLock } from './lock.js';
import { applyChange, journalGenerations, leaseKey } from './replay.js';
import { storeError } from './store-error.js';

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/** The state as of the end of generation `upTo`, handed to a compaction. */
interface Frozen {
  readonly state: Lease[];
  readonly upTo: number;
}

/** How the store writes its files: a test's fault injection, and the server clock's times turned into wall time. */
export interface JournalStoreFiles {
  readonly wrapJournal?: JournalFileWrapper;
  /** Lease times in memory are the server clock's; the journal and snapshot hold `toWall` of them (identity when absent). */
  readonly toWall?: ToWallTime;
}

interface Batch {
  lines: string[];
  changes: LeaseChange[];
  waiters: Waiter[];
}

/** The journal + snapshot store behind `openLeaseStore`. */
export class JournalStore implements LeaseStore {
  readonly loaded: readonly Lease[];
  private readonly state = new Map<string, Lease>();
  private journal: JournalWriter | undefined;
  private generation = 0;
  private generationChanges = 0;
  private next: Batch = { lines: [], changes: [], waiters: [] };
  private flushing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  /** Set when a compaction waits for the flush loop to switch generations. */
  private switchRequest: { resolve(frozen: Frozen): void; reject(err: Error): void } | undefined;
  private closed = false;
  private counters = { batches: 0, changesWritten: 0, largestBatch: 0, compactions: 0 };

  /** `compactAfter(held)` is the number of changes in one generation that starts a compaction. */
  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly compactAfter: (leasesHeld: number) => number,
    leases: readonly Lease[],
    private readonly skippedAtOpen: { readonly tornLines: number; readonly damagedRecords: number },
    private readonly files: JournalStoreFiles = {},
  ) {
    this.loaded = leases;
    for (const lease of leases) this.state.set(leaseKey(lease.scope, lease.ip), lease);
  }

  /** Opens a fresh generation and writes a snapshot of the loaded state, removing older files. */
  async start(generation: number, onDisk: readonly number[]): Promise<void> {
    await this.openGeneration(generation);
    await writeSnapshotFile(this.dir, this.onWall([...this.state.values()]), generation);
    await removeJournalFiles(this.dir, onDisk.filter((g) => g < generation));
  }

  /** Resolves once the journaled part of `changes` is durable. */
  append(changes: readonly LeaseChange[]): Promise<void> {
    if (this.closed) return Promise.reject(storeError('the lease store is closed'));
    const durable = changes.filter(isJournaled);
    if (durable.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      for (const c of durable) {
        this.next.lines.push(formatJournalLine(this.files.toWall ? changeOnWall(c, this.files.toWall) : c));
        this.next.changes.push(c);
      }
      this.next.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  /** Starts a compaction, or joins the running one. */
  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    const run = this.runCompaction().finally(() => {
      this.compacting = undefined;
    });
    this.compacting = run;
    return run;
  }

  /** The store's counters. */
  stats(): LeaseStoreStats {
    return { ...this.counters, generation: this.generation, tornLinesSkipped: this.skippedAtOpen.tornLines, damagedRecordsSkipped: this.skippedAtOpen.damagedRecords };
  }

  /** Waits for pending writes and compaction, closes the journal, removes the lock. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    while (this.flushing || this.compacting) {
      await this.flushing;
      await this.compacting;
    }
    await this.journal?.close();
    this.journal = undefined;
    await releaseLock(this.dir);
  }

  /** `leases` as the snapshot holds them: on the wall clock. */
  private onWall(leases: readonly Lease[]): readonly Lease[] {
    const toWall = this.files.toWall;
    return toWall ? leases.map((l) => leaseOnWall(l, toWall)) : leases;
  }

  /** Starts the flush loop unless it runs already. */
  private kick(): void {
    if (this.flushing) return;
    this.flushing = this.flushLoop()
      .catch((err: unknown) => {
        this.logger.error('lease store: the journal writer stopped unexpectedly', { code: 'BB_LEASE_STORE', err: errorMessage(err) });
      })
      .finally(() => {
        this.flushing = undefined;
        if (this.next.waiters.length > 0 || this.switchRequest) this.kick();
      });
  }

  /** Writes batches until nothing is queued. */
  private async flushLoop(): Promise<void> {
    for (;;) {
      if (this.switchRequest) await this.switchGeneration();
      const batch = this.next;
      if (batch.waiters.length === 0) return;
      this.next = { lines: [], changes: [], waiters: [] };
      try {
        const writer = this.journal;
        if (!writer) throw new Error('no open journal');
        // A failed batch leaves nothing behind (the writer cuts it off); the next batch tries again.
        await writer.append(batch.lines);
      } catch (err) {
        const e = storeError(`cannot write the lease journal in ${this.dir}`, err);
        for (const w of batch.waiters) w.reject(e);
        continue;
      }
      this.settle(batch);
    }
  }

  /** A batch is durable: apply it, count it, answer its waiters, compact when due. */
  private settle(batch: Batch): void {
    for (const c of batch.changes) applyChange(this.state, c);
    this.counters.batches++;
    this.counters.changesWritten += batch.changes.length;
    this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.changes.length);
    this.generationChanges += batch.changes.length;
    for (const w of batch.waiters) w.resolve();
    if (this.generationChanges >= this.compactAfter(this.state.size) && !this.compacting) {
      this.compact().catch((err: unknown) => {
        this.logger.error('lease store: compaction failed; the journal keeps growing until the next one', { code: 'BB_LEASE_STORE', err: errorMessage(err) });
      });
    }
  }

  private async openGeneration(generation: number): Promise<void> {
    const writer = await openJournalFile(this.dir, generation, this.files.wrapJournal);
    const old = this.journal;
    this.journal = writer;
    this.generation = generation;
    this.generationChanges = 0;
    await old?.close();
  }

  /** Called by the flush loop between batches: freeze the state and move to a new generation. */
  private async switchGeneration(): Promise<void> {
    const request = this.switchRequest;
    if (!request) return;
    this.switchRequest = undefined;
    const frozen = { state: [...this.state.values()], upTo: this.generation };
    try {
      await this.openGeneration(this.generation + 1);
    } catch (err) {
      request.reject(err instanceof Error ? err : new Error(String(err)));
      return;
    }
    request.resolve(frozen);
  }

  private async runCompaction(): Promise<void> {
    const frozen = await new Promise<Frozen>((resolve, reject) => {
      this.switchRequest = { resolve, reject };
      this.kick();
    });
    await writeSnapshotFile(this.dir, this.onWall(frozen.state), frozen.upTo + 1);
    const stale = (await journalGenerations(this.dir)).filter((g) => g <= frozen.upTo);
    await removeJournalFiles(this.dir, stale);
    this.counters.compactions++;
  }
}
