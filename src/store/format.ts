/**
 * The on-disk format of the lease journal and snapshot: file names in the state
 * directory, one JSON line per lease change, and the snapshot document. Parsing checks
 * every field, so a hand-edited or damaged file is reported rather than trusted.
 */
import { isHardwareAddress, isIpv4, isMac } from '../net/ipv4.js';
import type { Lease, LeaseChange, LeaseState } from '../dhcp/lease.js';

/** File names inside the state directory. */
export const LEASE_STORE_FILES = {
  lock: 'lock',
  snapshot: 'snapshot.json',
  snapshotTemp: 'snapshot.json.tmp',
  journalPattern: /^journal\.(\d+)\.jsonl$/,
} as const;

/** The `format` field of a snapshot. */
export const SNAPSHOT_FORMAT = 'benchboot-leases';
/** The `version` field of a snapshot this code reads and writes. */
export const SNAPSHOT_VERSION = 1;

/** The file name of journal generation `n`. */
export function journalFileName(n: number): string {
  return `journal.${n}.jsonl`;
}

/** True for changes worth making durable: everything except offers. */
export function isJournaled(change: LeaseChange): boolean {
  return change.kind === 'delete' || change.lease.state !== 'offered';
}

const LEASE_STATES: readonly LeaseState[] = ['offered', 'bound', 'released', 'declined'];

/**
 * Checks one parsed journal/snapshot lease; returns it typed or undefined. `mac` is the
 * client's hardware address as the engine keys it: whatever length the chaddr field holds
 * (hlen 0..16, any htype), so whatever the engine ACKs is read back.
 */
export function parseLease(v: unknown): Lease | undefined {
  if (typeof v !== 'object' || v === null) return undefined;
  const o = v as Record<string, unknown>;
  if (typeof o.scope !== 'string' || typeof o.ip !== 'string' || !isIpv4(o.ip)) return undefined;
  if (typeof o.clientKey !== 'string' || typeof o.mac !== 'string' || !(isHardwareAddress(o.mac) || isMac(o.mac))) return undefined;
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

/** Converts a time of the server's clock to wall time (steady-clock.ts); the files hold wall time. */
export type ToWallTime = (t: number) => number;

/** `lease` with its times on the wall clock. */
export function leaseOnWall(lease: Lease, toWall: ToWallTime): Lease {
  return { ...lease, startedAt: toWall(lease.startedAt), expiresAt: toWall(lease.expiresAt) };
}

/** `change` with its lease's times on the wall clock. */
export function changeOnWall(change: LeaseChange, toWall: ToWallTime): LeaseChange {
  return change.kind === 'put' ? { kind: 'put', lease: leaseOnWall(change.lease, toWall) } : change;
}

/** The journal line of a change (no newline). */
export function formatJournalLine(change: LeaseChange): string {
  return JSON.stringify(change);
}

/** The text of a snapshot file. */
export function formatSnapshot(leases: readonly Lease[], nextJournal: number): string {
  return JSON.stringify({ format: SNAPSHOT_FORMAT, version: SNAPSHOT_VERSION, nextJournal, leases }, null, 1);
}
