/**
 * Which scope answers a request (RFC 2131 §4.3.1, RFC 3011, RFC 1542).
 *
 * - Relayed (giaddr ≠ 0): the scope whose subnet contains giaddr, the relay's address
 *   on the client's link (RFC 2131 §4.3.1). Option 118 (subnet selection, RFC 3011 §3),
 *   when the relay sends it, names that subnet instead of giaddr.
 * - Direct: the scopes on the receiving interface; with several scopes on one
 *   interface, the one whose subnet contains the server's own address there.
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
}

/** The scope that answers, or undefined when none does (RFC 2131 §4.3.1). */
export function selectScope(scopes: readonly Scope[], sel: ScopeSelector): Scope | undefined {
  const linkAddress = sel.subnetSelection ?? (sel.giaddr !== IPV4_ZERO ? sel.giaddr : undefined);
  if (linkAddress !== undefined) return scopes.find((s) => cidrContains(s.subnet, linkAddress));
  const onInterface = scopes.filter((s) => s.interface === sel.interfaceName);
  if (onInterface.length <= 1) return onInterface[0];
  return onInterface.find((s) => cidrContains(s.subnet, sel.serverAddress));
}
