/**
 * The read side of a sending transfer: `BlockFeed` reads a file ahead in large chunks
 * (octet or netascii) and copies block k into a datagram buffer, keeping only the
 * unacknowledged window plus the read-ahead in memory.
 */
import { encodeNetascii } from './netascii.js';
import type { TransferMode } from './negotiate.js';

/** Reads `length` bytes at `offset` (fewer only at the end). */
export type ReadFn = (offset: number, length: number) => Promise<Uint8Array>;

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
