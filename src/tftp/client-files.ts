/**
 * The client's local files: a download goes to a temporary file renamed into place
 * once whole (a failed one leaves nothing behind); an upload reads its input file, or
 * bytes in memory, positionally.
 */
import { open, rename, stat, unlink } from 'node:fs/promises';
import { errnoCode, errorMessage } from '../errno.js';
import type { ReadFn } from './block-feed.js';
import { TftpClientError } from './tftp-error.js';

/** A local file being downloaded into: a temporary file renamed into place on commit. */
export interface OutputFile {
  write(offset: number, data: Uint8Array): Promise<void>;
  commit(): Promise<void>;
  discard(): Promise<void>;
}

/** Opens the temporary file for a download to `path`. */
export async function openOutput(path: string): Promise<OutputFile> {
  const temp = `${path}.benchboot-part-${process.pid}`;
  let fh;
  try {
    fh = await open(temp, 'w');
  } catch (err) {
    throw new TftpClientError(`cannot write ${path}: ${errorMessage(err)}`, undefined, { cause: err });
  }
  const handle = fh;
  let closed = false;
  const close = async (): Promise<void> => {
    if (closed) return;
    closed = true;
    await handle.close();
  };
  return {
    write: async (offset, data) => {
      await handle.write(data, 0, data.length, offset);
    },
    commit: async () => {
      await handle.sync();
      await close();
      await rename(temp, path);
    },
    discard: async () => {
      await close();
      await unlink(temp).catch((err: unknown) => {
        if (errnoCode(err) !== 'ENOENT') throw err;
      });
    },
  };
}

/** Uploads `data` or the file `input` (WRQ). */

/** What an upload reads: its size, a positional reader and how to let go of it. */
export interface UploadInput {
  readonly size: number;
  readonly read: ReadFn;
  close(): Promise<void>;
}

/** The bytes to upload: `data` in memory, or the file at `path`. */
export async function openInput(data: Uint8Array | undefined, path: string): Promise<UploadInput> {
  if (data !== undefined) {
    return {
      size: data.length,
      read: (offset, length) => Promise.resolve(data.subarray(offset, Math.min(offset + length, data.length))),
      close: () => Promise.resolve(),
    };
  }
  let size: number;
  let fh;
  try {
    size = (await stat(path)).size;
    fh = await open(path, 'r');
  } catch (err) {
    throw new TftpClientError(`cannot read ${path}: ${errorMessage(err)}`, undefined, { cause: err });
  }
  const handle = fh;
  return {
    size,
    read: async (offset, length) => {
      const buf = Buffer.allocUnsafe(length);
      const { bytesRead } = await handle.read(buf, 0, length, offset);
      return buf.subarray(0, bytesRead);
    },
    close: () => handle.close(),
  };
}
