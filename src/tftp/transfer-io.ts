/**
 * The I/O shell around the TFTP state machines, shared by the server and the client:
 *
 * - `BlockFeed` reads a file ahead in large chunks (octet or netascii) and copies block k
 *   into a datagram buffer, keeping only the unacknowledged window plus the read-ahead
 *   in memory.
 * - `ChunkWriter` coalesces received blocks into large sequential writes.
 * - `driveSender` / `driveReceiver` bind a state machine to one UDP endpoint, one peer
 *   and one timer (re-armed, never one per block), answer packets from any other
 *   source with ERROR 5 (RFC 1350 §4) and resolve when the transfer ends.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { noBusyPollSession, type BusyPollSession } from '../net/busy-poll.js';
import { DecodeError } from '../net/bytes.js';
import { MAX_SEGMENTED_BYTES, MAX_SEGMENTS, type UdpEndpoint, type UdpPeer } from '../net/udp.js';
import { TFTP_ERROR } from './error-codes.js';
import { encodeNetascii } from './netascii.js';
import {
  DATA_HEADER_BYTES,
  TFTP_OPCODE,
  decodeTftpPacket,
  encodeAck,
  encodeError,
  readBlock,
  readOpcode,
  writeDataHeader,
} from './packet.js';
import { TftpReceiver } from './receiver.js';
import { TftpSender } from './sender.js';
import type { TransferResult } from './transfer-outcome.js';
import type { TransferMode } from './negotiate.js';

/** Reads `length` bytes at `offset` (fewer only at the end). */
export type ReadFn = (offset: number, length: number) => Promise<Uint8Array>;

/** Pause between bursts while a sender recovers from loss (see sender.ts). */
export const PACE_MS = 1;

/** Default read-ahead chunk: large reads, few storage calls. */
export const DEFAULT_CHUNK_BYTES = 256 * 1024;

/**
 * Read-ahead chunk for a blksize: 64 blocks, at least 64 KiB and at most
 * {@link DEFAULT_CHUNK_BYTES}, and never fewer than 4 blocks. A feed holds about 1.5 chunks,
 * so small-block transfers (phones, PXE at 512-1468) keep ~100-150 KiB each instead of
 * ~400 KiB: what lets hundreds of them run at once in bounded memory; one read per 64
 * blocks is still few storage calls.
 */
export function readAheadBytes(blksize: number): number {
  return Math.max(blksize * 4, Math.min(DEFAULT_CHUNK_BYTES, Math.max(64 * 1024, blksize * 64)));
}

/** Reads a file ahead in chunks and serves blocks of `blksize` bytes from memory. */
export class BlockFeed {
  private readonly chunks: { start: number; bytes: Uint8Array }[] = [];
  /** Bytes of the wire stream (after netascii conversion) read so far. */
  private wireEnd = 0;
  private sourceOffset = 0;
  private eof = false;
  private reading: Promise<void> | undefined;

  constructor(
    private readonly read: ReadFn,
    /** How many source bytes to read at most (the file size). */
    private readonly sourceSize: number,
    private readonly mode: TransferMode,
    readonly blksize: number,
    private readonly chunkBytes = readAheadBytes(blksize),
  ) {}

  /** Blocks 1..readyThrough can be copied now. */
  get readyThrough(): number {
    return this.eof ? this.finalBlockOrMax() : Math.floor(this.wireEnd / this.blksize);
  }

  /** The last block once the end of the file was read (an empty block when the size is a multiple). */
  get finalBlock(): number | undefined {
    return this.eof ? this.finalBlockOrMax() : undefined;
  }

  /** Bytes of the wire stream known so far (the total once `finalBlock` is known). */
  get bytesKnown(): number {
    return this.wireEnd;
  }

  /** How many blocks one read-ahead chunk holds. */
  get blocksPerChunk(): number {
    return Math.max(1, Math.floor(this.chunkBytes / this.blksize));
  }

  /** True while a read is running. */
  get isReading(): boolean {
    return this.reading !== undefined;
  }

  private finalBlockOrMax(): number {
    return Math.floor(this.wireEnd / this.blksize) + 1;
  }

  /** Reads chunks until block `through` is in memory or the file ends. */
  async ensure(through: number): Promise<void> {
    while (!this.eof && this.readyThrough < through) {
      if (this.reading) await this.reading;
      else await this.readChunk();
    }
  }

