/**
 * A TFTP send worker (a `node:worker_threads` thread, started by worker-pool.ts): it
 * owns the sockets and timers of the read transfers the main thread gives it and runs
 * each with the same driver as the main thread would (send-driver.ts). The file's bytes
 * come from the main thread chunk by chunk (the main thread opened the file); progress
 * and counters go back in one batch per `reportMs`, not per block. See worker-protocol.ts.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { systemClock } from '../clock.js';
import { createBusyPoller, type BusyPoller } from '../net/busy-poll.js';
import { bindUdp, type UdpEndpoint } from '../net/udp.js';
import { BlockFeed } from './block-feed.js';
import { TransferPorts } from './port-range.js';
import { driveSender } from './send-driver.js';
import type { DrivenResult, DrivenTransfer } from './transfer-driver.js';
import type { FromWorker, StartSend, ToWorker, WorkerCounts, WorkerSetup } from './worker-protocol.js';
import { TFTP_ERROR } from './error-codes.js';

/** One transfer on this worker. */
interface Running {
  driven: DrivenTransfer | undefined;
  /** An abort that came before the socket was bound. */
  early: { code: number; message: string } | undefined;
  /** The read waiting for its chunk (BlockFeed reads one chunk at a time). */
  read: { resolve: (b: Uint8Array) => void; reject: (err: Error) => void } | undefined;
  bytes: number;
  reported: number;
}

const bind = (address: string, port: number): Promise<UdpEndpoint> => bindUdp({ address, port, recvBufferBytes: 1 << 20, sendBufferBytes: 1 << 20 });

/** The worker's transfers and its batch of progress. */
class SendWorker {
  private readonly running = new Map<string, Running>();
  private readonly ports: TransferPorts;
  private readonly poller: BusyPoller;
  private counts: WorkerCounts = { unknownTid: 0, unexpected: 0, sendErrors: 0 };
  private reporter: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly port: MessagePort,
    private readonly setup: WorkerSetup,
  ) {
    this.ports = new TransferPorts(bind, setup.portRange);
    this.poller = createBusyPoller(setup.busyPollMicros);
    port.on('message', (m: ToWorker) => this.onMessage(m));
  }

  private post(m: FromWorker): void {
    this.port.postMessage(m);
  }

  private onMessage(m: ToWorker): void {
    if (m.t === 'start') {
      void this.start(m);
      return;
    }
    const r = this.running.get(m.id);
    if (!r) return; // over already
    if (m.t === 'abort') {
      if (r.driven) r.driven.abort(m.code, m.message);
      else r.early = { code: m.code, message: m.message };
      return;
    }
    const read = r.read;
    r.read = undefined;
    if (!read) return;
    if (m.failed) read.reject(new Error('reading the file failed'));
    else read.resolve(m.bytes);
  }

  private async start(m: StartSend): Promise<void> {
    const r: Running = { driven: undefined, early: undefined, read: undefined, bytes: 0, reported: 0 };
    this.running.set(m.id, r);
    if (!this.reporter) this.reporter = setInterval(() => this.report(), this.setup.reportMs);
    let ep: UdpEndpoint;
    try {
      ep = await this.ports.open(m.localAddress);
    } catch (err) {
      this.fault(m.id, err);
      const message = 'no transfer socket';
      this.end(m.id, { result: { kind: 'aborted', code: TFTP_ERROR.notDefined, message }, bytes: 0, retransmits: 0, timeouts: 0, acks: 0 });
      return;
    }
    const read = (offset: number, length: number): Promise<Uint8Array> =>
      new Promise((resolve, reject) => {
        r.read = { resolve, reject };
        this.post({ t: 'read', id: m.id, offset, length });
      });
    r.driven = driveSender({
      endpoint: ep,
      peer: m.peer,
      clock: systemClock,
      windowsize: m.windowsize,
      timeoutMs: m.timeoutMs,
      maxRetries: m.maxRetries,
      busyPoll: this.poller.session(),
      feed: new BlockFeed(read, m.size, m.mode, m.blksize),
      ...(m.oack ? { oack: m.oack } : {}),
      onProgress: (bytes) => {
        r.bytes = bytes;
      },
      onSendError: () => this.counts.sendErrors++,
      onStranger: () => this.counts.unknownTid++,
      onBadPacket: () => this.counts.unexpected++,
      onInternalError: (err) => this.fault(m.id, err),
      // The main thread read the file and logged the failure; the driver sends ERROR 0.
      onLocalError: () => undefined,
    });
    if (r.early) r.driven.abort(r.early.code, r.early.message);
    const result = await r.driven.done;
    await ep.close();
    this.end(m.id, result);
  }

  private fault(id: string, err: unknown): void {
    const e = err instanceof Error ? err : new Error(String(err));
    this.post({ t: 'fault', id, message: e.message, stack: e.stack });
  }

  /** Sends the last progress of `id`, then its end. */
  private end(id: string, result: DrivenResult): void {
    this.report();
    this.running.delete(id);
    this.post({ t: 'done', id, result });
    if (this.running.size === 0 && this.reporter) {
      clearInterval(this.reporter);
      this.reporter = undefined;
    }
  }

  /** One batch: every transfer whose acknowledged bytes moved, and the counter deltas. */
  private report(): void {
    const pairs: (string | number)[] = [];
    for (const [id, r] of this.running) {
      if (r.bytes === r.reported) continue;
      r.reported = r.bytes;
      pairs.push(id, r.bytes);
    }
    const c = this.counts;
    if (pairs.length === 0 && c.unknownTid + c.unexpected + c.sendErrors === 0) return;
    this.counts = { unknownTid: 0, unexpected: 0, sendErrors: 0 };
    this.post({ t: 'progress', pairs, counts: c });
  }
}

if (parentPort) new SendWorker(parentPort, workerData as WorkerSetup);
