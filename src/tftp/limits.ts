/**
 * The one table of TFTP limits: the range each server and client setting may take
 * (timeout, retries, MTU, blksize, windowsize, ports, transfers, ...). The server's and
 * the client's own validation read it, and the product can check its command-line
 * values against it instead of repeating the ranges. A check returns a typed problem;
 * the caller decides how to word and report it.
 */
import { MAX_BUSY_POLL_MICROS } from '../net/busy-poll.js';
import { BLKSIZE_MAX, BLKSIZE_MIN, DATAGRAM_OVERHEAD_BYTES, WINDOWSIZE_MAX } from './negotiate.js';

/** An inclusive range of whole numbers. */
export interface TftpLimit {
  readonly min: number;
  readonly max: number;
}

/** Every TFTP setting with a range, by the name it has in the server or client options. */
export const TFTP_LIMITS = {
  /** Transfers at once (server). */
  maxTransfers: { min: 1, max: 100_000 },
  /** The most transfers at once an adaptive limit may reach (server). */
  transfersCeiling: { min: 1, max: 100_000 },
  /** Transfers at once from one client address (server). */
  maxPerClient: { min: 1, max: 100_000 },
  /** Largest blksize offered (server, RFC 2348). */
  maxBlksize: { min: BLKSIZE_MIN, max: BLKSIZE_MAX },
  /** blksize asked for (client, RFC 2348). */
  blksize: { min: BLKSIZE_MIN, max: BLKSIZE_MAX },
  /** Path MTU: room for the smallest block plus IP, UDP and TFTP headers. */
  mtu: { min: BLKSIZE_MIN + DATAGRAM_OVERHEAD_BYTES, max: 65_535 },
  /** Largest windowsize offered (server, RFC 7440). */
  maxWindowsize: { min: 1, max: WINDOWSIZE_MAX },
  /** windowsize asked for (client, RFC 7440). */
  windowsize: { min: 1, max: WINDOWSIZE_MAX },
  /** Largest window in bytes (server). */
  maxWindowBytes: { min: BLKSIZE_MIN, max: 2 ** 31 },
  /** Fewest blocks maxWindowBytes may lower windowsize to (server). */
  minWindowBlocks: { min: 1, max: 65_535 },
  /** How long a request may wait for a slot, in milliseconds (server; 0 = no waiting). */
  queueWaitMs: { min: 0, max: 120_000 },
  /** Largest RFC 2349 timeout granted to a client, in seconds (server); a larger request is declined. */
  maxTimeoutSeconds: { min: 1, max: 255 },
  /** Floor of a transfer's average rate, in bytes per second (server; 0 = off). */
  minBytesPerSecond: { min: 0, max: 2 ** 31 },
  /** Time a transfer has before its floor rate counts, in milliseconds (server). */
  rateAllowanceMs: { min: 0, max: 3_600_000 },
  /** Retransmission timeout in milliseconds. */
  timeoutMs: { min: 10, max: 255_000 },
  /** Timeouts in a row before a transfer fails. */
  retries: { min: 0, max: 100 },
  /** Busy polling after each send, in microseconds (0 = off). */
  busyPollMicros: { min: 0, max: MAX_BUSY_POLL_MICROS },
  /** Worker threads sending read transfers (server; 0 = the main thread). */
  workers: { min: 0, max: 256 },
  /** Largest upload announced by tsize, in bytes. */
  maxUploadBytes: { min: 0, max: Number.MAX_SAFE_INTEGER },
  /** A listening port (0 = any free one). */
  listenPort: { min: 0, max: 65_535 },
  /** A port to talk to, or a bound of the transfer port range. */
  port: { min: 1, max: 65_535 },
} as const satisfies Record<string, TftpLimit>;

/** The name of a limited setting. */
export type TftpLimitName = keyof typeof TFTP_LIMITS;

/** Why a value does not fit its limit. */
export interface TftpLimitProblem {
  readonly kind: 'out-of-range';
  readonly name: TftpLimitName;
  readonly value: number;
  readonly min: number;
  readonly max: number;
}

/** Checks `value` against the limit of `name`: undefined when it is a whole number in range. */
export function checkTftpLimit(name: TftpLimitName, value: number): TftpLimitProblem | undefined {
  const { min, max } = TFTP_LIMITS[name];
  if (Number.isInteger(value) && value >= min && value <= max) return undefined;
  return { kind: 'out-of-range', name, value, min, max };
}

/** The problem as the options' own validation words it: "`label` must be an integer min..max, got value". */
export function formatTftpLimitProblem(p: TftpLimitProblem, label: string = p.name): string {
  return `${label} must be an integer ${p.min}..${p.max}, got ${p.value}`;
}