  /** Starts one read-ahead chunk unless one is running or the file is done. */
  readAhead(): Promise<void> | undefined {
    if (this.eof || this.reading) return undefined;
    return this.readChunk();
  }

  private readChunk(): Promise<void> {
    const p = (async () => {
      const want = Math.min(this.chunkBytes, this.sourceSize - this.sourceOffset);
      if (want <= 0) {
        this.eof = true;
        return;
      }
      const got = await this.read(this.sourceOffset, want);
      this.sourceOffset += got.length;
      if (got.length < want) this.eof = true;
      if (this.sourceOffset >= this.sourceSize) this.eof = true;
      const bytes = this.mode === 'netascii' ? encodeNetascii(got) : got;
      if (bytes.length > 0) {
        this.chunks.push({ start: this.wireEnd, bytes });
        this.wireEnd += bytes.length;
      }
    })();
    this.reading = p;
    return p.finally(() => {
      this.reading = undefined;
    });
  }

  /** Copies block `block` into `target` at `at`; returns its length (0..blksize). */
  copyBlock(block: number, target: Uint8Array, at: number): number {
    const start = (block - 1) * this.blksize;
    const end = Math.min(start + this.blksize, this.wireEnd);
    let pos = start;
    for (const c of this.chunks) {
      if (pos >= end) break;
      const cEnd = c.start + c.bytes.length;
      if (cEnd <= pos) continue;
      if (c.start > pos) break; // released already: reported below
      const from = pos - c.start;
      const to = Math.min(end, cEnd) - c.start;
      target.set(c.bytes.subarray(from, to), at + (pos - start));
      pos += to - from;
    }
    if (pos < end) throw new RangeError(`block ${block} is no longer in memory`);
    return Math.max(0, end - start);
  }

  /** Frees chunks that lie wholly before block `firstNeeded`. */
  release(firstNeeded: number): void {
    const keepFrom = (firstNeeded - 1) * this.blksize;
    while (this.chunks.length > 0) {
      const c = this.chunks[0];
      if (!c || c.start + c.bytes.length > keepFrom) break;
      this.chunks.shift();
    }
  }
}

/** Collects received blocks and writes them in large sequential pieces. */
export class ChunkWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  private offset = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  /** Bytes accepted so far. */
  bytes = 0;

  constructor(
    private readonly write: (offset: number, data: Uint8Array) => Promise<void>,
    private readonly flushBytes = DEFAULT_CHUNK_BYTES,
  ) {}

  /** The first write error, if any. */
  get error(): unknown {
    return this.failure;
  }

  /** Queues `data`; the caller must not reuse its memory (received datagrams are fresh buffers). */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.bytes += data.length;
    if (this.pendingBytes >= this.flushBytes) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    const at = this.offset;
    this.offset += joined.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.chain = this.chain.then(async () => {
      if (this.failure !== undefined) return;
      try {
        await this.write(at, joined);
      } catch (err) {
        this.failure = err;
      }
    });
  }

  /** Writes what is pending and waits for every write; rejects with the first write error. */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }
}

/** Keeps one timer for a transfer and moves it only when it fires or must fire earlier. */
class TransferTimer {
  private handle: TimerHandle | undefined;
  private at = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly tick: () => void,
  ) {}

  /** Makes sure the timer fires no later than `deadline` (or stops it when undefined). */
  arm(deadline: number | undefined): void {
    if (deadline === undefined) {
      this.stop();
      return;
    }
    if (this.handle && this.at <= deadline) return; // fires earlier; it will re-arm itself
    this.handle?.cancel();
    this.at = deadline;
    this.handle = this.clock.setTimer(Math.max(0, deadline - this.clock.now()), () => {
      this.handle = undefined;
      this.at = Infinity;
      this.tick();
    });
  }

  stop(): void {
    this.handle?.cancel();
    this.handle = undefined;
    this.at = Infinity;
  }
}

/** How a driven transfer ended, with what it moved. */
export interface DrivenResult {
  readonly result: TransferResult;
  /** Payload bytes sent (sender) or received (receiver). */
  readonly bytes: number;
  readonly retransmits: number;
  readonly timeouts: number;
  /** ACKs received (sender) or sent (receiver): how chatty the window was. */
  readonly acks: number;
}

