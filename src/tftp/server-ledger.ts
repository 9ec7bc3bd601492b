/**
 * The server's book of transfers: the counters, the transfers in progress, and the
 * events and log lines that go with each step of a transfer (refused, started,
 * progress, finished or failed). One summary per transfer, not per block. It also
 * keeps each transfer's deadline (deadline-watch.ts) and ends one that falls below the
 * floor rate with ERROR 0, counted as `tooSlow`.
 */
import { EventEmitter } from 'node:events';
import type { Clock } from '../clock.js';
import { errorMessage } from '../errno.js';
import type { Logger } from '../log.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import { TFTP_ERROR } from './error-codes.js';
import { encodeError } from './packet.js';
import { zeroCounters, type TftpCounters, type TftpServerEvents, type TransferDirection, type TransferInfo } from './server-events.js';
import type { Active, Registration, TransferRequest, TransferSubject } from './server-transfer.js';
import type { TransferParams } from './negotiate.js';
import { DeadlineWatch, type TooSlow } from './deadline-watch.js';
import type { DrivenResult } from './transfer-driver.js';
import { formatTooSlow, type RateFloor } from './transfer-deadline.js';
import { describeTransferFailure } from './transfer-outcome.js';

/** Counters, transfers in progress and the events about them. */
export class TransferLedger {
  readonly counters: TftpCounters = zeroCounters();
  readonly active = new Map<string, Active>();
  readonly emitter = new EventEmitter();
  /** Counts and logs a failed send (the datagram counts as lost). */
  readonly onSendError = (err: Error): void => {
    this.counters.sendErrors++;
    this.log.debug('send failed', { err: err.message });
  };

  private readonly deadlines: DeadlineWatch;

  constructor(
    readonly log: Logger,
    protected readonly clock: Clock,
    private readonly progressMs: number,
    floor: RateFloor,
  ) {
    this.deadlines = new DeadlineWatch(clock, floor, (id, verdict) => this.tooSlow(id, verdict));
  }

  /** Ends a transfer past its deadline: ERROR 0 naming the reason (conclude then logs it as failed). */
  private tooSlow(id: string, verdict: TooSlow): void {
    const a = this.active.get(id);
    if (!a) return;
    this.counters.tooSlow++;
    a.driven?.abort(TFTP_ERROR.notDefined, formatTooSlow(verdict));
  }

