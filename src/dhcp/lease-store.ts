/**
 * The durable lease store: a journal of lease changes plus a snapshot, in one
 * state directory (default `./leases/`), so that every ACKed lease survives a crash
 * or `kill -9` (DESIGN.md "Durable leases").
 *
 * Layout of the state directory:
 *
 *     lock                      pid of the server using the directory
 *     snapshot.json             { format, version, nextJournal: N, leases: [...] }
 *     journal.<N>.jsonl         one LeaseChange JSON object per line, generation N
 *
 * Writes are grouped: `append(changes)` queues the changes and resolves only after
 * the batch holding them was written and made durable; changes that arrive while a
 * write is in flight form the next batch (group commit). Offers are not journaled
 * (an offer that is lost in a crash is simply offered again). Where the platform has
 * O_DSYNC (Linux, macOS, BSDs), the journal is opened with it, so one `write` per
 * batch returns only when the data is on disk (one thread-pool round trip instead of
 * write + fdatasync); elsewhere each batch is a write followed by fdatasync.
 *
 * Compaction rotates the journal without a window where a crash can lose data:
 * (1) between two batches, appends switch to a new generation N+1 (the in-memory
 * copy then holds exactly generations ≤ N); (2) that copy is written to
 * `snapshot.json.tmp`, fsynced, renamed over `snapshot.json`, and the directory
 * is fsynced; (3) only then are the generations ≤ N deleted. On open, the snapshot
 * is read and every journal generation ≥ its `nextJournal` is replayed in order;
 * older generations are leftovers from a crash between (2) and (3) and are removed.
 * A torn last line (a crash in the middle of a write) is skipped with a warning.
 *
 * On open, bound leases whose time is over become 'released' records (the address
 * is free again, but the table still knows which client had it, so a returning
 * client gets its old address when it is still free); ended quarantines and
 * ended 'released' memories older than `forgetAfterMs` are dropped.
 */
import { constants as fsConstants } from 'node:fs';
import { mkdir, open, readFile, readdir, rename, rm, writeFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { BenchbootError, errorMessage, isErrno } from '../errors.js';
import { fsyncDir, writeFileSynced } from '../fs-durable.js';
import { createSilentLogger, type Logger } from '../log.js';
import { isIpv4, isMac } from '../net/ipv4.js';
import type { Lease, LeaseChange, LeaseState } from './lease.js';

/** Where changes go before an ACK leaves: the durable store, or an in-memory journal in tests. */
export interface LeaseJournal {
  /** Resolves once `changes` are durable (fsynced); rejects with BB_LEASE_STORE otherwise. */
  append(changes: readonly LeaseChange[]): Promise<void>;
}

/** Options of {@link openLeaseStore}. */
export interface LeaseStoreOptions {
  /** State directory; created when missing. */
  readonly dir: string;
  /** Current time (ms since the epoch), used to reclaim expired leases on open. */
  readonly now: number;
  readonly logger?: Logger;
  /**
   * Compact once the current journal generation holds this many changes. Default: 5000
   * or the number of leases held, whichever is larger (see {@link compactionThreshold}).
   */
  readonly compactAfterChanges?: number;
  /** Forget a released/expired client→address memory this long after it ended (default 30 days). */
  readonly forgetAfterMs?: number;
}

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
  /** Torn or unreadable trailing lines skipped at open. */
  readonly tornLinesSkipped: number;
}

/** An open lease store. */
export interface LeaseStore extends LeaseJournal {
  /** The leases replayed at open (after reclaiming expired ones): feed them to the LeaseTable. */
  readonly loaded: readonly Lease[];
  readonly dir: string;
  /** Starts a compaction now, or joins the running one (resolves when done); normally it runs by itself. */
  compact(): Promise<void>;
  stats(): LeaseStoreStats;
  /** Waits for pending writes and compaction, closes the journal, removes the lock. */
  close(): Promise<void>;
}

/** File names inside the state directory. */
export const LEASE_STORE_FILES = {
  lock: 'lock',
  snapshot: 'snapshot.json',
  snapshotTemp: 'snapshot.json.tmp',
  journalPattern: /^journal\.(\d+)\.jsonl$/,
} as const;

