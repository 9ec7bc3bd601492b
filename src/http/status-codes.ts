/**
 * The HTTP status of a storage refusal: the storage answers in TFTP error codes
 * (RFC 1350 §5) since it serves both protocols; HTTP says the same thing in its words
 * (RFC 9110 §15).
 */
import { TFTP_ERROR } from '../tftp/error-codes.js';

/** HTTP statuses benchboot answers with. */
export const HTTP_STATUS = {
  ok: 200,
  created: 201,
  partialContent: 206,
  notModified: 304,
  badRequest: 400,
  forbidden: 403,
  notFound: 404,
  methodNotAllowed: 405,
  conflict: 409,
  payloadTooLarge: 413,
  rangeNotSatisfiable: 416,
  internalError: 500,
  serviceUnavailable: 503,
  insufficientStorage: 507,
} as const;

/** One of {@link HTTP_STATUS}. */
export type HttpStatus = (typeof HTTP_STATUS)[keyof typeof HTTP_STATUS];

/**
 * The status of a refused read or upload, from the storage's TFTP error code;
 * `isNoRoom` marks an error 3 for the inbox or the disk (quota, free-space floor, ENOSPC)
 * rather than for this one file's size.
 */
export function statusOfStorageCode(code: number, direction: 'read' | 'write', isNoRoom = false): HttpStatus {
  switch (code) {
    case TFTP_ERROR.fileNotFound:
      return HTTP_STATUS.notFound;
    case TFTP_ERROR.accessViolation:
      return HTTP_STATUS.forbidden;
    case TFTP_ERROR.diskFull:
      // 413 for a file over the upload limit; 507 (RFC 4918 §11.5) when the inbox or the disk has no room. The body says which.
      return direction === 'write' && !isNoRoom ? HTTP_STATUS.payloadTooLarge : HTTP_STATUS.insufficientStorage;
    case TFTP_ERROR.fileExists:
      return HTTP_STATUS.conflict;
    case TFTP_ERROR.illegalOperation:
      return HTTP_STATUS.badRequest;
    default:
      return HTTP_STATUS.internalError;
  }
}
