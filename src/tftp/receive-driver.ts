/**
 * Drives a `TftpReceiver` (server WRQ, client get) on one UDP endpoint, one peer and
 * one timer, handing each block's bytes to `deliver` in order.
 *
 * Every event (a DATA, a tick, the end of the save before the final ACK, an abort)
 * enters through `enter`, which runs the step and then moves the timer; after the
 * last block the timer keeps the socket for the dally (RFC 1350 §6). Datagrams from
 * any other source get ERROR 5 (RFC 1350 §4).
 */
import type { Clock } from '../clock.js';
import { noBusyPollSession, type BusyPollSession } from '../net/busy-poll.js';
import type { UdpPeer } from '../net/udp.js';
import { TFTP_ERROR } from './error-codes.js';
import { DATA_HEADER_BYTES, TFTP_OPCODE, encodeAck, encodeError, readBlock, readOpcode } from './packet.js';
import { TftpReceiver, type ReceiverActions } from './receiver.js';
import { answerStranger, peerError } from './strangers.js';
import { endOnFault, INTERNAL_ERROR_MESSAGE, poster, samePeer, type DrivenResult, type DrivenTransfer, type DriverOptions } from './transfer-driver.js';
import type { TransferResult } from './transfer-outcome.js';
import { TransferTimer } from './transfer-timer.js';

/** Settings of a receiving transfer. */
export interface ReceiveDriverOptions extends DriverOptions {
  readonly blksize: number;
  /** The opening datagram (OACK or ACK 0 from a server; ACK 0 after an OACK for a client); resent on timeout. */
  readonly opening: Uint8Array | undefined;
  /** Called with each block's bytes in order (view valid during the call). */
  readonly deliver: (data: Uint8Array) => void;
  /**
   * When set, the ACK of the last block waits for this promise (server WRQ: flush and
   * commit the upload); a rejection sends ERROR `code` with the message instead.
   */
  readonly beforeFinalAck?: () => Promise<void | { readonly code: number; readonly message: string }>;
  /**
   * Back-pressure from the writer (chunk-writer.ts): while `isFull()`, the due ACK waits
   * for `drained()`, which resolves with an ERROR to send instead when the write failed.
   */
  readonly flow?: ReceiveFlow;
  /** A first DATA that arrived before the driver started (client without OACK). */
  readonly firstData?: { readonly block: number; readonly data: Uint8Array };
}

/** The writer's side of back-pressure, as the driver sees it. */
export interface ReceiveFlow {
  isFull(): boolean;
  drained(): Promise<void | { readonly code: number; readonly message: string }>;
}

/** What can happen to a receiving transfer; each enters through `ReceiveDriver.enter`. */
type ReceiveEvent = 'data' | 'tick' | 'saved' | 'drained' | 'abort';

/** The I/O of one receiving transfer; its ReceiverActions are called only from inside `enter`. */
class ReceiveDriver implements ReceiverActions {
  readonly done: Promise<DrivenResult>;
  readonly settled: Promise<void>;
  private resolveDone: (r: DrivenResult) => void = () => undefined;
  private resolveSettled: () => void = () => undefined;
  private readonly clock: Clock;
  private readonly busy: BusyPollSession;
  private readonly send: (data: Uint8Array) => void;
  private bytes = 0;
  private abortCode: number = TFTP_ERROR.notDefined;
  private abortMessage = '';
  private isFinished = false;
  private readonly receiver: TftpReceiver;
  private readonly timer: TransferTimer;

  constructor(private readonly o: ReceiveDriverOptions) {
    this.clock = o.clock;
    this.busy = o.busyPoll ?? noBusyPollSession;
    this.send = poster(o.endpoint, o.peer, o);
    this.done = new Promise<DrivenResult>((resolve) => {
      this.resolveDone = resolve;
    });
    this.settled = new Promise<void>((resolve) => {
      this.resolveSettled = resolve;
    });
    const { blksize, windowsize, timeoutMs, maxRetries } = o;
    this.receiver = new TftpReceiver({ blksize, windowsize, timeoutMs, maxRetries, holdFinalAck: o.beforeFinalAck !== undefined }, this);
    this.timer = new TransferTimer(o.clock, () => this.enter('tick'));
    o.endpoint.onMessage((msg, from) => this.onDatagram(msg, from));
    this.receiver.start(this.clock.now(), o.firstData === undefined);
    if (o.firstData) this.enter('data', o.firstData.block, o.firstData.data);
    this.timer.arm(this.receiver.deadline);
  }

  /** Ends the transfer from outside: ERROR `code` to the peer, and no dally. */
  abort(code: number, message: string): void {
    this.abortCode = code;
    this.abortMessage = message;
    this.enter('abort');
  }

  /** The one way in: runs the step; an exception in it fails this transfer only. */
  private enter(event: ReceiveEvent, block = 0, data?: Uint8Array): void {
    try {
      this.step(event, block, data);
    } catch (err) {
      this.fault(err);
    }
  }

