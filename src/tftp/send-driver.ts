/**
 * Drives a `TftpSender` (server RRQ, client put) on one UDP endpoint, one peer and one
 * timer, reading blocks from a `BlockFeed`.
 *
 * Every event (the feed is ready, an ACK, a tick, the end of a pause, a local failure)
 * enters through `enter`, which runs the step and then sends what the step queued and
 * moves the timer: windowed DATA of one burst is packed into one buffer and leaves in
 * one segmented send (UDP GSO) at the end of the event that produced it. Lock-step
 * sends each block at once. Datagrams from any other source get ERROR 5 (RFC 1350 §4).
 */
import type { Clock } from '../clock.js';
import { noBusyPollSession, type BusyPollSession } from '../net/busy-poll.js';
import { MAX_SEGMENTED_BYTES, MAX_SEGMENTS, type UdpPeer } from '../net/udp.js';
import type { BlockFeed } from './block-feed.js';
import { TFTP_ERROR } from './error-codes.js';
import { DATA_HEADER_BYTES, TFTP_OPCODE, encodeError, readBlock, readOpcode, writeDataHeader } from './packet.js';
import { TftpSender, type SenderActions } from './sender.js';
import { answerStranger, peerError } from './strangers.js';
import { endOnFault, INTERNAL_ERROR_MESSAGE, poster, samePeer, type DrivenResult, type DrivenTransfer, type DriverOptions } from './transfer-driver.js';
import type { TransferResult } from './transfer-outcome.js';
import { TransferTimer } from './transfer-timer.js';

/** Pause between bursts while a sender recovers from loss (see sender.ts). */
export const PACE_MS = 1;

/** Settings of a sending transfer. */
export interface SendDriverOptions extends DriverOptions {
  readonly feed: BlockFeed;
  /** The OACK datagram that opens the transfer, if options were accepted. */
  readonly oack?: Uint8Array;
}

/** Small pool of datagram buffers: one is taken per DATA send and returned when the kernel has it. */
class PacketPool {
  private readonly free: Buffer[] = [];

  constructor(private readonly size: number) {}

  take(): Buffer {
    return this.free.pop() ?? Buffer.allocUnsafe(this.size);
  }

  give(b: Buffer): void {
    if (this.free.length < 256) this.free.push(b);
  }
}

/** What can happen to a sending transfer; each enters through `SendDriver.enter`. */
type SendEvent = 'start' | 'ready' | 'ack' | 'tick' | 'pace' | 'abort';

/** The I/O of one sending transfer; its SenderActions are called only from inside `enter`. */
class SendDriver implements SenderActions {
  readonly done: Promise<DrivenResult>;
  private resolveDone: (r: DrivenResult) => void = () => undefined;
  private readonly feed: BlockFeed;
  private readonly clock: Clock;
  private readonly busy: BusyPollSession;
  private readonly send: (data: Uint8Array) => void;
  private readonly stride: number;
  private readonly pool: PacketPool;
  /** Most DATA in one segmented send; below 2, each block leaves alone. */
  private readonly batchMax: number;
  private readonly batchPool: PacketPool;
  private batch: Buffer | undefined;
  private batchBytes = 0;
  private batchCount = 0;
  private bytesSent = 0;
  private wanted = 0;
  private lastAcked = 0;
  private acksIn = 0;
  private abortCode: number = TFTP_ERROR.notDefined;
  private abortMessage = '';
  private isFinished = false;
  private readonly sender: TftpSender;
  private readonly timer: TransferTimer;
  private readonly onPaceOver = (): void => this.enter('pace');
  private readonly onReadDone = (): void => this.enter('ready');
  private readonly onReadFailed = (err: unknown): void => this.readFailed(err);

  constructor(private readonly o: SendDriverOptions) {
    this.feed = o.feed;
    this.clock = o.clock;
    this.busy = o.busyPoll ?? noBusyPollSession;
    this.send = poster(o.endpoint, o.peer, o);
    this.stride = DATA_HEADER_BYTES + o.feed.blksize;
    this.pool = new PacketPool(this.stride);
    this.batchMax = o.windowsize > 1 ? Math.min(MAX_SEGMENTS, Math.floor(MAX_SEGMENTED_BYTES / this.stride)) : 0;
    this.batchPool = new PacketPool(this.stride * Math.max(1, this.batchMax));
    this.done = new Promise<DrivenResult>((resolve) => {
      this.resolveDone = resolve;
    });
    this.sender = new TftpSender({ windowsize: o.windowsize, timeoutMs: o.timeoutMs, maxRetries: o.maxRetries, withOack: o.oack !== undefined }, this);
    this.timer = new TransferTimer(o.clock, () => this.enter('tick'));
    o.endpoint.onMessage((msg, from) => this.onDatagram(msg, from));
    this.feed.ensure(Math.min(o.windowsize, this.feed.blocksPerChunk + 1)).then(() => this.enter('start'), this.onReadFailed);
  }

  /** Ends the transfer from outside: ERROR `code` to the peer. */
  abort(code: number, message: string): void {
    this.abortCode = code;
    this.abortMessage = message;
    this.enter('abort');
  }

  /** The one way in: runs the step; an exception in it fails this transfer only. */
  private enter(event: SendEvent, block = 0): void {
    try {
      this.step(event, block);
    } catch (err) {
      this.fault(err);
    }
  }

