/**
 * Who asks for a file, from the address a TFTP (or HTTP) request came from: the
 * device's bound lease gives its MAC, client identifier and vendor class; the scope
 * is the lease's, else the served scope whose subnet holds the address, else the one
 * scope served (a bench with a single scope, reached from a static address); the
 * server's address is benchboot's on that scope's interface. Its vendor profile is
 * the one the DHCP answer used (the device record keeps it), else the first of the
 * scope's profiles that its lease facts match (option 60, 61, then OUI). Pure: the
 * caller passes the current leases, scopes, interface addresses and records.
 */
import type { Scope } from '../config/scope.js';
import type { Lease } from '../dhcp/lease.js';
import { cidrContains, isIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.js';
import { clientIdText, matchProfile } from '../profiles/index.js';
import { scopeFacts, serverFacts } from '../provision/facts.js';
import type { RequesterContext } from '../provision/tftp-storage.js';

/** What the appliance knows at the moment of a request. */
export interface RequesterView {
  readonly leases: readonly Lease[];
  readonly scopes: readonly Scope[];
  /** benchboot's own address on an interface, when it serves one. */
  serverAddressOn(interfaceName: string): Ipv4 | undefined;
  /** The profile the DHCP answer used for the device `mac`, when a record keeps it. */
  profileOf?(mac: string): string | undefined;
}

/** The profile of the lease's device: the DHCP answer's, else the scope's first match on the lease's facts. */
function profileOfLease(lease: Lease, scope: Scope, clientId: string | undefined, view: RequesterView): string | undefined {
  const recorded = view.profileOf?.(lease.mac);
  if (recorded !== undefined) return recorded;
  const idText = clientIdText(clientId);
  const facts = { mac: lease.mac, ...(lease.vendorClass === undefined ? {} : { vendorClass: lease.vendorClass }), ...(idText === undefined ? {} : { clientIdText: idText }) };
  return matchProfile(facts, scope.profiles ?? [])?.profile.id;
}

/** The scope a request from `ip` belongs to (see the module comment). */
function scopeOf(ip: Ipv4, lease: Lease | undefined, scopes: readonly Scope[]): Scope | undefined {
  const byLease = lease === undefined ? undefined : scopes.find((s) => s.name === lease.scope);
  return byLease ?? scopes.find((s) => cidrContains(s.subnet, ip)) ?? (scopes.length === 1 ? scopes[0] : undefined);
}

/** The requester context of a request from `address`, or undefined when no served scope answers for it. */
export function findRequester(address: string, view: RequesterView): RequesterContext | undefined {
  if (!isIpv4(address)) return undefined;
  const ip = parseIpv4(address);
  const lease = view.leases.find((l) => l.ip === ip && l.state === 'bound');
  const scope = scopeOf(ip, lease, view.scopes);
  if (scope === undefined) return undefined;
  const server = view.serverAddressOn(scope.interface) ?? scope.boot.nextServer ?? scope.router;
  if (server === undefined) return undefined;
  const clientId = lease?.clientKey.startsWith('id:') ? lease.clientKey.slice(3) : undefined;
  const profile = lease === undefined ? undefined : profileOfLease(lease, scope, clientId, view);
  return {
    requester: {
      ip,
      ...(lease === undefined ? {} : { mac: lease.mac }),
      ...(clientId === undefined ? {} : { clientId }),
      ...(lease?.vendorClass === undefined ? {} : { vendorClass: lease.vendorClass }),
      ...(lease?.hostname === undefined ? {} : { hostname: lease.hostname }),
      ...(profile === undefined ? {} : { profile }),
    },
    scope: scopeFacts(scope),
    server: serverFacts(server),
  };
}
