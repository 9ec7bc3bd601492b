/**
 * The receiving side of a TFTP transfer (server WRQ, client get) as a pure state machine.
 *
 * DATA packets and timer ticks go in, each given `now`; commands come out
 * through a `ReceiverActions` sink (send ACK k, resend the opening packet, deliver the
 * bytes of block k in order, send ERROR, finish). No socket, timer or clock inside.
 *
 * Rules:
 * - Blocks are delivered strictly in order; the wire number wraps past 65535 to 0.
 * - A block shorter than blksize is the last one (RFC 1350 §6): it is ACKed and the
 *   transfer finishes; the machine then dallies until `dallyUntil` and answers any
 *   retransmitted block with the last ACK, in case that ACK was lost (RFC 1350 §6).
 * - Lock-step (windowsize 1): every block is ACKed; a repeated block is re-ACKed (its ACK
 *   was lost), which never causes duplicates because the sender ignores duplicate ACKs.
 * - Windowed (RFC 7440 §4): an ACK after every `windowsize` blocks; on a gap (a block
 *   ahead of the expected one) one ACK for the last in-order block, once per gap. No
 *   other ACKs: an RFC 7440 sender reads an ACK short of its window as a gap report.
 * - On timeout the last ACK (or the opening packet) is sent again with backoff; after
 *   `maxRetries` timeouts in a row the transfer fails.
 * - Back-pressure: an ACK acknowledges only what the sink has taken. When the ACK is due
 *   and the sink is full (`isSinkFull`), the machine waits (`waitForSink`) with no timer
 *   and answers nothing, not even a retransmitted block (its ACK would acknowledge bytes
 *   the sink has not taken), until `releaseAck`.
 */
import { TFTP_ERROR } from './error-codes.js';
import { backoff } from './backoff.js';
import { TRANSFER_OK, type TransferResult } from './transfer-outcome.js';

/** What the receiver asks its driver to do. */
export interface ReceiverActions {
  /** Send ACK with wire number `wireBlock`. */
  sendAck(wireBlock: number): void;
  /** Resend the opening packet (RRQ for a client; OACK or ACK 0 for a server WRQ). */
  sendStart(): void;
  /** Bytes of the next block, in order (`data` is a view valid only during the call). */
  deliver(block: number, data: Uint8Array): void;
  sendError(code: number, message: string): void;
  finish(result: TransferResult): void;
  /** With `holdFinalAck`: the last block arrived; make the data durable, then call `releaseFinal`. */
  holdLast?(): void;
  /** True while the sink holds as much as it may: the due ACK waits. Absent: never full. */
  isSinkFull?(): boolean;
  /** The due ACK waits for the sink: call `releaseAck` once it has room again. */
  waitForSink?(): void;
}

/** Settings of a receiver. */
export interface ReceiverOptions {
  readonly blksize: number;
  readonly windowsize: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
  readonly maxTimeoutMs?: number;
  /**
   * Hold the ACK of the last block until `releaseFinal` (server WRQ): the client must not
   * believe an upload succeeded before it was saved. Retransmissions meanwhile are ignored.
   */
  readonly holdFinalAck?: boolean;
}

/** Counters of one receiving transfer. */
export interface ReceiverStats {
  blocksReceived: number;
  duplicateBlocks: number;
  gapBlocks: number;
  acksSent: number;
  timeouts: number;
}

/** The receiving state machine (RFC 1350, 7440). */
export class TftpReceiver {
  /** The next block expected (absolute, starting at 1). */
  expected = 1;
  private unacked = 0;
  private gapAckedFor = -1;
  private reAcked = false;
  private retries = 0;
  private timeoutMs: number;
  private deadlineAt: number | undefined;
  private isDone = false;
  private dallyEnd: number | undefined;
  private holding = false;
  private stalled = false;
  readonly stats: ReceiverStats = { blocksReceived: 0, duplicateBlocks: 0, gapBlocks: 0, acksSent: 0, timeouts: 0 };

  constructor(
    private readonly options: ReceiverOptions,
    private readonly actions: ReceiverActions,
  ) {
    this.timeoutMs = options.timeoutMs;
  }

  /** When the driver should call `onTick` next, or undefined. */
  get deadline(): number | undefined {
    return this.deadlineAt;
  }

  /** True once finished (it may still dally to re-ACK the last block). */
  get done(): boolean {
    return this.isDone;
  }

  /** After finishing, until when a retransmitted last block is re-ACKed. */
  get dallyUntil(): number | undefined {
    return this.dallyEnd;
  }

  /** Opens the transfer by sending the opening packet (OACK / ACK 0 / RRQ), or only arms the timer. */
  start(now: number, sendOpening = true): void {
    if (sendOpening) this.actions.sendStart();
    this.deadlineAt = now + this.timeoutMs;
  }

