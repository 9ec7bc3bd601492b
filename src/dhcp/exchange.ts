/**
 * The engine's vocabulary and building blocks: what it is asked (`EngineContext`),
 * what it answers (`EngineResult`, `EngineEvent`), the per-request `Exchange` the
 * handlers share, and the helpers that build leases, events and encoded replies
 * (all request-to-reply copying in `replyHeader`, RFC 2131 §4.3.1 table 3).
 */
import type { ClientClass, Reservation, Scope } from './scope.js';
import { IPV4_ZERO } from '../net/ipv4.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';
import { BOOTP_OP, DHCP_MESSAGE_TYPE, FLAG_BROADCAST, OPTION } from './constants.js';
import { bootFields, buildNakOptions, buildReplyOptions, effectiveBoot } from './build-boot-options.js';
import type { AddressSource } from './choose-address.js';
import type { Lease, LeaseChange } from './lease.js';
import type { EngineLeases } from './lease-table.js';
import { encodeDhcpPacket, getOptionText } from './packet.js';
import type { DhcpOption, DhcpPacket } from './packet.js';
import { replyDestination } from './reply-destination.js';
import type { ReplyDestination } from './reply-destination.js';
import type { RequestFacts } from './request-facts.js';
import type { DropReason } from './drop-reason.js';
import type { DhcpPolicy, RequestPolicy } from './request-policy.js';

/** One received request and where it came in. */
export interface EngineContext {
  /** The request, read once at the edge (`readRequestFacts`). */
  readonly facts: RequestFacts;
  /** The interface the request arrived on. */
  readonly interfaceName: string;
  /** Our address on that interface: option 54 and the SELECTING check. */
  readonly serverAddress: Ipv4;
  /** The current time, ms since the epoch (the caller's clock). */
  readonly now: number;
  /** The product's per-request decoration (profiles, inventory), asked once per request. */
  readonly policy?: DhcpPolicy;
}

/** What happened, for the one log line per lease event. */
export interface EngineEvent {
  readonly type: 'offered' | 'bound' | 'refused' | 'informed' | 'released' | 'declined' | 'withdrawn' | 'exhausted';
  readonly mac: MacAddress;
  /** The address concerned (offered, bound, NAKed, released, declined); absent when none. */
  readonly ip?: Ipv4;
  readonly scope: string;
  /** The request's xid; absent for a release the operator asked for (no packet). */
  readonly xid?: number;
  readonly clientKey: string;
  readonly vendorClass?: string;
  readonly hostname?: string;
  /** The matching client class, if any. */
  readonly clientClass?: string;
  /** The policy's label (the matched vendor profile), if any. */
  readonly profile?: string;
  /** Where an offered address came from (reservation, current, previous, requested, pool). */
  readonly source?: AddressSource;
  /** The boot file the reply names, if any. */
  readonly file?: string;
  /** NAK reason, or the client's DECLINE message (option 56). */
  readonly message?: string;
}

/** The engine's answer: a reply to send, or a drop with its reason. */
export type EngineResult =
  | {
      readonly kind: 'reply';
      readonly reply: DhcpPacket;
      /** `reply` encoded within the client's maximum message size (RFC 2132 §9.10): what the server sends. */
      readonly bytes: Uint8Array;
      readonly destination: ReplyDestination;
      readonly changes: LeaseChange[];
      readonly event: EngineEvent;
    }
  | { readonly kind: 'drop'; readonly reason: DropReason; readonly changes: LeaseChange[]; readonly event?: EngineEvent };

/** Everything the handlers need about one request, read once. */
export interface Exchange {
  readonly ctx: EngineContext;
  readonly facts: RequestFacts;
  readonly request: DhcpPacket;
  readonly scope: Scope;
  readonly leases: EngineLeases;
  readonly now: number;
  readonly mac: MacAddress;
  readonly clientId?: Uint8Array;
  readonly clientKey: string;
  /** The scope's reservation for this client, if any. */
  readonly reservation?: Reservation;
  readonly hostname?: string;
  readonly vendorClass?: string;
  readonly clientClass?: ClientClass;
  /** The policy's decoration of this answer, if any. */
  readonly policy?: RequestPolicy;
}

