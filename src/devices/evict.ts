/**
 * Who leaves the book when it is full (never silently: the book reports each
 * eviction). The longest-idle finished (provisioned) device goes first, then the
 * longest-idle gone one, and only when neither exists the longest-idle device of
 * all, with a reason saying so.
 */
import type { DeviceRecord } from './record.js';
import type { DeviceStatusName } from './status-reason.js';

/** Why a device was chosen. */
export type EvictionReason = 'finished' | 'gone' | 'idle-unfinished';

/** One eviction, reported to listeners and returned by `apply`. */
export interface Eviction {
  readonly mac: string;
  readonly reason: EvictionReason;
  /** How long it had been silent at the eviction. */
  readonly idleMs: number;
  readonly status: DeviceStatusName;
}

const RANK: Record<EvictionReason, number> = { finished: 0, gone: 1, 'idle-unfinished': 2 };

function reasonOf(status: DeviceStatusName): EvictionReason {
  if (status === 'provisioned') return 'finished';
  return status === 'gone' ? 'gone' : 'idle-unfinished';
}

/** The device to evict at `nowMs`, or undefined when `records` is empty. */
export function chooseEviction(
  records: Iterable<DeviceRecord>,
  statusOf: (record: DeviceRecord) => DeviceStatusName,
  nowMs: number,
): Eviction | undefined {
  let best: Eviction | undefined;
  for (const record of records) {
    const status = statusOf(record);
    const candidate: Eviction = { mac: record.mac, reason: reasonOf(status), idleMs: nowMs - record.lastSeenMs, status };
    if (!best || RANK[candidate.reason] < RANK[best.reason] || (RANK[candidate.reason] === RANK[best.reason] && candidate.idleMs > best.idleMs)) {
      best = candidate;
    }
  }
  return best;
}
