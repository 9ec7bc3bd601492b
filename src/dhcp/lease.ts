/**
 * Lease records and lease changes: the contract between the pure DHCP engine (which
 * returns changes), the in-memory lease table (which applies them) and the lease
 * journal (which makes them durable before an ACK leaves).
 */
import type { Ipv4, MacAddress } from '../net/ipv4.js';

/** Where a lease is in its life. */
export type LeaseState =
  /** Offered in a DHCPOFFER and held briefly so no other client gets the same offer. */
  | 'offered'
  /** ACKed: the client holds it until `expiresAt`. */
  | 'bound'
  /** The client said DHCPRELEASE; the address is free, but remembered for that client. */
  | 'released'
  /** The client said DHCPDECLINE (address in use on the wire); quarantined until `expiresAt`. */
  | 'declined';

/**
 * The words of a lease's life as events name them: the states, plus `expired` (a bound
 * lease whose time ran out; the table keeps it 'bound' with `expiresAt` passed). The
 * engine, the server's events, the log and the view all use these words.
 */
export type LeaseEventKind = LeaseState | 'expired';

const LEASE_EVENT_KINDS: ReadonlySet<string> = new Set<LeaseEventKind>(['offered', 'bound', 'released', 'declined', 'expired']);

/** True when `kind` names a step of a lease's life (not a refusal, an INFORM or an exhausted pool). */
export function isLeaseEventKind(kind: string): kind is LeaseEventKind {
  return LEASE_EVENT_KINDS.has(kind);
}

/** One address's binding in one scope. */
export interface Lease {
  readonly scope: string;
  readonly ip: Ipv4;
  /** `id:<hex of option 61>` when the client sent a client identifier, else `mac:<chaddr>` (RFC 2131 §4.2, RFC 6842). */
  readonly clientKey: string;
  /** chaddr, for display and for MAC reservations. */
  readonly mac: MacAddress;
  /** Option 12 the client sent, if any. */
  readonly hostname?: string;
  /** Option 60 the client sent, if any (shown in the live view). */
  readonly vendorClass?: string;
  readonly state: LeaseState;
  /** When this state began, ms since the epoch. */
  readonly startedAt: number;
  /** When it ends, ms since the epoch (offer hold, lease end, or quarantine end). */
  readonly expiresAt: number;
}

/** A change to the lease table, as the engine returns it and the journal records it. */
export type LeaseChange =
  | { readonly kind: 'put'; readonly lease: Lease }
  | { readonly kind: 'delete'; readonly scope: string; readonly ip: Ipv4 };

/** The record of `lease` released at `now`: the address is free, the client is remembered (RFC 2131 §4.3.4). */
export function releasedLease(lease: Lease, now: number): Lease {
  return { ...lease, state: 'released', startedAt: now, expiresAt: now };
}
