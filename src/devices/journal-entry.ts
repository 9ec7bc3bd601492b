/**
 * The lines of the device journal and snapshot: what the store writes and reads.
 * A journal line is one entry (an observation, a reset, an eviction); a snapshot
 * line is one whole record. Parsing checks every field (parse-event.ts), so a
 * damaged line reads as undefined and is skipped by the reader, never half-applied.
 */
import { DHCP_MESSAGES, FILE_ORIGINS, FILE_RESULTS, type DeviceEvent } from './event.js';
import { isCanonicalMac, type DeviceObservation } from './identity.js';
import { asObject, isNum, isOptStr, parseDeviceEvent, parseFacts } from './parse-event.js';
import type { DeviceProgress, DeviceRecord, FileOutcome } from './record.js';

/** One journal entry. */
export type JournalEntry =
  | { readonly t: 'obs'; readonly o: DeviceObservation }
  | { readonly t: 'reset'; readonly mac: string; readonly atMs: number }
  | { readonly t: 'evict'; readonly mac: string; readonly atMs: number };

/** A journal or snapshot line (no newline). */
export function formatLine(value: JournalEntry | DeviceRecord | SnapshotHeader): string {
  return JSON.stringify(value);
}

/** The first line of a snapshot file. */
export interface SnapshotHeader {
  readonly format: 'benchboot-devices';
  readonly version: 1;
  /** Journal generations below this are contained in the snapshot. */
  readonly nextJournal: number;
}

/** The snapshot header in `line`, or undefined. */
export function parseSnapshotHeader(line: string): SnapshotHeader | undefined {
  const o = asObject(safeJson(line));
  if (!o || o.format !== 'benchboot-devices' || o.version !== 1 || !isNum(o.nextJournal)) return undefined;
  return o as unknown as SnapshotHeader;
}

/** JSON.parse that returns undefined instead of throwing. */
export function safeJson(line: string): unknown {
  try {
    return JSON.parse(line) as unknown;
  } catch (err) {
    if (err instanceof SyntaxError) return undefined;
    throw err;
  }
}

/** The journal entry in `line`, or undefined when the line is damaged. */
export function parseEntry(line: string): JournalEntry | undefined {
  const o = asObject(safeJson(line));
  if (!o) return undefined;
  if ((o.t === 'reset' || o.t === 'evict') && typeof o.mac === 'string' && isCanonicalMac(o.mac) && isNum(o.atMs)) {
    return { t: o.t, mac: o.mac, atMs: o.atMs };
  }
  if (o.t !== 'obs') return undefined;
  const obs = asObject(o.o);
  if (!obs || typeof obs.mac !== 'string' || !isCanonicalMac(obs.mac) || !isOptStr(obs.clientId)) return undefined;
  const facts = obs.facts === undefined ? undefined : parseFacts(obs.facts);
  const event = parseDeviceEvent(obs.event);
  if (!event || (obs.facts !== undefined && !facts)) return undefined;
  return { t: 'obs', o: obs as unknown as DeviceObservation };
}

function isFileOutcome(v: unknown): v is FileOutcome {
  const o = asObject(v);
  return (
    !!o &&
    typeof o.name === 'string' &&
    (FILE_RESULTS as readonly unknown[]).includes(o.result) &&
    (FILE_ORIGINS as readonly unknown[]).includes(o.origin) &&
    isNum(o.atMs) &&
    isNum(o.attempts) &&
    isOptStr(o.detail)
  );
}

function parseProgress(v: unknown): DeviceProgress | undefined {
  const o = asObject(v);
  if (!o || !Array.isArray(o.files) || !o.files.every(isFileOutcome)) return undefined;
  if (o.lastFileAtMs !== undefined && !isNum(o.lastFileAtMs)) return undefined;
  const last = o.lastDhcp === undefined ? undefined : asObject(o.lastDhcp);
  if (o.lastDhcp !== undefined && !(last && isNum(last.atMs) && (DHCP_MESSAGES as readonly unknown[]).includes(last.message))) return undefined;
  const lease = o.lease === undefined ? undefined : asObject(o.lease);
  if (o.lease !== undefined && !(lease && isNum(lease.ackAtMs) && isOptStr(lease.ip))) return undefined;
  if (lease && ((lease.leaseSeconds !== undefined && !isNum(lease.leaseSeconds)) || (lease.rebindingSeconds !== undefined && !isNum(lease.rebindingSeconds)))) {
    return undefined;
  }
  return o as unknown as DeviceProgress;
}

/** The record in a snapshot line, or undefined when the line is damaged. */
export function parseRecordLine(line: string): DeviceRecord | undefined {
  const o = asObject(safeJson(line));
  if (!o || typeof o.mac !== 'string' || !isCanonicalMac(o.mac) || !isOptStr(o.clientId)) return undefined;
  if (!isNum(o.firstSeenMs) || !isNum(o.lastSeenMs) || !isNum(o.prunedEvents) || !Array.isArray(o.timeline)) return undefined;
  const facts = parseFacts(o.facts);
  const progress = parseProgress(o.progress);
  const timeline = o.timeline.map(parseDeviceEvent);
  if (!facts || !progress || !timeline.every((e): e is DeviceEvent => e !== undefined)) return undefined;
  return { ...(o as unknown as DeviceRecord), facts, progress, timeline };
}