  /** Emits an event; a listener that throws is logged, never breaks the server. */
  emit<K extends keyof TftpServerEvents>(event: K, e: TftpServerEvents[K]): void {
    try {
      this.emitter.emit(event, e);
    } catch (err) {
      this.log.error('a TFTP event listener threw', { event, err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
    }
  }

  /** Sends a datagram from `ep`; a send error is counted. */
  sendFrom(ep: UdpEndpoint, data: Uint8Array, to: UdpPeer): void {
    ep.send(data, to).catch((err: unknown) => this.onSendError(err instanceof Error ? err : new Error(String(err))));
  }

  /** Answers a request with ERROR `code` (through `answer`) before any transfer started; `isBadName` also counts it as a bad name. */
  refuse(t: Pick<TransferRequest, 'req' | 'peer' | 'registration'>, code: number, message: string, isBadName: boolean, answer: (data: Uint8Array) => void): void {
    t.registration.opened(); // the client may ask again right after this answer
    this.counters.refused++;
    if (isBadName) this.counters.badNames++;
    const direction: TransferDirection = t.req.kind === 'rrq' ? 'read' : 'write';
    this.log.info('request refused', { peer: `${t.peer.address}:${t.peer.port}`, file: t.req.filename, direction, code, message });
    answer(encodeError(code, message));
    this.emit('refused', { peer: t.peer, file: t.req.filename, direction, code, message });
  }

  /** Bytes sent and received since the start, the transfers in progress included (the adaptive limit's measure). */
  bytesMoved(): number {
    let bytes = this.counters.bytesSent + this.counters.bytesReceived;
    for (const a of this.active.values()) bytes += a.info.bytes;
    return bytes;
  }

  /** Registers a started transfer; call `end()` on it when it is over. */
  register(t: Pick<TransferRequest, 'id' | 'peer' | 'registration' | 'queueWaitMs'>, params: TransferParams, subject: TransferSubject): Active {
    t.registration.value = true;
    const { file, direction, size, origin } = subject;
    const started = { id: t.id, peer: t.peer, file, direction, ...(size !== undefined ? { size } : {}), blksize: params.blksize, windowsize: params.windowsize };
    let end: () => void = () => undefined;
    const finished = new Promise<void>((resolve) => {
      end = resolve;
    });
    const a: Active = { info: { ...started, bytes: 0, startedAt: this.clock.now() }, finished, end };
    this.active.set(t.id, a);
    this.counters.started++;
    this.counters.active = this.active.size;
    this.emit('started', { ...started, ...(origin !== undefined ? { origin } : {}), queueWaitMs: t.queueWaitMs });
    this.deadlines.watch(a.info);
    return a;
  }

  /** Progress of `a`: marks its opening answered at the first call, emits at most every progressMs. */
  progressReporter(a: Active, registration: Registration): (bytes: number) => void {
    let lastAt = this.clock.now();
    let opened = false;
    return (bytes) => {
      if (!opened) {
        opened = true;
        registration.opened();
      }
      a.info.bytes = bytes;
      const now = this.clock.now();
      if (now - lastAt < this.progressMs) return;
      lastAt = now;
      const secs = Math.max(0.001, (now - a.info.startedAt) / 1000);
      this.emit('progress', { id: a.info.id, bytes, rate: Math.round(bytes / secs) });
    };
  }

  /** Books the end of `a`: counters, one log line and the finished or failed event. */
  conclude(a: Active, r: DrivenResult, savedAs?: string): void {
    const { counters, log } = this;
    this.active.delete(a.info.id);
    this.deadlines.forget(a.info.id);
    counters.active = this.active.size;
    counters.retransmits += r.retransmits;
    if (a.info.direction === 'read') counters.bytesSent += r.bytes;
    else counters.bytesReceived += r.bytes;
    const ms = this.clock.now() - a.info.startedAt;
    const { id, peer, file, direction } = a.info;
    const fields = { id, peer: `${peer.address}:${peer.port}`, file, direction, bytes: r.bytes, ms };
    if (r.result.kind === 'ok') {
      counters.finished++;
      log.info('transfer finished', { ...fields, retransmits: r.retransmits, ...(savedAs ? { savedAs } : {}) });
      this.emit('finished', { id, peer, file, direction, bytes: r.bytes, ms, retransmits: r.retransmits, ...(savedAs ? { savedAs } : {}) });
      return;
    }
    counters.failed++;
    const reason = describeTransferFailure(r.result);
    // PXE firmware asks for tsize, reads the OACK and aborts with an ERROR on purpose: not a fault.
    if (r.result.kind === 'peer-error') log.info('transfer ended by the client', { ...fields, reason });
    else log.warn('transfer failed', { ...fields, reason });
    this.emit('failed', { id, peer, file, direction, reason, outcome: r.result, bytes: r.bytes, retransmits: r.retransmits });
  }

  /**
   * Books a fault on this side inside transfer `id` (a storage error, an unexpected
   * exception): counted, logged with BB_INTERNAL, its peer and its stack. The peer got
   * ERROR 0; other transfers go on.
   */
  internalError(id: string, peer: UdpPeer, file: string, what: string, err: unknown): void {
    this.counters.internalErrors++;
    this.log.error(what, { code: 'BB_INTERNAL', id, peer: `${peer.address}:${peer.port}`, file, err: errorMessage(err), stack: err instanceof Error ? err.stack : undefined });
  }

  /** Ends a registered transfer that its run left unconcluded (it threw): ERROR 0 to the peer, booked as failed. */
  concludeCrashed(id: string, message: string): void {
    const a = this.active.get(id);
    if (!a) return;
    a.driven?.abort(TFTP_ERROR.notDefined, message);
    const result = { kind: 'aborted', code: TFTP_ERROR.notDefined, message } as const;
    this.conclude(a, { result, bytes: a.info.bytes, retransmits: 0, timeouts: 0, acks: 0 });
  }

  /** Copies of the transfers in progress. */
  transfers(): TransferInfo[] {
    return [...this.active.values()].map((a) => ({ ...a.info }));
  }
}