const SNAPSHOT_FORMAT = 'benchboot-leases';
const SNAPSHOT_VERSION = 1;
const DEFAULT_COMPACT_AFTER = 5000;

/**
 * Journal changes after which a compaction starts. A compaction writes every lease,
 * so with a fixed threshold its cost per change grows with the table (50,000 leases
 * every 5,000 changes = 10 leases serialised per change, and a long synchronous
 * JSON.stringify on the event loop). By default the threshold grows with the table,
 * which keeps that cost at most one lease per change and the journal no longer than
 * about one line per lease held. An explicit setting is used as given.
 */
export function compactionThreshold(configured: number | undefined, leasesHeld: number): number {
  return configured ?? Math.max(DEFAULT_COMPACT_AFTER, leasesHeld);
}
const DEFAULT_FORGET_AFTER_MS = 30 * 24 * 3600 * 1000;

/**
 * Open flags of a journal generation: append, and with O_DSYNC where it exists, so
 * that a write returns only once its data is durable (then no fdatasync is needed).
 */
const JOURNAL_DSYNC = typeof fsConstants.O_DSYNC === 'number' && fsConstants.O_DSYNC !== 0;
const JOURNAL_FLAGS = fsConstants.O_WRONLY | fsConstants.O_APPEND | fsConstants.O_CREAT | (JOURNAL_DSYNC ? fsConstants.O_DSYNC : 0);

/** The file name of journal generation `n`. */
export function journalFileName(n: number): string {
  return `journal.${n}.jsonl`;
}

/** Opens (and locks) a state directory, replays it, and returns the store. */
export async function openLeaseStore(options: LeaseStoreOptions): Promise<LeaseStore> {
  const logger = options.logger ?? createSilentLogger();
  await ensureDir(options.dir);
  await acquireLock(options.dir);
  try {
    const replay = await replayDir(options.dir, logger);
    const leases = reclaimOnOpen([...replay.state.values()], options.now, options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS);
    const store = new JournalStore(options.dir, logger, options.compactAfterChanges, leases, replay.tornLines);
    await store.start(replay.maxGeneration + 1, replay.generations);
    return store;
  } catch (err) {
    await releaseLock(options.dir);
    throw err;
  }
}

/**
 * Reads a state directory without locking or writing anything (for `benchboot
 * leases` while a server may be running): snapshot + journal replay, reclaimed at
 * `now` as an open would. A journal line being written at that moment reads as a
 * torn last line and is skipped.
 */
export async function readLeaseStore(dir: string, now: number, options: { logger?: Logger; forgetAfterMs?: number } = {}): Promise<Lease[]> {
  const replay = await replayDir(dir, options.logger ?? createSilentLogger()).catch((err: unknown) => {
    if (isErrno(err, 'ENOENT')) throw new BenchbootError('BB_LEASE_STORE', `the lease directory ${dir} does not exist`, { cause: err });
    throw err;
  });
  return reclaimOnOpen([...replay.state.values()], now, options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS);
}

/** A key for one address in one scope. */
function leaseKey(scope: string, ip: string): string {
  return `${scope}\u0000${ip}`;
}

/** Applies one change to a state map (replay and the store's own copy). */
function applyChange(state: Map<string, Lease>, change: LeaseChange): void {
  if (change.kind === 'put') state.set(leaseKey(change.lease.scope, change.lease.ip), change.lease);
  else state.delete(leaseKey(change.scope, change.ip));
}

/** True for changes worth making durable: everything except offers. */
export function isJournaled(change: LeaseChange): boolean {
  return change.kind === 'delete' || change.lease.state !== 'offered';
}

/**
 * What the state looks like after a restart at `now`: expired bindings become
 * 'released' memories, ended quarantines and old memories and offers disappear.
 */
