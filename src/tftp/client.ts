/**
 * benchboot's own TFTP client (RFC 1350 with blksize, tsize, timeout and windowsize,
 * RFC 2347-2349 and 7440), used by `benchboot tftp get|put` and by the benchmarks.
 *
 *     const r = await tftpGet({ host: '192.0.2.1', file: 'SEP001122334455.cnf.xml', blksize: 1468, windowsize: 16 });
 *     r.data   // the bytes (or pass `output: 'path'` to stream them into a file)
 *     await tftpPut({ host: '192.0.2.1', file: 'router1-confg', input: './router1-confg' });
 *
 * The request goes to `host:port`; the transfer continues with whatever port the server
 * answers from (its TID, RFC 1350 §4). The request is repeated with backoff until the
 * server answers or `retries` run out. An OACK is checked: an option we did not ask for,
 * or a value above the one we asked, is refused with ERROR 8 (RFC 2347 §2).
 */
import { open, rename, stat, unlink } from 'node:fs/promises';
import { systemClock, type Clock, type TimerHandle } from '../clock.js';
import { errorMessage } from '../errno.js';
import { TftpClientError, TftpError } from './tftp-error.js';

export { TftpClientError } from './tftp-error.js';
import { DecodeError } from '../net/bytes.js';
import { bindUdp, type UdpEndpoint, type UdpPeer } from '../net/udp.js';
import { backoff } from './backoff.js';
import { checkTftpLimit, formatTftpLimitProblem, type TftpLimitName } from './limits.js';
import { TFTP_ERROR } from './error-codes.js';
import { describeTransferFailure, type TransferFailure } from './transfer-outcome.js';
import { BLKSIZE_DEFAULT, BLKSIZE_MIN, parseOptionNumber, type TransferMode } from './negotiate.js';
import { NetasciiDecoder } from './netascii.js';
import { decodeTftpPacket, encodeAck, encodeError, encodeTftpPacket, type TftpOption, type TftpPacket } from './packet.js';
import { BlockFeed, type ReadFn } from './block-feed.js';
import { ChunkWriter } from './chunk-writer.js';
import { driveReceiver } from './receive-driver.js';
import { driveSender } from './send-driver.js';
import type { DrivenTransfer } from './transfer-driver.js';

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

interface Resolved {
  readonly port: number;
  readonly mode: TransferMode;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly clock: Clock;
  readonly bind: ClientBindFn;
}

/** The client options checked against their TFTP_LIMITS entry, in the order they are checked. */
const CLIENT_LIMITED = ['port', 'blksize', 'windowsize', 'timeoutMs', 'retries'] as const satisfies readonly (TftpLimitName & keyof TftpClientOptions)[];

