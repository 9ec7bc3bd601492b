/**
 * The TFTP server's settings: what can be set, the recommended window limits, and the
 * check of every setting against the table of limits (limits.ts) before a server is
 * created.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import { DEFAULT_MAX_WINDOWSIZE, type NegotiationPolicy } from './negotiate.js';
import { checkTftpLimit, formatTftpLimitProblem, type TftpLimitName } from './limits.js';
import { DEFAULT_MIN_BYTES_PER_SECOND, DEFAULT_RATE_ALLOWANCE_MS, type RateFloor } from './transfer-deadline.js';
import type { TftpStorage } from './storage.js';
import { TftpError } from './tftp-error.js';

/** Where the server listens. */
export interface TftpListen {
  readonly address: string;
  /** Default 69. */
  readonly port?: number;
}

/** Binds a UDP endpoint; the default binds a real socket. Tests pass a MemoryNetwork. */
export type BindFn = (address: string, port: number) => Promise<UdpEndpoint>;

/** Server settings. */
export interface TftpServerOptions {
  readonly storage: TftpStorage;
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Default: 0.0.0.0:69. */
  readonly listen?: readonly TftpListen[];
  /** Ports for transfer sockets (inclusive); default: ephemeral ports chosen by the system. */
  readonly portRange?: readonly [number, number];
  /** Transfers at once (default 200); more wait for a slot (queueWaitMs), then get "server busy". */
  readonly maxTransfers?: number;
  /**
   * The most transfers at once the limit may adapt up to (adaptive-limit.ts): while
   * requests wait, `maxTransfers` is raised as long as the bytes moved per second grow.
   * Default: `maxTransfers` (no adaptation).
   */
  readonly transfersCeiling?: number;
  /** Transfers at once from one client address (default: defaultMaxPerClient(maxTransfers), 8 of the default 200). */
  readonly maxPerClient?: number;
  /**
   * How long a request over the limits waits for a slot before it is answered "busy"
   * (default {@link DEFAULT_QUEUE_WAIT_MS}; 0 = answer "busy" at once). See wait-queue.ts.
   */
  readonly queueWaitMs?: number;
  /**
   * Clients known to retry on "busy" (Cisco phones): over the limits they get it at once
   * rather than waiting in the queue. Default: none.
   */
  readonly retriesOnBusy?: (peer: UdpPeer, filename: string) => boolean;
  /** Largest blksize offered (default 65464, RFC 2348). */
  readonly maxBlksize?: number;
  /** Path MTU: blksize is capped at mtu - 32. */
  readonly mtu?: number;
  /** Largest windowsize offered (default 64, RFC 7440). */
  readonly maxWindowsize?: number;
  /**
   * Largest window in bytes: windowsize is lowered so that windowsize × blksize fits
   * (default: no limit). Clients keep the kernel's default receive buffer (about 208 KiB
   * on Linux); a larger window overflows it and every window then waits for a timeout.
   * {@link RECOMMENDED_MAX_WINDOW_BYTES} avoids that.
   */
  readonly maxWindowBytes?: number;
  /** maxWindowBytes never lowers windowsize below this many blocks (default 1; see NegotiationPolicy). */
  readonly minWindowBlocks?: number;
  /** Largest upload announced by tsize (error 3 beyond it); storage enforces its own limits too. */
  readonly maxUploadBytes?: number;
  /** Retransmission timeout when the client asks none (default 1000 ms). */
  readonly timeoutMs?: number;
  /**
   * Largest timeout (RFC 2349) granted to a client, in seconds (default
   * {@link DEFAULT_MAX_TIMEOUT_SECONDS}); a larger one is declined and the transfer runs on
   * `timeoutMs`.
   */
  readonly maxTimeoutSeconds?: number;
  /** Floor of every transfer's average rate after `rateAllowanceMs`, bytes/s (default 2048; 0 = off); see transfer-deadline.ts. */
  readonly minBytesPerSecond?: number;
  /** Time from a transfer's start before the floor rate counts (default 60000 ms). */
  readonly rateAllowanceMs?: number;
  /** Timeouts in a row before a transfer fails (default 5). */
  readonly retries?: number;
  /** Minimum interval between progress events of one transfer (default 250 ms). */
  readonly progressIntervalMs?: number;
  /**
   * Busy polling after each DATA (downloads) or ACK (uploads), in microseconds: the event
   * loop keeps polling instead of sleeping while the client's answer is due, as long as the
   * client answers within that time (default {@link DEFAULT_BUSY_POLL_MICROS}; 0 = off).
   * Lock-step transfers gain most; see net/busy-poll.ts.
   */
  readonly busyPollMicros?: number;
  /** Socket factory (default: real sockets). Only with `workers` 0: worker threads bind real sockets. */
  readonly bind?: BindFn;
  /** Socket factory of the listening sockets (port 69) only; default `bind` (a privilege split binds them in the root parent). */
  readonly bindListener?: BindFn;
  /**
   * Worker threads that send the files of read transfers (default 0: the main thread
   * sends them). Each owns its transfers' sockets and timers; the main thread keeps the
   * listening sockets, admission, file lookup and uploads. See worker-pool.ts.
   */
  readonly workers?: number;
  /** The worker module (tests only: one that wraps the real send-worker.js). */
  readonly workerUrl?: URL;
}

