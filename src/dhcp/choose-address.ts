/**
 * Which address a DHCPDISCOVER is offered: RFC 2131 §4.3.1, in its order.
 *
 * 1. A reservation for the client (by option 61 or by chaddr).
 * 2. The client's current binding, else its previous (expired or released) address,
 *    if that address is in the pool and not held by another client.
 * 3. The address the client asked for in option 50, if it is in the pool and free; also
 *    when the client still has an OFFER pending for another address (a pending offer is
 *    not a binding; dnsmasq and Kea do the same).
 * 4. A free pool address from the lease table's allocator.
 * 5. When none is left: the oldest pending offer made at least OFFER_RECLAIM_AFTER_SECONDS
 *    ago to another client ('reclaimed'), so a burst of DISCOVERs that never REQUEST
 *    cannot hold the pool for the whole offer hold.
 * No address left is an outcome ('exhausted'), not an exception.
 */
import type { Reservation, Scope } from './scope.js';
import { OFFER_RECLAIM_AFTER_SECONDS } from './constants.js';
import { ipv4ToInt } from '../net/ipv4.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';
import type { Lease } from './lease.js';
import { isLeaseFree } from './lease-table.js';
import type { EngineLeases, LeaseView } from './lease-table.js';

/** Who is asking, and for what. */
export interface AddressRequest {
  readonly clientKey: string;
  readonly mac: MacAddress;
  /** Option 61 bytes, if sent. */
  readonly clientId?: Uint8Array;
  /** Option 50, if sent. */
  readonly requested?: Ipv4;
  /** Our own address: never offered. */
  readonly serverAddress: Ipv4;
  readonly now: number;
}

/** Why an address was chosen (for the log). */
export type AddressSource = 'reservation' | 'current' | 'previous' | 'requested' | 'pool' | 'reclaimed';

/** The outcome of address selection. */
export type AddressChoice = { readonly kind: 'ok'; readonly ip: Ipv4; readonly source: AddressSource } | { readonly kind: 'exhausted' };

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((x, i) => x === b[i]);
}

/** The scope's reservation for this client: option 61 first, then chaddr. */
export function findReservation(scope: Pick<Scope, 'reservations'>, mac: MacAddress, clientId?: Uint8Array): Reservation | undefined {
  if (clientId !== undefined) {
    const byId = scope.reservations.find((r) => r.clientId !== undefined && sameBytes(r.clientId, clientId));
    if (byId) return byId;
  }
  return scope.reservations.find((r) => r.mac !== undefined && r.mac === mac);
}

/** True when `ip` lies in one of the scope's pool ranges. */
export function inPool(scope: Pick<Scope, 'ranges'>, ip: Ipv4): boolean {
  const n = ipv4ToInt(ip);
  return scope.ranges.some((r) => n >= ipv4ToInt(r.start) && n <= ipv4ToInt(r.end));
}

/**
 * True when the lease record (or its absence) lets `clientKey` have the address at
 * `now`: no record, a free record, or the client's own offer/binding. A declined
 * address in quarantine is nobody's.
 */
export function isUsableBy(lease: Lease | undefined, clientKey: string, now: number): boolean {
  if (!lease || isLeaseFree(lease, now)) return true;
  return lease.clientKey === clientKey && (lease.state === 'offered' || lease.state === 'bound');
}

/** True when a pool address may be given to this client now (never our own address, nor an excluded one). */
export function isPoolAddressFor(scope: Scope, leases: LeaseView, ip: Ipv4, req: Pick<AddressRequest, 'clientKey' | 'serverAddress' | 'now'>): boolean {
  return (
    ip !== req.serverAddress &&
    inPool(scope, ip) &&
    !leases.isExcluded(scope.name, ip) &&
    isUsableBy(leases.get(scope.name, ip), req.clientKey, req.now)
  );
}

/** RFC 2131 §4.3.1: the address to offer this client, or 'exhausted'. */
export function chooseAddress(scope: Scope, leases: EngineLeases, req: AddressRequest): AddressChoice {
  const reservation = findReservation(scope, req.mac, req.clientId);
  if (reservation) return { kind: 'ok', ip: reservation.ip, source: 'reservation' };

  const own = leases.findByClient(scope.name, req.clientKey);
  // A pending offer is not a binding (RFC 2131 §4.3.1): a free requested address wins over it.
  const isPendingOffer = own?.state === 'offered';
  const requestedFree = req.requested !== undefined && req.requested !== own?.ip && isPoolAddressFor(scope, leases, req.requested, req);
  if (own && own.state !== 'declined' && !(isPendingOffer && requestedFree) && isPoolAddressFor(scope, leases, own.ip, req)) {
    const isCurrent = (own.state === 'bound' || own.state === 'offered') && own.expiresAt > req.now;
    return { kind: 'ok', ip: own.ip, source: isCurrent ? 'current' : 'previous' };
  }
  if (req.requested !== undefined && isPoolAddressFor(scope, leases, req.requested, req)) {
    return { kind: 'ok', ip: req.requested, source: 'requested' };
  }
  const free = leases.allocateFree(scope.name, req.now, req.serverAddress);
  if (free !== undefined) return { kind: 'ok', ip: free, source: 'pool' };
  const stale = leases.oldestOffer(scope.name, req.now - OFFER_RECLAIM_AFTER_SECONDS * 1000, req.now);
  if (stale === undefined || stale.clientKey === req.clientKey) return { kind: 'exhausted' };
  return { kind: 'ok', ip: stale.ip, source: 'reclaimed' };
}
