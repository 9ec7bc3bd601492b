/**
 * The device record and its reducer: identity + facts + a bounded timeline, plus a
 * small progress summary (lease, latest outcome per file) that status rules read.
 * The summary is kept apart from the timeline so that retention (by count and by
 * age) never changes a device's status: a phone that sends 500 syslog lines after
 * its config is still provisioned. Functions here mutate a plain record owned by the
 * device book; nothing here does I/O or reads the clock.
 */
import { type DeviceEvent, type DhcpMessageName, type FileOrigin, type FileResult } from './event.js';
import { mergeFacts, type DeviceFacts, type DeviceObservation } from './identity.js';

/** How much history is kept. */
export interface RetentionLimits {
  /** Timeline entries kept per device; older ones are dropped first. */
  readonly maxEventsPerDevice: number;
  /** Timeline entries older than this (relative to the newest event, or to `now` on a sweep) are dropped. */
  readonly maxAgeMs: number;
  /** Devices kept in the book; see evict.ts for who goes first. */
  readonly maxDevices: number;
}

/**
 * Defaults: 200 events is several full boots of a chatty phone (DORA + 5 files ≈ 10
 * events per boot) with room for syslog; 7 days covers a bench left over a weekend;
 * 10,000 devices is far beyond a bench yet keeps the worst case bounded (see memory.ts).
 */
export const DEFAULT_RETENTION: RetentionLimits = {
  maxEventsPerDevice: 200,
  maxAgeMs: 7 * 24 * 3600_000,
  maxDevices: 10_000,
};

/** Distinct file names whose latest outcome is kept per device (the oldest name is forgotten first). */
export const MAX_FILES_TRACKED = 64;

/** The latest outcome of one file name. */
export interface FileOutcome {
  readonly name: string;
  readonly result: FileResult;
  readonly origin: FileOrigin;
  readonly atMs: number;
  /** Requests of this name so far. */
  readonly attempts: number;
  readonly detail?: string;
}

/** The latest ACK. */
export interface LeaseProgress {
  readonly ip?: string;
  readonly ackAtMs: number;
  readonly leaseSeconds?: number;
  readonly rebindingSeconds?: number;
}

/** What the status rules read; survives timeline retention. */
export interface DeviceProgress {
  lastDhcp?: { readonly message: DhcpMessageName; readonly atMs: number };
  lease?: LeaseProgress;
  /** Latest outcome per file name, in the order first asked. */
  files: FileOutcome[];
  lastFileAtMs?: number;
}

/** One device. Mutated only by the functions of this module, through the book. */
export interface DeviceRecord {
  readonly mac: string;
  clientId?: string;
  facts: DeviceFacts;
  /** First and last packet from the device (admin events do not count), wall ms. */
  firstSeenMs: number;
  lastSeenMs: number;
  timeline: DeviceEvent[];
  progress: DeviceProgress;
  /** Timeline entries dropped by retention since the record was created. */
  prunedEvents: number;
}

/** A new, empty record first seen at `atMs`. */
export function createRecord(mac: string, atMs: number, facts: DeviceFacts = {}): DeviceRecord {
  return { mac, facts, firstSeenMs: atMs, lastSeenMs: atMs, timeline: [], progress: { files: [] }, prunedEvents: 0 };
}

/**
 * Files one observation into `record`; returns how many old entries retention dropped.
 * The event is kept as given: the book clips its wire texts first (clipEvent), once,
 * so that the record and the book's subscribers hold the same event.
 */
export function applyObservation(record: DeviceRecord, observation: DeviceObservation, limits: RetentionLimits): number {
  const event = observation.event;
  if (observation.clientId !== undefined) record.clientId = observation.clientId;
  record.facts = mergeFacts(record.facts, observation.facts);
  if (event.kind !== 'admin') {
    record.lastSeenMs = Math.max(record.lastSeenMs, event.atMs);
    record.firstSeenMs = Math.min(record.firstSeenMs, event.atMs);
  }
  if (event.kind === 'dhcp') applyDhcp(record, event);
  if (event.kind === 'file') applyFile(record.progress, event);
  record.timeline.push(event);
  return pruneTimeline(record, event.atMs, limits);
}

function applyDhcp(record: DeviceRecord, event: Extract<DeviceEvent, { kind: 'dhcp' }>): void {
  record.progress.lastDhcp = { message: event.message, atMs: event.atMs };
  // A NAK ends the lease the client thought it had: it starts over from DISCOVER (RFC 2131 §3.2).
  if (event.message === 'nak') delete record.progress.lease;
  if (event.message !== 'ack') return;
  if (event.ip !== undefined) record.facts = mergeFacts(record.facts, { lastIp: event.ip });
  record.progress.lease = {
    ackAtMs: event.atMs,
    ...(event.ip === undefined ? {} : { ip: event.ip }),
    ...(event.leaseSeconds === undefined ? {} : { leaseSeconds: event.leaseSeconds }),
    ...(event.rebindingSeconds === undefined ? {} : { rebindingSeconds: event.rebindingSeconds }),
  };
}

function applyFile(progress: DeviceProgress, event: Extract<DeviceEvent, { kind: 'file' }>): void {
  const key = event.name.toLowerCase();
  const index = progress.files.findIndex((f) => f.name.toLowerCase() === key);
  const previous = index >= 0 ? progress.files[index] : undefined;
  const outcome: FileOutcome = {
    name: event.name,
    result: event.result,
    origin: event.origin,
    atMs: event.atMs,
    attempts: (previous?.attempts ?? 0) + 1,
    ...(event.detail === undefined ? {} : { detail: event.detail }),
  };
  if (index >= 0) progress.files[index] = outcome;
  else progress.files.push(outcome);
  if (progress.files.length > MAX_FILES_TRACKED) progress.files.shift();
  progress.lastFileAtMs = Math.max(progress.lastFileAtMs ?? event.atMs, event.atMs);
}

/**
 * Drops timeline entries beyond the count limit and those older than `nowMs -
 * maxAgeMs`; returns how many were dropped (also added to `prunedEvents`).
 */
export function pruneTimeline(record: DeviceRecord, nowMs: number, limits: RetentionLimits): number {
  const byCount = Math.max(0, record.timeline.length - limits.maxEventsPerDevice);
  const cutoff = nowMs - limits.maxAgeMs;
  let drop = byCount;
  while (drop < record.timeline.length && (record.timeline[drop]?.atMs ?? Infinity) < cutoff) drop++;
  if (drop === 0) return 0;
  record.timeline.splice(0, drop);
  record.prunedEvents += drop;
  return drop;
}

/**
 * The record after a reset at `atMs`: timeline and progress cleared (the device will
 * be provisioned again), identity and facts kept, one `reset` admin event in the timeline.
 */
export function resetRecord(record: DeviceRecord, atMs: number): DeviceRecord {
  const fresh = createRecord(record.mac, atMs, record.facts);
  if (record.clientId !== undefined) fresh.clientId = record.clientId;
  fresh.timeline.push({ kind: 'admin', atMs, action: 'reset' });
  return fresh;
}
