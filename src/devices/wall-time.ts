/**
 * Device times on the wall clock. A running server stamps device events with its
 * steady clock (src/steady-clock.ts: wall time at start, then monotonic), so that
 * statuses, retention and eviction measure true durations across a step of the wall
 * clock. What is written down (the journal and snapshot) and what a person reads
 * (`devices`, `devices show`, `report`, the dashboard) carries wall time instead, as
 * the lease files and `benchboot leases` do: these functions copy a record, an event
 * or a journal entry with every time converted by `toWall`. Pure.
 */
import type { DeviceEvent } from './event.js';
import type { JournalEntry } from './journal-entry.js';
import type { DeviceProgress, DeviceRecord } from './record.js';
import type { DeviceSummaryRow } from './summary.js';

/** The wall-clock time of a time of the server clock. */
export type ToWall = (t: number) => number;

/** `event` with its time on the wall clock. */
export function eventOnWall(event: DeviceEvent, toWall: ToWall): DeviceEvent {
  return { ...event, atMs: toWall(event.atMs) };
}

function progressOnWall(p: DeviceProgress, toWall: ToWall): DeviceProgress {
  return {
    files: p.files.map((f) => ({ ...f, atMs: toWall(f.atMs) })),
    ...(p.lastDhcp === undefined ? {} : { lastDhcp: { ...p.lastDhcp, atMs: toWall(p.lastDhcp.atMs) } }),
    ...(p.lease === undefined ? {} : { lease: { ...p.lease, ackAtMs: toWall(p.lease.ackAtMs) } }),
    ...(p.lastFileAtMs === undefined ? {} : { lastFileAtMs: toWall(p.lastFileAtMs) }),
  };
}

/** A copy of `record` with every time on the wall clock. */
export function recordOnWall(record: Readonly<DeviceRecord>, toWall: ToWall): DeviceRecord {
  return {
    ...record,
    firstSeenMs: toWall(record.firstSeenMs),
    lastSeenMs: toWall(record.lastSeenMs),
    timeline: record.timeline.map((e) => eventOnWall(e, toWall)),
    progress: progressOnWall(record.progress, toWall),
  };
}

/** `row` with its first and last seen on the wall clock. */
export function rowOnWall<R extends DeviceSummaryRow>(row: R, toWall: ToWall): R {
  return { ...row, firstSeenMs: toWall(row.firstSeenMs), lastSeenMs: toWall(row.lastSeenMs) };
}

/** `entry` with its time on the wall clock. */
export function entryOnWall(entry: JournalEntry, toWall: ToWall): JournalEntry {
  if (entry.t === 'obs') return { t: 'obs', o: { ...entry.o, event: eventOnWall(entry.o.event, toWall) } };
  return { ...entry, atMs: toWall(entry.atMs) };
}
