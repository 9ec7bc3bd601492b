/**
 * Reading a state directory back: the snapshot, then every journal generation from
 * the snapshot's `nextJournal` on, in order. A torn last line (a crash in the middle of
 * a write) is skipped with a warning. Any other record that cannot be read (a damaged
 * journal line, a bad lease inside the snapshot) is skipped with a warning naming its
 * file and line and counted, and every other lease loads (as Kea's memfile does): one
 * bad record never stops a start. Only a store that cannot be read at all (a directory
 * or file that cannot be opened, a snapshot that is not a benchboot snapshot) does.
 * Also the rule of what a restart does to the leases it finds (`reclaimOnOpen`).
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../errno.js';
import type { Logger } from '../log.js';
import type { Lease, LeaseChange } from '../dhcp/lease.js';
import { LEASE_STORE_FILES, SNAPSHOT_FORMAT, SNAPSHOT_VERSION, journalFileName, parseJournalLine, parseLease } from './format.js';
import { storeError } from './store-error.js';

/** A key for one address in one scope. */
export function leaseKey(scope: string, ip: string): string {
  return `${scope}\u0000${ip}`;
}

/** Applies one change to a state map (replay and the store's own copy). */
export function applyChange(state: Map<string, Lease>, change: LeaseChange): void {
  if (change.kind === 'put') state.set(leaseKey(change.lease.scope, change.lease.ip), change.lease);
  else state.delete(leaseKey(change.scope, change.ip));
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

/** What a replay of a state directory found. */
export interface Replay {
  readonly state: Map<string, Lease>;
  readonly maxGeneration: number;
  /** Generations present on disk (all of them, including stale ones). */
  readonly generations: readonly number[];
  readonly tornLines: number;
  /** Records that could not be read and were skipped (not counting torn last lines). */
  readonly damagedRecords: number;
}

/** What replaying one file skipped. */
interface Skipped {
  torn: number;
  damaged: number;
}

/** Replays the snapshot and the live journal generations of `dir`. */
export async function replayDir(dir: string, logger: Logger): Promise<Replay> {
  const state = new Map<string, Lease>();
  const snapshot = await readSnapshot(dir, logger);
  for (const lease of snapshot.leases) state.set(leaseKey(lease.scope, lease.ip), lease);
  const generations = await journalGenerations(dir);
  const skipped: Skipped = { torn: 0, damaged: snapshot.damaged };
  for (const gen of generations) {
    if (gen < snapshot.nextJournal) continue;
    const r = await replayJournal(join(dir, journalFileName(gen)), state, logger, gen === generations[generations.length - 1]);
    skipped.torn += r.torn;
    skipped.damaged += r.damaged;
  }
  const maxGeneration = Math.max(snapshot.nextJournal - 1, ...generations);
  return { state, maxGeneration, generations, tornLines: skipped.torn, damagedRecords: skipped.damaged };
}

/** The journal generations present in `dir`, in ascending order. */
export async function journalGenerations(dir: string): Promise<number[]> {
  return (await readdir(dir))
    .map((name) => LEASE_STORE_FILES.journalPattern.exec(name)?.[1])
    .filter((g): g is string => g !== undefined)
    .map(Number)
    .sort((a, b) => a - b);
}

async function readSnapshot(dir: string, logger: Logger): Promise<{ nextJournal: number; leases: Lease[]; damaged: number }> {
  const path = join(dir, LEASE_STORE_FILES.snapshot);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) return { nextJournal: 0, leases: [], damaged: 0 };
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
    throw storeError(`${path} is not a benchboot lease snapshot (version ${SNAPSHOT_VERSION})`);
  }
  const leases: Lease[] = [];
  let damaged = 0;
  for (const [i, item] of o.leases.entries()) {
    const lease = parseLease(item);
    if (lease) {
      leases.push(lease);
      continue;
    }
    damaged++;
    logger.warn('lease store: skipping a lease record that cannot be read; every other lease loads', { file: path, lease: i + 1 });
  }
  return { nextJournal: o.nextJournal, leases, damaged };
}

/** Replays one journal file; returns how many torn and damaged lines were skipped. */
async function replayJournal(path: string, state: Map<string, Lease>, logger: Logger, isNewest: boolean): Promise<Skipped> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw storeError(`cannot read ${path}`, err);
  }
  const lines = text.split('\n');
  // A complete file ends with '\n', so the last element is '' (or the torn tail).
  const lastLine = lastNonEmpty(lines);
  const skipped: Skipped = { torn: 0, damaged: 0 };
  for (const [i, line] of lines.entries()) {
    if (line === '') continue;
    const change = parseJournalLine(line);
    if (change) {
      applyChange(state, change);
      continue;
    }
    const where = { file: `${path}:${i + 1}`, bytes: line.length, isNewest };
    if (i === lastLine) {
      // A crash in the middle of a write leaves a partial last line; that batch was never acknowledged.
      logger.warn('lease journal: skipping a torn last line (the server stopped in the middle of a write)', { ...where, line: i + 1 });
      skipped.torn++;
    } else {
      logger.warn('lease journal: skipping a line that is not a lease change (damaged); every other lease loads', { ...where, line: i + 1 });
      skipped.damaged++;
    }
  }
  return skipped;
}

/** Index of the last non-empty element of `lines`, or -1. */
function lastNonEmpty(lines: readonly string[]): number {
  for (let i = lines.length - 1; i >= 0; i--) if (lines[i] !== '') return i;
  return -1;
}