/** Hooks a driver reports through. */
export interface DriverHooks {
  /** Payload bytes so far (called often; throttle on the other side). */
  readonly onProgress?: (bytes: number) => void;
  /** A send failed (counted as a lost datagram; retransmission covers it). */
  readonly onSendError?: (err: Error) => void;
  /** A datagram from another source, answered with ERROR 5. */
  readonly onStranger?: (from: UdpPeer) => void;
  /** A datagram from the peer that could not be decoded or was not expected. */
  readonly onBadPacket?: (reason: string) => void;
  /** Reading the file failed (the peer gets a generic ERROR 0; the detail goes here). */
  readonly onLocalError?: (err: unknown) => void;
  /** Busy polling while the peer's answer is due (see net/busy-poll.ts); default none. */
  readonly busyPoll?: BusyPollSession;
}

/** Settings of every driven transfer, sending or receiving. */
export interface DriverOptions extends DriverHooks {
  readonly endpoint: UdpEndpoint;
  readonly peer: UdpPeer;
  readonly clock: Clock;
  readonly windowsize: number;
  readonly timeoutMs: number;
  readonly maxRetries: number;
}

/** A running transfer: its end, and a way to stop it early. */
export interface DrivenTransfer {
  /** Resolves when the transfer ends (never rejects). */
  readonly done: Promise<DrivenResult>;
  /** Resolves when the endpoint is no longer needed (after the receiver's dally; = done for a sender). */
  readonly settled: Promise<void>;
  /** Sends ERROR `code` to the peer and ends the transfer. */
  abort(code: number, message: string): void;
}

