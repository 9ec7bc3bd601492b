/**
 * Where the server's read transfers send their blocks: on the main thread (workers 0)
 * or on worker threads (worker-pool.ts). Either way the main thread opened the file
 * and negotiated; here the opened file becomes a driven transfer, and a refusal gets a
 * socket of its own when the request has none (a worker binds the transfer's).
 */
import type { Logger } from '../log.js';
import type { UdpPeer } from '../net/udp.js';
import type { TransferParams } from './negotiate.js';
import type { TransferPorts } from './port-range.js';
import type { TransferLedger } from './server-ledger.js';
import { DEFAULT_BUSY_POLL_MICROS, type TftpServerOptions } from './server-options.js';
import { driveLocalRead, type Active, type TransferHost, type TransferRequest } from './server-transfer.js';
import type { ReadSource } from './storage.js';
import type { DrivenTransfer } from './transfer-driver.js';
import { SendWorkerPool } from './worker-pool.js';

/** What the plane takes from the server beside its options. */
export interface SendPlaneSide {
  readonly log: Logger;
  readonly ledger: TransferLedger;
  readonly ports: TransferPorts;
  readonly timeoutMs: number;
  readonly retries: number;
  /** The progress interval: workers report at most this far apart (and at most every 250 ms). */
  readonly progressMs: number;
}

/** Sends read transfers here or on the workers. */
export class SendPlane {
  private readonly pool: SendWorkerPool | undefined;

  constructor(options: TftpServerOptions, private readonly o: SendPlaneSide) {
    const { counters } = o.ledger;
    const workers = options.workers ?? 0;
    this.pool =
      workers > 0
        ? new SendWorkerPool({
            workers,
            log: o.log,
            busyPollMicros: options.busyPollMicros ?? DEFAULT_BUSY_POLL_MICROS,
            portRange: options.portRange,
            reportMs: Math.max(10, Math.min(250, o.progressMs)),
            ...(options.workerUrl ? { workerUrl: options.workerUrl } : {}),
            onCounts: (c) => {
              counters.unknownTid += c.unknownTid;
              counters.unexpected += c.unexpected;
              counters.sendErrors += c.sendErrors;
            },
          })
        : undefined;
  }

  /** True when read transfers run on workers (their request needs no socket here). */
  get remote(): boolean {
    return this.pool !== undefined;
  }

  /** Starts sending an opened file. */
  driveRead(host: TransferHost, t: TransferRequest, a: Active, params: TransferParams, source: ReadSource, oack: Uint8Array | undefined): DrivenTransfer {
    if (!this.pool) return driveLocalRead(host, t, a, params, source, oack);
    const file = source.displayName;
    return this.pool.send({
      start: {
        id: t.id,
        localAddress: t.localAddress,
        peer: { address: t.peer.address, port: t.peer.port },
        size: source.size,
        mode: params.mode,
        blksize: params.blksize,
        windowsize: params.windowsize,
        timeoutMs: params.timeoutMs ?? this.o.timeoutMs,
        maxRetries: this.o.retries,
        oack,
      },
      read: (offset, length) => source.read(offset, length),
      onProgress: host.progressReporter(a, t.registration),
      onReadFailed: (err) => host.internalError(t, file, 'reading a file failed', err),
      onFault: (err) => host.internalError(t, file, 'transfer failed on an unexpected error', err),
    });
  }

  /** Sends `data` to the client from the request's transfer socket, or from a new one bound for it. */
  answer(t: TransferRequest, data: Uint8Array): void {
    const { ledger } = this.o;
    if (t.ep) return ledger.sendFrom(t.ep, data, t.peer);
    void this.answerFromNewSocket(t.localAddress, data, t.peer);
  }

  private async answerFromNewSocket(localAddress: string, data: Uint8Array, to: UdpPeer): Promise<void> {
    try {
      const ep = await this.o.ports.open(localAddress);
      this.o.ledger.sendFrom(ep, data, to);
      await ep.close();
    } catch (err) {
      this.o.ledger.onSendError(err instanceof Error ? err : new Error(String(err)));
    }
  }

  /** Ends the workers (once every transfer is over). */
  async close(): Promise<void> {
    await this.pool?.close();
  }
}
