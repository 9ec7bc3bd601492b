/**
 * The ONE table of the TFTP limits a technician may set with `serve` (block size,
 * MTU, window, timeout, retries, busy-poll, ...), each with its range and the option
 * that sets it, and the defaults the `serve` help names beside them. The bounds come
 * from the TFTP package's own table (src/tftp/limits.ts), which the server and client
 * validate with; this table adds only the option name and unit.
 */
import { BUSY_POLL_MAX_SESSIONS } from '../net/busy-poll.js';
import { TFTP_LIMITS as TFTP_PACKAGE_LIMITS } from '../tftp/limits.js';
import { BLKSIZE_MAX, DATAGRAM_OVERHEAD_BYTES } from '../tftp/negotiate.js';
import { MAX_ALTERNATES } from '../tftp/resolve-path.js';
import { DEFAULT_BUSY_POLL_MICROS, DEFAULT_MAX_TIMEOUT_SECONDS, DEFAULT_QUEUE_WAIT_MS } from '../tftp/server-options.js';
import { DEFAULT_MAX_PER_CLIENT } from '../tftp/admission.js';
import { DEFAULT_MIN_BYTES_PER_SECOND, DEFAULT_RATE_ALLOWANCE_MS } from '../tftp/transfer-deadline.js';
import { ERRORS } from '../errors.js';

/** The most TFTP transfers at once `serve` takes, for --max-transfers and --transfers-ceiling. */
export const MAX_SERVE_TRANSFERS = 10_000;

/** The default --transfers-ceiling is --max-transfers times this (at most {@link MAX_SERVE_TRANSFERS}). */
export const CEILING_FACTOR = 4;

/** `serve`'s default --transfers-ceiling for a --max-transfers of `maxTransfers`. */
export function defaultTransfersCeiling(maxTransfers: number): number {
  return Math.min(MAX_SERVE_TRANSFERS, Math.max(maxTransfers, maxTransfers * CEILING_FACTOR));
}

/** One settable limit: its whole-number range (from the TFTP package's table), the `serve` option that sets it and the unit its message names. */
export interface TftpLimit {
  readonly option: string;
  readonly min: number;
  readonly max: number;
  readonly unit: string;
}

/** A serve option over one row of the TFTP package's own limits table (bounds are never restated here). */
function serveLimit(name: keyof typeof TFTP_PACKAGE_LIMITS, option: string, unit = ''): TftpLimit {
  const { min, max } = TFTP_PACKAGE_LIMITS[name];
  return { option, min, max, unit };
}

/** The limits a technician may set, in the order they are checked. */
export const TFTP_LIMITS = {
  maxBlksize: serveLimit('maxBlksize', 'max-blksize'),
  mtu: serveLimit('mtu', 'mtu'),
  maxWindowsize: serveLimit('maxWindowsize', 'max-windowsize'),
  timeoutMs: serveLimit('timeoutMs', 'tftp-timeout', ' milliseconds'),
  maxTimeoutSeconds: serveLimit('maxTimeoutSeconds', 'max-tftp-timeout', ' seconds'),
  minBytesPerSecond: serveLimit('minBytesPerSecond', 'min-transfer-rate', ' bytes per second'),
  retries: serveLimit('retries', 'tftp-retries'),
  busyPollMicros: serveLimit('busyPollMicros', 'busy-poll', ' microseconds'),
  queueWaitMs: serveLimit('queueWaitMs', 'queue-wait', ' milliseconds'),
  workers: serveLimit('workers', 'tftp-workers', ' threads'),
} as const satisfies Readonly<Record<string, TftpLimit>>;

/** The defaults and fixed facts the `serve` help names beside the limits. */
export const TFTP_FACTS = {
  defaultMaxBlksize: BLKSIZE_MAX,
  defaultBusyPollMicros: DEFAULT_BUSY_POLL_MICROS,
  defaultQueueWaitMs: DEFAULT_QUEUE_WAIT_MS,
  /** Transfers up to which busy-polling is used. */
  busyPollMaxSessions: BUSY_POLL_MAX_SESSIONS,
  /** IP + UDP + TFTP header bytes: block size is capped at MTU minus this. */
  datagramOverheadBytes: DATAGRAM_OVERHEAD_BYTES,
  maxAlternates: MAX_ALTERNATES,
  /** The default --transfers-ceiling is --max-transfers times this. */
  ceilingFactor: CEILING_FACTOR,
  /** The highest --max-transfers and --transfers-ceiling. */
  maxTransfersCeiling: MAX_SERVE_TRANSFERS,
  /** The per-client default: a quarter of --max-transfers, at most this. */
  defaultMaxPerClient: DEFAULT_MAX_PER_CLIENT,
  defaultMaxTimeoutSeconds: DEFAULT_MAX_TIMEOUT_SECONDS,
  defaultMinBytesPerSecond: DEFAULT_MIN_BYTES_PER_SECOND,
  /** Seconds a transfer has before the floor rate counts. */
  rateAllowanceSeconds: DEFAULT_RATE_ALLOWANCE_MS / 1000,
} as const;

/** A limit of {@link TFTP_LIMITS} by name. */
export type TftpLimitName = keyof typeof TFTP_LIMITS;

/** Checks a whole number against a range; throws BB_TFTP_OPTIONS naming the option. */
export function checkRange(value: number | undefined, option: string, min: number, max: number, unit: string): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < min || value > max) throw ERRORS.tftpLimit.create({ option, value, min, max, unit });
  return value;
}

/** Checks one value against its row of {@link TFTP_LIMITS} (undefined = not set). Throws BB_TFTP_OPTIONS. */
export function checkTftpLimit(name: TftpLimitName, value: number | undefined): number | undefined {
  const limit: TftpLimit = TFTP_LIMITS[name];
  return checkRange(value, limit.option, limit.min, limit.max, limit.unit);
}