function samePeer(a: UdpPeer, b: UdpPeer): boolean {
  return a.port === b.port && a.address === b.address;
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

/** Settings of a sending transfer. */
export interface SendDriverOptions extends DriverOptions {
  readonly feed: BlockFeed;
  /** The OACK datagram that opens the transfer, if options were accepted. */
  readonly oack?: Uint8Array;
}

/** Runs a TftpSender on an endpoint until the last block is acknowledged or the transfer fails. */
export function driveSender(o: SendDriverOptions): DrivenTransfer {
  const { endpoint, peer, clock, feed } = o;
  const busy = o.busyPoll ?? noBusyPollSession;
  const stride = DATA_HEADER_BYTES + feed.blksize;
  const pool = new PacketPool(stride);
  // Windowed: the DATA of one burst is packed into one buffer and leaves in one segmented
  // send (UDP GSO) at the end of the event that produced it (ACK, tick, pace, read done):
  // every such entry point below ends with flush(). Lock-step sends each block at once.
  const batchMax = o.windowsize > 1 ? Math.min(MAX_SEGMENTS, Math.floor(MAX_SEGMENTED_BYTES / stride)) : 0;
  const batchPool = new PacketPool(stride * Math.max(1, batchMax));
  let batch: Buffer | undefined;
  let batchBytes = 0;
  let batchCount = 0;
  const flush = (): void => {
    const b = batch;
    if (!b) return;
    batch = undefined;
    const done = (err: Error | null): void => {
      batchPool.give(b);
      if (err) o.onSendError?.(err);
    };
    if (batchCount === 1) endpoint.post(b.subarray(0, batchBytes), peer, done);
    else endpoint.postSegments(b.subarray(0, batchBytes), stride, peer, done);
    busy.sent();
  };
  const queueData = (block: number): number => {
    if (!batch) {
      batch = batchPool.take();
      batchBytes = 0;
      batchCount = 0;
    }
    writeDataHeader(batch, block & 0xffff, batchBytes);
    const n = feed.copyBlock(block, batch, batchBytes + DATA_HEADER_BYTES);
    batchBytes += DATA_HEADER_BYTES + n;
    batchCount++;
    // Only the last segment may be short; a full batch leaves now.
    if (n < feed.blksize || batchCount >= batchMax) flush();
    return n;
  };
  let resolveDone: (r: DrivenResult) => void = () => undefined;
  const done = new Promise<DrivenResult>((resolve) => {
    resolveDone = resolve;
  });
  let bytesSent = 0;
  let wanted = 0;
  const send = poster(endpoint, peer, o);
  const fill = (): void => {
    // Keep the window plus one chunk in memory; ask again when a read completes.
    const target = Math.max(wanted, sender.acked + o.windowsize * 2 + (feed.blocksPerChunk >> 1));
    if (feed.readyThrough >= target || feed.finalBlock !== undefined) return;
    const p = feed.readAhead();
    if (!p) return;
    p.then(
      () => {
        sender.onDataReady(feed.readyThrough, feed.finalBlock, clock.now());
        flush();
        timer.arm(sender.deadline);
        fill();
      },
      (err: unknown) => readFailed(err),
    );
  };
  const readFailed = (err: unknown): void => {
    o.onLocalError?.(err);
    sender.abort(TFTP_ERROR.notDefined, 'could not read the file');
  };
  const sender: TftpSender = new TftpSender(
    { windowsize: o.windowsize, timeoutMs: o.timeoutMs, maxRetries: o.maxRetries, withOack: o.oack !== undefined },
    {
      sendOack: () => {
        if (!o.oack) return;
        send(o.oack);
        busy.sent();
      },
      sendData: (block) => {
        if (batchMax >= 2) {
          const sentThrough = (block - 1) * feed.blksize + queueData(block);
          if (sentThrough > bytesSent) bytesSent = sentThrough;
          return;
        }
        const buf = pool.take();
        writeDataHeader(buf, block & 0xffff);
        const n = feed.copyBlock(block, buf, DATA_HEADER_BYTES);
        const sentThrough = (block - 1) * feed.blksize + n;
        if (sentThrough > bytesSent) bytesSent = sentThrough;
        endpoint.post(buf.subarray(0, DATA_HEADER_BYTES + n), peer, (err) => {
          pool.give(buf);
          if (err) o.onSendError?.(err);
        });
        busy.sent();
      },
      sendError: (code, message) => send(encodeError(code, message)),
      needData: (through) => {
        wanted = Math.max(wanted, through);
        fill();
      },
      pace: () => {
        clock.setTimer(PACE_MS, () => {
          sender.onPace(clock.now());
          flush();
          timer.arm(sender.deadline);
        });
      },
      finish: (result) => {
        timer.stop();
        busy.close();
        resolveDone({
          result,
          bytes: result.kind === 'ok' ? feed.bytesKnown : bytesSent,
          retransmits: sender.stats.retransmits,
          timeouts: sender.stats.timeouts,
          acks: acksIn,
        });
      },
    },
  );
  const timer = new TransferTimer(clock, () => {
    sender.onTick(clock.now());
    flush();
    timer.arm(sender.deadline);
  });
  let lastAcked = 0;
  let acksIn = 0;
  endpoint.onMessage((msg, from) => {
    if (!samePeer(from, peer)) {
      answerStranger(endpoint, msg, from, o);
      return;
    }
    const op = readOpcode(msg);
    if (op === TFTP_OPCODE.ack && msg.length >= 4) {
      busy.answered();
      acksIn++;
      sender.onAck(readBlock(msg), clock.now());
      flush();
      if (sender.acked !== lastAcked) {
        lastAcked = sender.acked;
        feed.release(sender.acked + 1);
        o.onProgress?.(Math.min(sender.acked * feed.blksize, feed.bytesKnown));
        fill();
      }
      timer.arm(sender.deadline);
    } else if (op === TFTP_OPCODE.error) {
      const e = peerError(msg);
      sender.onPeerError(e.code, e.message);
    } else {
      o.onBadPacket?.(`unexpected opcode ${op} during a read transfer`);
    }
  });
  feed
    .ensure(Math.min(o.windowsize, feed.blocksPerChunk + 1))
    .then(
      () => {
        sender.onDataReady(feed.readyThrough, feed.finalBlock, clock.now());
        sender.start(clock.now());
        flush();
        timer.arm(sender.deadline);
        fill();
      },
      (err: unknown) => readFailed(err),
    );
  return {
    done,
    settled: done.then(() => undefined),
    abort: (code, message) => sender.abort(code, message),
  };
}

/** Posts datagrams to `to`; a send error goes to `onSendError` (retransmission covers the loss). */
function poster(endpoint: UdpEndpoint, to: UdpPeer, hooks: DriverHooks): (data: Uint8Array) => void {
  const reportSendError = (err: Error | null): void => {
    if (err) hooks.onSendError?.(err);
  };
  return (data) => endpoint.post(data, to, reportSendError);
}

/**
 * RFC 1350 §4: a datagram from an unknown TID gets ERROR 5 and does not disturb the
 * transfer; an ERROR is never answered with an ERROR.
 */
function answerStranger(endpoint: UdpEndpoint, msg: Uint8Array, from: UdpPeer, hooks: DriverHooks): void {
  hooks.onStranger?.(from);
  if (readOpcode(msg) === TFTP_OPCODE.error) return;
  endpoint.post(encodeError(TFTP_ERROR.unknownTransferId, 'unknown transfer ID'), from, (err) => {
    if (err) hooks.onSendError?.(err);
  });
}

/** The code and message of the peer's ERROR datagram (-1 and '' when it does not decode). */
function peerError(msg: Uint8Array): { code: number; message: string } {
  try {
    const p = decodeTftpPacket(msg).value;
    if (p.kind === 'error') return { code: p.code, message: p.message };
  } catch (err) {
    if (!(err instanceof DecodeError)) throw err;
  }
  return { code: -1, message: '' };
}

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
  /** A first DATA that arrived before the driver started (client without OACK). */
  readonly firstData?: { readonly block: number; readonly data: Uint8Array };
}

