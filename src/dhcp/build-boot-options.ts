/**
 * The boot data and options a reply carries, and their order.
 *
 * Every OFFER/ACK carries the scope's boot data, with a matching client class's
 * overrides applied field by field, in every slot a device may look (Cisco's
 * precedence is 150, 66, siaddr, sname):
 * - siaddr = next-server (RFC 2131 §2), sname = server host name (64-byte field);
 * - option 66 TFTP server name (RFC 2132 §9.4), option 150 TFTP server list (RFC 5859 §3);
 * - `file` and option 67 boot file name (RFC 2132 §9.5): old PXE ROMs read `file`,
 *   others read 67.
 * Plus 1 subnet mask, 3 router, 6 DNS, 15 domain, 12 host name for reservations,
 * 51/58/59 lease times (not in INFORM replies, RFC 2131 §4.3.5), and the configured
 * options (class options replace scope options with the same code).
 *
 * Order (RFC 2131 §4.3.1 leaves it open; some firmware reads only the first few
 * options): 53 and 54 first, then what the client asked for in option 55 in its order,
 * then the rest, then option 61 echoed (RFC 6842 §3) and last option 82 (RFC 3046 §2.2:
 * "SHALL [...] echo [...] as the last DHCP option").
 * Configured options are sent when asked for or marked `always`; the standard and boot
 * options above are always sent.
 */
import type { BootData, ClientClass, Scope } from './scope.js';
import { IPV4_ZERO, ipv4ToBytes, prefixToMask, writeIpv4 } from '../net/ipv4.js';
import type { Ipv4 } from '../net/ipv4.js';
import { BOOTP_SIZE, DHCP_MESSAGE_TYPE, OPTION } from './constants.js';
import type { DhcpOption } from './packet.js';
import type { RequestPolicy } from './request-policy.js';

/** The fixed-field boot data of a reply. */
export interface BootFields {
  readonly siaddr: Ipv4;
  readonly sname: string;
  readonly file: string;
}

/** What a reply's option list is built from. */
export interface ReplyOptionsInput {
  readonly scope: Scope;
  readonly clientClass?: ClientClass;
  /** Option 53 value of the reply. */
  readonly messageType: number;
  /** Option 54: our address on the receiving link. */
  readonly serverId: Ipv4;
  /** Option 51 in seconds; undefined for INFORM replies (no lease). */
  readonly leaseSeconds?: number;
  /** Option 12 for a reservation with a host name. */
  readonly hostname?: string;
  /** The client's option 55, in its order. */
  readonly requested: readonly number[];
  /** The client's option 61 bytes, echoed (RFC 6842). */
  readonly clientId?: Uint8Array;
  /** The relay's option 82 bytes, echoed last (RFC 3046). */
  readonly relayAgentInfo?: Uint8Array;
  /** The product's decoration of this answer (request-policy.ts). */
  readonly policy?: RequestPolicy;
}

/** The scope's boot data with the class's overrides applied field by field. */
export function effectiveBoot(scope: Pick<Scope, 'boot'>, clientClass?: Pick<ClientClass, 'boot'>): BootData {
  return { ...scope.boot, ...(clientClass?.boot ?? {}) };
}

/**
 * siaddr, sname and file of a reply (RFC 2131 §2). A boot file longer than the
 * 128-byte field (an HTTP URL for iPXE, say) travels in option 67 only.
 */
export function bootFields(boot: BootData): BootFields {
  const file = boot.file ?? '';
  // UTF-8 needs at least one byte per UTF-16 unit and at most three: measure only in between.
  const fits = file.length <= BOOTP_SIZE.FILE / 3 || (file.length <= BOOTP_SIZE.FILE && encoder.encode(file).length <= BOOTP_SIZE.FILE);
  return { siaddr: boot.nextServer ?? IPV4_ZERO, sname: boot.serverName ?? '', file: fits ? file : '' };
}

const encoder = new TextEncoder();
const text = (s: string): Uint8Array => encoder.encode(s);
const u32 = (n: number): Uint8Array => Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
const ips = (list: readonly Ipv4[]): Uint8Array => {
  const b = new Uint8Array(list.length * 4);
  list.forEach((ip, i) => writeIpv4(b, i * 4, ip));
  return b;
};

/** A lease time of 0xffffffff means "infinite" (RFC 2132 §9.2): no T1/T2 then. */
const INFINITE_LEASE = 0xffffffff;

