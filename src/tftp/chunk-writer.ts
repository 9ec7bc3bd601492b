/**
 * The write side of a receiving transfer: `ChunkWriter` coalesces received blocks into
 * large sequential writes, keeping the first write error for the driver to report.
 *
 * Back-pressure: the bytes it holds (the chunk being filled plus the chunks handed to
 * `write` and not yet written) are counted; once they reach `highWaterBytes` it is
 * {@link ChunkWriter.isFull full} and the receiving driver holds its ACK until
 * {@link ChunkWriter.drained} resolves. A disk slower than the network (a USB stick)
 * then slows the sender instead of filling memory: one upload holds at most
 * `highWaterBytes` plus the window that was on the wire.
 */
import { DEFAULT_CHUNK_BYTES } from './block-feed.js';

/** How many bytes one receiving transfer may hold before its ACKs wait for the disk: two chunks (one being written, one filling). */
export const UPLOAD_BUFFER_BYTES = 2 * DEFAULT_CHUNK_BYTES;

/** Collects received blocks and writes them in large sequential pieces. */
export class ChunkWriter {
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** Bytes handed to `write` whose write has not finished. */
  private writingBytes = 0;
  private offset = 0;
  private chain: Promise<void> = Promise.resolve();
  private failure: unknown;
  private waiters: (() => void)[] = [];
  /** Bytes accepted so far. */
  bytes = 0;
  /** The most bytes held at once (pending plus being written): what the back-pressure bounds. */
  peakHeldBytes = 0;

  constructor(
    private readonly write: (offset: number, data: Uint8Array) => Promise<void>,
    private readonly flushBytes = DEFAULT_CHUNK_BYTES,
    private readonly highWaterBytes = Math.max(UPLOAD_BUFFER_BYTES, 2 * flushBytes),
  ) {}

  /** The first write error, if any. */
  get error(): unknown {
    return this.failure;
  }

  /** Bytes held in memory now: received but not yet written. */
  get heldBytes(): number {
    return this.pendingBytes + this.writingBytes;
  }

  /** True while the writer holds as much as it may; the sender must wait (no ACK) until {@link drained}. */
  isFull(): boolean {
    return this.failure === undefined && this.heldBytes >= this.highWaterBytes;
  }

  /** Resolves once the writer is no longer full (or a write failed: read {@link error}). */
  drained(): Promise<void> {
    if (!this.isFull()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Queues `data`; the caller must not reuse its memory (received datagrams are fresh buffers). */
  push(data: Uint8Array): void {
    if (data.length === 0) return;
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.bytes += data.length;
    this.peakHeldBytes = Math.max(this.peakHeldBytes, this.heldBytes);
    if (this.pendingBytes >= this.flushBytes) this.flush();
  }

  private flush(): void {
    if (this.pendingBytes === 0) return;
    const joined = Buffer.concat(this.pending, this.pendingBytes);
    const at = this.offset;
    this.offset += joined.length;
    this.pending = [];
    this.pendingBytes = 0;
    this.writingBytes += joined.length;
    this.chain = this.chain.then(async () => {
      try {
        if (this.failure === undefined) await this.write(at, joined);
      } catch (err) {
        this.failure = err;
      } finally {
        this.writingBytes -= joined.length;
        this.wakeIfDrained();
      }
    });
  }

  private wakeIfDrained(): void {
    if (this.isFull()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }

  /** Writes what is pending and waits for every write; rejects with the first write error. */
  async close(): Promise<void> {
    this.flush();
    await this.chain;
    if (this.failure !== undefined) throw this.failure;
  }
}
