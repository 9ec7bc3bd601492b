/**
 * The templates' `scope.*` and `server.*` facts from a real Scope and the address
 * benchboot has on the interface the request came in on.
 */
import type { Scope } from '../config/scope.js';
import { formatCidr, prefixToMask, type Ipv4 } from '../net/ipv4.js';
import type { ScopeFacts, ServerFacts } from '../templates/index.js';

/** What templates see of a scope: subnet, mask, router, DNS, domain, siaddr, option 150. */
export function scopeFacts(scope: Scope): ScopeFacts {
  return {
    name: scope.name,
    subnet: formatCidr(scope.subnet),
    mask: prefixToMask(scope.subnet.prefix),
    ...(scope.router === undefined ? {} : { router: scope.router }),
    dns: scope.dns,
    ...(scope.domain === undefined ? {} : { domain: scope.domain }),
    ...(scope.boot.nextServer === undefined ? {} : { bootServer: scope.boot.nextServer }),
    tftpServers: scope.boot.tftpServers,
  };
}

/** What templates see of benchboot: its address on that interface, and a host name when one is set. */
export function serverFacts(address: Ipv4, hostname?: string): ServerFacts {
  return hostname === undefined ? { address } : { address, hostname };
}