export function reclaimOnOpen(leases: readonly Lease[], now: number, forgetAfterMs: number): Lease[] {
  const out: Lease[] = [];
  for (const lease of leases) {
    if (lease.state === 'offered') continue;
    if (lease.state === 'declined') {
      if (lease.expiresAt > now) out.push(lease);
      continue;
    }
    if (lease.state === 'bound' && lease.expiresAt > now) {
      out.push(lease);
      continue;
    }
    const endedAt = lease.state === 'bound' ? lease.expiresAt : lease.startedAt;
    if (now - endedAt > forgetAfterMs) continue;
    out.push(lease.state === 'bound' ? { ...lease, state: 'released', startedAt: lease.expiresAt } : lease);
  }
  return out;
}

const LEASE_STATES: readonly LeaseState[] = ['offered', 'bound', 'released', 'declined'];

/** Checks one parsed journal/snapshot lease; returns it typed or undefined. */
function parseLease(v: unknown): Lease | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.scope !== 'string' || typeof o.ip !== 'string' || !isIpv4(o.ip)) return undefined;
  if (typeof o.clientKey !== 'string' || typeof o.mac !== 'string' || !isMac(o.mac)) return undefined;
  if (typeof o.state !== 'string' || !LEASE_STATES.includes(o.state as LeaseState)) return undefined;
  if (typeof o.startedAt !== 'number' || typeof o.expiresAt !== 'number') return undefined;
  if (o.hostname !== undefined && typeof o.hostname !== 'string') return undefined;
  if (o.vendorClass !== undefined && typeof o.vendorClass !== 'string') return undefined;
  return o as unknown as Lease;
}

/** Parses one journal line into a LeaseChange, or undefined when it is not one. */
export function parseJournalLine(line: string): LeaseChange | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (o.kind === 'put') {
    const lease = parseLease(o.lease);
    return lease ? { kind: 'put', lease } : undefined;
  }
  if (o.kind === 'delete' && typeof o.scope === 'string' && typeof o.ip === 'string' && isIpv4(o.ip)) {
    return o as unknown as LeaseChange;
  }
  return undefined;
}

/** The journal line of a change (no newline). */
export function formatJournalLine(change: LeaseChange): string {
  return JSON.stringify(change);
}

interface Replay {
  readonly state: Map<string, Lease>;
  readonly maxGeneration: number;
  /** Generations present on disk (all of them, including stale ones). */
  readonly generations: readonly number[];
  readonly tornLines: number;
}

async function replayDir(dir: string, logger: Logger): Promise<Replay> {
  const state = new Map<string, Lease>();
  const snapshot = await readSnapshot(dir);
  for (const lease of snapshot.leases) state.set(leaseKey(lease.scope, lease.ip), lease);
  const generations = await journalGenerations(dir);
  let tornLines = 0;
  for (const gen of generations) {
    if (gen < snapshot.nextJournal) continue;
    tornLines += await replayJournal(join(dir, journalFileName(gen)), state, logger, gen === generations[generations.length - 1]);
  }
  const maxGeneration = Math.max(snapshot.nextJournal - 1, ...generations);
  return { state, maxGeneration, generations, tornLines };
}

