/**
 * How the DHCP package reports failures it cannot turn into a result: a typed error
 * with a `kind`, the concerned interface (and scope), and the original error as
 * `cause`. The product maps each kind to its own error catalogue at its edge.
 */

/** What went wrong. `interface`: a served or probed interface is missing or unfit. */
export type DhcpErrorKind = 'interface';

/** A failure of the DHCP package, by kind. */
export class DhcpError extends Error {
  readonly kind: DhcpErrorKind;
  /** The interface concerned. */
  readonly interfaceName: string;
  /** The scope whose interface it is, when a scope asked for it. */
  readonly scope?: string;

  constructor(kind: DhcpErrorKind, interfaceName: string, message: string, options: { scope?: string; cause?: unknown } = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DhcpError';
    this.kind = kind;
    this.interfaceName = interfaceName;
    if (options.scope !== undefined) this.scope = options.scope;
  }
}
