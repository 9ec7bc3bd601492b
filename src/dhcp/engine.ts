/**
 * The pure DHCP engine: RFC 2131 §4.3 as a function of (request, scopes, lease view,
 * now) that returns the reply to send, where to send it and the lease changes to
 * apply — or a drop with its reason. No sockets, files, timers, Date.now or
 * randomness: the server applies `changes` to the LeaseTable, journals them, and only
 * then sends `bytes` (the reply, encoded once here within the client's maximum message
 * size) to `destination`.
 *
 * Steps for every request: check it is a DHCP BOOTREQUEST → pick the scope (interface
 * or relay) → identify the client (option 61, else chaddr; RFC 2131 §4.2, RFC 6842) →
 * classify it (options 60/77/93) → handle its message type:
 * - DISCOVER (§4.3.1): choose an address, hold it as an 'offered' lease for
 *   OFFER_HOLD_SECONDS so two clients never get the same offer, send OFFER.
 * - REQUEST (§4.3.2): SELECTING (server id present), INIT-REBOOT (option 50, no
 *   ciaddr), RENEWING/REBINDING (ciaddr) → ACK with a 'bound' lease, NAK, or silence.
 * - DECLINE (§4.3.3): quarantine the address for scope.declineSeconds.
 * - RELEASE (§4.3.4): mark the lease 'released' (free, remembered for the client).
 * - INFORM (§4.3.5): options only; no lease, no lease time, unicast to ciaddr.
 * BOOTP requests (no option 53) are not served: benchboot hands out leases only.
 */
import type { ClientClass, Reservation, Scope } from './scope.js';
import { cidrContains, IPV4_ZERO } from '../net/ipv4.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';
import { BOOTP_OP, DHCP_MESSAGE_TYPE, FLAG_BROADCAST, OFFER_HOLD_SECONDS, OPTION } from './constants.js';
import { bootFields, buildNakOptions, buildReplyOptions, effectiveBoot } from './build-boot-options.js';
import { chooseAddress, findReservation, isPoolAddressFor, isUsableBy } from './choose-address.js';
import type { AddressSource } from './choose-address.js';
import { classify } from './classify.js';
import type { Lease, LeaseChange } from './lease.js';
import type { EngineLeases } from './lease-table.js';
import { encodeDhcpPacket, getOptionText } from './packet.js';
import type { DhcpOption, DhcpPacket } from './packet.js';
import { replyDestination } from './reply-destination.js';
import type { ReplyDestination } from './reply-destination.js';
import { selectScope } from './select-scope.js';
import type { RequestFacts } from './request-facts.js';
import type { DropReason } from './drop-reason.js';

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
interface Exchange {
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
}

function drop(reason: DropReason, changes: LeaseChange[] = [], event?: EngineEvent): EngineResult {
  return event ? { kind: 'drop', reason, changes, event } : { kind: 'drop', reason, changes };
}


