/**
 * The sending side of a TFTP transfer (server RRQ, client put) as a pure state machine.
 *
 * Packets and timer ticks go in (`start`, `onAck`, `onPeerError`, `onDataReady`, `onTick`,
 * each given `now`); commands come out through a `SenderActions` sink (send OACK, send
 * DATA k, send ERROR, need data, finish). It has no socket, no timer and no clock: the
 * driver arms one timer per transfer at `deadline` and calls `onTick` when it fires.
 * Actions go through a sink instead of a returned array so the per-block fast path
 * allocates nothing.
 *
 * Rules:
 * - Blocks are counted without limit inside; the wire number is `block & 0xffff`, so
 *   after 65535 comes 0 (what tftpd-hpa, atftp and curl do) and files over 32 MB at
 *   blksize 512 work.
 * - The last block is shorter than blksize; when the size is a multiple of blksize an
 *   empty last block is sent (RFC 1350 §6).
 * - Lock-step (windowsize 1, RFC 1350) or windowed (RFC 7440): up to `windowsize` blocks
 *   are in flight past the last acknowledged one; an ACK for the last block sent slides
 *   the window. Every window is sent whole, because RFC 7440 receivers ACK only after
 *   `windowsize` blocks (a partial window would wait for the receiver's timeout).
 * - Duplicate ACKs never cause a resend in lock-step (RFC 1123 §4.2.3.1, the Sorcerer's
 *   Apprentice). In a window, an ACK short of the last block sent (or a repeat of the
 *   last ACK) is the receiver's report of a gap (RFC 7440 §4): resend from the block
 *   after it, at most once per ACK value.
 * - Back-off and recovery: on a timeout or a gap the window is resent from the last
 *   acknowledged block (RFC 7440 §4), the timeout doubles (capped), and the burst size
 *   `cwnd` halves: the window then goes out in bursts of `cwnd` blocks separated by a
 *   short pause (`pace`), giving a slow receiver time to drain. Each ACK that completes a
 *   window doubles `cwnd` again up to windowsize, where no pausing is left.
 * - After `maxRetries` timeouts in a row the transfer fails.
 */
import { backoff } from './backoff.js';
import { TFTP_ERROR } from './error-codes.js';
import { TRANSFER_OK, type TransferResult } from './transfer-outcome.js';

/** What the sender asks its driver to do. */
export interface SenderActions {
  /** Send (or resend) the OACK prepared by the driver. */
  sendOack(): void;
  /** Send DATA for absolute block `block` (wire number `block & 0xffff`). */
  sendData(block: number): void;
  /** Send an ERROR to the peer. */
  sendError(code: number, message: string): void;
  /** Blocks up to `through` are wanted but not in memory yet: read them, then call `onDataReady`. */
  needData(through: number): void;
  /** A burst is out and more of the window waits: call `onPace` after a short pause. */
  pace(): void;
  /** The transfer is over. */
  finish(result: TransferResult): void;
}

export type { TransferResult } from './transfer-outcome.js';

/** Settings of a sender. */
export interface SenderOptions {
  readonly windowsize: number;
  readonly timeoutMs: number;
  /** Timeouts in a row before giving up. */
  readonly maxRetries: number;
  /** True when an OACK opens the transfer (RFC 2347): DATA 1 waits for ACK 0. */
  readonly withOack: boolean;
  /** Upper bound of the backed-off timeout (default: backoffCap, 8 × timeoutMs but at most 10 s). */
  readonly maxTimeoutMs?: number;
}

/** Counters of one sending transfer. */
export interface SenderStats {
  blocksSent: number;
  retransmits: number;
  timeouts: number;
  duplicateAcks: number;
  strayAcks: number;
}

/** The sending state machine (RFC 1350, 2347, 7440). */
export class TftpSender {
  /** Highest block acknowledged (0 = none, or the ACK 0 of an OACK). */
  acked = 0;
  /** Highest block sent since the last go-back. */
  lastSent = 0;
  /** Highest block ever sent (an ACK up to it is valid even after a go-back). */
  private highestSent = 0;
  /** Burst size (1..windowsize): blocks sent back to back before a pause. */
  cwnd: number;
  private burst = 0;
  private pacing = false;
  /** Blocks up to this one are in the driver's memory. */
  private readyThrough = 0;
  /** The last block, once the end of the data is known. */
  private finalBlock: number | undefined;
  private waitingOack: boolean;
  private timeoutMs: number;
  private retries = 0;
  private fastResendAt = -1;
  private deadlineAt: number | undefined;
  private isDone = false;
  private needAsked = 0;
  readonly stats: SenderStats = { blocksSent: 0, retransmits: 0, timeouts: 0, duplicateAcks: 0, strayAcks: 0 };

  constructor(
    private readonly options: SenderOptions,
    private readonly actions: SenderActions,
  ) {
    this.cwnd = options.windowsize;
    this.waitingOack = options.withOack;
    this.timeoutMs = options.timeoutMs;
  }

  /** When the driver should call `onTick` next (ms), or undefined when nothing is pending. */
  get deadline(): number | undefined {
    return this.deadlineAt;
  }

  /** True once finished. */
  get done(): boolean {
    return this.isDone;
  }

  /** Opens the transfer: sends the OACK, or the first window of DATA. */
  start(now: number): void {
    if (this.options.withOack) {
      this.actions.sendOack();
      this.deadlineAt = now + this.timeoutMs;
    } else {
      this.pump(now);
    }
  }

