/**
 * What the HTTP file server reports: counters, the requests in progress and the
 * events the appliance's logs, live view and device records listen to. The events
 * have the TFTP server's shapes (src/tftp/server-events.ts) where they mean the same
 * thing (`started`, `finished`, `failed`, `refused`, `busy`), so one device feed files
 * both; `status` adds the HTTP status each answer had.
 */
import type { TransferFailure } from '../tftp/transfer-outcome.js';

/** The client of a request. */
export interface HttpPeer {
  readonly address: string;
  readonly port: number;
}

/** `read` = GET/HEAD (download), `write` = PUT (upload). */
export type HttpDirection = 'read' | 'write';

/** Server counters since start. */
export interface HttpCounters {
  requests: number;
  reads: number;
  writes: number;
  finished: number;
  failed: number;
  refused: number;
  /** Requests that waited for a slot (over the transfer limits). */
  queued: number;
  /** Requests waiting for a slot now. */
  waiting: number;
  /** Answered 503: the queue was full, or they waited `queueWaitMs` in vain (also counted in `queueTimeouts`). */
  busy: number;
  queueTimeouts: number;
  /** Requests whose target is not a path (HTTP 400) or whose method is not served (405). */
  badRequests: number;
  bytesSent: number;
  bytesReceived: number;
  active: number;
}

/** A request in progress, for status views. */
export interface HttpTransferInfo {
  readonly id: string;
  readonly peer: HttpPeer;
  readonly file: string;
  readonly direction: HttpDirection;
  readonly size?: number;
  readonly startedAt: number;
}

/** Events the server emits. */
export interface HttpServerEvents {
  started: { id: string; peer: HttpPeer; file: string; direction: HttpDirection; size?: number; origin?: string };
  finished: { id: string; peer: HttpPeer; file: string; direction: HttpDirection; bytes: number; ms: number; status: number; savedAs?: string; pruned?: readonly string[] };
  /** The client went away or the disk failed mid-way; `reason` is `outcome` in words. */
  failed: { id: string; peer: HttpPeer; file: string; direction: HttpDirection; reason: string; outcome: TransferFailure; bytes: number };
  /** Refused before any byte of the file moved (not found, access, too big); `code` is the storage's TFTP error code. */
  refused: { peer: HttpPeer; file: string; direction: HttpDirection; code: number; status: number; message: string };
  /** Over the transfer limits after waiting for a slot (or with the queue full): 503 with Retry-After. */
  busy: { peer: HttpPeer; file: string };
}

/** Fresh counters, all zero. */
export function zeroHttpCounters(): HttpCounters {
  return { requests: 0, reads: 0, writes: 0, finished: 0, failed: 0, refused: 0, queued: 0, waiting: 0, busy: 0, queueTimeouts: 0, badRequests: 0, bytesSent: 0, bytesReceived: 0, active: 0 };
}
