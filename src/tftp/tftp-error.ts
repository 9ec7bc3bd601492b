/**
 * How the TFTP package reports failures of its own set-up and of the built-in client,
 * without knowing the product's error catalogue: a `TftpError` carries a `kind`, and
 * the product maps each kind to its stable code at its edge (as pixiecore's tftp
 * package reports through its Handler and log functions). Wire errors sent to a peer
 * are not these: they are RFC 1350 codes (error-codes.ts, `TftpStorageError`).
 */

/** What went wrong, in the TFTP package's words. */
export type TftpErrorKind =
  /** A server or client setting is out of range or inconsistent. */
  | 'options'
  /** The TFTP root, an alternate location or the upload directory is missing or unusable. */
  | 'root'
  /** A storage option, default rule or remap rule is not valid. */
  | 'config'
  /** A socket cannot be bound. */
  | 'socket'
  /** The listening port is taken (or not ours to take). */
  | 'port-in-use'
  /** A transfer made by the built-in client failed. */
  | 'client';

/** A failure of the TFTP package, with its kind and the original failure as `cause`. */
export class TftpError extends Error {
  readonly kind: TftpErrorKind;

  constructor(kind: TftpErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'TftpError';
    this.kind = kind;
  }
}

/** A failed client transfer (kind `client`), with the server's TFTP error code when it sent one. */
export class TftpClientError extends TftpError {
  /** The ERROR code the server sent, if the failure was its ERROR. */
  readonly tftpCode: number | undefined;

  constructor(message: string, tftpCode?: number, options?: { cause?: unknown }) {
    super('client', message, options);
    this.name = 'TftpClientError';
    this.tftpCode = tftpCode;
  }
}

/** True when `err` is a TftpError (optionally of the given kind). */
export function isTftpError(err: unknown, kind?: TftpErrorKind): err is TftpError {
  return err instanceof TftpError && (kind === undefined || err.kind === kind);
}
