/**
 * Reading a state directory back: the snapshot, then every journal generation from
 * the snapshot's `nextJournal` on, in order. A torn last line (a crash in the middle of
 * a write) is skipped with a warning; any other bad line means a damaged journal.
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
}

/** Replays the snapshot and the live journal generations of `dir`. */
export async function replayDir(dir: string, logger: Logger): Promise<Replay> {
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
export async function journalGenerations(dir: string): Promise<number[]> {
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
    throw storeError(`${path} is not a benchboot lease snapshot (version ${SNAPSHOT_VERSION})`);
  }
  const leases: Lease[] = [];
  for (const [i, item] of o.leases.entries()) {
    const lease = parseLease(item);
    if (!lease) throw storeError(`${path}: lease #${i + 1} is not valid`);
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
    if (!isLast) throw storeError(`${path}:${i + 1}: not a lease change; the journal is damaged (move the file away to start from the snapshot)`);
    // A crash in the middle of a write leaves a partial last line; that batch was never acknowledged.
    logger.warn('lease journal: skipping a torn last line (the server stopped in the middle of a write)', {
      file: path,
      line: i + 1,
      bytes: line.length,
      isNewest,
    });
    skipped++;
  }
  return skipped;
}
