/**
 * One upload in progress: a temp file in the upload directory, written positionally,
 * then fsynced, named (upload-names.ts) and the directory fsynced on commit, or
 * unlinked on abort. Each write is checked against the per-file limit, the inbox's
 * quota and the free-space floor (inbox-space.ts); a commit counts the file in the
 * inbox and prunes old versions of its name (upload-prune.ts). Operations run one
 * after another, so an abort never races a write on the same handle.
 */
import { unlink, type FileHandle } from 'node:fs/promises';
import { errnoCode, errorMessage } from '../errno.js';
import { fsyncDir } from '../fs-durable.js';
import { TFTP_ERROR } from './error-codes.js';
import type { SpaceClaim } from './inbox-space.js';
import { isNoSpace, noRoomError, noSpaceError, tooBigError, TftpStorageError } from './storage-error.js';
import type { CommitResult, UploadTarget } from './storage.js';
import type { NameClaimer } from './upload-names.js';
import type { VersionPruner } from './upload-prune.js';

/** Where an upload goes and under which limits. */
export interface UploadPlace {
  readonly dir: string;
  readonly temp: string;
  readonly fileName: string;
  /** The requested name, for messages. */
  readonly display: string;
  readonly maxBytes: number;
  readonly names: NameClaimer;
  /** This upload's share of the inbox's quota and free space. */
  readonly space: SpaceClaim;
  readonly pruner: VersionPruner;
  /** Called once when the file handle is closed. */
  readonly onClosed: () => void;
}

/** An upload's temp file, as an UploadTarget. */
export class UploadFile implements UploadTarget {
  private state: 'open' | 'committed' | 'aborted' = 'open';
  private isHandleClosed = false;
  private chain: Promise<unknown> = Promise.resolve();
  /** Bytes in the file: the end of the furthest write. */
  private size = 0;

  constructor(
    private readonly fh: FileHandle,
    private readonly place: UploadPlace,
  ) {}

  write(offset: number, data: Uint8Array): Promise<void> {
    return this.serial(async () => {
      this.checkOpen();
      const end = offset + data.length;
      if (end > this.place.maxBytes) return this.failWith(tooBigError(this.place.display, this.place.maxBytes));
      const noRoom = this.place.space.growTo(end) ?? (await this.place.space.checkFreeBefore(end, data.length));
      if (noRoom !== undefined) return this.failWith(noRoomError(this.place.display, noRoom));
      this.size = Math.max(this.size, end);
      try {
        let done = 0;
        while (done < data.length) {
          const { bytesWritten } = await this.fh.write(data, done, data.length - done, offset + done);
          done += bytesWritten;
        }
      } catch (err) {
        return this.fail(err);
      }
    });
  }

  commit(): Promise<CommitResult> {
    return this.serial(async () => {
      this.checkOpen();
      let savedAs: string;
      try {
        await this.fh.sync();
        await this.closeHandle();
        savedAs = await this.place.names.claim(this.place.temp, this.place.fileName);
        await fsyncDir(this.place.dir);
      } catch (err) {
        return this.fail(err);
      }
      this.state = 'committed';
      this.place.space.settle(savedAs, this.size);
      const { pruned, failed } = await this.place.pruner.prune(this.place.fileName, savedAs);
      return { savedAs, ...(pruned.length > 0 ? { pruned } : {}), ...(failed.length > 0 ? { pruneFailed: failed } : {}) };
    });
  }

  abort(): Promise<void> {
    return this.serial(() => this.discard());
  }

  private serial<T>(op: () => Promise<T>): Promise<T> {
    const next = this.chain.then(op);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private checkOpen(): void {
    if (this.state !== 'open') throw new TftpStorageError(TFTP_ERROR.illegalOperation, `Upload of ${this.place.display} is already ${this.state}`);
  }

  private async closeHandle(): Promise<void> {
    if (this.isHandleClosed) return;
    this.isHandleClosed = true;
    this.place.onClosed();
    await this.fh.close();
  }

  private async discard(): Promise<void> {
    if (this.state !== 'open') return;
    this.state = 'aborted';
    this.place.space.release();
    // Unlink even when close fails: the partial file must go either way.
    const closed = this.closeHandle().then(
      () => undefined,
      (err: unknown) => err,
    );
    try {
      await unlink(this.place.temp);
    } catch (err) {
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
    const closeError = await closed;
    if (closeError !== undefined) throw closeError;
  }

  private async failWith(err: TftpStorageError): Promise<never> {
    try {
      await this.discard();
    } catch (cleanupErr) {
      throw new TftpStorageError(err.tftpCode, err.message, { cause: new AggregateError([err.cause, cleanupErr], 'cleanup after a failed upload also failed') });
    }
    throw err;
  }

  private fail(err: unknown): Promise<never> {
    const { display } = this.place;
    return this.failWith(
      isNoSpace(err) ? noSpaceError(display, err) : new TftpStorageError(TFTP_ERROR.notDefined, `Cannot store ${display}: ${errnoCode(err) ?? errorMessage(err)}`, { cause: err }),
    );
  }
}
