/**
 * The listening socket's side of the TFTP server: what arrives there is decoded into a
 * request, or counted and dropped (malformed, or not a request: a stray DATA/ACK learns
 * it went to the wrong port); and the driver settings every transfer it starts shares.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { BusyPoller } from '../net/busy-poll.js';
import { DecodeError } from '../net/bytes.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import { TFTP_ERROR } from './error-codes.js';
import { decodeTftpPacket, encodeError, type TftpRequest } from './packet.js';
import type { TransferParams } from './negotiate.js';
import type { TftpCounters } from './server-events.js';
import type { TransferLedger } from './server-ledger.js';
import type { TransferRequest } from './server-transfer.js';
import type { DriverOptions } from './transfer-driver.js';

/** A request on a listening socket: where it came from and where to answer (it may wait for a slot). */
export interface Queued {
  readonly listener: UdpEndpoint;
  readonly req: TftpRequest;
  readonly from: UdpPeer;
  readonly peerKey: string;
}

/** The retransmission timeout a waiting client uses: the RFC 2349 `timeout` it asked for (1..255 s), else `serverTimeoutMs`. */
export function clientTimeoutMs(req: TftpRequest, serverTimeoutMs: number): number {
  const asked = req.options.find((o) => o.name.toLowerCase() === 'timeout');
  const seconds = asked && /^\d{1,3}$/.test(asked.value) ? Number(asked.value) : 0;
  return seconds >= 1 && seconds <= 255 ? seconds * 1000 : serverTimeoutMs;
}

/** What decoding needs of the server. */
export interface RequestSide {
  readonly counters: TftpCounters;
  readonly log: Logger;
  sendFrom(listener: UdpEndpoint, data: Uint8Array, to: UdpPeer): void;
}

/** The request in `msg`, or undefined (counted and logged) when it is not one. */
export function decodeRequest(side: RequestSide, listener: UdpEndpoint, msg: Buffer, from: UdpPeer): TftpRequest | undefined {
  const { counters, log } = side;
  let packet;
  try {
    packet = decodeTftpPacket(msg).value;
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
    counters.malformed++;
    log.debug('malformed request dropped', { peer: `${from.address}:${from.port}`, reason: err.message });
    return undefined;
  }
  if (packet.kind !== 'rrq' && packet.kind !== 'wrq') {
    counters.unexpected++;
    log.debug('not a request on the request port', { peer: `${from.address}:${from.port}`, kind: packet.kind });
    // Never answer an ERROR with an ERROR; other stray packets learn they went to the wrong port.
    if (packet.kind !== 'error') side.sendFrom(listener, encodeError(TFTP_ERROR.unknownTransferId, 'unknown transfer ID'), from);
    return undefined;
  }
  counters.requests++;
  if (packet.kind === 'rrq') counters.reads++;
  else counters.writes++;
  return packet;
}

/** What the shared driver settings come from. */
export interface DriverSide {
  readonly ledger: TransferLedger;
  readonly log: Logger;
  readonly clock: Clock;
  readonly timeoutMs: number;
  readonly retries: number;
  readonly busyPoller: BusyPoller;
}

/** Driver settings both directions share: socket, peer, timing, busy polling, counters. */
export function sharedDriverOptions(s: DriverSide, t: TransferRequest, params: TransferParams): DriverOptions {
  const { counters } = s.ledger;
  if (!t.ep) throw new Error(`transfer ${t.id} has no socket on this thread`);
  return {
    endpoint: t.ep,
    peer: t.peer,
    clock: s.clock,
    windowsize: params.windowsize,
    timeoutMs: params.timeoutMs ?? s.timeoutMs,
    maxRetries: s.retries,
    onSendError: s.ledger.onSendError,
    // The driver closes the session when the transfer ends.
    busyPoll: s.busyPoller.session(),
    onStranger: () => counters.unknownTid++,
    onBadPacket: (reason) => {
      counters.unexpected++;
      s.log.debug('unexpected packet in a transfer', { id: t.id, reason });
    },
    onInternalError: (err) => s.ledger.internalError(t.id, t.peer, t.req.filename, 'transfer failed on an unexpected error', err),
  };
}
