/**
 * Storage failures that carry the TFTP error to send (RFC 1350 §5): what an upload's
 * write or commit rejects with, worded so the message names only the requested file.
 */
import { errnoCode } from '../errno.js';
import { TFTP_ERROR, type TftpErrorCode } from './error-codes.js';

/**
 * A storage failure with the TFTP error to send: `UploadTarget.write` and `commit`
 * reject with this, and the server sends `tftpCode` with `message` (which names
 * only the requested file).
 */
export class TftpStorageError extends Error {
  readonly tftpCode: TftpErrorCode;
  /** The inbox or the disk has no room (quota, free-space floor, ENOSPC), as opposed to this one file being too large. */
  readonly isNoRoom: boolean;

  constructor(tftpCode: TftpErrorCode, message: string, options?: { cause?: unknown; isNoRoom?: boolean }) {
    super(message, options);
    this.name = 'TftpStorageError';
    this.tftpCode = tftpCode;
    this.isNoRoom = options?.isNoRoom ?? false;
  }
}

/** True for `TftpStorageError`. */
export function isTftpStorageError(err: unknown): err is TftpStorageError {
  return err instanceof TftpStorageError;
}

/** Errors that mean "no room": TFTP error 3. */
export function isNoSpace(err: unknown): boolean {
  const code = errnoCode(err);
  return code === 'ENOSPC' || code === 'EDQUOT' || code === 'EFBIG';
}

/** Error 3 for an upload over the size limit. */
export function tooBigError(display: string, maxBytes: number): TftpStorageError {
  return new TftpStorageError(TFTP_ERROR.diskFull, `Disk full or allocation exceeded: ${display} is larger than the upload limit of ${maxBytes} bytes`);
}

/** Error 3 for a disk that is full. */
export function noSpaceError(display: string, cause: unknown): TftpStorageError {
  return new TftpStorageError(TFTP_ERROR.diskFull, `Disk full or allocation exceeded: no room for ${display}`, { cause, isNoRoom: true });
}

/** Why the inbox has no room for an upload (inbox-space.ts decides, {@link noRoomMessage} words it). */
export type NoRoom =
  /** The inbox's files and the uploads in progress would pass `--upload-quota`. */
  | { readonly kind: 'quota'; readonly quotaBytes: number; readonly usedBytes: number; readonly neededBytes: number }
  /** Writing `neededBytes` more would leave less than `--min-free` available on the file system. */
  | { readonly kind: 'free-space'; readonly minFreeBytes: number; readonly freeBytes: number; readonly neededBytes: number };

/** The error 3 text for a {@link NoRoom}: the client sees it and the log line carries it. */
export function noRoomMessage(display: string, r: NoRoom): string {
  const head = `Disk full or allocation exceeded: no room for ${display}`;
  if (r.kind === 'quota') {
    return `${head}: the upload inbox holds ${r.usedBytes} bytes, ${r.neededBytes} more would pass its quota of ${r.quotaBytes} bytes`;
  }
  return `${head}: ${r.freeBytes} bytes free on the disk, ${r.neededBytes} more would go below the free-space floor of ${r.minFreeBytes} bytes`;
}

/** Error 3 for a {@link NoRoom}. */
export function noRoomError(display: string, r: NoRoom): TftpStorageError {
  return new TftpStorageError(TFTP_ERROR.diskFull, noRoomMessage(display, r), { isNoRoom: true });
}