/** The journal generations present in `dir`, in ascending order. */
async function journalGenerations(dir: string): Promise<number[]> {
  return (await readdir(dir))
    .map((name) => LEASE_STORE_FILES.journalPattern.exec(name)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

async function readSnapshot(dir: string): Promise<{ nextJournal: number; leases: Lease[] }> {
  const path = join(dir, LEASE_STORE_FILES.snapshot);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { nextJournal: 0, leases: [] };
    throw storeError(`cannot read ${path}`, err);
  }
  let v: unknown;
  try {
    v = JSON.parse(text);
  } catch (err) {
    // The snapshot is only ever replaced by rename after fsync, so it is never torn.
    throw storeError(`${path} is not valid JSON (was it edited by hand?)`, err);
  }
  const o = (typeof v === 'object' && v !== null ? v : {}) as Record<string, unknown>;
  if (o.format !== SNAPSHOT_FORMAT || o.version !== SNAPSHOT_VERSION || typeof o.nextJournal !== 'number' || !Array.isArray(o.leases)) {
    throw new BenchbootError('BB_LEASE_STORE', `${path} is not a benchboot lease snapshot (version ${SNAPSHOT_VERSION})`);
  }
  const leases: Lease[] = [];
  for (const [i, item] of o.leases.entries()) {
    const lease = parseLease(item);
    if (!lease) throw new BenchbootError('BB_LEASE_STORE', `${path}: lease #${i + 1} is not valid`);
    leases.push(lease);
  }
  return { nextJournal: o.nextJournal, leases };
}

/** Replays one journal file; returns how many torn lines were skipped. */
async function replayJournal(path: string, state: Map<string, Lease>, logger: Logger, isNewest: boolean): Promise<number> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw storeError(`cannot read ${path}`, err);
  }
  const lines = text.split('\n');
  // A complete file ends with '\n', so the last element is '' (or the torn tail).
  let skipped = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (line === '') continue;
    const change = parseJournalLine(line);
    if (change) {
      applyChange(state, change);
      continue;
    }
    const isLast = i === lines.length - 1 || lines.slice(i + 1).every((l) => l === '');
    if (isLast) {
      // A crash in the middle of a write leaves a partial last line; that batch was never acknowledged.
      logger.warn('lease journal: skipping a torn last line (the server stopped in the middle of a write)', {
        file: path,
        line: i + 1,
        bytes: line.length,
        isNewest,
      });
      skipped++;
      continue;
    }
    throw new BenchbootError('BB_LEASE_STORE', `${path}:${i + 1}: not a lease change; the journal is damaged (move the file away to start from the snapshot)`);
  }
  return skipped;
}

function storeError(message: string, err: unknown): BenchbootError {
  return new BenchbootError('BB_LEASE_STORE', `${message}: ${errorMessage(err)}`, { cause: err });
}

async function ensureDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (err) {
    throw storeError(`cannot create the lease directory ${dir}`, err);
  }
}

/** Creates `dir/lock` holding our pid; a lock of a dead process is taken over. */
async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, LEASE_STORE_FILES.lock);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx' });
      return;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw storeError(`cannot create the lock file ${path}`, err);
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw new BenchbootError('BB_LEASE_STORE', `the lease directory ${dir} is in use by another benchboot server (pid ${owner}); stop it or use another --leases directory`);
    }
    // The owner is gone (crash or kill -9): the lock is stale.
    await rm(path, { force: true });
  }
  throw new BenchbootError('BB_LEASE_STORE', `the lease directory ${dir} is being locked by another process at the same moment`);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

async function releaseLock(dir: string): Promise<void> {
  await rm(join(dir, LEASE_STORE_FILES.lock), { force: true });
}

interface Waiter {
  resolve(): void;
  reject(err: Error): void;
}

/** The state as of the end of generation `upTo`, handed to a compaction. */
interface Frozen {
  readonly state: Lease[];
  readonly upTo: number;
}

interface Batch {
  lines: string[];
  changes: LeaseChange[];
  waiters: Waiter[];
}

/** The journal + snapshot store behind {@link openLeaseStore}. */
class JournalStore implements LeaseStore {
  readonly loaded: readonly Lease[];
  private readonly state = new Map<string, Lease>();
  private journal: FileHandle | undefined;
  private generation = 0;
  private generationChanges = 0;
  private next: Batch = { lines: [], changes: [], waiters: [] };
  private flushing: Promise<void> | undefined;
  private compacting: Promise<void> | undefined;
  /** Set when a compaction waits for the flush loop to switch generations. */
  private switchRequest: { resolve(frozen: Frozen): void; reject(err: Error): void } | undefined;
  private closed = false;
  private counters = { batches: 0, changesWritten: 0, largestBatch: 0, compactions: 0 };

  constructor(
    readonly dir: string,
    private readonly logger: Logger,
    private readonly compactAfter: number | undefined,
    leases: readonly Lease[],
    private readonly tornLines: number,
  ) {
    this.loaded = leases;
    for (const lease of leases) this.state.set(leaseKey(lease.scope, lease.ip), lease);
  }

  /** Opens a fresh generation and writes a snapshot of the loaded state, removing older files. */
  async start(generation: number, onDisk: readonly number[]): Promise<void> {
    await this.openGeneration(generation);
    await this.writeSnapshot([...this.state.values()], generation);
    await this.removeGenerations(onDisk.filter((g) => g < generation));
  }