/** Runs a TftpReceiver on an endpoint until the last block arrived or the transfer fails. */
export function driveReceiver(o: ReceiveDriverOptions): DrivenTransfer {
  const { endpoint, peer, clock } = o;
  const busy = o.busyPoll ?? noBusyPollSession;
  let resolveDone: (r: DrivenResult) => void = () => undefined;
  const done = new Promise<DrivenResult>((resolve) => {
    resolveDone = resolve;
  });
  let resolveSettled: () => void = () => undefined;
  const settled = new Promise<void>((resolve) => {
    resolveSettled = resolve;
  });
  let bytes = 0;
  const send = poster(endpoint, peer, o);
  const receiver: TftpReceiver = new TftpReceiver(
    {
      blksize: o.blksize,
      windowsize: o.windowsize,
      timeoutMs: o.timeoutMs,
      maxRetries: o.maxRetries,
      holdFinalAck: o.beforeFinalAck !== undefined,
    },
    {
      holdLast: () => {
        const before = o.beforeFinalAck;
        if (!before) return;
        timer.stop();
        before().then(
          (refusal) => {
            if (refusal) receiver.abort(refusal.code, refusal.message);
            else receiver.releaseFinal(clock.now());
          },
          (err: unknown) => receiver.abort(TFTP_ERROR.notDefined, `could not save: ${err instanceof Error ? err.message : String(err)}`),
        );
      },
      sendAck: (wire) => {
        send(encodeAck(wire));
        busy.sent();
      },
      sendStart: () => {
        if (!o.opening) return;
        send(o.opening);
        busy.sent();
      },
      deliver: (_block, data) => {
        bytes += data.length;
        o.deliver(data);
      },
      sendError: (code, message) => send(encodeError(code, message)),
      finish: (result) => {
        busy.close();
        resolveDone({ result, bytes, retransmits: 0, timeouts: receiver.stats.timeouts, acks: receiver.stats.acksSent });
        const dally = receiver.dallyUntil;
        if (dally === undefined) {
          timer.stop();
          resolveSettled();
        } else {
          // Keep the socket a little to re-ACK a retransmitted last block (RFC 1350 §6).
          timer.stop();
          timer.arm(dally);
        }
      },
    },
  );
  const timer = new TransferTimer(clock, () => {
    if (receiver.done) {
      resolveSettled(); // dally over
      return;
    }
    receiver.onTick(clock.now());
    timer.arm(receiver.deadline);
  });
  const onData = (block: number, data: Uint8Array): void => {
    receiver.onData(block, data, clock.now());
    o.onProgress?.(bytes);
  };
  endpoint.onMessage((msg, from) => {
    if (!samePeer(from, peer)) {
      answerStranger(endpoint, msg, from, o);
      return;
    }
    const op = readOpcode(msg);
    if (op === TFTP_OPCODE.data && msg.length >= 4) {
      busy.answered();
      onData(readBlock(msg), msg.subarray(DATA_HEADER_BYTES));
      if (!receiver.done) timer.arm(receiver.deadline);
    } else if (op === TFTP_OPCODE.error) {
      const e = peerError(msg);
      receiver.onPeerError(e.code, e.message);
    } else if (op === TFTP_OPCODE.oack) {
      // The peer did not get our ACK 0 yet and repeated its OACK: answer it again.
      if (o.opening !== undefined && receiver.expected === 1) send(o.opening);
      else o.onBadPacket?.('OACK after the transfer started');
    } else {
      o.onBadPacket?.(`unexpected opcode ${op} during a write transfer`);
    }
  });
  receiver.start(clock.now(), o.firstData === undefined);
  if (o.firstData) onData(o.firstData.block, o.firstData.data);
  timer.arm(receiver.deadline);
  return {
    done,
    settled,
    abort: (code, message) => {
      receiver.abort(code, message);
      timer.stop();
      resolveSettled();
    },
  };
}