/**
 * Default wait for a slot. A "busy" fails a PXE boot as surely as silence does, so the
 * wait only needs to end before a client would be served anyway: 10 s failed 1 of 500
 * PXE-like devices in the bench's 500 × 2 MiB storm (the last requests waited longer),
 * 30 s failed none. A client that gave up meanwhile and starts over keeps its place.
 */
export const DEFAULT_QUEUE_WAIT_MS = 30_000;

/** Default busy-poll window: covers a lock-step round trip to a client on the same wire. */
export const DEFAULT_BUSY_POLL_MICROS = 200;

/**
 * A window byte limit that fits a client socket with Linux's default receive buffer
 * (net.core.rmem_default 212992 bytes; a datagram costs more than its payload there:
 * measured on veth, 16,640 bytes for an 8,196-byte datagram, so only 12 of them fit):
 * 8192-byte blocks get windowsize 8, 1468-byte blocks 44. With
 * {@link RECOMMENDED_MIN_WINDOW_BLOCKS}, 65464-byte blocks get 2 instead of lock-step
 * (2 × 66,300 bytes fit).
 */
export const RECOMMENDED_MAX_WINDOW_BYTES = 64 * 1024;
/** See {@link RECOMMENDED_MAX_WINDOW_BYTES}. */
export const RECOMMENDED_MIN_WINDOW_BLOCKS = 2;

/**
 * The default cap of a client's RFC 2349 timeout: 5 s, what U-Boot asks for (its
 * `timeout 5`). A client asking more is declined and gets the server's timeout; with
 * back-off capped at 10 s (backoff.ts), a silent peer is given up within a minute instead
 * of the two hours a `timeout 255` doubled over 5 retries would hold its slot.
 */
export const DEFAULT_MAX_TIMEOUT_SECONDS = 5;

/** Transfers at once when `maxTransfers` is not given. */
export const DEFAULT_MAX_TRANSFERS = 200;

/** The busy answer (RFC 1350 code 0): phones retry on it. */
export const BUSY_MESSAGE = 'server busy, retry later';

/** The server options checked against their TFTP_LIMITS entry, in the order they are checked. */
const SERVER_LIMITED = [
  'maxTransfers',
  'transfersCeiling',
  'maxPerClient',
  'maxBlksize',
  'mtu',
  'maxWindowsize',
  'maxWindowBytes',
  'minWindowBlocks',
  'queueWaitMs',
  'timeoutMs',
  'maxTimeoutSeconds',
  'minBytesPerSecond',
  'rateAllowanceMs',
  'retries',
  'busyPollMicros',
  'maxUploadBytes',
  'workers',
] as const satisfies readonly (TftpLimitName & keyof TftpServerOptions)[];

/** Checks every setting; throws TftpError of kind `options` naming the first one out of range. */
export function validateServerOptions(o: TftpServerOptions): void {
  const bad = (msg: string): never => {
    throw new TftpError('options', msg);
  };
  const intIn = (v: number | undefined, name: TftpLimitName, label: string = name): void => {
    const problem = v === undefined ? undefined : checkTftpLimit(name, v);
    if (problem) bad(formatTftpLimitProblem(problem, label));
  };
  for (const name of SERVER_LIMITED) intIn(o[name], name);
  for (const l of o.listen ?? []) intIn(l.port, 'listenPort', `port of ${l.address}`);
  if (o.portRange) {
    const [lo, hi] = o.portRange;
    intIn(lo, 'port', 'portRange start');
    intIn(hi, 'port', 'portRange end');
    if (lo > hi) bad(`portRange start ${lo} is above its end ${hi}`);
  }
  if (o.transfersCeiling !== undefined && o.transfersCeiling < (o.maxTransfers ?? DEFAULT_MAX_TRANSFERS)) bad(`transfersCeiling ${o.transfersCeiling} is below maxTransfers ${o.maxTransfers ?? DEFAULT_MAX_TRANSFERS}`);
  if (o.listen && o.listen.length === 0) bad('listen needs at least one address');
  if ((o.workers ?? 0) > 0 && o.bind) bad('workers need real sockets: a custom bind works only with workers 0');
}

/** The server's side of every negotiation; a read adds the file size per request. */
export function negotiationPolicy(o: TftpServerOptions): NegotiationPolicy {
  return {
    ...(o.maxBlksize !== undefined ? { maxBlksize: o.maxBlksize } : {}),
    ...(o.mtu !== undefined ? { mtu: o.mtu } : {}),
    maxWindowsize: o.maxWindowsize ?? DEFAULT_MAX_WINDOWSIZE,
    maxTimeoutSeconds: o.maxTimeoutSeconds ?? DEFAULT_MAX_TIMEOUT_SECONDS,
    ...(o.maxWindowBytes !== undefined ? { maxWindowBytes: o.maxWindowBytes } : {}),
    ...(o.minWindowBlocks !== undefined ? { minWindowBlocks: o.minWindowBlocks } : {}),
    ...(o.maxUploadBytes !== undefined ? { maxUploadBytes: o.maxUploadBytes } : {}),
  };
}

/** The floor rate every transfer must keep (see transfer-deadline.ts). */
export function rateFloorOf(o: TftpServerOptions): RateFloor {
  return { minBytesPerSecond: o.minBytesPerSecond ?? DEFAULT_MIN_BYTES_PER_SECOND, allowanceMs: o.rateAllowanceMs ?? DEFAULT_RATE_ALLOWANCE_MS };
}
