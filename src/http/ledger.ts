/**
 * The HTTP server's bookkeeping: counters, the requests in progress, admission and the
 * events. Admission is the TFTP server's: the rule of src/tftp/admission.ts (at most
 * `maxTransfers` at once and `maxPerClient` from one address) and its wait queue
 * (src/tftp/wait-queue.ts): a request over the limits waits for a slot, first come
 * first served, for up to `queueWaitMs`, and only then is answered "busy" (503), as is
 * one arriving when the queue is full. A client that hangs up while it waits leaves
 * the queue at once. Each admitted request holds a
 * {@link HttpTransfer} until its response closes.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { admit, ClientTally } from '../tftp/admission.js';
import { WaitQueue } from '../tftp/wait-queue.js';
import { zeroHttpCounters, type HttpCounters, type HttpDirection, type HttpPeer, type HttpServerEvents, type HttpTransferInfo } from './events.js';

/** One admitted request, from admission until its response is closed. */
export interface HttpTransfer {
  readonly id: string;
  readonly peer: HttpPeer;
  readonly file: string;
  readonly direction: HttpDirection;
  readonly startedAt: number;
  size?: number;
}

/** Limits of the ledger. */
export interface LedgerLimits {
  readonly maxTransfers: number;
  readonly maxPerClient: number;
  /** How long a request over the limits waits for a slot (0: busy at once). */
  readonly queueWaitMs: number;
}

/** Calls `onGone` once the client's connection closes; returns the function that stops watching. */
export type WhenGone = (onGone: () => void) => () => void;

/** A request waiting for a slot. */
interface Waiter {
  readonly peer: HttpPeer;
  readonly file: string;
  readonly direction: HttpDirection;
  readonly settle: (t: HttpTransfer | undefined) => void;
}

/** Counters, transfers in progress, admission and events of one HTTP server. */
export class HttpLedger {
  readonly counters: HttpCounters = zeroHttpCounters();
  readonly events = new EventEmitter();
  private readonly active = new Map<string, HttpTransfer>();
  private readonly tally = new ClientTally();
  private readonly queue: WaitQueue<Waiter>;
  private nextId = 1;
  private nextWait = 1;

  constructor(
    private readonly limits: LedgerLimits,
    private readonly clock: Clock,
  ) {
    this.queue = new WaitQueue<Waiter>({ clock, maxWaitMs: limits.queueWaitMs, onTimeout: (w) => this.busy(w, true) });
  }

  emit<K extends keyof HttpServerEvents>(event: K, e: HttpServerEvents[K]): void {
    this.events.emit(event, e);
  }

  /**
   * Admits a request now, or when a slot frees within `queueWaitMs`; undefined when it
   * is answered busy (counted and reported) or its client hung up while it waited
   * (`whenGone` tells).
   */
  acquire(peer: HttpPeer, file: string, direction: HttpDirection, whenGone: WhenGone): Promise<HttpTransfer | undefined> {
    this.counters.requests++;
    if (direction === 'read') this.counters.reads++;
    else this.counters.writes++;
    if (this.mayStart(peer.address)) return Promise.resolve(this.start(peer, file, direction));
    return new Promise((resolve) => {
      let unwatch = (): void => undefined;
      const settle = (t: HttpTransfer | undefined): void => {
        unwatch();
        resolve(t);
      };
      const waiter: Waiter = { peer, file, direction, settle };
      // Each request is its own entry: HTTP has no retransmissions to absorb.
      if (this.queue.offer(`${peer.address}:${peer.port}`, peer.address, `#${this.nextWait++}`, waiter) !== 'queued') return this.busy(waiter, false);
      this.counters.queued++;
      this.counters.waiting = this.queue.length;
      unwatch = whenGone(() => {
        if (!this.queue.withdraw(waiter)) return;
        this.counters.waiting = this.queue.length;
        waiter.settle(undefined);
      });
    });
  }

  /** The admission rule of TFTP, for a request from `address` now. */
  private mayStart(address: string): boolean {
    const facts = { running: this.active.size, fromClient: this.tally.count(address), opening: undefined, ...this.limits };
    return admit({ kind: 'rrq', filename: '' }, facts).kind === 'ok';
  }

  private start(peer: HttpPeer, file: string, direction: HttpDirection): HttpTransfer {
    const t: HttpTransfer = { id: `http-${this.nextId++}`, peer, file, direction, startedAt: this.clock.now() };
    this.active.set(t.id, t);
    this.tally.add(peer.address, 1);
    this.counters.active = this.active.size;
    return t;
  }

  private busy(w: Waiter, afterWaiting: boolean): void {
    this.counters.busy++;
    if (afterWaiting) this.counters.queueTimeouts++;
    this.counters.waiting = this.queue.length;
    this.emit('busy', { peer: w.peer, file: w.file });
    w.settle(undefined);
  }

  /** Starts waiting requests while there are slots (the oldest whose client is under its limit first). */
  private startWaiting(): void {
    while (this.active.size < this.limits.maxTransfers) {
      const next = this.queue.take((client) => this.tally.count(client) < this.limits.maxPerClient);
      if (next === undefined) break;
      const w = next.item;
      w.settle(this.start(w.peer, w.file, w.direction));
    }
    this.counters.waiting = this.queue.length;
  }

  /** Answers every waiting request busy (the server stops). */
  drain(): void {
    for (const w of this.queue.drain()) w.settle(undefined);
    this.counters.waiting = 0;
  }

  /** Ends a transfer (idempotent). */
  release(t: HttpTransfer): void {
    if (!this.active.delete(t.id)) return;
    this.tally.add(t.peer.address, -1);
    this.counters.active = this.active.size;
    this.startWaiting();
  }

  /** Milliseconds since `t` was admitted. */
  elapsed(t: HttpTransfer): number {
    return this.clock.now() - t.startedAt;
  }

  transfers(): HttpTransferInfo[] {
    return [...this.active.values()].map((t) => ({ id: t.id, peer: t.peer, file: t.file, direction: t.direction, startedAt: t.startedAt, ...(t.size === undefined ? {} : { size: t.size }) }));
  }

  /** Transfers in progress. */
  get running(): number {
    return this.active.size;
  }
}
