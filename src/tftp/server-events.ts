/**
 * What the TFTP server reports: the transfers in progress, its counters and the events
 * the appliance's live view and logs listen to, and the server's own interface.
 */
import type { UdpPeer } from '../net/udp.js';
import type { TransferFailure } from './transfer-outcome.js';

/** Direction seen from the client: `read` = RRQ (download), `write` = WRQ (upload). */
export type TransferDirection = 'read' | 'write';

/** A transfer in progress, for status views. */
export interface TransferInfo {
  readonly id: string;
  readonly peer: UdpPeer;
  readonly file: string;
  readonly direction: TransferDirection;
  readonly size?: number;
  readonly blksize: number;
  readonly windowsize: number;
  readonly bytes: number;
  readonly startedAt: number;
}

/** Server counters since start. */
export interface TftpCounters {
  requests: number;
  reads: number;
  writes: number;
  started: number;
  finished: number;
  failed: number;
  refused: number;
  /** Of `refused`: requests whose file name broke a name rule (control or bidi character, `..`, leading `-` on an upload...). */
  badNames: number;
  busy: number;
  /** Requests that waited for a slot instead of getting "busy" at once. */
  queued: number;
  /** Of `queued`: requests that found no slot within the wait and got "busy" (also in `busy`). */
  queueTimeouts: number;
  /** Of `queued`: requests dropped at their turn because their client had gone silent (no answer sent). */
  queueStale: number;
  /** Requests repeated by a client whose transfer is already running (ignored). */
  duplicateRequests: number;
  malformed: number;
  unexpected: number;
  unknownTid: number;
  sendErrors: number;
  /** Transfers failed by a fault on this side: a storage error or an unexpected exception (ERROR 0 sent, logged with BB_INTERNAL). */
  internalErrors: number;
  /** Transfers ended because their average rate fell below the floor after the start allowance (ERROR 0 sent). */
  tooSlow: number;
  bytesSent: number;
  bytesReceived: number;
  retransmits: number;
  active: number;
  /** Requests waiting for a slot now (a gauge, like `active`). */
  waiting: number;
  /** Transfers allowed at once now: `maxTransfers`, or more while the adaptive limit holds a raise (a gauge). */
  transferLimit: number;
  /** Raises of the adaptive limit kept (the rate grew with them). */
  limitRaises: number;
  /** Raises taken back (the rate did not grow). */
  limitTakenBack: number;
}

/** Events the server emits, for the appliance's live view and logs. */
export interface TftpServerEvents {
  started: {
    id: string;
    peer: UdpPeer;
    file: string;
    direction: TransferDirection;
    size?: number;
    blksize: number;
    windowsize: number;
    origin?: string;
    /** How long the request waited for a slot (0: it started at once). */
    queueWaitMs: number;
  };
  progress: { id: string; bytes: number; rate: number };
  /** `retransmits`: blocks this transfer sent again (on a timeout or a gap the peer reported); 0 for an upload. */
  finished: { id: string; peer: UdpPeer; file: string; direction: TransferDirection; bytes: number; ms: number; retransmits: number; savedAs?: string };
  /** `reason` is `outcome` formatted for people. */
  failed: { id: string; peer: UdpPeer; file: string; direction: TransferDirection; reason: string; outcome: TransferFailure; bytes: number; retransmits: number };
  /** A request refused before a transfer started (file not found, access violation, option error). */
  refused: { peer: UdpPeer; file: string; direction: TransferDirection; code: number; message: string };
  /** `queueWaitMs`: how long it waited for a slot before the answer (0: at once). */
  busy: { peer: UdpPeer; file: string; queueWaitMs: number };
}

/** The running server. */
export interface TftpServer {
  start(): Promise<void>;
  /** Stops listening, lets transfers finish for up to `graceMs`, then aborts the rest. */
  stop(graceMs?: number): Promise<void>;
  /** Listens on one more address (a reload that serves a new interface, or a served interface back with a new address). */
  listenOn(address: string, port: number): Promise<void>;
  /** Stops listening on `address`; transfers already running go on. */
  stopListening(address: string): Promise<void>;
  /** The bound listening addresses (after start). */
  addresses(): UdpPeer[];
  counters(): Readonly<TftpCounters>;
  transfers(): TransferInfo[];
  on<K extends keyof TftpServerEvents>(event: K, listener: (e: TftpServerEvents[K]) => void): this;
  off<K extends keyof TftpServerEvents>(event: K, listener: (e: TftpServerEvents[K]) => void): this;
}

/** Fresh counters, all zero. */
export function zeroCounters(): TftpCounters {
  return {
    requests: 0,
    reads: 0,
    writes: 0,
    started: 0,
    finished: 0,
    failed: 0,
    refused: 0,
    badNames: 0,
    busy: 0,
    queued: 0,
    queueTimeouts: 0,
    queueStale: 0,
    duplicateRequests: 0,
    malformed: 0,
    unexpected: 0,
    unknownTid: 0,
    sendErrors: 0,
    internalErrors: 0,
    tooSlow: 0,
    bytesSent: 0,
    bytesReceived: 0,
    retransmits: 0,
    active: 0,
    waiting: 0,
    transferLimit: 0,
    limitRaises: 0,
    limitTakenBack: 0,
  };
}
