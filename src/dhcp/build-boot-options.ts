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
import type { BootData, ClientClass, Scope } from '../config/scope.js';
import { IPV4_ZERO, ipv4ToBytes, prefixToMask, writeIpv4 } from '../net/ipv4.js';
import type { Ipv4 } from '../net/ipv4.js';
import { BOOTP_SIZE, DHCP_MESSAGE_TYPE, OPTION } from './constants.js';
import type { DhcpOption } from './packet.js';

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

/** Options the server always sends (standard and boot data), by code, in a stable order. */
function standardOptions(input: ReplyOptionsInput, boot: BootData): Map<number, Uint8Array> {
  const { scope } = input;
  const out = new Map<number, Uint8Array>();
  out.set(OPTION.SUBNET_MASK, ipv4ToBytes(prefixToMask(scope.subnet.prefix)));
  if (scope.router !== undefined) out.set(OPTION.ROUTER, ipv4ToBytes(scope.router));
  if (scope.dns.length > 0) out.set(OPTION.DNS_SERVERS, ips(scope.dns));
  if (input.hostname !== undefined && input.hostname.length > 0) out.set(OPTION.HOST_NAME, text(input.hostname));
  if (scope.domain !== undefined && scope.domain.length > 0) out.set(OPTION.DOMAIN_NAME, text(scope.domain));
  if (input.leaseSeconds !== undefined) {
    out.set(OPTION.LEASE_TIME, u32(input.leaseSeconds));
    if (input.leaseSeconds !== INFINITE_LEASE) {
      out.set(OPTION.RENEWAL_TIME, u32(Math.floor(input.leaseSeconds * 0.5)));
      out.set(OPTION.REBINDING_TIME, u32(Math.floor(input.leaseSeconds * 0.875)));
    }
  }
  if (boot.tftpServerName !== undefined && boot.tftpServerName.length > 0) out.set(OPTION.TFTP_SERVER_NAME, text(boot.tftpServerName));
  if (boot.file !== undefined && boot.file.length > 0) out.set(OPTION.BOOTFILE_NAME, text(boot.file));
  if (boot.tftpServers.length > 0) out.set(OPTION.TFTP_SERVERS, ips(boot.tftpServers));
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

/** The option list of an OFFER/ACK/INFORM-ACK in the order described above. */
export function buildReplyOptions(input: ReplyOptionsInput): DhcpOption[] {
  const boot = effectiveBoot(input.scope, input.clientClass);
  const standard = standardOptions(input, boot);
  // Configured options: scope first, a class's options replace the same code.
  const configured = new Map<number, { data: Uint8Array; always: boolean }>();
  for (const o of [...input.scope.options, ...(input.clientClass?.options ?? [])]) {
    if (ENGINE_OWNED.has(o.code)) continue;
    configured.set(o.code, { data: o.data, always: o.always });
  }
  const asked = new Set(input.requested);
  const body = new Map<number, Uint8Array>(standard);
  for (const [code, o] of configured) {
    if (o.always || asked.has(code) || standard.has(code)) body.set(code, o.data);
  }

  const out: DhcpOption[] = [
    { code: OPTION.MESSAGE_TYPE, data: Uint8Array.of(input.messageType) },
    { code: OPTION.SERVER_ID, data: ipv4ToBytes(input.serverId) },
  ];
  for (const code of input.requested) {
    const data = body.get(code);
    if (data === undefined) continue;
    out.push({ code, data });
    body.delete(code);
  }
  for (const [code, data] of body) out.push({ code, data });
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
