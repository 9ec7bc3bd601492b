/**
 * Opening and reading the journal-backed lease store (the `LeaseStore` of
 * ./backend.ts) in a state directory (default `./leases/`), so that every ACKed lease survives a
 * crash or `kill -9` (the project's design notes, shared/DESIGN.md, "Durable leases").
 *
 * Layout of the state directory:
 *
 *     lock                      pid of the server using the directory
 *     snapshot.json             { format, version, nextJournal: N, leases: [...] }
 *     journal.<N>.jsonl         one LeaseChange JSON object per line, generation N
 *
 * On open, bound leases whose time is over become 'released' records (the address
 * is free again, but the table still knows which client had it, so a returning
 * client gets its old address when it is still free); ended quarantines and
 * ended 'released' memories older than `forgetAfterMs` are dropped.
 */
import { createSilentLogger, type Logger } from '../log.js';
import { isErrno } from '../errno.js';
import { BenchbootError } from '../errors.js';
import type { Lease } from '../dhcp/lease.js';
import type { LeaseStore } from './backend.js';
import { mkdir } from 'node:fs/promises';
import { JournalStore } from './journal-store.js';
import type { ToWallTime } from './format.js';
import type { JournalFileWrapper } from './journal-writer.js';
import { acquireLock, releaseLock } from './lock.js';
import { reclaimOnOpen, replayDir } from './replay.js';
import { storeError } from './store-error.js';

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
  /** Wraps each journal file opened (tests inject a full disk here: a short write, then ENOSPC). */
  readonly wrapJournalFile?: JournalFileWrapper;
  /**
   * The wall-clock time of a lease time (the server's steady clock, steady-clock.ts): the
   * files hold wall time. Leases are read as they are: at open both clocks agree.
   */
  readonly toWall?: ToWallTime;
}

const DEFAULT_COMPACT_AFTER = 5000;
const DEFAULT_FORGET_AFTER_MS = 30 * 24 * 3600 * 1000;

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

/** Opens (and locks) a state directory, replays it, and returns the store. */
export async function openLeaseStore(options: LeaseStoreOptions): Promise<LeaseStore> {
  const logger = options.logger ?? createSilentLogger();
  try {
    await mkdir(options.dir, { recursive: true });
  } catch (err) {
    throw storeError(`cannot create the lease directory ${options.dir}`, err);
  }
  await acquireLock(options.dir);
  try {
    const replay = await replayDir(options.dir, logger);
    const leases = reclaimOnOpen([...replay.state.values()], options.now, options.forgetAfterMs ?? DEFAULT_FORGET_AFTER_MS);
    const threshold = (held: number): number => compactionThreshold(options.compactAfterChanges, held);
    if (replay.damagedRecords > 0) {
      logger.warn('lease store: records that cannot be read were skipped (each named above); every other lease loaded', {
        code: 'BB_LEASE_STORE',
        dir: options.dir,
        skipped: replay.damagedRecords,
      });
    }
    const store = new JournalStore(options.dir, logger, threshold, leases, replay, {
      ...(options.wrapJournalFile ? { wrapJournal: options.wrapJournalFile } : {}),
      ...(options.toWall ? { toWall: options.toWall } : {}),
    });
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
