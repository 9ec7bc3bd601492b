/**
 * The built-in client's settings and results: what get and put accept, what they
 * return, the check of each setting against the table of limits, and the options a
 * request asks for.
 */
import { systemClock, type Clock } from '../clock.js';
import { bindUdp, type UdpEndpoint, type UdpPeer } from '../net/udp.js';
import { checkTftpLimit, formatTftpLimitProblem, type TftpLimitName } from './limits.js';
import type { TransferMode } from './negotiate.js';
import type { TftpOption } from './packet.js';
import { TftpError } from './tftp-error.js';

/** Binds the client's socket (default: a real socket). */
export type ClientBindFn = (address: string, port: number) => Promise<UdpEndpoint>;

/** Settings shared by get and put. */
export interface TftpClientOptions {
  readonly host: string;
  /** Default 69. */
  readonly port?: number;
  /** The remote file name. */
  readonly file: string;
  /** Default octet. */
  readonly mode?: TransferMode;
  /** Ask for this blksize (RFC 2348, 8..65464). */
  readonly blksize?: number;
  /** Ask for this windowsize (RFC 7440, 1..65535). */
  readonly windowsize?: number;
  /** Ask for / announce the size (RFC 2349); default true. */
  readonly tsize?: boolean;
  /** Retransmission timeout (default 1000 ms); also sent as the `timeout` option when `sendTimeoutOption`. */
  readonly timeoutMs?: number;
  /** Send the timeout option (RFC 2349, whole seconds 1..255). */
  readonly sendTimeoutOption?: boolean;
  /** Timeouts in a row before giving up (default 5). */
  readonly retries?: number;
  /** Local address to bind (default 0.0.0.0). */
  readonly localAddress?: string;
  /** Progress: bytes moved so far and the size when known. */
  readonly onProgress?: (p: { readonly bytes: number; readonly size?: number }) => void;
  readonly clock?: Clock;
  readonly bind?: ClientBindFn;
}

/** Settings of a download. */
export interface TftpGetOptions extends TftpClientOptions {
  /** Write into this file (via a temporary file renamed at the end) instead of returning the bytes. */
  readonly output?: string;
}

/** Settings of an upload: `data` or `input` (a file path). */
export interface TftpPutOptions extends TftpClientOptions {
  readonly data?: Uint8Array;
  readonly input?: string;
}

/** What a finished transfer did. */
export interface TftpTransferSummary {
  /** Payload bytes (after netascii conversion on get). */
  readonly bytes: number;
  readonly blksize: number;
  readonly windowsize: number;
  /** Size the server announced (get with tsize). */
  readonly tsize?: number;
  readonly ms: number;
  readonly retransmits: number;
  readonly timeouts: number;
  /** ACKs sent (get) or received (put). */
  readonly acks: number;
  /** The server's transfer port. */
  readonly server: UdpPeer;
}

/** A download's result: the bytes, unless `output` was given. */
export interface TftpGetResult extends TftpTransferSummary {
  readonly data?: Buffer;
}

/** The client options with their defaults filled in. */
export interface Resolved {
  readonly port: number;
  readonly mode: TransferMode;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly clock: Clock;
  readonly bind: ClientBindFn;
}

/** The client options checked against their TFTP_LIMITS entry, in the order they are checked. */
const CLIENT_LIMITED = ['port', 'blksize', 'windowsize', 'timeoutMs', 'retries'] as const satisfies readonly (TftpLimitName & keyof TftpClientOptions)[];

/** Checks the options against the limits table and fills in the defaults; TftpError `options` when one is out of range. */
export function resolve(o: TftpClientOptions): Resolved {
  const bad = (msg: string): never => {
    throw new TftpError('options', msg);
  };
  for (const name of CLIENT_LIMITED) {
    const v = o[name];
    const problem = v === undefined ? undefined : checkTftpLimit(name, v);
    if (problem) bad(formatTftpLimitProblem(problem));
  }
  if (o.file === '' || o.file.includes('\0')) bad('the remote file name must be non-empty and without NUL');
  return {
    port: o.port ?? 69,
    mode: o.mode ?? 'octet',
    timeoutMs: o.timeoutMs ?? 1000,
    retries: o.retries ?? 5,
    clock: o.clock ?? systemClock,
    bind: o.bind ?? ((address, port) => bindUdp({ address, port, recvBufferBytes: 4 << 20, sendBufferBytes: 1 << 20 })),
  };
}

/** The options a request asks for (RFC 2347-2349, 7440). */
export function requestOptions(o: TftpClientOptions, r: Resolved, tsize: number | undefined): TftpOption[] {
  const opts: TftpOption[] = [];
  if (o.blksize !== undefined) opts.push({ name: 'blksize', value: String(o.blksize) });
  if (o.windowsize !== undefined) opts.push({ name: 'windowsize', value: String(o.windowsize) });
  if (tsize !== undefined) opts.push({ name: 'tsize', value: String(tsize) });
  if (o.sendTimeoutOption) {
    opts.push({ name: 'timeout', value: String(Math.min(255, Math.max(1, Math.round(r.timeoutMs / 1000)))) });
  }
  return opts;
}

/** The transfer parameters an OACK grants, or why it is not acceptable (RFC 2347 §2). */