  /** The driver has blocks through `readyThrough` in memory; `finalBlock` once the end is known. */
  onDataReady(readyThrough: number, finalBlock: number | undefined, now: number): void {
    this.readyThrough = readyThrough;
    if (finalBlock !== undefined) this.finalBlock = finalBlock;
    if (!this.isDone && !this.waitingOack) this.pump(now);
  }

  /** An ACK with wire block number `wireBlock` arrived from the peer. */
  onAck(wireBlock: number, now: number): void {
    if (this.isDone) return;
    if (this.waitingOack) {
      if (wireBlock !== 0) {
        this.stats.strayAcks++;
        return;
      }
      this.waitingOack = false;
      this.progress(now);
      return;
    }
    const ahead = (wireBlock - (this.acked & 0xffff)) & 0xffff;
    const outstanding = this.highestSent - this.acked;
    if (ahead === 0) {
      this.stats.duplicateAcks++;
      // RFC 1123 §4.2.3.1: never answer a duplicate ACK in lock-step. RFC 7440 §4: in a window,
      // a repeated ACK says the block after it was lost; resend from there once per ACK value.
      if (this.options.windowsize > 1 && outstanding > 0) this.gapReported(now);
      return;
    }
    if (ahead > outstanding) {
      this.stats.strayAcks++; // an old ACK from before a wrap, or a block never sent
      return;
    }
    this.acked += ahead;
    if (this.finalBlock !== undefined && this.acked >= this.finalBlock) {
      this.finishWith(TRANSFER_OK);
      return;
    }
    this.retries = 0;
    this.timeoutMs = this.options.timeoutMs;
    this.deadlineAt = now + this.timeoutMs;
    if (this.acked < this.lastSent) {
      // RFC 7440 §4: an ACK inside the window reports a gap after it.
      this.gapReported(now);
      return;
    }
    this.lastSent = this.acked;
    if (this.cwnd < this.options.windowsize) this.cwnd = Math.min(this.options.windowsize, this.cwnd * 2);
    this.burst = 0;
    this.pump(now);
  }

  /** The pause between bursts is over: send the next burst of the window. */
  onPace(now: number): void {
    this.pacing = false;
    if (this.isDone || this.waitingOack) return;
    this.burst = 0;
    this.pump(now);
  }

  /** The peer sent an ERROR: the transfer ends. */
  onPeerError(code: number, message: string): void {
    if (this.isDone) return;
    this.finishWith({ kind: 'peer-error', code, message });
  }

  /** Timer tick: resends with backoff when the deadline has passed, or gives up. */
  onTick(now: number): void {
    if (this.isDone || this.deadlineAt === undefined || now < this.deadlineAt) return;
    this.stats.timeouts++;
    this.retries++;
    if (this.retries > this.options.maxRetries) {
      this.actions.sendError(TFTP_ERROR.notDefined, 'timed out waiting for ACK');
      this.finishWith({ kind: 'timeout', waitingFor: 'ACK', retries: this.options.maxRetries });
      return;
    }
    this.timeoutMs = backoff(this.timeoutMs, this.options.timeoutMs, this.options.maxTimeoutMs);
    if (this.waitingOack) {
      this.actions.sendOack();
      this.deadlineAt = now + this.timeoutMs;
      return;
    }
    this.shrink();
    this.fastResendAt = -1;
    this.goBack(now);
  }

  /** Ends the transfer from outside (server shutdown, local error): sends ERROR and finishes. */
  abort(code: number, message: string): void {
    if (this.isDone) return;
    this.actions.sendError(code, message);
    this.finishWith({ kind: 'aborted', code, message });
  }

  private progress(now: number): void {
    this.retries = 0;
    this.timeoutMs = this.options.timeoutMs;
    this.deadlineAt = now + this.timeoutMs;
    this.burst = 0;
    this.pump(now);
  }

  private shrink(): void {
    this.cwnd = Math.max(1, this.cwnd >> 1);
  }

  /** A gap at `acked + 1`: resend the window from there once per ACK value, in smaller bursts. */
  private gapReported(now: number): void {
    if (this.fastResendAt === this.acked) return;
    this.fastResendAt = this.acked;
    this.shrink();
    this.goBack(now);
  }

  private goBack(now: number): void {
    const resend = this.lastSent - this.acked;
    this.lastSent = this.acked;
    this.deadlineAt = now + this.timeoutMs;
    this.burst = 0;
    this.pump(now);
    this.stats.retransmits += Math.min(resend, this.lastSent - this.acked);
  }

  /** Sends what the window and the burst allow and the driver has ready. */
  private pump(now: number): void {
    const limit = this.acked + this.options.windowsize;
    while (this.lastSent < limit) {
      const next = this.lastSent + 1;
      if (this.finalBlock !== undefined && next > this.finalBlock) break;
      if (next > this.readyThrough) {
        if (this.needAsked < next) {
          this.needAsked = next;
          this.actions.needData(limit);
        }
        break;
      }
      if (this.burst >= this.cwnd) {
        if (!this.pacing) {
          this.pacing = true;
          this.actions.pace();
        }
        break;
      }
      this.burst++;
      this.lastSent = next;
      if (next > this.highestSent) this.highestSent = next;
      this.stats.blocksSent++;
      this.actions.sendData(next);
    }
    if (this.deadlineAt === undefined) this.deadlineAt = now + this.timeoutMs;
  }

  private finishWith(result: TransferResult): void {
    this.isDone = true;
    this.deadlineAt = undefined;
    this.actions.finish(result);
  }
}
