/**
 * TFTP option negotiation, pure: given a request and the server's limits, decide the
 * transfer parameters and the OACK to send, or the ERROR that refuses the request.
 *
 * Rules (each a small function below):
 * - transfer mode: `octet` or `netascii`, case-insensitive (RFC 1350 §5); `mail` and
 *   anything else is error 4.
 * - An option the server cannot honour (a value out of range or not a number) is left out
 *   of the OACK and the transfer runs with its default (RFC 2347 §2: the server omits the
 *   options it does not accept), as tftpd-hpa and dnsmasq do. Only a WRQ whose tsize is over
 *   the upload limit is refused (error 3, RFC 2349 §4).
 * - blksize 8..65464 (RFC 2348); larger requests are lowered to the server's cap
 *   (configured max, and path MTU - 32 when an MTU is set); smaller or non-numeric is left out.
 * - tsize (RFC 2349): on RRQ the client's value is ignored (it sends 0, some clients send
 *   anything) and the file size is answered (octet only); on WRQ the announced size is
 *   checked against the upload limit (error 3 when larger); a non-numeric one is left out.
 * - timeout 1..255 seconds (RFC 2349); outside or non-numeric is left out. Above the
 *   server's cap (`maxTimeoutSeconds`) it is left out too: RFC 2349 §2 says the OACK's
 *   timeout "must match the value specified by the client", so the server cannot answer a
 *   lower one; it declines, and the transfer runs on the server's own timeout.
 * - windowsize 1..65535 (RFC 7440 §3); larger is lowered to the server's cap; 0 or
 *   non-numeric is left out. With a window byte limit, windowsize is also lowered so that
 *   windowsize × blksize fits it (never below 1): the receiver's socket buffer must hold a
 *   whole window (RFC 7440 §4 notes that a window larger than the receiver can buffer
 *   just produces loss); RFC 7440 §3 lets the server answer a smaller windowsize.
 * - Option names are case-insensitive (RFC 2347 §2); unknown options are ignored; the OACK
 *   lists only accepted options, in request order; no OACK when none was accepted.
 */
import { TFTP_ERROR, type TftpErrorCode } from './error-codes.js';
import type { TftpOption } from './packet.js';

/** RFC 2348 limits for blksize. */
export const BLKSIZE_MIN = 8;
/** The largest blksize RFC 2348 allows (65535 - 20 IP - 8 UDP - 4 TFTP header - 39 spare). */
export const BLKSIZE_MAX = 65464;
/** The blksize without negotiation (RFC 1350). */
export const BLKSIZE_DEFAULT = 512;
/** IPv4 header (20) + UDP header (8) + TFTP DATA header (4): what a DATA datagram adds to blksize. */
export const DATAGRAM_OVERHEAD_BYTES = 32;
/** RFC 7440 limits for windowsize. */
export const WINDOWSIZE_MAX = 65535;

/** Transfer mode (RFC 1350 §5); `mail` is obsolete and refused. */
export type TransferMode = 'octet' | 'netascii';

/** The server's limits for negotiation. */
export interface NegotiationPolicy {
  /** Largest blksize offered (default 65464). */
  readonly maxBlksize?: number;
  /** Path MTU set by the admin: blksize is capped at mtu - 32. */
  readonly mtu?: number;
  /** Largest windowsize offered (default 64). */
  readonly maxWindowsize?: number;
  /** Largest window in bytes (windowsize × blksize); default: no limit beyond maxWindowsize. */
  readonly maxWindowBytes?: number;
  /**
   * The byte limit never lowers windowsize below this many blocks (default 1). Two blocks
   * of the largest size (2 × 65,468-byte datagrams, 133 KB in a Linux receive buffer)
   * still fit a client's default 208 KiB buffer, so 2 keeps big blocks windowed.
   */
  readonly minWindowBlocks?: number;
  /** Largest timeout (RFC 2349) granted, in seconds; a larger request is declined (default 255, the most RFC 2349 allows). */
  readonly maxTimeoutSeconds?: number;
  /** Size of the file on RRQ (for tsize). */
  readonly fileSize?: number;
  /** Largest upload accepted on WRQ (for tsize), if any. */
  readonly maxUploadBytes?: number;
}

/** The parameters a transfer runs with. */
export interface TransferParams {
  readonly mode: TransferMode;
  readonly blksize: number;
  readonly windowsize: number;
  /** Retransmission timeout the client asked for (RFC 2349), in ms. */
  readonly timeoutMs?: number;
  /** tsize: the file size (RRQ) or the size announced by the client (WRQ). */
  readonly tsize?: number;
}

/** Outcome of negotiation: go ahead (with an OACK when `oack` is not empty) or refuse. */
export type Negotiation =
  | { readonly kind: 'ok'; readonly params: TransferParams; readonly oack: readonly TftpOption[] }
  | { readonly kind: 'error'; readonly code: TftpErrorCode; readonly message: string };

/** The default windowsize cap. */
export const DEFAULT_MAX_WINDOWSIZE = 64;

type Refusal = { readonly code: TftpErrorCode; readonly message: string };

/** Parses a decimal option value strictly (digits only, no sign, at most 10 digits). */
export function parseOptionNumber(value: string): number | undefined {
  return /^[0-9]{1,10}$/.test(value) ? Number(value) : undefined;
}

/** RFC 1350 §5: the mode, case-insensitive; `mail` and unknown modes are refused. */
export function parseMode(mode: string): TransferMode | Refusal {
  const m = mode.toLowerCase();
  if (m === 'octet' || m === 'netascii') return m;
  return { code: TFTP_ERROR.illegalOperation, message: `transfer mode ${mode} is not supported` };
}