/**
 * The parts of the standard options that depend only on the scope and the class,
 * in their place in the order: before the host name (1, 3, 6), between host name and
 * lease times (15), after the lease times (66, 67, 150).
 */
interface StandardParts {
  readonly head: readonly DhcpOption[];
  readonly middle: readonly DhcpOption[];
  readonly tail: readonly DhcpOption[];
  /** Options 51, 58, 59 by lease seconds. */
  readonly leaseTimes: Map<number, readonly DhcpOption[]>;
}

/**
 * Built once per scope object (and class): scopes are immutable values that a reload
 * replaces, so a WeakMap keyed by the object is never stale. The option values are
 * shared between replies; nothing writes to them (the encoder only reads).
 */
const standardCache = new WeakMap<Scope, Map<ClientClass | undefined, StandardParts>>();

function standardParts(scope: Scope, clientClass: ClientClass | undefined, boot: BootData): StandardParts {
  let byClass = standardCache.get(scope);
  if (!byClass) standardCache.set(scope, (byClass = new Map()));
  const cached = byClass.get(clientClass);
  if (cached) return cached;
  const head: DhcpOption[] = [{ code: OPTION.SUBNET_MASK, data: ipv4ToBytes(prefixToMask(scope.subnet.prefix)) }];
  if (scope.router !== undefined) head.push({ code: OPTION.ROUTER, data: ipv4ToBytes(scope.router) });
  if (scope.dns.length > 0) head.push({ code: OPTION.DNS_SERVERS, data: ips(scope.dns) });
  const middle: DhcpOption[] = [];
  if (scope.domain !== undefined && scope.domain.length > 0) middle.push({ code: OPTION.DOMAIN_NAME, data: text(scope.domain) });
  const tail: DhcpOption[] = [];
  if (boot.tftpServerName !== undefined && boot.tftpServerName.length > 0) tail.push({ code: OPTION.TFTP_SERVER_NAME, data: text(boot.tftpServerName) });
  if (boot.file !== undefined && boot.file.length > 0) tail.push({ code: OPTION.BOOTFILE_NAME, data: text(boot.file) });
  if (boot.tftpServers.length > 0) tail.push({ code: OPTION.TFTP_SERVERS, data: ips(boot.tftpServers) });
  const parts = { head, middle, tail, leaseTimes: new Map<number, readonly DhcpOption[]>() };
  byClass.set(clientClass, parts);
  return parts;
}

function leaseTimeOptions(parts: StandardParts, seconds: number): readonly DhcpOption[] {
  const cached = parts.leaseTimes.get(seconds);
  if (cached) return cached;
  const list: DhcpOption[] = [{ code: OPTION.LEASE_TIME, data: u32(seconds) }];
  if (seconds !== INFINITE_LEASE) {
    list.push({ code: OPTION.RENEWAL_TIME, data: u32(Math.floor(seconds * 0.5)) });
    list.push({ code: OPTION.REBINDING_TIME, data: u32(Math.floor(seconds * 0.875)) });
  }
  // A handful of distinct lease times per scope at most; keep the map from growing without bound anyway.
  if (parts.leaseTimes.size < 16) parts.leaseTimes.set(seconds, list);
  return list;
}

/** Options the server always sends (standard and boot data), in a stable order. */
function standardOptions(input: ReplyOptionsInput, boot: BootData): DhcpOption[] {
  const parts = standardParts(input.scope, input.clientClass, boot);
  const out = [...parts.head];
  if (input.hostname !== undefined && input.hostname.length > 0) out.push({ code: OPTION.HOST_NAME, data: text(input.hostname) });
  out.push(...parts.middle);
  if (input.leaseSeconds !== undefined) out.push(...leaseTimeOptions(parts, input.leaseSeconds));
  out.push(...parts.tail);
  return out;
}

/** Codes the engine owns: configured options may not replace them (51 follows scope.leaseSeconds, 1 the subnet). */
const ENGINE_OWNED: ReadonlySet<number> = new Set([
  OPTION.SUBNET_MASK,
  OPTION.LEASE_TIME,
  OPTION.MESSAGE_TYPE,
  OPTION.SERVER_ID,
  OPTION.OVERLOAD,
  OPTION.CLIENT_ID,
  OPTION.RELAY_AGENT_INFO,
  OPTION.PARAMETER_REQUEST_LIST,
  OPTION.REQUESTED_IP,
  OPTION.MAX_MESSAGE_SIZE,
]);