  append(changes: readonly LeaseChange[]): Promise<void> {
    if (this.closed) return Promise.reject(new BenchbootError('BB_LEASE_STORE', 'the lease store is closed'));
    const durable = changes.filter(isJournaled);
    if (durable.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      for (const c of durable) {
        this.next.lines.push(formatJournalLine(c));
        this.next.changes.push(c);
      }
      this.next.waiters.push({ resolve, reject });
      this.kick();
    });
  }

  compact(): Promise<void> {
    if (this.compacting) return this.compacting;
    const run = this.runCompaction().finally(() => {
      this.compacting = undefined;
    });
    this.compacting = run;
    return run;
  }

  stats(): LeaseStoreStats {
    return { ...this.counters, generation: this.generation, tornLinesSkipped: this.tornLines };
  }

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

  /** Writes batches until nothing is queued; each batch is one durable write (O_DSYNC) or write + fdatasync. */
  private async flushLoop(): Promise<void> {
    for (;;) {
      if (this.switchRequest) await this.switchGeneration();
      const batch = this.next;
      if (batch.waiters.length === 0) return;
      this.next = { lines: [], changes: [], waiters: [] };
      try {
        await this.writeBatch(batch);
      } catch (err) {
        const e = storeError(`cannot write the lease journal in ${this.dir}`, err);
        for (const w of batch.waiters) w.reject(e);
        continue;
      }
      for (const c of batch.changes) applyChange(this.state, c);
      this.counters.batches++;
      this.counters.changesWritten += batch.changes.length;
      this.counters.largestBatch = Math.max(this.counters.largestBatch, batch.changes.length);
      this.generationChanges += batch.changes.length;
      for (const w of batch.waiters) w.resolve();
      if (this.generationChanges >= compactionThreshold(this.compactAfter, this.state.size) && !this.compacting) {
        this.compact().catch((err: unknown) => {
          this.logger.error('lease store: compaction failed; the journal keeps growing until the next one', { code: 'BB_LEASE_STORE', err: errorMessage(err) });
        });
      }
    }
  }

  private async writeBatch(batch: Batch): Promise<void> {
    const fh = this.journal;
    if (!fh) throw new Error('no open journal');
    const data = Buffer.from(`${batch.lines.join('\n')}\n`, 'utf8');
    let written = 0;
    while (written < data.length) {
      const r = await fh.write(data, written, data.length - written);
      written += r.bytesWritten;
    }
    if (!JOURNAL_DSYNC) await fh.datasync();
  }

  private async openGeneration(generation: number): Promise<void> {
    const path = join(this.dir, journalFileName(generation));
    let fh: FileHandle;
    try {
      fh = await open(path, JOURNAL_FLAGS, 0o666);
      await fsyncDir(this.dir);
    } catch (err) {
      throw storeError(`cannot open the lease journal ${path}`, err);
    }
    const old = this.journal;
    this.journal = fh;
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
    await this.writeSnapshot(frozen.state, frozen.upTo + 1);
    const stale = (await journalGenerations(this.dir)).filter((g) => g <= frozen.upTo);
    await this.removeGenerations(stale);
    this.counters.compactions++;
  }

  /** temp file → fsync → rename → fsync dir: the snapshot is either old or new, never torn. */
  private async writeSnapshot(leases: readonly Lease[], nextJournal: number): Promise<void> {
    const temp = join(this.dir, LEASE_STORE_FILES.snapshotTemp);
    const final = join(this.dir, LEASE_STORE_FILES.snapshot);
    const body = JSON.stringify({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, nextJournal, leases }, null, 1);
    try {
      await writeFileSynced(temp, body, 'w');
      await rename(temp, final);
      await fsyncDir(this.dir);
    } catch (err) {
      throw storeError(`cannot write the lease snapshot ${final}`, err);
    }
  }

  private async removeGenerations(generations: readonly number[]): Promise<void> {
    if (generations.length === 0) return;
    for (const g of generations) await rm(join(this.dir, journalFileName(g)), { force: true });
    await fsyncDir(this.dir);
  }
}