  /** Ends the transfer with ERROR 0 after an unexpected exception (see endOnFault). */
  private fault(err: unknown): void {
    if (this.isFinished) return this.o.onInternalError?.(err);
    const message = INTERNAL_ERROR_MESSAGE;
    endOnFault(err, this.o, () => this.receiver.abort(TFTP_ERROR.notDefined, message), () => {
      if (this.isFinished) return;
      this.sendError(TFTP_ERROR.notDefined, message);
      this.finish({ kind: 'aborted', code: TFTP_ERROR.notDefined, message });
    });
    this.timer.stop();
    this.resolveSettled();
  }

  /** Runs one event's step, then moves the timer (unless the dally holds it). */
  private step(event: ReceiveEvent, block: number, data: Uint8Array | undefined): void {
    const { receiver } = this;
    switch (event) {
      case 'data':
        if (data) receiver.onData(block, data, this.clock.now());
        this.o.onProgress?.(this.bytes);
        break;
      case 'tick':
        if (receiver.done) {
          this.resolveSettled(); // dally over
          return;
        }
        receiver.onTick(this.clock.now());
        break;
      case 'saved':
        receiver.releaseFinal(this.clock.now());
        break;
      case 'drained':
        receiver.releaseAck(this.clock.now());
        break;
      case 'abort':
        receiver.abort(this.abortCode, this.abortMessage);
        this.timer.stop();
        this.resolveSettled();
        return;
    }
    if (!receiver.done) this.timer.arm(receiver.deadline);
  }

  private onDatagram(msg: Buffer, from: UdpPeer): void {
    try {
      this.handleDatagram(msg, from);
    } catch (err) {
      this.fault(err);
    }
  }

  private handleDatagram(msg: Buffer, from: UdpPeer): void {
    if (!samePeer(from, this.o.peer)) {
      answerStranger(this.o.endpoint, msg, from, this.o);
      return;
    }
    const op = readOpcode(msg);
    if (op === TFTP_OPCODE.data && msg.length >= 4) {
      this.busy.answered();
      this.enter('data', readBlock(msg), msg.subarray(DATA_HEADER_BYTES));
    } else if (op === TFTP_OPCODE.error) {
      const e = peerError(msg);
      this.receiver.onPeerError(e.code, e.message);
    } else if (op === TFTP_OPCODE.oack) {
      // The peer did not get our ACK 0 yet and repeated its OACK: answer it again.
      if (this.o.opening !== undefined && this.receiver.expected === 1) this.send(this.o.opening);
      else this.o.onBadPacket?.('OACK after the transfer started');
    } else {
      this.o.onBadPacket?.(`unexpected opcode ${op} during a write transfer`);
    }
  }

  holdLast(): void {
    const before = this.o.beforeFinalAck;
    if (!before) return;
    this.timer.stop();
    before().then(
      (refusal) => {
        if (refusal) this.abortReceiver(refusal.code, refusal.message);
        else this.enter('saved');
      },
      (err: unknown) => this.abortReceiver(TFTP_ERROR.notDefined, `could not save: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  /** Ends the transfer on a failed save: the receiver finishes, which settles without a dally. */
  private abortReceiver(code: number, message: string): void {
    try {
      this.receiver.abort(code, message);
    } catch (err) {
      this.fault(err);
    }
  }

  isSinkFull(): boolean {
    return this.o.flow?.isFull() ?? false;
  }

  waitForSink(): void {
    const flow = this.o.flow;
    if (!flow) return;
    this.timer.stop();
    flow.drained().then(
      (refusal) => {
        if (refusal) this.abortReceiver(refusal.code, refusal.message);
        else this.enter('drained');
      },
      (err: unknown) => this.abortReceiver(TFTP_ERROR.notDefined, `could not write: ${err instanceof Error ? err.message : String(err)}`),
    );
  }

  sendAck(wire: number): void {
    this.send(encodeAck(wire));
    this.busy.sent();
  }

  sendStart(): void {
    if (!this.o.opening) return;
    this.send(this.o.opening);
    this.busy.sent();
  }

  deliver(_block: number, data: Uint8Array): void {
    this.bytes += data.length;
    this.o.deliver(data);
  }

  sendError(code: number, message: string): void {
    this.send(encodeError(code, message));
  }

  finish(result: TransferResult): void {
    this.isFinished = true;
    this.busy.close();
    this.resolveDone({ result, bytes: this.bytes, retransmits: 0, timeouts: this.receiver.stats.timeouts, acks: this.receiver.stats.acksSent });
    this.timer.stop();
    const dally = this.receiver.dallyUntil;
    // Keep the socket a little to re-ACK a retransmitted last block (RFC 1350 §6).
    if (dally === undefined) this.resolveSettled();
    else this.timer.arm(dally);
  }
}

/** Runs a TftpReceiver on an endpoint until the last block arrived or the transfer fails. */
export function driveReceiver(o: ReceiveDriverOptions): DrivenTransfer {
  const driver = new ReceiveDriver(o);
  return { done: driver.done, settled: driver.settled, abort: (code, message) => driver.abort(code, message) };
}
