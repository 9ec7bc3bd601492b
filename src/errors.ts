/**
 * benchboot's error type and the catalogue of stable error codes.
 *
 * Every error that reaches a user carries a stable `code` (listed in the README,
 * kept in step by a unit test) and, when it wraps a lower-level failure, that
 * failure as `cause`.
 */

/** Every stable error code, with the one-line meaning the README repeats. */
export const ERROR_CODES = {
  BB_USAGE: 'the command line is not valid',
  BB_SCOPE_INVALID: 'a scope file does not pass validation',
  BB_SCOPE_OVERLAP: 'two scopes on one interface share addresses',
  BB_SCOPE_NOT_FOUND: 'no scope file has that name',
  BB_SCOPE_EXISTS: 'a scope with that name already exists',
  BB_SCOPE_IO: 'a scope file or directory cannot be read or written',
  BB_INTERFACE: 'a served interface is missing or has no usable IPv4 address',
  BB_SOCKET: 'a socket cannot be bound or configured',
  BB_PORT_IN_USE: 'port 67 or 69 is already taken',
  BB_ROGUE_DHCP: 'another DHCP server answers on a served interface',
  BB_LEASE_STORE: 'the lease journal or snapshot cannot be read or written',
  BB_TFTP_ROOT: 'the TFTP root or upload directory is missing or not usable',
  BB_TFTP_CONFIG: 'a TFTP storage option, default rule or remap rule is not valid',
  BB_CONTROL: 'the control socket of a running server cannot be reached',
  BB_LEASE_NOT_FOUND: 'no lease holds that address',
  BB_TFTP_CLIENT: 'a TFTP transfer made by the built-in client failed',
  BB_TFTP_OPTIONS: 'a TFTP server or client option (port range, limits, blksize, MTU, timeout) is not valid',
  BB_INTERNAL: 'an unexpected failure inside benchboot',
} as const;

/** A stable error code, e.g. `BB_SCOPE_OVERLAP`. */
export type ErrorCode = keyof typeof ERROR_CODES;

/** The one error class benchboot throws on purpose. */
export class BenchbootError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'BenchbootError';
    this.code = code;
  }
}

/** True when `err` is a BenchbootError (optionally with the given code). */
export function isBenchbootError(err: unknown, code?: ErrorCode): err is BenchbootError {
  return err instanceof BenchbootError && (code === undefined || err.code === code);
}

export { errnoCode, errorMessage, isErrno } from './errno.js';