/** A silent answer with its reason, the changes it still makes, and its event if any. */
export function drop(reason: DropReason, changes: LeaseChange[] = [], event?: EngineEvent): EngineResult {
  return event ? { kind: 'drop', reason, changes, event } : { kind: 'drop', reason, changes };
}


/** The lease event of this exchange, with the client's facts filled in. */
export function event(x: Exchange, type: EngineEvent['type'], extra: Partial<EngineEvent> = {}): EngineEvent {
  return {
    type,
    mac: x.mac,
    scope: x.scope.name,
    xid: x.request.xid,
    clientKey: x.clientKey,
    ...(x.vendorClass !== undefined ? { vendorClass: x.vendorClass } : {}),
    ...(x.hostname !== undefined ? { hostname: x.hostname } : {}),
    ...(x.clientClass !== undefined ? { clientClass: x.clientClass.name } : {}),
    ...(x.policy?.label !== undefined ? { profile: x.policy.label } : {}),
    ...extra,
  };
}

/** A lease record for this client; host name and vendor class carry over from its record when the request lacks them. */
export function lease(x: Exchange, ip: Ipv4, state: Lease['state'], expiresAt: number): Lease {
  const before = x.leases.get(x.scope.name, ip);
  const mine = before?.clientKey === x.clientKey ? before : undefined;
  const hostname = x.hostname ?? mine?.hostname;
  const vendorClass = x.vendorClass ?? mine?.vendorClass;
  return {
    scope: x.scope.name,
    ip,
    clientKey: x.clientKey,
    mac: x.mac,
    ...(hostname !== undefined ? { hostname } : {}),
    ...(vendorClass !== undefined ? { vendorClass } : {}),
    state,
    startedAt: x.now,
    expiresAt,
  };
}

/** All request-to-reply copying in one place (RFC 2131 §4.3.1 table 3). */
export function replyHeader(x: Exchange, yiaddr: Ipv4, ciaddr: Ipv4, withBoot: boolean): DhcpPacket {
  const boot = { ...bootFields(effectiveBoot(x.scope, x.clientClass)), ...x.policy?.boot };
  const r = x.request;
  return {
    op: BOOTP_OP.BOOTREPLY,
    htype: r.htype,
    hlen: r.hlen,
    hops: 0,
    xid: r.xid,
    secs: 0,
    flags: r.flags,
    ciaddr,
    yiaddr,
    siaddr: withBoot ? boot.siaddr : IPV4_ZERO,
    giaddr: r.giaddr,
    chaddr: r.chaddr,
    sname: withBoot ? boot.sname : '',
    file: withBoot ? boot.file : '',
    options: [],
  };
}

/** The client's option 55, in its order (RFC 2132 §9.8). */
export function requestedList(x: Exchange): number[] {
  return [...x.facts.parameterList];
}

/** A reply and its wire bytes. */
export interface Encoded {
  readonly packet: DhcpPacket;
  readonly bytes: Uint8Array;
}

/**
 * Builds an OFFER/ACK with boot data and options, encoded (see `fitReply`); a string
 * (the reason) when it cannot be encoded.
 */
export function positiveReply(x: Exchange, messageType: number, yiaddr: Ipv4, leaseSeconds: number | undefined): Encoded | string {
  const ciaddr = messageType === DHCP_MESSAGE_TYPE.ACK ? x.request.ciaddr : IPV4_ZERO;
  const requested = requestedList(x);
  const options = buildReplyOptions({
    scope: x.scope,
    ...(x.clientClass !== undefined ? { clientClass: x.clientClass } : {}),
    ...(x.policy !== undefined ? { policy: x.policy } : {}),
    messageType,
    serverId: x.ctx.serverAddress,
    ...(leaseSeconds !== undefined ? { leaseSeconds } : {}),
    ...hostnameOf(x),
    requested,
    ...(x.clientId !== undefined ? { clientId: x.clientId } : {}),
    ...relayInfo(x),
  });
  const reply = { ...replyHeader(x, yiaddr, ciaddr, true), options };
  return fitReply(x, reply, requested);
}

