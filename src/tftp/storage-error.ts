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

  constructor(tftpCode: TftpErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TftpStorageError';
    this.tftpCode = tftpCode;
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
  return new TftpStorageError(TFTP_ERROR.diskFull, `Disk full or allocation exceeded: no room for ${display}`, { cause });
}
