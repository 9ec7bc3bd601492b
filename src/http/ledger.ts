/**
 * The HTTP server's bookkeeping: counters, the requests in progress, admission (the
 * TFTP server's rule, src/tftp/admission.ts: at most `maxTransfers` at once and
 * `maxPerClient` from one address, the rest answered "busy") and the events. Each
 * admitted request holds a {@link HttpTransfer} until its response closes.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { admit, ClientTally } from '../tftp/admission.js';
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
}

/** Counters, transfers in progress, admission and events of one HTTP server. */
export class HttpLedger {
  readonly counters: HttpCounters = zeroHttpCounters();
  readonly events = new EventEmitter();
  private readonly active = new Map<string, HttpTransfer>();
  private readonly tally = new ClientTally();
  private nextId = 1;

  constructor(
    private readonly limits: LedgerLimits,
    private readonly clock: Clock,
  ) {}

  emit<K extends keyof HttpServerEvents>(event: K, e: HttpServerEvents[K]): void {
    this.events.emit(event, e);
  }

  /** Admits a request (a transfer to release later), or counts and reports it busy (undefined). */
  admit(peer: HttpPeer, file: string, direction: HttpDirection): HttpTransfer | undefined {
    this.counters.requests++;
    if (direction === 'read') this.counters.reads++;
    else this.counters.writes++;
    const decision = admit(
      { kind: direction === 'read' ? 'rrq' : 'wrq', filename: file },
      { running: this.active.size, fromClient: this.tally.count(peer.address), opening: undefined, ...this.limits },
    );
    if (decision.kind !== 'ok') {
      this.counters.busy++;
      this.emit('busy', { peer, file });
      return undefined;
    }
    const t: HttpTransfer = { id: `http-${this.nextId++}`, peer, file, direction, startedAt: this.clock.now() };
    this.active.set(t.id, t);
    this.tally.add(peer.address, 1);
    this.counters.active = this.active.size;
    return t;
  }

  /** Ends a transfer (idempotent). */
  release(t: HttpTransfer): void {
    if (!this.active.delete(t.id)) return;
    this.tally.add(t.peer.address, -1);
    this.counters.active = this.active.size;
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