function resolve(o: TftpClientOptions): Resolved {
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

function requestOptions(o: TftpClientOptions, r: Resolved, tsize: number | undefined): TftpOption[] {
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
export function acceptOack(
  requested: readonly TftpOption[],
  oack: readonly TftpOption[],
): { blksize: number; windowsize: number; tsize?: number; timeoutMs?: number } | { error: string } {
  const asked = new Map(requested.map((o) => [o.name.toLowerCase(), o.value]));
  let blksize = BLKSIZE_DEFAULT;
  let windowsize = 1;
  let tsize: number | undefined;
  let timeoutMs: number | undefined;
  for (const o of oack) {
    const name = o.name.toLowerCase();
    const mine = asked.get(name);
    if (mine === undefined) return { error: `server acknowledged option ${o.name} that was not requested` };
    const v = parseOptionNumber(o.value);
    if (v === undefined) return { error: `server sent a non-numeric ${o.name}: ${o.value}` };
    const askedN = Number(mine);
    switch (name) {
      case 'blksize':
        if (v < BLKSIZE_MIN || v > askedN) return { error: `server blksize ${v} is not 8..${askedN}` };
        blksize = v;
        break;
      case 'windowsize':
        if (v < 1 || v > askedN) return { error: `server windowsize ${v} is not 1..${askedN}` };
        windowsize = v;
        break;
      case 'tsize':
        tsize = v;
        break;
      case 'timeout':
        if (v < 1 || v > 255) return { error: `server timeout ${v} is not 1..255` };
        timeoutMs = v * 1000;
        break;
      default:
        return { error: `server acknowledged unknown option ${o.name}` };
    }
  }
  return { blksize, windowsize, ...(tsize !== undefined ? { tsize } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
}

/** What the server's first answer grants, the negotiated or the RFC 1350 defaults. */
interface OpeningGrant {
  readonly viaOack: boolean;
  readonly blksize: number;
  readonly windowsize: number;
  readonly tsize?: number;
  readonly timeoutMs: number;
}

/**
 * Reads the server's first answer to a request: an ERROR throws, an OACK is checked
 * against what was asked (RFC 2347 §2), anything else leaves the defaults for the
 * caller to judge (DATA 1 for a read, ACK 0 for a write).
 */
function openingGrant(p: TftpPacket, requested: readonly TftpOption[], timeoutMs: number): OpeningGrant | { error: string } {
  if (p.kind === 'error') throw new TftpClientError(`server answered error ${p.code}: ${p.message}`, p.code);
  if (p.kind !== 'oack') return { viaOack: false, blksize: BLKSIZE_DEFAULT, windowsize: 1, timeoutMs };
  const granted = acceptOack(requested, p.options);
  if ('error' in granted) return granted;
  return { viaOack: true, ...granted, timeoutMs: granted.timeoutMs ?? timeoutMs };
}

/** One socket whose single message handler can be handed from the request phase to the transfer. */
interface Line {
  readonly endpoint: UdpEndpoint;
  setHandler(h: (msg: Buffer, from: UdpPeer) => void): void;
}

function lineOver(ep: UdpEndpoint): Line {
  let current: (msg: Buffer, from: UdpPeer) => void = () => undefined;
  ep.onMessage((msg, from) => current(msg, from));
  const endpoint: UdpEndpoint = {
    local: () => ep.local(),
    send: (d, to) => ep.send(d, to),
    post: (d, to, done) => ep.post(d, to, done),
    postSegments: (d, segment, to, done) => ep.postSegments(d, segment, to, done),
    onMessage: (h) => {
      current = h;
    },
    onError: (h) => ep.onError(h),
    close: () => ep.close(),
  };
  return { endpoint, setHandler: (h) => (current = h) };
}

/** Sends the request until the first answer from the server's host arrives; resolves with it. */
function request(
  line: Line,
  r: Resolved,
  server: UdpPeer,
  packet: Uint8Array,
): Promise<{ packet: TftpPacket; from: UdpPeer }> {
  return new Promise((resolvePromise, reject) => {
    let tries = 0;
    let timer: TimerHandle | undefined;
    let wait = r.timeoutMs;
    let isSettled = false;
    const settle = (): void => {
      isSettled = true;
      timer?.cancel();
    };
    const sendIt = (): void => {
      line.endpoint.send(packet, server).catch((err: unknown) => {
        if (isSettled) return;
        settle();
        reject(new TftpClientError(`cannot send the request to ${server.address}:${server.port}: ${errorMessage(err)}`, undefined, { cause: err }));
      });
      timer = r.clock.setTimer(wait, () => {
        if (isSettled) return;
        tries++;
        if (tries > r.retries) {
          settle();
          reject(new TftpClientError(`no answer from ${server.address}:${server.port} after ${r.retries + 1} attempts`));
          return;
        }
        wait = backoff(wait, r.timeoutMs);
        sendIt();
      });
    };
    line.setHandler((msg, from) => {
      if (isSettled || from.address !== server.address) return;
      let p: TftpPacket;
      try {
        p = decodeTftpPacket(msg).value;
      } catch (err) {
        if (err instanceof DecodeError) return; // not a TFTP answer: keep waiting
        throw err;
      }
      settle();
      resolvePromise({ packet: p, from });
    });
    sendIt();
  });
}

/** Tells the server why we stop, then fails; a send error is kept as the cause. */
async function giveUp(line: Line, to: UdpPeer, code: number, message: string, failMessage: string): Promise<never> {
  let cause: unknown;
  try {
    await line.endpoint.send(encodeError(code, message), to);
  } catch (err) {
    cause = err;
  }
  throw new TftpClientError(failMessage, code === TFTP_ERROR.optionNegotiation ? code : undefined, cause ? { cause } : undefined);
}

function failure(result: TransferFailure, what: string): TftpClientError {
  return new TftpClientError(`${what} failed: ${describeTransferFailure(result, 'server')}`, result.kind === 'peer-error' ? result.code : undefined);
}

async function withLine<T>(o: TftpClientOptions, r: Resolved, fn: (line: Line) => Promise<T>): Promise<T> {
  let ep: UdpEndpoint;
  try {
    ep = await r.bind(o.localAddress ?? '0.0.0.0', 0);
  } catch (err) {
    throw new TftpError('socket', `cannot bind the TFTP client socket: ${errorMessage(err)}`, { cause: err });
  }
  try {
    return await fn(lineOver(ep));
  } finally {
    await ep.close();
  }
}

/** Downloads a file (RRQ); returns the bytes or writes them to `output`. */
export async function tftpGet(o: TftpGetOptions): Promise<TftpGetResult> {
  const r = resolve(o);
  const server: UdpPeer = { address: o.host, port: r.port };
  const wantTsize = (o.tsize ?? true) && r.mode === 'octet';
  const options = requestOptions(o, r, wantTsize ? 0 : undefined);
  const rrq = encodeTftpPacket({ kind: 'rrq', filename: o.file, mode: r.mode, options });
  const startedAt = r.clock.now();
  const sink = o.output === undefined ? undefined : await openOutput(o.output);
  try {
    const result = await withLine(o, r, async (line) => {
      const first = await request(line, r, server, rrq);
      const peer = first.from;
      let opening: Uint8Array | undefined;
      let firstData: { block: number; data: Uint8Array } | undefined;
      const p = first.packet;
      const grant = openingGrant(p, options, r.timeoutMs);
      if ('error' in grant) return giveUp(line, peer, TFTP_ERROR.optionNegotiation, grant.error, `option negotiation failed: ${grant.error}`);
      const { blksize, windowsize, tsize, timeoutMs } = grant;
      if (grant.viaOack) {
        opening = encodeAck(0);
      } else if (p.kind === 'data') {
        firstData = { block: p.block, data: p.data };
      } else {
        return giveUp(line, peer, TFTP_ERROR.illegalOperation, `unexpected ${p.kind}`, `server answered the read request with ${p.kind}`);
      }
      const netascii = r.mode === 'netascii' ? new NetasciiDecoder() : undefined;
      const parts: Uint8Array[] = [];
      const writer = sink ? new ChunkWriter(sink.write) : undefined;
      let delivered = 0;
      const ref: { driven?: DrivenTransfer } = {};
      const driven = driveReceiver({
        endpoint: line.endpoint,
        peer,
        clock: r.clock,
        blksize,
        windowsize,
        timeoutMs,
        maxRetries: r.retries,
        opening,
        ...(firstData ? { firstData } : {}),
        deliver: (data) => {
          const out = netascii ? netascii.push(data) : data;
          delivered += out.length;
          if (writer) writer.push(out);
          else parts.push(out);
        },
        onProgress: (bytes) => {
          o.onProgress?.({ bytes, ...(tsize !== undefined ? { size: tsize } : {}) });
          if (writer?.error !== undefined) ref.driven?.abort(TFTP_ERROR.diskFull, 'cannot write the local file');
        },
      });
      ref.driven = driven;
      const done = await driven.done;
      if (done.result.kind !== 'ok') throw failure(done.result, `download of ${o.file}`);
      if (netascii) {
        const tail = netascii.end();
        delivered += tail.length;
        if (writer) writer.push(tail);
        else parts.push(tail);
      }
      if (writer) await writer.close();
      const summary: TftpTransferSummary = {
        bytes: delivered,
        blksize,
        windowsize,
        ...(tsize !== undefined ? { tsize } : {}),
        ms: r.clock.now() - startedAt,
        retransmits: done.retransmits,
        timeouts: done.timeouts,
        acks: done.acks,
        server: peer,
      };
      return writer ? summary : { ...summary, data: Buffer.concat(parts, delivered) };
    });
    if (sink) await sink.commit();
    return result;
  } catch (err) {
    if (sink) await sink.discard();
    throw err;
  }
}

interface OutputFile {
  write(offset: number, data: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

async function openOutput(path: string): Promise<OutputFile> {
  const temp = `${path}.benchboot-part-${process.pid}`;
  let fh;
  try {
    fh = await open(temp, 'w');
  } catch (err) {
    throw new TftpClientError(`cannot write ${path}: ${errorMessage(err)}`, undefined, { cause: err });
  }
  const handle = fh;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    write: async (offset, data) => {
      await handle.write(data, 0, data.length, offset);
    },
    commit: async () => {
      await handle.sync();
      await close();
      await rename(temp, path);
    },
    discard: async () => {
      await close();
      await unlink(temp).catch((err: unknown) => {
        if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      });
    },
  };
}

/** Uploads `data` or the file `input` (WRQ). */
export async function tftpPut(o: TftpPutOptions): Promise<TftpTransferSummary> {
  const r = resolve(o);
  if ((o.data === undefined) === (o.input === undefined)) {
    throw new TftpError('options', 'tftpPut needs exactly one of data or input');
  }
  const server: UdpPeer = { address: o.host, port: r.port };
  let size: number;
  let read: ReadFn;
  let closeInput = async (): Promise<void> => undefined;
  if (o.data !== undefined) {
    const data = o.data;
    size = data.length;
    read = (offset, length) => Promise.resolve(data.subarray(offset, Math.min(offset + length, data.length)));
  } else {
    const path = o.input ?? '';
    let fh;
    try {
      size = (await stat(path)).size;
      fh = await open(path, 'r');
    } catch (err) {
      throw new TftpClientError(`cannot read ${path}: ${errorMessage(err)}`, undefined, { cause: err });
    }
    const handle = fh;
    read = async (offset, length) => {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    };
    closeInput = () => handle.close();
  }
  try {
    const announce = (o.tsize ?? true) && r.mode === 'octet' ? size : undefined;
    const options = requestOptions(o, r, announce);
    const wrq = encodeTftpPacket({ kind: 'wrq', filename: o.file, mode: r.mode, options });
    const startedAt = r.clock.now();
    return await withLine(o, r, async (line) => {
      const first = await request(line, r, server, wrq);
      const peer = first.from;
      const p = first.packet;
      const grant = openingGrant(p, options, r.timeoutMs);
      if ('error' in grant) return giveUp(line, peer, TFTP_ERROR.optionNegotiation, grant.error, `option negotiation failed: ${grant.error}`);
      const { blksize, windowsize, timeoutMs } = grant;
      if (!grant.viaOack && !(p.kind === 'ack' && p.block === 0)) {
        return giveUp(line, peer, TFTP_ERROR.illegalOperation, `unexpected ${p.kind}`, `server answered the write request with ${p.kind}`);
      }
      const feed = new BlockFeed(read, size, r.mode, blksize);
      const driven = driveSender({
        endpoint: line.endpoint,
        peer,
        clock: r.clock,
        feed,
        windowsize,
        timeoutMs,
        maxRetries: r.retries,
        onProgress: (bytes) => o.onProgress?.({ bytes, size }),
      });
      const done = await driven.done;
      if (done.result.kind !== 'ok') throw failure(done.result, `upload of ${o.file}`);
      return {
        bytes: done.bytes,
        blksize,
        windowsize,
        ms: r.clock.now() - startedAt,
        retransmits: done.retransmits,
        timeouts: done.timeouts,
        acks: done.acks,
        server: peer,
      };
    });
  } finally {
    await closeInput();
  }
}