/** The largest blksize this server offers: configured max and MTU - 32 (RFC 2348). */
export function blksizeCap(policy: NegotiationPolicy): number {
  let cap = Math.min(BLKSIZE_MAX, policy.maxBlksize ?? BLKSIZE_MAX);
  if (policy.mtu !== undefined) cap = Math.min(cap, policy.mtu - DATAGRAM_OVERHEAD_BYTES);
  return cap;
}

/** RFC 2348: 8..65464, lowered to the cap; below 8 or not a number cannot be honoured (undefined: left out). */
export function negotiateBlksize(value: string, cap: number): number | undefined {
  const n = parseOptionNumber(value);
  if (n === undefined || n < BLKSIZE_MIN) return undefined;
  return Math.min(n, cap);
}

/** The largest timeout RFC 2349 allows, in seconds. */
export const TIMEOUT_MAX_SECONDS = 255;

/**
 * RFC 2349 §2: timeout 1..255 seconds, granted only up to `maxSeconds`; anything else is
 * left out (undefined), since the OACK may not answer a value other than the client's.
 */
export function negotiateTimeout(value: string, maxSeconds = TIMEOUT_MAX_SECONDS): number | undefined {
  const n = parseOptionNumber(value);
  if (n === undefined || n < 1 || n > Math.min(TIMEOUT_MAX_SECONDS, maxSeconds)) return undefined;
  return n;
}

/** RFC 7440 §3: windowsize 1..65535, lowered to the cap; anything else is left out (undefined). */
export function negotiateWindowsize(value: string, cap: number): number | undefined {
  const n = parseOptionNumber(value);
  if (n === undefined || n < 1 || n > WINDOWSIZE_MAX) return undefined;
  return Math.min(n, cap);
}

/**
 * The windowsize that keeps one window within `maxWindowBytes` at `blksize`, but never
 * below `minBlocks` (nor above what the client asked).
 */
export function windowsizeForBytes(windowsize: number, blksize: number, maxWindowBytes: number | undefined, minBlocks = 1): number {
  if (maxWindowBytes === undefined) return windowsize;
  return Math.min(windowsize, Math.max(1, minBlocks, Math.floor(maxWindowBytes / blksize)));
}

/**
 * RFC 2349 §4: tsize on RRQ is answered with the size, whatever value the client sent (the
 * RFC says 0; `atftp --option "tsize enable"` sends "enable"); on WRQ the announced size is
 * checked against the upload limit (the only refusal), and a non-numeric one is left out.
 */
export function negotiateTsize(
  kind: 'rrq' | 'wrq',
  value: string,
  mode: TransferMode,
  policy: NegotiationPolicy,
): number | undefined | Refusal {
  if (kind === 'rrq') {
    // The netascii size on the wire differs from the file size: do not announce one.
    return mode === 'octet' ? policy.fileSize : undefined;
  }
  const n = parseOptionNumber(value);
  if (n === undefined) return undefined;
  if (policy.maxUploadBytes !== undefined && n > policy.maxUploadBytes) {
    return { code: TFTP_ERROR.diskFull, message: `upload of ${n} bytes is larger than the limit` };
  }
  return n;
}

function isRefusal(v: unknown): v is Refusal {
  return typeof v === 'object' && v !== null && 'code' in v;
}

/** Negotiates a request's mode and options (RFC 2347-2349, 7440) against the server policy. */
export function negotiate(
  request: { readonly kind: 'rrq' | 'wrq'; readonly mode: string; readonly options: readonly TftpOption[] },
  policy: NegotiationPolicy = {},
): Negotiation {
  const mode = parseMode(request.mode);
  if (isRefusal(mode)) return { kind: 'error', ...mode };
  let blksize = 512;
  let windowsize = 1;
  let timeoutMs: number | undefined;
  let tsize: number | undefined;
  const oack: TftpOption[] = [];
  const seen = new Set<string>();
  for (const option of request.options) {
    const name = option.name.toLowerCase();
    if (seen.has(name)) continue; // the first occurrence counts
    seen.add(name);
    let result: number | undefined | Refusal;
    switch (name) {
      case 'blksize':
        result = negotiateBlksize(option.value, blksizeCap(policy));
        if (typeof result === 'number') blksize = result;
        break;
      case 'timeout':
        result = negotiateTimeout(option.value, policy.maxTimeoutSeconds);
        if (typeof result === 'number') timeoutMs = result * 1000;
        break;
      case 'windowsize':
        result = negotiateWindowsize(option.value, policy.maxWindowsize ?? DEFAULT_MAX_WINDOWSIZE);
        if (typeof result === 'number') windowsize = result;
        break;
      case 'tsize':
        result = negotiateTsize(request.kind, option.value, mode, policy);
        if (typeof result === 'number') tsize = result;
        break;
      default:
        continue; // RFC 2347 §2: unknown options are ignored
    }
    if (isRefusal(result)) return { kind: 'error', ...result };
    if (result !== undefined) oack.push({ name: option.name, value: String(result) });
  }
  // The byte limit needs the final blksize, which may come after windowsize in the request.
  const fitted = windowsizeForBytes(windowsize, blksize, policy.maxWindowBytes, policy.minWindowBlocks);
  if (fitted !== windowsize) {
    windowsize = fitted;
    const i = oack.findIndex((o) => o.name.toLowerCase() === 'windowsize');
    const entry = oack[i];
    if (entry) oack[i] = { name: entry.name, value: String(windowsize) };
  }
  const params: TransferParams = {
    mode,
    blksize,
    windowsize,
    ...(timeoutMs !== undefined ? { timeoutMs } : {}),
    ...(tsize !== undefined ? { tsize } : {}),
  };
  return { kind: 'ok', params, oack };
}
