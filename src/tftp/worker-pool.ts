/**
 * The main thread's side of the TFTP send workers (send-worker.ts): N worker threads,
 * each given the read transfers in turn to the one with the fewest; the file chunks
 * each asks for, read here through the transfer's ReadSource; the batched progress and
 * ends turned back into the driver's hooks and its `done`. A worker that dies fails only
 * its own transfers (each reported through `onFault`, then ended as aborted) and is
 * replaced at once.
 */
import { Worker } from 'node:worker_threads';
import { errorMessage } from '../errno.js';
import type { Logger } from '../log.js';
import { TFTP_ERROR } from './error-codes.js';
import { INTERNAL_ERROR_MESSAGE, type DrivenResult, type DrivenTransfer } from './transfer-driver.js';
import type { FromWorker, StartSend, ToWorker, WorkerCounts, WorkerSetup } from './worker-protocol.js';

/** One read transfer handed to a worker. */
export interface RemoteSend {
  readonly start: Omit<StartSend, 't'>;
  /** Reads the file (the transfer's ReadSource). */
  readonly read: (offset: number, length: number) => Promise<Uint8Array>;
  /** Acknowledged bytes so far (batched). */
  readonly onProgress: (bytes: number) => void;
  /** Reading the file failed (the worker then ends the transfer with ERROR 0). */
  readonly onReadFailed: (err: unknown) => void;
  /** An unexpected exception in the transfer, on the worker or its death. */
  readonly onFault: (err: Error) => void;
}

/** The pool's settings. */
export interface WorkerPoolOptions extends WorkerSetup {
  readonly workers: number;
  readonly log: Logger;
  /** Counter deltas reported by the workers. */
  readonly onCounts: (c: WorkerCounts) => void;
  /** The worker module (tests may pass one that wraps the real one); default send-worker.js beside this file. */
  readonly workerUrl?: URL;
}

interface Job {
  readonly send: RemoteSend;
  readonly resolve: (r: DrivenResult) => void;
  bytes: number;
}

/** One worker thread and the transfers it runs. */
class Slot {
  readonly jobs = new Map<string, Job>();
  worker: Worker;
  /** Replacements started, for the log. */
  restarts = 0;

  constructor(private readonly pool: SendWorkerPool) {
    this.worker = this.spawn();
  }

  spawn(): Worker {
    const w = this.pool.newWorker();
    let lastError: Error | undefined;
    w.on('message', (m: FromWorker) => this.onMessage(m));
    w.on('error', (err) => {
      lastError = err;
    });
    w.on('exit', (code) => this.onExit(w, code, lastError));
    w.unref();
    return w;
  }

  /** Takes a transfer; a worker with transfers keeps the process up, as their sockets would on this thread. */
  add(id: string, job: Job): void {
    this.jobs.set(id, job);
    if (this.jobs.size === 1) this.worker.ref();
  }

  private remove(id: string): void {
    if (this.jobs.delete(id) && this.jobs.size === 0) this.worker.unref();
  }

  post(m: ToWorker, transfer?: ArrayBuffer[]): void {
    this.worker.postMessage(m, transfer);
  }

  private onMessage(m: FromWorker): void {
    switch (m.t) {
      case 'read':
        this.read(m.id, m.offset, m.length);
        return;
      case 'progress':
        for (let i = 0; i + 1 < m.pairs.length; i += 2) {
          const job = this.jobs.get(m.pairs[i] as string);
          if (!job) continue;
          job.bytes = m.pairs[i + 1] as number;
          job.send.onProgress(job.bytes);
        }
        this.pool.counts(m.counts);
        return;
      case 'fault': {
        const err = new Error(m.message);
        if (m.stack !== undefined) err.stack = m.stack;
        this.jobs.get(m.id)?.send.onFault(err);
        return;
      }
      case 'done':
        this.jobs.get(m.id)?.resolve(m.result);
        this.remove(m.id);
        return;
    }
  }

  /** Reads a chunk for the worker: copied into a buffer of its own, which moves to the worker. */
  private read(id: string, offset: number, length: number): void {
    const job = this.jobs.get(id);
    if (!job) return;
    job.send.read(offset, length).then(
      (got) => {
        if (!this.jobs.has(id)) return;
        const bytes = new Uint8Array(got.length);
        bytes.set(got);
        this.post({ t: 'chunk', id, offset, bytes, failed: false }, [bytes.buffer]);
      },
      (err: unknown) => {
        job.send.onReadFailed(err);
        if (this.jobs.has(id)) this.post({ t: 'chunk', id, offset, bytes: new Uint8Array(0), failed: true });
      },
    );
  }

  private onExit(w: Worker, code: number, lastError: Error | undefined): void {
    if (w !== this.worker || this.pool.closing) return;
    const err = lastError ?? new Error(`TFTP worker thread exited with code ${code}`);
    const jobs = [...this.jobs.values()];
    this.jobs.clear();
    this.restarts++;
    this.pool.log.error('a TFTP worker thread stopped; its transfers failed, a new one takes its place', { err: errorMessage(err), transfers: jobs.length, restarts: this.restarts });
    this.worker = this.spawn();
    const result = { kind: 'aborted', code: TFTP_ERROR.notDefined, message: INTERNAL_ERROR_MESSAGE } as const;
    for (const job of jobs) {
      job.send.onFault(err);
      job.resolve({ result, bytes: job.bytes, retransmits: 0, timeouts: 0, acks: 0 });
    }
  }
}

/** N send workers; `send` runs a read transfer on the least busy one. */
export class SendWorkerPool {
  readonly log: Logger;
  closing = false;
  private readonly slots: Slot[] = [];
  private readonly url: URL;

  constructor(private readonly o: WorkerPoolOptions) {
    this.log = o.log;
    this.url = o.workerUrl ?? new URL('./send-worker.js', import.meta.url);
    for (let i = 0; i < o.workers; i++) this.slots.push(new Slot(this));
  }

  /** A new worker thread running the worker module. */
  newWorker(): Worker {
    const setup: WorkerSetup = { busyPollMicros: this.o.busyPollMicros, portRange: this.o.portRange, reportMs: this.o.reportMs };
    return new Worker(this.url, { workerData: setup });
  }

  counts(c: WorkerCounts): void {
    this.o.onCounts(c);
  }

  /** Runs `send` on the worker with the fewest transfers. */
  send(send: RemoteSend): DrivenTransfer {
    let slot = this.slots[0];
    for (const s of this.slots) if (slot === undefined || s.jobs.size < slot.jobs.size) slot = s;
    if (!slot) throw new Error('the TFTP worker pool has no workers');
    const chosen = slot;
    const { id } = send.start;
    const done = new Promise<DrivenResult>((resolve) => {
      chosen.add(id, { send, resolve, bytes: 0 });
    });
    chosen.post({ t: 'start', ...send.start });
    return {
      done,
      settled: done.then(() => undefined),
      abort: (code, message) => {
        if (chosen.jobs.has(id)) chosen.post({ t: 'abort', id, code, message });
      },
    };
  }

  /** Ends the worker threads (after their transfers ended). */
  async close(): Promise<void> {
    this.closing = true;
    // An unref'd worker would let the process end before its exit is seen.
    await Promise.all(
      this.slots.map((s) => {
        s.worker.ref();
        return s.worker.terminate();
      }),
    );
  }
}
