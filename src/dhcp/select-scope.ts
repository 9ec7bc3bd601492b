/**
 * Which scope answers a request (RFC 2131 §4.3.1, RFC 3011, RFC 3527, RFC 1542).
 *
 * - The link address names the client's subnet: option 118 (subnet selection,
 *   RFC 3011 §3), else option 82 sub-option 5 (link selection, RFC 3527 §3), else
 *   giaddr, the relay's address on the client's link (RFC 2131 §4.3.1).
 * - Direct (none of them): the scopes on the receiving interface; with several scopes
 *   on one interface, the one whose subnet contains the server's own address there.
 *
 * Relay fields never cross interfaces (issue 11 point 4): a request only ever gets a
 * scope of the interface it arrived on. A relay-only scope is declared for the
 * interface its relay's packets arrive on. A link address inside a scope of another
 * interface, or a giaddr (where the reply goes) outside every scope of the arrival
 * interface, is refused: otherwise a host on one bench wire could draw leases from
 * another wire's pool, or have replies unicast to any address it names.
 */
import { cidrContains, IPV4_ZERO } from '../net/ipv4.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { Scope } from './scope.js';

/** What scope selection looks at. */
export interface ScopeSelector {
  /** The interface the request arrived on. */
  readonly interfaceName: string;
  /** Our address on that interface. */
  readonly serverAddress: Ipv4;
  /** The request's giaddr. */
  readonly giaddr: Ipv4;
  /** Option 118 from the request, if any. */
  readonly subnetSelection?: Ipv4;
  /** Option 82 sub-option 5 from the request, if any. */
  readonly linkSelection?: Ipv4;
}

/** The request field a relay rule looked at. */
export type RelayField = 'giaddr' | 'option 118' | 'option 82 link selection';

/** The outcome of scope selection. */
export type ScopeChoice =
  | { readonly kind: 'scope'; readonly scope: Scope }
  /** No scope of the arrival interface (direct) or no scope at all holds the link address. */
  | { readonly kind: 'none' }
  /**
   * A relay field points away from the arrival interface: `owner` is the scope of another
   * interface that holds `address`, absent when no scope holds it (a giaddr anywhere).
   */
  | { readonly kind: 'crosses'; readonly field: RelayField; readonly address: Ipv4; readonly owner?: Scope };

/** The scope that answers, or why none does (RFC 2131 §4.3.1; issue 11 point 4). */
export function selectScope(scopes: readonly Scope[], sel: ScopeSelector): ScopeChoice {
  const onInterface = scopes.filter((s) => s.interface === sel.interfaceName);
  const link = linkAddress(sel);
  if (link === undefined) {
    const scope = onInterface.length <= 1 ? onInterface[0] : onInterface.find((s) => cidrContains(s.subnet, sel.serverAddress));
    return scope ? { kind: 'scope', scope } : { kind: 'none' };
  }
  const scope = onInterface.find((s) => cidrContains(s.subnet, link.address));
  if (!scope) {
    const owner = scopes.find((s) => cidrContains(s.subnet, link.address));
    return owner ? { kind: 'crosses', ...link, owner } : { kind: 'none' };
  }
  // The reply goes to giaddr: it must lie on this interface's side too.
  if (link.field !== 'giaddr' && sel.giaddr !== IPV4_ZERO && !onInterface.some((s) => cidrContains(s.subnet, sel.giaddr))) {
    const owner = scopes.find((s) => cidrContains(s.subnet, sel.giaddr));
    return { kind: 'crosses', field: 'giaddr', address: sel.giaddr, ...(owner ? { owner } : {}) };
  }
  return { kind: 'scope', scope };
}

function linkAddress(sel: ScopeSelector): { field: RelayField; address: Ipv4 } | undefined {
  if (sel.subnetSelection !== undefined) return { field: 'option 118', address: sel.subnetSelection };
  if (sel.linkSelection !== undefined) return { field: 'option 82 link selection', address: sel.linkSelection };
  if (sel.giaddr !== IPV4_ZERO) return { field: 'giaddr', address: sel.giaddr };
  return undefined;
}
