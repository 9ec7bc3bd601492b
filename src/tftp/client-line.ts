/**
 * The client's socket and its request phase: one socket whose message handler passes
 * from the request to the transfer, the request repeated with backoff until the
 * server's host answers (from its transfer port, RFC 1350 §4), and giving up politely.
 */
import type { TimerHandle } from '../clock.js';
import { errorMessage } from '../errno.js';
import { DecodeError } from '../net/bytes.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import { backoff } from './backoff.js';
import type { Resolved, TftpClientOptions } from './client-options.js';
import { TFTP_ERROR } from './error-codes.js';
import { decodeTftpPacket, encodeError, type TftpPacket } from './packet.js';
import { TftpClientError, TftpError } from './tftp-error.js';
import { describeTransferFailure, type TransferFailure } from './transfer-outcome.js';

/** One socket whose single message handler can be handed from the request phase to the transfer. */
export interface Line {
  readonly endpoint: UdpEndpoint;
  setHandler(h: (msg: Buffer, from: UdpPeer) => void): void;
}

/** A Line over `ep`. */
export function lineOver(ep: UdpEndpoint): Line {
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

/** Sends the request (with backoff) until the first answer from the server's host arrives; resolves with it. */
export function request(
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
export async function giveUp(line: Line, to: UdpPeer, code: number, message: string, failMessage: string): Promise<never> {
  let cause: unknown;
  try {
    await line.endpoint.send(encodeError(code, message), to);
  } catch (err) {
    cause = err;
  }
  throw new TftpClientError(failMessage, code === TFTP_ERROR.optionNegotiation ? code : undefined, cause ? { cause } : undefined);
}

/** The client error for a failed transfer; the server's ERROR code is kept. */
export function failure(result: TransferFailure, what: string): TftpClientError {
  return new TftpClientError(`${what} failed: ${describeTransferFailure(result, 'server')}`, result.kind === 'peer-error' ? result.code : undefined);
}

/** Runs `fn` on a freshly bound client socket, closed afterwards; TftpError `socket` when it cannot bind. */
export async function withLine<T>(o: TftpClientOptions, r: Resolved, fn: (line: Line) => Promise<T>): Promise<T> {
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
