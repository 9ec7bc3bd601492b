/**
 * Appending batches to one journal generation so that a failed write never leaves a
 * fragment behind (issue 16 point 3). On a full disk a write can be short (part of
 * the batch lands) and the next one fails with ENOSPC; the part that landed would be
 * joined to the next batch's first line, and that line, an ACKed lease, would be
 * unreadable at the next start. The writer knows the offset where the last durable
 * batch ended and, when a write fails, truncates the file back to it (truncating frees
 * space, so it works on a full disk). Until the cut succeeds, every append fails:
 * nothing is ever written after a fragment. The reader skips a torn last line anyway.
 */
import { storeError } from './store-error.js';

/**
 * What the writer needs of an open journal file: Node's FileHandle has it. The seam where
 * a test injects a full disk (a short write, then ENOSPC).
 */
export interface JournalFile {
  write(buffer: Buffer, offset: number, length: number): Promise<{ bytesWritten: number }>;
  truncate(length: number): Promise<void>;
  datasync(): Promise<void>;
  stat(): Promise<{ size: number }>;
  close(): Promise<void>;
}

/** Wraps each journal file the store opens (fault injection in tests; identity otherwise). */
export type JournalFileWrapper = (file: JournalFile, path: string) => JournalFile;

/** Durable appends to one generation, cut back to the last good offset after a failure. */
export class JournalWriter {
  /** A failed write may have left bytes after `goodSize`. */
  private tailDirty = false;

  private constructor(
    private readonly file: JournalFile,
    private readonly path: string,
    /** Where the last durable batch ends. */
    private goodSize: number,
    /** The file was opened with O_DSYNC: a returned write is durable. */
    private readonly dsync: boolean,
  ) {}

  /** Starts writing at the current end of `file`. */
  static async open(file: JournalFile, path: string, dsync: boolean): Promise<JournalWriter> {
    const { size } = await file.stat();
    return new JournalWriter(file, path, size, dsync);
  }

  /** Appends `lines` (one change each, without newline) as one durable write; on failure nothing of them stays. */
  async append(lines: readonly string[]): Promise<void> {
    if (this.tailDirty) await this.cutTail();
    const data = Buffer.from(`${lines.join('\n')}\n`, 'utf8');
    try {
      let written = 0;
      while (written < data.length) {
        const r = await this.file.write(data, written, data.length - written);
        if (r.bytesWritten <= 0) throw storeError(`the lease journal ${this.path} took no bytes`);
        written += r.bytesWritten;
      }
      if (!this.dsync) await this.file.datasync();
    } catch (err) {
      this.tailDirty = true;
      await this.cutTail().catch(() => undefined);
      throw err;
    }
    this.goodSize += data.length;
  }

  close(): Promise<void> {
    return this.file.close();
  }

  /** Truncates the file back to the end of the last durable batch. */
  private async cutTail(): Promise<void> {
    try {
      await this.file.truncate(this.goodSize);
      await this.file.datasync();
    } catch (err) {
      throw storeError(`cannot cut a partly written batch off the lease journal ${this.path}; nothing is appended until that works`, err);
    }
    this.tailDirty = false;
  }
}
