/**
 * The write side of a receiving transfer: `ChunkWriter` coalesces received blocks into
 * large sequential writes, keeping the first write error for the driver to report.
 */
import { DEFAULT_CHUNK_BYTES } from './block-feed.js';

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