  /** Ends the transfer with ERROR 0 after an unexpected exception (see endOnFault). */
  private fault(err: unknown): void {
    if (this.isFinished) return this.o.onInternalError?.(err);
    const message = INTERNAL_ERROR_MESSAGE;
    endOnFault(err, this.o, () => this.sender.abort(TFTP_ERROR.notDefined, message), () => {
      if (this.isFinished) return;
      this.sendError(TFTP_ERROR.notDefined, message);
      this.finish({ kind: 'aborted', code: TFTP_ERROR.notDefined, message });
    });
  }

  /** Runs one event's step, then sends the queued burst and moves the timer. */
  private step(event: SendEvent, block: number): void {
    const now = this.clock.now();
    const { sender, feed } = this;
    switch (event) {
      case 'start':
        sender.onDataReady(feed.readyThrough, feed.finalBlock, now);
        sender.start(now);
        break;
      case 'ready':
        sender.onDataReady(feed.readyThrough, feed.finalBlock, now);
        break;
      case 'ack':
        this.acked(block, now);
        break;
      case 'tick':
        sender.onTick(now);
        break;
      case 'pace':
        sender.onPace(now);
        break;
      case 'abort':
        sender.abort(this.abortCode, this.abortMessage);
        break;
    }
    this.flush();
    this.timer.arm(sender.deadline);
    if (event === 'start' || event === 'ready') this.fill();
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
    if (op === TFTP_OPCODE.ack && msg.length >= 4) {
      this.enter('ack', readBlock(msg));
    } else if (op === TFTP_OPCODE.error) {
      const e = peerError(msg);
      this.sender.onPeerError(e.code, e.message);
    } else {
      this.o.onBadPacket?.(`unexpected opcode ${op} during a read transfer`);
    }
  }

  private acked(block: number, now: number): void {
    this.busy.answered();
    this.acksIn++;
    this.sender.onAck(block, now);
    this.flush();
    if (this.sender.acked === this.lastAcked) return;
    this.lastAcked = this.sender.acked;
    this.feed.release(this.sender.acked + 1);
    this.o.onProgress?.(Math.min(this.sender.acked * this.feed.blksize, this.feed.bytesKnown));
    this.fill();
  }

  /** Keeps the window plus one chunk in memory; a completed read enters as `ready`. */
  private fill(): void {
    const { feed } = this;
    const target = Math.max(this.wanted, this.sender.acked + this.o.windowsize * 2 + (feed.blocksPerChunk >> 1));
    if (feed.readyThrough >= target || feed.finalBlock !== undefined) return;
    feed.readAhead()?.then(this.onReadDone, this.onReadFailed);
  }

  private readFailed(err: unknown): void {
    this.o.onLocalError?.(err);
    this.abort(TFTP_ERROR.notDefined, 'could not read the file');
  }

  private flush(): void {
    const b = this.batch;
    if (!b) return;
    this.batch = undefined;
    const done = (err: Error | null): void => {
      this.batchPool.give(b);
      if (err) this.o.onSendError?.(err);
    };
    if (this.batchCount === 1) this.o.endpoint.post(b.subarray(0, this.batchBytes), this.o.peer, done);
    else this.o.endpoint.postSegments(b.subarray(0, this.batchBytes), this.stride, this.o.peer, done);
    this.busy.sent();
  }

  private queueData(block: number): number {
    if (!this.batch) {
      this.batch = this.batchPool.take();
      this.batchBytes = 0;
      this.batchCount = 0;
    }
    writeDataHeader(this.batch, block & 0xffff, this.batchBytes);
    const n = this.feed.copyBlock(block, this.batch, this.batchBytes + DATA_HEADER_BYTES);
    this.batchBytes += DATA_HEADER_BYTES + n;
    this.batchCount++;
    // Only the last segment may be short; a full batch leaves now.
    if (n < this.feed.blksize || this.batchCount >= this.batchMax) this.flush();
    return n;
  }

  sendOack(): void {
    if (!this.o.oack) return;
    this.send(this.o.oack);
    this.busy.sent();
  }

  sendData(block: number): void {
    const { feed } = this;
    if (this.batchMax >= 2) {
      const sentThrough = (block - 1) * feed.blksize + this.queueData(block);
      if (sentThrough > this.bytesSent) this.bytesSent = sentThrough;
      return;
    }
    const buf = this.pool.take();
    writeDataHeader(buf, block & 0xffff);
    const n = feed.copyBlock(block, buf, DATA_HEADER_BYTES);
    const sentThrough = (block - 1) * feed.blksize + n;
    if (sentThrough > this.bytesSent) this.bytesSent = sentThrough;
    this.o.endpoint.post(buf.subarray(0, DATA_HEADER_BYTES + n), this.o.peer, (err) => {
      this.pool.give(buf);
      if (err) this.o.onSendError?.(err);
    });
    this.busy.sent();
  }

  sendError(code: number, message: string): void {
    this.send(encodeError(code, message));
  }

  needData(through: number): void {
    this.wanted = Math.max(this.wanted, through);
    this.fill();
  }

  pace(): void {
    this.clock.setTimer(PACE_MS, this.onPaceOver);
  }

  finish(result: TransferResult): void {
    this.isFinished = true;
    this.timer.stop();
    this.busy.close();
    this.resolveDone({
      result,
      bytes: result.kind === 'ok' ? this.feed.bytesKnown : this.bytesSent,
      retransmits: this.sender.stats.retransmits,
      timeouts: this.sender.stats.timeouts,
      acks: this.acksIn,
    });
  }
}

/** Runs a TftpSender on an endpoint until the last block is acknowledged or the transfer fails. */
export function driveSender(o: SendDriverOptions): DrivenTransfer {
  const driver = new SendDriver(o);
  return {
    done: driver.done,
    settled: driver.done.then(() => undefined),
    abort: (code, message) => driver.abort(code, message),
  };
}