  /** A DATA packet with wire number `wireBlock` arrived. */
  onData(wireBlock: number, data: Uint8Array, now: number): void {
    if (this.holding) return;
    if (this.stalled) {
      this.stats.duplicateBlocks++;
      return;
    }
    const ahead = (wireBlock - (this.expected & 0xffff)) & 0xffff;
    if (this.isDone) {
      // Dallying: a resent block means the sender did not get our last ACK, which covers
      // every block (in a window it may resend an earlier one first).
      if (this.dallyEnd !== undefined && ahead >= 0x8000) this.ack();
      return;
    }
    if (ahead === 0) {
      this.inOrder(data, now);
      return;
    }
    if (ahead < 0x8000) {
      this.stats.gapBlocks++;
      if (this.gapAckedFor !== this.expected) {
        this.gapAckedFor = this.expected;
        this.ack();
      }
      return;
    }
    this.stats.duplicateBlocks++;
    if (this.options.windowsize === 1 || !this.reAcked) {
      this.reAcked = true;
      this.ack();
    }
  }

  /** The peer sent an ERROR. */
  onPeerError(code: number, message: string): void {
    if (this.isDone) return;
    this.finishWith({ kind: 'peer-error', code, message }, undefined);
  }

  /** Timer tick: resends the last ACK (or the opening packet) with backoff, or gives up. */
  onTick(now: number): void {
    if (this.isDone || this.deadlineAt === undefined || now < this.deadlineAt) return;
    this.stats.timeouts++;
    this.retries++;
    if (this.retries > this.options.maxRetries) {
      this.actions.sendError(TFTP_ERROR.notDefined, 'timed out waiting for DATA');
      this.finishWith({ kind: 'timeout', waitingFor: 'DATA', retries: this.options.maxRetries }, undefined);
      return;
    }
    this.timeoutMs = backoff(this.timeoutMs, this.options.timeoutMs, this.options.maxTimeoutMs);
    this.deadlineAt = now + this.timeoutMs;
    this.reAcked = false;
    this.gapAckedFor = -1;
    if (this.expected === 1) this.actions.sendStart();
    else this.ack();
  }

  /** With `holdFinalAck`: the data is saved; ACK the last block and finish. */
  releaseFinal(now: number): void {
    if (!this.holding || this.isDone) return;
    this.holding = false;
    this.ack();
    this.finishWith(TRANSFER_OK, now + this.options.timeoutMs);
  }

  /** The sink has room again: send the ACK that waited and wait for DATA again. */
  releaseAck(now: number): void {
    if (!this.stalled || this.isDone) return;
    this.stalled = false;
    this.ack();
    this.deadlineAt = now + this.timeoutMs;
  }

  /** Ends the transfer from outside (local write failure, shutdown): sends ERROR and finishes. */
  abort(code: number, message: string): void {
    if (this.isDone) return;
    this.holding = false;
    this.actions.sendError(code, message);
    this.finishWith({ kind: 'aborted', code, message }, undefined);
  }

  private inOrder(data: Uint8Array, now: number): void {
    if (data.length > this.options.blksize) {
      this.abort(TFTP_ERROR.illegalOperation, `block of ${data.length} bytes is larger than blksize`);
      return;
    }
    const block = this.expected;
    this.expected++;
    this.stats.blocksReceived++;
    this.unacked++;
    this.reAcked = false;
    this.retries = 0;
    this.timeoutMs = this.options.timeoutMs;
    this.deadlineAt = now + this.timeoutMs;
    this.actions.deliver(block, data);
    if (this.isDone) return; // the driver aborted while taking the data
    if (data.length < this.options.blksize) {
      if (this.options.holdFinalAck) {
        this.holding = true;
        this.deadlineAt = undefined;
        this.actions.holdLast?.();
        return;
      }
      this.ack();
      this.finishWith(TRANSFER_OK, now + this.options.timeoutMs);
      return;
    }
    if (this.unacked < this.options.windowsize) return;
    if (this.actions.isSinkFull?.()) {
      this.stalled = true;
      this.deadlineAt = undefined;
      this.actions.waitForSink?.();
      return;
    }
    this.ack();
  }

  private ack(): void {
    this.unacked = 0;
    this.stats.acksSent++;
    this.actions.sendAck((this.expected - 1) & 0xffff);
  }

  private finishWith(result: TransferResult, dallyUntil: number | undefined): void {
    this.isDone = true;
    this.deadlineAt = undefined;
    this.dallyEnd = dallyUntil;
    this.actions.finish(result);
  }
}
