/**
 * The operator's release (`benchboot leases release IP` against a running server): the
 * same rule as a client's DHCPRELEASE (RFC 2131 §4.3.4: the address is free again and
 * remembered for that client), taken by the server directly, without a packet.
 */
import { releasedLease, type Lease, type LeaseChange } from './lease.js';
import type { EngineEvent } from './engine.js';

/** What releasing a bound lease changes, and the event it reports. */
export interface RequestedRelease {
  readonly lease: Lease;
  readonly changes: LeaseChange[];
  readonly event: EngineEvent;
}

/** Releases `bound` (a bound lease) at `now`. */
export function releaseOnRequest(bound: Lease, now: number): RequestedRelease {
  const lease = releasedLease(bound, now);
  const event: EngineEvent = {
    type: 'released',
    mac: bound.mac,
    ip: bound.ip,
    scope: bound.scope,
    clientKey: bound.clientKey,
    ...(bound.vendorClass !== undefined ? { vendorClass: bound.vendorClass } : {}),
    ...(bound.hostname !== undefined ? { hostname: bound.hostname } : {}),
  };
  return { lease, changes: [{ kind: 'put', lease }], event };
}
