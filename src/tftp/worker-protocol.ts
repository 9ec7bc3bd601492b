/**
 * The messages between the TFTP server's main thread and its send workers
 * (send-worker.ts, worker-pool.ts). The main thread admits, opens the file and
 * negotiates; a worker owns the transfer's socket and timers and sends the blocks.
 * File bytes come from the main thread in read-ahead chunks (one message per chunk,
 * never per block); progress goes back in batches, one message per interval for all of
 * a worker's transfers.
 */
import type { TransferMode } from './negotiate.js';
import type { DrivenResult } from './transfer-driver.js';

/** What a worker is told once, when it starts. */
export interface WorkerSetup {
  /** Busy polling window in microseconds (0 = off), see net/busy-poll.ts. */
  readonly busyPollMicros: number;
  /** Transfer ports (inclusive); undefined = ephemeral ports. */
  readonly portRange: readonly [number, number] | undefined;
  /** How often progress is batched back, in milliseconds. */
  readonly reportMs: number;
}

/** Starts sending one file. */
export interface StartSend {
  readonly t: 'start';
  readonly id: string;
  readonly localAddress: string;
  readonly peer: { readonly address: string; readonly port: number };
  readonly size: number;
  readonly mode: TransferMode;
  readonly blksize: number;
  readonly windowsize: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  /** The OACK datagram, when options were accepted. */
  readonly oack: Uint8Array | undefined;
}

/** Messages from the main thread to a worker. */
export type ToWorker =
  | StartSend
  /** Bytes at `offset` of transfer `id`'s file, answering a `read` (empty `bytes` + `failed` when the read failed). */
  | { readonly t: 'chunk'; readonly id: string; readonly offset: number; readonly bytes: Uint8Array; readonly failed: boolean }
  /** Ends transfer `id` with ERROR `code`. */
  | { readonly t: 'abort'; readonly id: string; readonly code: number; readonly message: string };

/** Counters a worker adds to (sent as deltas with each batch). */
export interface WorkerCounts {
  unknownTid: number;
  unexpected: number;
  sendErrors: number;
}

/** Messages from a worker to the main thread. */
export type FromWorker =
  /** Reads `length` bytes at `offset` of transfer `id`'s file. */
  | { readonly t: 'read'; readonly id: string; readonly offset: number; readonly length: number }
  /** Bytes acknowledged so far, as pairs [id, bytes, id, bytes, ...], and counter deltas since the last batch. */
  | { readonly t: 'progress'; readonly pairs: readonly (string | number)[]; readonly counts: WorkerCounts }
  /** Transfer `id` ended (its progress was sent before). */
  | { readonly t: 'done'; readonly id: string; readonly result: DrivenResult }
  /** An unexpected exception inside transfer `id` (it ended with ERROR 0; `done` follows). */
  | { readonly t: 'fault'; readonly id: string; readonly message: string; readonly stack: string | undefined };
