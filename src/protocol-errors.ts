/**
 * The product's edge for the protocol packages' failures: `dhcp`, `tftp` and `net` report
 * with typed errors (`DhcpError`, `TftpError`, `NetError`) that carry a `kind`; here each kind
 * becomes the stable BB_* code of the catalogue (src/errors.ts), with the same message,
 * so users see the codes and texts they always saw.
 */
import { DhcpError, type DhcpErrorKind } from './dhcp/dhcp-error.js';
import { BenchbootError, isBenchbootError, type ErrorCode } from './errors.js';
import { isNetError, type NetErrorKind } from './net/net-error.js';
import { isTftpError, type TftpErrorKind } from './tftp/tftp-error.js';

/** The catalogue code of each TFTP failure kind. */
const TFTP_CODES: Readonly<Record<TftpErrorKind, ErrorCode>> = {
  options: 'BB_TFTP_OPTIONS',
  root: 'BB_TFTP_ROOT',
  config: 'BB_TFTP_CONFIG',
  socket: 'BB_SOCKET',
  'port-in-use': 'BB_PORT_IN_USE',
  client: 'BB_TFTP_CLIENT',
};

/** The catalogue code of each net failure kind. */
const NET_CODES: Readonly<Record<NetErrorKind, ErrorCode>> = {
  usage: 'BB_USAGE',
  interface: 'BB_INTERFACE',
  socket: 'BB_SOCKET',
  'port-in-use': 'BB_PORT_IN_USE',
};

/** The catalogue code of each DHCP failure kind, when its cause names none. */
const DHCP_CODES: Readonly<Record<DhcpErrorKind, ErrorCode>> = {
  interface: 'BB_INTERFACE',
};

/**
 * The catalogue code for a protocol package's error, or undefined for any other value.
 * A DhcpError that wraps another failure takes that failure's code (a socket that
 * cannot be bound stays BB_SOCKET), else the code of its own kind.
 */
export function protocolErrorCode(err: unknown): ErrorCode | undefined {
  if (isTftpError(err)) return TFTP_CODES[err.kind];
  if (isNetError(err)) return NET_CODES[err.kind];
  if (err instanceof DhcpError) return protocolErrorCode(err.cause) ?? (isBenchbootError(err.cause) ? err.cause.code : DHCP_CODES[err.kind]);
  return undefined;
}

/**
 * A protocol package's error as the BenchbootError users see (same message, the
 * original error as `cause`); any other value is returned unchanged.
 */
export function toBenchbootError(err: unknown): unknown {
  const code = protocolErrorCode(err);
  if (code === undefined || !(err instanceof Error)) return err;
  return new BenchbootError(code, err.message, { cause: err });
}