/** Option 12: the policy's host name, else the reservation's. */
function hostnameOf(x: Exchange): { hostname?: string } {
  const hostname = x.policy?.hostname ?? x.reservation?.hostname;
  return hostname !== undefined ? { hostname } : {};
}

/**
 * RFC 3046 §2.2: "SHALL echo the entire contents of the Relay Agent Information
 * option in all replies" — also when giaddr is 0 (switches doing DHCP snooping insert
 * option 82 without being a relay, and strip it from the reply).
 */
export function relayInfo(x: Exchange): { relayAgentInfo?: Uint8Array } {
  const info = x.facts.relay.agentInfo;
  return info !== undefined ? { relayAgentInfo: info } : {};
}

/** The reply encoded within the client's maximum message size, or the encoder's reason. */
export function encodeFor(x: Exchange, reply: DhcpPacket): Encoded | string {
  try {
    return { packet: reply, bytes: encodeDhcpPacket(reply, { maxLength: x.facts.maxReplyBytes }) };
  } catch (err) {
    if (err instanceof RangeError) return err.message;
    throw err;
  }
}

/**
 * RFC 2132 §9.10: keep under the client's maximum. When the reply does not fit even
 * with overload into empty file/sname fields (the encoder's part), the options the
 * client did not ask for are left out, except the essential and boot ones.
 */
export function fitReply(x: Exchange, reply: DhcpPacket, requested: readonly number[]): Encoded | string {
  const whole = encodeFor(x, reply);
  if (typeof whole !== 'string') return whole;
  const keep = new Set<number>([
    ...requested,
    OPTION.MESSAGE_TYPE,
    OPTION.SERVER_ID,
    OPTION.LEASE_TIME,
    OPTION.SUBNET_MASK,
    OPTION.CLIENT_ID,
    OPTION.RELAY_AGENT_INFO,
    OPTION.TFTP_SERVER_NAME,
    OPTION.BOOTFILE_NAME,
    OPTION.TFTP_SERVERS,
  ]);
  const trimmed = encodeFor(x, { ...reply, options: reply.options.filter((o: DhcpOption) => keep.has(o.code)) });
  return typeof trimmed === 'string' ? `reply cannot be encoded: ${trimmed}` : trimmed;
}

/** A reply to send: the encoded packet, where it goes (RFC 2131 §4.1), its changes and event. */
export function reply(x: Exchange, encoded: Encoded, messageType: number, changes: LeaseChange[], ev: EngineEvent): EngineResult {
  return { kind: 'reply', reply: encoded.packet, bytes: encoded.bytes, destination: replyDestination(x.request, messageType), changes, event: ev };
}

/** DHCPNAK with its message (RFC 2131 §4.3.2); broadcast through a relay. */
export function nak(x: Exchange, ip: Ipv4 | undefined, message: string): EngineResult {
  const relayed = x.request.giaddr !== IPV4_ZERO;
  const options = buildNakOptions(x.ctx.serverAddress, message, x.clientId, relayInfo(x).relayAgentInfo);
  // RFC 2131 §4.3.2: through a relay, the NAK carries the broadcast bit so the relay broadcasts it.
  const header = replyHeader(x, IPV4_ZERO, IPV4_ZERO, false);
  const encoded = encodeFor(x, { ...header, flags: relayed ? header.flags | FLAG_BROADCAST : header.flags, options });
  if (typeof encoded === 'string') return drop({ kind: 'unencodable', reply: 'nak', detail: encoded });
  return reply(x, encoded, DHCP_MESSAGE_TYPE.NAK, [], event(x, 'refused', { ...(ip !== undefined ? { ip } : {}), message }));
}

/** The scope's lease time in ms. */
export function leaseMs(scope: Scope): number {
  return scope.leaseSeconds * 1000;
}

/** The boot file a reply names (option 67, else the file field), for the event. */
export function fileOf(packet: DhcpPacket): Partial<EngineEvent> {
  const file = getOptionText(packet, OPTION.BOOTFILE_NAME) ?? (packet.file.length > 0 ? packet.file : undefined);
  return file !== undefined ? { file } : {};
}
