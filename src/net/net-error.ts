/**
 * How the net package reports failures without knowing the product's error catalogue:
 * a `NetError` carries a `kind`, and the product maps each kind to its stable code at
 * its edge.
 */

/** What went wrong, in the net package's words. */
export type NetErrorKind =
  /** A value given by a person (an address spec) is not valid. */
  | 'usage'
  /** An interface is missing, unreadable or has no usable address. */
  | 'interface'
  /** A socket cannot be bound or configured. */
  | 'socket'
  /** A UDP port is already taken by another program. */
  | 'port-in-use';

/** A failure of the net package, with its kind and the original failure as `cause`. */
export class NetError extends Error {
  readonly kind: NetErrorKind;

  constructor(kind: NetErrorKind, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetError';
    this.kind = kind;
  }
}

/** True when `err` is a NetError (optionally of the given kind). */
export function isNetError(err: unknown, kind?: NetErrorKind): err is NetError {
  return err instanceof NetError && (kind === undefined || err.kind === kind);
}
