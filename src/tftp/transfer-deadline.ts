/**
 * A transfer's deadline, as a pure decision: once a start allowance is over, every
 * transfer must keep an average rate of at least a floor, so that a peer that trickles
 * (one block per timeout, which resets the retry count each time) cannot hold a slot for
 * ever. The deadline is `allowance + size / floor` after the start:
 * - a read knows its size (the file), so its deadline is fixed when it starts;
 * - a write knows it when the client announced tsize (RFC 2349); otherwise the floor
 *   applies to the bytes received so far, and the deadline moves on as they come in.
 * At the deadline the server ends the transfer with ERROR 0 naming the reason.
 *
 * The default floor, 2 KiB/s, is far below what one client reaches (lock-step at blksize
 * 512 over a 10 Mb/s link, measured: 8 MiB in 10.9 s, 770 KB/s) and half of what the
 * slowest transfer of a storm got: 500 devices × 2 MiB, 200 slots, all on one 10 Mb/s
 * link, lock-step at blksize 512, each transfer averaging 3.7–5.7 KB/s (1.25 MB/s shared
 * 200 ways, less the losses). A floor of 4 KiB/s ended 22 of those 200 transfers. A peer
 * that ACKs one block of 512 or 1468 bytes per 1 s timeout is ended.
 */

/** The floor every transfer must keep. */
export interface RateFloor {
  /** Average bytes per second every transfer must reach after the allowance; 0 = no floor. */
  readonly minBytesPerSecond: number;
  /** Time from the start before the floor counts, in ms. */
  readonly allowanceMs: number;
}

/** The default floor: 2 KiB/s. */
export const DEFAULT_MIN_BYTES_PER_SECOND = 2048;
/** The default start allowance: 60 s (opening, a busy disk, a device pausing before it reads). */
export const DEFAULT_RATE_ALLOWANCE_MS = 60_000;

/** What the check knows of one transfer. */
export interface RateFacts {
  /** Time since the transfer started, in ms. */
  readonly elapsedMs: number;
  /** Payload bytes moved so far. */
  readonly bytes: number;
  /** The size when known: the file on a read, the announced tsize on a write. */
  readonly sizeBytes?: number;
}

/** The verdict: no floor, on time (check again later), or too slow. */
export type RateVerdict =
  | { readonly kind: 'off' }
  | { readonly kind: 'on-time'; readonly checkInMs: number }
  | { readonly kind: 'too-slow'; readonly bytes: number; readonly elapsedMs: number; readonly minBytesPerSecond: number };

const OFF: RateVerdict = { kind: 'off' };

/** The time after the start (ms) by which `bytes` must have moved: allowance + bytes / floor. */
export function deadlineAfterMs(floor: RateFloor, bytes: number): number {
  return floor.allowanceMs + Math.ceil((bytes * 1000) / floor.minBytesPerSecond);
}

/** Decides whether a transfer is past its deadline; when not, how long until it must be checked again. */
export function checkRate(floor: RateFloor, facts: RateFacts): RateVerdict {
  if (floor.minBytesPerSecond <= 0) return OFF;
  const deadlineMs = deadlineAfterMs(floor, facts.sizeBytes ?? facts.bytes);
  if (facts.elapsedMs < deadlineMs) return { kind: 'on-time', checkInMs: deadlineMs - facts.elapsedMs };
  return { kind: 'too-slow', bytes: facts.bytes, elapsedMs: facts.elapsedMs, minBytesPerSecond: floor.minBytesPerSecond };
}

/** The ERROR 0 text (and log reason) for a transfer ended as too slow. */
export function formatTooSlow(v: Extract<RateVerdict, { kind: 'too-slow' }>): string {
  return `transfer too slow: ${v.bytes} bytes in ${Math.round(v.elapsedMs / 1000)} s, below the floor of ${v.minBytesPerSecond} bytes/s`;
}
