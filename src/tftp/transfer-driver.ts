/**
 * What the two transfer drivers (send-driver.ts, receive-driver.ts) share: their
 * settings and hooks, how a driven transfer reports its end, and posting a datagram
 * to the peer without dropping a send error.
 */
import type { Clock } from '../clock.js';
import type { BusyPollSession } from '../net/busy-poll.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import type { TransferResult } from './transfer-outcome.js';

/** How a driven transfer ended, with what it moved. */
export interface DrivenResult {
  readonly result: TransferResult;
  /** Payload bytes sent (sender) or received (receiver). */
  readonly bytes: number;
  readonly retransmits: number;
  readonly timeouts: number;
  /** ACKs received (sender) or sent (receiver): how chatty the window was. */
  readonly acks: number;
}

/** Hooks a driver reports through. */
export interface DriverHooks {
  /** Payload bytes so far (called often; throttle on the other side). */
  readonly onProgress?: (bytes: number) => void;
  /** A send failed (counted as a lost datagram; retransmission covers it). */
  readonly onSendError?: (err: Error) => void;
  /** A datagram from another source, answered with ERROR 5. */
  readonly onStranger?: (from: UdpPeer) => void;
  /** A datagram from the peer that could not be decoded or was not expected. */
  readonly onBadPacket?: (reason: string) => void;
  /** Reading the file failed (the peer gets a generic ERROR 0; the detail goes here). */
  readonly onLocalError?: (err: unknown) => void;
  /** An unexpected exception inside one of this transfer's events: the transfer ended with ERROR 0, the detail goes here. */
  readonly onInternalError?: (err: unknown) => void;
  /** Busy polling while the peer's answer is due (see net/busy-poll.ts); default none. */
  readonly busyPoll?: BusyPollSession;
}

/** Settings of every driven transfer, sending or receiving. */
export interface DriverOptions extends DriverHooks {
  readonly endpoint: UdpEndpoint;
  readonly peer: UdpPeer;
  readonly clock: Clock;
  readonly windowsize: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/** A running transfer: its end, and a way to stop it early. */
export interface DrivenTransfer {
  /** Resolves when the transfer ends (never rejects). */
  readonly done: Promise<DrivenResult>;
  /** Resolves when the endpoint is no longer needed (after the receiver's dally; = done for a sender). */
  readonly settled: Promise<void>;
  /** Sends ERROR `code` to the peer and ends the transfer. */
  abort(code: number, message: string): void;
}

/** The ERROR 0 text a peer gets when its transfer failed on an unexpected exception on this side. */
export const INTERNAL_ERROR_MESSAGE = 'internal server error';

/**
 * Ends a transfer after an unexpected exception in one of its events, so that it
 * fails alone and never takes the process down: the exception is reported, the state
 * machine is asked to send ERROR 0 and finish (`abort`), and `force` makes sure it
 * did, even when the state machine itself is what threw.
 */
export function endOnFault(err: unknown, hooks: DriverHooks, abort: () => void, force: () => void): void {
  hooks.onInternalError?.(err);
  try {
    abort();
  } catch (again) {
    hooks.onInternalError?.(again);
  }
  force();
}

/** True when both name the same address and port (the transfer's TID, RFC 1350 §4). */
export function samePeer(a: UdpPeer, b: UdpPeer): boolean {
  return a.port === b.port && a.address === b.address;
}

/** Posts datagrams to `to`; a send error goes to `onSendError` (retransmission covers the loss). */
export function poster(endpoint: UdpEndpoint, to: UdpPeer, hooks: DriverHooks): (data: Uint8Array) => void {
  const reportSendError = (err: Error | null): void => {
    if (err) hooks.onSendError?.(err);
  };
  return (data) => endpoint.post(data, to, reportSendError);
}