function indexOfCode(list: readonly DhcpOption[], code: number): number {
  for (let i = 0; i < list.length; i++) if (list[i]?.code === code) return i;
  return -1;
}

/**
 * Adds the configured options to the body: scope first, a class's options replace the
 * same code (in the scope option's place). One is sent when asked for, marked
 * `always`, or when it replaces a standard option (in that option's place).
 */
function addConfigured(body: DhcpOption[], input: ReplyOptionsInput): void {
  const scopeOptions = input.scope.options;
  const classOptions = input.clientClass?.options ?? [];
  if (scopeOptions.length === 0 && classOptions.length === 0) return;
  const configured: { code: number; data: Uint8Array; always: boolean }[] = [];
  for (const o of [...scopeOptions, ...classOptions]) {
    if (ENGINE_OWNED.has(o.code)) continue;
    const entry = { code: o.code, data: o.data, always: o.always };
    const at = configured.findIndex((c) => c.code === o.code);
    if (at >= 0) configured[at] = entry;
    else configured.push(entry);
  }
  const standardCount = body.length;
  for (const o of configured) {
    const at = indexOfCode(body, o.code);
    const isStandard = at >= 0 && at < standardCount;
    if (!o.always && !input.requested.includes(o.code) && !isStandard) continue;
    if (at >= 0) body[at] = { code: o.code, data: o.data };
    else body.push({ code: o.code, data: o.data });
  }
}

/**
 * Applies a policy: its withheld codes leave the body, its options replace the same
 * code in place or are appended (sent whether or not asked for). Engine-owned codes stay.
 */
function applyPolicy(body: DhcpOption[], policy: RequestPolicy): DhcpOption[] {
  const out = policy.withhold.length === 0 ? body : body.filter((o) => !policy.withhold.includes(o.code) || ENGINE_OWNED.has(o.code));
  for (const o of policy.options) {
    if (ENGINE_OWNED.has(o.code)) continue;
    const at = indexOfCode(out, o.code);
    if (at >= 0) out[at] = { code: o.code, data: o.data };
    else out.push({ code: o.code, data: o.data });
  }
  return out;
}

/** The option list of an OFFER/ACK/INFORM-ACK in the order described above. */
export function buildReplyOptions(input: ReplyOptionsInput): DhcpOption[] {
  const boot = input.clientClass === undefined ? input.scope.boot : effectiveBoot(input.scope, input.clientClass);
  const standard = standardOptions(input, boot);
  addConfigured(standard, input);
  const body = input.policy === undefined ? standard : applyPolicy(standard, input.policy);

  const out: DhcpOption[] = [
    { code: OPTION.MESSAGE_TYPE, data: Uint8Array.of(input.messageType) },
    { code: OPTION.SERVER_ID, data: ipv4ToBytes(input.serverId) },
  ];
  const sent = new Uint8Array(body.length);
  for (const code of input.requested) {
    const at = indexOfCode(body, code);
    const option = body[at];
    if (option === undefined || sent[at] === 1) continue;
    out.push(option);
    sent[at] = 1;
  }
  for (let i = 0; i < body.length; i++) {
    const option = body[i];
    if (option !== undefined && sent[i] !== 1) out.push(option);
  }
  if (input.clientId !== undefined) out.push({ code: OPTION.CLIENT_ID, data: input.clientId });
  if (input.relayAgentInfo !== undefined) out.push({ code: OPTION.RELAY_AGENT_INFO, data: input.relayAgentInfo });
  return out;
}

/** The options of a DHCPNAK (RFC 2131 §4.3.2, table 3): 53, 54, 56 message, 61 and 82 echoed. */
export function buildNakOptions(serverId: Ipv4, message: string, clientId?: Uint8Array, relayAgentInfo?: Uint8Array): DhcpOption[] {
  const out: DhcpOption[] = [
    { code: OPTION.MESSAGE_TYPE, data: Uint8Array.of(DHCP_MESSAGE_TYPE.NAK) },
    { code: OPTION.SERVER_ID, data: ipv4ToBytes(serverId) },
    { code: OPTION.MESSAGE, data: text(message) },
  ];
  if (clientId !== undefined) out.push({ code: OPTION.CLIENT_ID, data: clientId });
  if (relayAgentInfo !== undefined) out.push({ code: OPTION.RELAY_AGENT_INFO, data: relayAgentInfo });
  return out;
}