/** RFC 2131 §4.3: the engine's answer to one request. Never throws for any decoded packet. */
export function respond(ctx: EngineContext, scopes: readonly Scope[], leases: EngineLeases): EngineResult {
  const facts = ctx.facts;
  const request = facts.packet;
  if (request.op !== BOOTP_OP.BOOTREQUEST) return drop({ kind: 'not-a-request' });
  const type = facts.messageType;
  if (type === undefined) return drop({ kind: 'bootp-not-served' });
  const relay = facts.relay;
  const scope = selectScope(scopes, {
    interfaceName: ctx.interfaceName,
    serverAddress: ctx.serverAddress,
    giaddr: request.giaddr,
    ...(relay.subnetSelection !== undefined ? { subnetSelection: relay.subnetSelection } : {}),
  });
  if (!scope) {
    return drop({ kind: 'no-scope', interfaceName: ctx.interfaceName, ...(relay.giaddr !== undefined ? { relay: relay.giaddr } : {}) });
  }
  const { clientId, mac, hostname } = facts;
  if (clientId === undefined && request.hlen === 0) return drop({ kind: 'no-client-identity' });
  const vendorClass = facts.classFacts.vendorClass;
  const clientClass = classify(scope, facts.classFacts);
  const reservation = findReservation(scope, mac, clientId);
  const x: Exchange = {
    ctx,
    facts,
    request,
    scope,
    leases,
    now: ctx.now,
    mac,
    clientKey: facts.clientKey,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(reservation !== undefined ? { reservation } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    ...(vendorClass !== undefined ? { vendorClass } : {}),
    ...(clientClass !== undefined ? { clientClass } : {}),
  };
  switch (type) {
    case DHCP_MESSAGE_TYPE.DISCOVER:
      return discover(x);
    case DHCP_MESSAGE_TYPE.REQUEST:
      return requestMessage(x);
    case DHCP_MESSAGE_TYPE.DECLINE:
      return decline(x);
    case DHCP_MESSAGE_TYPE.RELEASE:
      return release(x);
    case DHCP_MESSAGE_TYPE.INFORM:
      return inform(x);
    default:
      return drop({ kind: 'unhandled-message-type', messageType: type });
  }
}

// ---------------------------------------------------------------- building blocks

function event(x: Exchange, type: EngineEvent['type'], extra: Partial<EngineEvent> = {}): EngineEvent {
  return {
    type,
    mac: x.mac,
    scope: x.scope.name,
    xid: x.request.xid,
    clientKey: x.clientKey,
    ...(x.vendorClass !== undefined ? { vendorClass: x.vendorClass } : {}),
    ...(x.hostname !== undefined ? { hostname: x.hostname } : {}),
    ...(x.clientClass !== undefined ? { clientClass: x.clientClass.name } : {}),
    ...extra,
  };
}

/** A lease record for this client; host name and vendor class carry over from its record when the request lacks them. */
function lease(x: Exchange, ip: Ipv4, state: Lease['state'], expiresAt: number): Lease {
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
function replyHeader(x: Exchange, yiaddr: Ipv4, ciaddr: Ipv4, withBoot: boolean): DhcpPacket {
  const boot = bootFields(effectiveBoot(x.scope, x.clientClass));
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

function requestedList(x: Exchange): number[] {
  return [...x.facts.parameterList];
}

/** A reply and its wire bytes. */
interface Encoded {
  readonly packet: DhcpPacket;
  readonly bytes: Uint8Array;
}

/**
 * Builds an OFFER/ACK with boot data and options, encoded (see `fitReply`); a string
 * (the reason) when it cannot be encoded.
 */
function positiveReply(x: Exchange, messageType: number, yiaddr: Ipv4, leaseSeconds: number | undefined): Encoded | string {
  const ciaddr = messageType === DHCP_MESSAGE_TYPE.ACK ? x.request.ciaddr : IPV4_ZERO;
  const requested = requestedList(x);
  const options = buildReplyOptions({
    scope: x.scope,
    ...(x.clientClass !== undefined ? { clientClass: x.clientClass } : {}),
    messageType,
    serverId: x.ctx.serverAddress,
    ...(leaseSeconds !== undefined ? { leaseSeconds } : {}),
    ...(x.reservation?.hostname !== undefined ? { hostname: x.reservation.hostname } : {}),
    requested,
    ...(x.clientId !== undefined ? { clientId: x.clientId } : {}),
    ...relayInfo(x),
  });
  const reply = { ...replyHeader(x, yiaddr, ciaddr, true), options };
  return fitReply(x, reply, requested);
}

/**
 * RFC 3046 §2.2: "SHALL echo the entire contents of the Relay Agent Information
 * option in all replies" — also when giaddr is 0 (switches doing DHCP snooping insert
 * option 82 without being a relay, and strip it from the reply).
 */
function relayInfo(x: Exchange): { relayAgentInfo?: Uint8Array } {
  const info = x.facts.relay.agentInfo;
  return info !== undefined ? { relayAgentInfo: info } : {};
}

/** The reply encoded within the client's maximum message size, or the encoder's reason. */
function encodeFor(x: Exchange, reply: DhcpPacket): Encoded | string {
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
function fitReply(x: Exchange, reply: DhcpPacket, requested: readonly number[]): Encoded | string {
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

function reply(x: Exchange, encoded: Encoded, messageType: number, changes: LeaseChange[], ev: EngineEvent): EngineResult {
  return { kind: 'reply', reply: encoded.packet, bytes: encoded.bytes, destination: replyDestination(x.request, messageType), changes, event: ev };
}

function nak(x: Exchange, ip: Ipv4 | undefined, message: string): EngineResult {
  const relayed = x.request.giaddr !== IPV4_ZERO;
  const options = buildNakOptions(x.ctx.serverAddress, message, x.clientId, relayInfo(x).relayAgentInfo);
  // RFC 2131 §4.3.2: through a relay, the NAK carries the broadcast bit so the relay broadcasts it.
  const header = replyHeader(x, IPV4_ZERO, IPV4_ZERO, false);
  const encoded = encodeFor(x, { ...header, flags: relayed ? header.flags | FLAG_BROADCAST : header.flags, options });
  if (typeof encoded === 'string') return drop({ kind: 'unencodable', reply: 'nak', detail: encoded });
  return reply(x, encoded, DHCP_MESSAGE_TYPE.NAK, [], event(x, 'refused', { ...(ip !== undefined ? { ip } : {}), message }));
}

function leaseMs(scope: Scope): number {
  return scope.leaseSeconds * 1000;
}

function fileOf(packet: DhcpPacket): Partial<EngineEvent> {
  const file = getOptionText(packet, OPTION.BOOTFILE_NAME) ?? (packet.file.length > 0 ? packet.file : undefined);
  return file !== undefined ? { file } : {};
}

// ---------------------------------------------------------------- handlers

/** RFC 2131 §4.3.1: DHCPDISCOVER → DHCPOFFER, address held as 'offered'. */
function discover(x: Exchange): EngineResult {
  const requested = x.facts.requestedIp;
  const choice = chooseAddress(x.scope, x.leases, {
    clientKey: x.clientKey,
    mac: x.mac,
    ...(x.clientId !== undefined ? { clientId: x.clientId } : {}),
    ...(requested !== undefined ? { requested } : {}),
    serverAddress: x.ctx.serverAddress,
    now: x.now,
  });
  if (choice.kind === 'exhausted') return drop({ kind: 'pool-exhausted' }, [], event(x, 'exhausted'));
  const offer = positiveReply(x, DHCP_MESSAGE_TYPE.OFFER, choice.ip, x.scope.leaseSeconds);
  if (typeof offer === 'string') return drop({ kind: 'unencodable', reply: 'other', detail: offer });
  // A client's live binding stays 'bound' (it may just be rebooting); otherwise hold the offer.
  const existing = x.leases.get(x.scope.name, choice.ip);
  const isLiveBinding = existing?.clientKey === x.clientKey && existing.state === 'bound' && existing.expiresAt > x.now;
  const changes: LeaseChange[] = isLiveBinding
    ? []
    : [{ kind: 'put', lease: lease(x, choice.ip, 'offered', x.now + OFFER_HOLD_SECONDS * 1000) }];
  return reply(x, offer, DHCP_MESSAGE_TYPE.OFFER, changes, event(x, 'offered', { ip: choice.ip, source: choice.source, ...fileOf(offer.packet) }));
}

/** RFC 2131 §4.3.2: the client state a DHCPREQUEST is sent in. */
export type RequestState = 'selecting' | 'init-reboot' | 'renewing' | 'invalid';

/** RFC 2131 §4.3.2: SELECTING has option 54; INIT-REBOOT has option 50 and no ciaddr; RENEWING/REBINDING has ciaddr. */
export function requestState(facts: Pick<RequestFacts, 'serverId' | 'requestedIp' | 'packet'>): RequestState {
  if (facts.serverId !== undefined) return 'selecting';
  if (facts.packet.ciaddr === IPV4_ZERO) return facts.requestedIp !== undefined ? 'init-reboot' : 'invalid';
  return 'renewing';
}

function requestMessage(x: Exchange): EngineResult {
  switch (requestState(x.facts)) {
    case 'selecting':
      return selecting(x);
    case 'init-reboot': {
      const ip = x.facts.requestedIp;
      return ip === undefined ? drop({ kind: 'no-requested-address', message: 'INIT-REBOOT' }) : confirm(x, ip, 'init-reboot');
    }
    case 'renewing':
      return confirm(x, x.request.ciaddr, 'renewing');
    case 'invalid':
      return drop({ kind: 'unknown-request-state' });
  }
}

/** RFC 2131 §4.3.2 SELECTING: ours → ACK (or NAK if the offer is gone); not ours → withdraw our offer silently. */
function selecting(x: Exchange): EngineResult {
  const serverId = x.facts.serverId;
  const own = x.leases.findByClient(x.scope.name, x.clientKey);
  if (serverId !== x.ctx.serverAddress) {
    if (own?.state === 'offered') {
      const changes: LeaseChange[] = [{ kind: 'delete', scope: x.scope.name, ip: own.ip }];
      return drop({ kind: 'chose-other-server', ...(serverId !== undefined ? { serverId } : {}) }, changes, event(x, 'withdrawn', { ip: own.ip }));
    }
    return drop({ kind: 'for-other-server', message: 'REQUEST', ...(serverId !== undefined ? { serverId } : {}) });
  }
  const ip = x.facts.requestedIp ?? (x.request.ciaddr !== IPV4_ZERO ? x.request.ciaddr : undefined);
  if (ip === undefined) return drop({ kind: 'no-requested-address', message: 'SELECTING REQUEST' });
  if (!isAddressFor(x, ip)) return nak(x, ip, `${ip} is not available`);
  return ack(x, ip);
}

/** True when `ip` may be bound to this client: its reservation, or a usable pool address. */
function isAddressFor(x: Exchange, ip: Ipv4): boolean {
  if (x.reservation) return x.reservation.ip === ip && isUsableBy(x.leases.get(x.scope.name, ip), x.clientKey, x.now);
  return isPoolAddressFor(x.scope, x.leases, ip, { clientKey: x.clientKey, serverAddress: x.ctx.serverAddress, now: x.now });
}

/**
 * RFC 2131 §4.3.2 INIT-REBOOT and RENEWING/REBINDING: the client names its address.
 * - Known (our record of this client on that address, or its reservation) and still
 *   valid → ACK (extend).
 * - Wrong (other subnet, another client's, quarantined, not ours to give, or the client
 *   holds a different live binding) → NAK when authoritative, silence otherwise.
 * - No record of the client: an authoritative server ACKs a free pool address (the
 *   lease file was lost; the client keeps its address), a non-authoritative one stays
 *   silent as §4.3.2 says ("MUST remain silent").
 */
function confirm(x: Exchange, ip: Ipv4, state: 'init-reboot' | 'renewing'): EngineResult {
  const label = state === 'init-reboot' ? 'INIT-REBOOT' : 'RENEWING/REBINDING';
  const refuse = (why: string): EngineResult =>
    x.scope.authoritative ? nak(x, ip, why) : drop({ kind: 'silent-refusal', message: label, why });
  if (!cidrContains(x.scope.subnet, ip)) return refuse(`${ip} is not on this network`);
  const isKnown = x.leases.get(x.scope.name, ip)?.clientKey === x.clientKey || x.reservation?.ip === ip;
  const usable = isAddressFor(x, ip);
  if (isKnown) return usable ? ack(x, ip) : refuse(`${ip} is no longer available to this client`);
  const own = x.leases.findByClient(x.scope.name, x.clientKey);
  if (own !== undefined && own.state === 'bound' && own.expiresAt > x.now) return refuse(`this client's address is ${own.ip}, not ${ip}`);
  if (x.reservation !== undefined) return refuse(`this client's reserved address is ${x.reservation.ip}, not ${ip}`);
  if (!x.scope.authoritative) return drop({ kind: 'unknown-client', message: label });
  return usable ? ack(x, ip) : nak(x, ip, `${ip} is not available`);
}

/** DHCPACK with a 'bound' lease of scope.leaseSeconds. */
function ack(x: Exchange, ip: Ipv4): EngineResult {
  const encoded = positiveReply(x, DHCP_MESSAGE_TYPE.ACK, ip, x.scope.leaseSeconds);
  if (typeof encoded === 'string') return drop({ kind: 'unencodable', reply: 'other', detail: encoded });
  const changes: LeaseChange[] = [{ kind: 'put', lease: lease(x, ip, 'bound', x.now + leaseMs(x.scope)) }];
  return reply(x, encoded, DHCP_MESSAGE_TYPE.ACK, changes, event(x, 'bound', { ip, ...fileOf(encoded.packet) }));
}

function isForUs(x: Exchange): boolean {
  const serverId = x.facts.serverId;
  return serverId === undefined || serverId === x.ctx.serverAddress;
}

/** RFC 2131 §4.3.3: the client found the address in use; quarantine it. */
function decline(x: Exchange): EngineResult {
  if (!isForUs(x)) return drop({ kind: 'for-other-server', message: 'DECLINE' });
  const ip = x.facts.requestedIp;
  if (ip === undefined) return drop({ kind: 'no-requested-address', message: 'DECLINE' });
  const record = x.leases.get(x.scope.name, ip);
  if (record?.clientKey !== x.clientKey) return drop({ kind: 'not-held-by-client', message: 'DECLINE', ip });
  const message = x.facts.message;
  const quarantined = lease(x, ip, 'declined', x.now + x.scope.declineSeconds * 1000);
  const ev = event(x, 'declined', { ip, message: message ?? `address ${ip} is in use by another device` });
  return drop({ kind: 'declined' }, [{ kind: 'put', lease: quarantined }], ev);
}

/** RFC 2131 §4.3.4: the client gives its address back; free, remembered for that client. */
function release(x: Exchange): EngineResult {
  if (!isForUs(x)) return drop({ kind: 'for-other-server', message: 'RELEASE' });
  const ip = x.request.ciaddr;
  const record = x.leases.get(x.scope.name, ip);
  if (ip === IPV4_ZERO || record?.clientKey !== x.clientKey || record.state !== 'bound') {
    return drop({ kind: 'not-held-by-client', message: 'RELEASE', ip });
  }
  return drop({ kind: 'released' }, [{ kind: 'put', lease: lease(x, ip, 'released', x.now) }], event(x, 'released', { ip }));
}

/** RFC 2131 §4.3.5: configuration only — no lease, no lease time, yiaddr 0, unicast to ciaddr. */
function inform(x: Exchange): EngineResult {
  const requested = requestedList(x);
  const options = buildReplyOptions({
    scope: x.scope,
    ...(x.clientClass !== undefined ? { clientClass: x.clientClass } : {}),
    messageType: DHCP_MESSAGE_TYPE.ACK,
    serverId: x.ctx.serverAddress,
    requested,
    ...(x.clientId !== undefined ? { clientId: x.clientId } : {}),
    ...relayInfo(x),
  });
  const encoded = fitReply(x, { ...replyHeader(x, IPV4_ZERO, x.request.ciaddr, true), options }, requested);
  if (typeof encoded === 'string') return drop({ kind: 'unencodable', reply: 'other', detail: encoded });
  const ip = x.request.ciaddr !== IPV4_ZERO ? { ip: x.request.ciaddr } : {};
  return reply(x, encoded, DHCP_MESSAGE_TYPE.ACK, [], event(x, 'informed', { ...ip, ...fileOf(encoded.packet) }));
}
