/**
 * The DHCP client side of benchboot: the rogue-server probe. It sends one
 * DHCPDISCOVER on one interface and lists every server that answers with what it
 * offers. `serve` runs it before the first lease (another DHCP server on the wire
 * means two servers hand out conflicting addresses), and `benchboot probe` shows it.
 *
 * What goes on the wire, and only this: one DHCPDISCOVER (RFC 2131 §4.4.1) from
 * 0.0.0.0:68 to 255.255.255.255:67, on the probed interface only (the socket is
 * pinned with SO_BINDTOIFINDEX), with
 *   - chaddr = the interface's own MAC, a fresh random xid, BROADCAST flag set (so
 *     servers broadcast the OFFER to a client that has no address yet, §4.1);
 *   - option 53 = DISCOVER, option 55 asking for 1, 3, 6, 15, 51, 54, 66, 67, 150,
 *     option 57 = 1500, option 60 = "benchboot-probe" (so an administrator can tell
 *     the probe from a real client in the other server's log).
 * The probe then declines politely by saying nothing more: no DHCPREQUEST (so no
 * lease is taken) and no DHCPDECLINE (which would make the other server quarantine
 * the address as "in use"). The offered address returns to that server's pool when
 * its offer times out.
 */
import { randomInt } from 'node:crypto';
import type { Clock } from '../clock.js';
import { DhcpError } from './dhcp-error.js';
import { readInterfaceMac } from '../net/address.js';
import { bindDhcpSocket } from '../net/bind-interface.js';
import type { DhcpSocketRequest } from '../net/privileged.js';
import { readIfindex } from '../net/interfaces.js';
import { DecodeError } from '../net/bytes.js';
import { IPV4_BROADCAST, IPV4_ZERO, formatCidr, intToIpv4, ipv4FromBytes, ipv4ToInt, macToBytes, maskToPrefix, prefixToMaskInt, type Ipv4, type MacAddress } from '../net/ipv4.js';
import type { UdpEndpoint, UdpPeer } from '../net/udp.js';
import { BOOTP_OP, BOOTP_SIZE, DHCP_MESSAGE_TYPE, DHCP_PORT, FLAG_BROADCAST, OPTION, messageTypeName } from './constants.js';
import {
  clientMac,
  decodeDhcpPacket,
  emptyDhcpPacket,
  encodeDhcpPacket,
  getMessageType,
  getOption,
  getOptionIpv4,
  getOptionText,
  type DhcpPacket,
} from './packet.js';

/** The vendor class (option 60) the probe sends. */
export const PROBE_VENDOR_CLASS = 'benchboot-probe';

/** Options the probe asks for (option 55). */
export const PROBE_PARAMETERS = [
  OPTION.SUBNET_MASK,
  OPTION.ROUTER,
  OPTION.DNS_SERVERS,
  OPTION.DOMAIN_NAME,
  OPTION.LEASE_TIME,
  OPTION.SERVER_ID,
  OPTION.TFTP_SERVER_NAME,
  OPTION.BOOTFILE_NAME,
  OPTION.TFTP_SERVERS,
] as const;

/**
 * How long `serve` listens for another server before the first lease. dnsmasq pings
 * an address (and waits up to 3 s) before it offers it, so 2 s would miss it.
 */
export const DEFAULT_PROBE_TIMEOUT_MS = 4000;

/** One answer to the probe: who answered and what it offered. */
export interface ProbeAnswer {
  /** Where the datagram came from (IP source address and port). */
  readonly from: UdpPeer;
  /** Option 53: OFFER normally; a NAK or ACK would be odd but is shown. */
  readonly messageType: string;
  /** Option 54, the server identifier. */
  readonly serverId?: Ipv4;
  /** yiaddr: the address offered. */
  readonly offeredIp: Ipv4;
  /** Option 1 as a prefix length, and the subnet it makes with yiaddr. */
  readonly prefix?: number;
  readonly subnet?: string;
  /** Option 3 (first router). */
  readonly router?: Ipv4;
  /** Option 51, seconds. */
  readonly leaseSeconds?: number;
  /** siaddr, the next server. */
  readonly siaddr: Ipv4;
  /** sname field. */
  readonly sname: string;
  /** file field, else option 67. */
  readonly file: string;
  /** Option 66. */
  readonly tftpServerName?: string;
  /** Option 150. */
  readonly tftpServers: readonly Ipv4[];
}

/** Builds the probe's DHCPDISCOVER (see the module comment for every field). */
export function buildProbeDiscover(mac: MacAddress, xid: number): DhcpPacket {
  const chaddr = new Uint8Array(BOOTP_SIZE.CHADDR);
  chaddr.set(macToBytes(mac));
  return {
    ...emptyDhcpPacket(),
    op: BOOTP_OP.BOOTREQUEST,
    xid: xid >>> 0,
    flags: FLAG_BROADCAST,
    chaddr,
    options: [
      { code: OPTION.MESSAGE_TYPE, data: Uint8Array.of(DHCP_MESSAGE_TYPE.DISCOVER) },
      { code: OPTION.PARAMETER_REQUEST_LIST, data: Uint8Array.from(PROBE_PARAMETERS) },
      { code: OPTION.MAX_MESSAGE_SIZE, data: Uint8Array.of(1500 >> 8, 1500 & 0xff) },
      { code: OPTION.VENDOR_CLASS, data: new TextEncoder().encode(PROBE_VENDOR_CLASS) },
    ],
  };
}

function ipv4List(bytes: Uint8Array | undefined): Ipv4[] {
  const out: Ipv4[] = [];
  if (!bytes) return out;
  for (let i = 0; i + 4 <= bytes.length; i += 4) out.push(ipv4FromBytes(bytes, i));
  return out;
}

/**
 * Reads a reply as a probe answer when it answers our DISCOVER (BOOTREPLY, same
 * xid, same chaddr); undefined for anything else (other clients' traffic).
 */
export function readProbeAnswer(reply: DhcpPacket, from: UdpPeer, mac: MacAddress, xid: number): ProbeAnswer | undefined {
  if (reply.op !== BOOTP_OP.BOOTREPLY || reply.xid !== xid >>> 0 || clientMac(reply) !== mac) return undefined;
  const mask = getOptionIpv4(reply, OPTION.SUBNET_MASK);
  const prefix = mask === undefined ? undefined : maskToPrefix(mask);
  const lease = getOption(reply, OPTION.LEASE_TIME);
  const subnet =
    prefix === undefined || reply.yiaddr === IPV4_ZERO
      ? undefined
      : formatCidr({ network: intToIpv4(ipv4ToInt(reply.yiaddr) & prefixToMaskInt(prefix)), prefix });
  const optional = <K extends string, V>(key: K, value: V | undefined): Partial<Record<K, V>> =>
    value === undefined ? {} : ({ [key]: value } as Record<K, V>);
  return {
    from,
    messageType: messageTypeName(getMessageType(reply)),
    offeredIp: reply.yiaddr,
    siaddr: reply.siaddr,
    sname: reply.sname,
    file: reply.file || (getOptionText(reply, OPTION.BOOTFILE_NAME) ?? ''),
    tftpServers: ipv4List(getOption(reply, OPTION.TFTP_SERVERS)),
    ...optional('serverId', getOptionIpv4(reply, OPTION.SERVER_ID)),
    ...optional('prefix', prefix),
    ...optional('subnet', subnet),
    ...optional('router', ipv4List(getOption(reply, OPTION.ROUTER))[0]),
    ...optional('leaseSeconds', lease?.length === 4 ? new DataView(lease.buffer, lease.byteOffset, 4).getUint32(0) : undefined),
    ...optional('tftpServerName', getOptionText(reply, OPTION.TFTP_SERVER_NAME)),
  };
}

/** One line naming a server, e.g. `10.9.0.1 (server id 10.9.0.1) offers 10.9.0.57 in 10.9.0.0/24`. */
export function describeProbeAnswer(a: ProbeAnswer): string {
  const id = a.serverId && a.serverId !== a.from.address ? ` (server id ${a.serverId})` : '';
  const sub = a.subnet ? ` in ${a.subnet}` : '';
  return `DHCP server at ${a.from.address}${id} ${a.messageType === 'OFFER' ? 'offers' : `sent ${a.messageType} for`} ${a.offeredIp}${sub}`;
}

/** True when an answer is from benchboot itself (one of `ownAddresses` as server id or source). */
export function isOwnAnswer(a: ProbeAnswer, ownAddresses: readonly Ipv4[]): boolean {
  return ownAddresses.some((ip) => ip === a.serverId || ip === a.from.address);
}

/** Options of {@link probeDhcpServers}. */
export interface ProbeOptions {
  /** A socket bound to the client port on the probed interface (the caller binds it: see bindDhcpSocket). */
  readonly endpoint: UdpEndpoint;
  /** chaddr to send (the interface's MAC). */
  readonly mac: MacAddress;
  readonly timeoutMs: number;
  readonly clock: Clock;
  /** Where to send; 255.255.255.255:67 on a real wire. */
  readonly target?: UdpPeer;
  /** Transaction id; random when not given. */
  readonly xid?: number;
  /** Called for datagrams that are not DHCP (counted, not fatal). */
  readonly onMalformed?: (from: UdpPeer, err: DecodeError) => void;
  /** Ends the wait early (the answers so far are returned). */
  readonly abort?: AbortSignal;
}

/**
 * Sends one DISCOVER and collects every answer for `timeoutMs`. One answer per
 * server (by server id, else source address); the endpoint is left open (the
 * caller closes what it bound).
 */
export async function probeDhcpServers(options: ProbeOptions): Promise<ProbeAnswer[]> {
  const xid = options.xid ?? randomInt(0, 0x1_0000_0000);
  const answers = new Map<string, ProbeAnswer>();
  options.endpoint.onMessage((data, from) => {
    let packet: DhcpPacket;
    try {
      packet = decodeDhcpPacket(data).value;
    } catch (err) {
      if (err instanceof DecodeError) {
        options.onMalformed?.(from, err);
        return;
      }
      throw err;
    }
    const answer = readProbeAnswer(packet, from, options.mac, xid);
    if (answer) answers.set(answer.serverId ?? answer.from.address, answer);
  });
  const target = options.target ?? { address: IPV4_BROADCAST, port: DHCP_PORT.SERVER };
  await options.endpoint.send(encodeDhcpPacket(buildProbeDiscover(options.mac, xid)), target);
  await waitOrAbort(options.clock, options.timeoutMs, options.abort);
  return [...answers.values()];
}

/** Waits `ms` on `clock`, or less when `abort` fires (a Ctrl-C during the probe). */
function waitOrAbort(clock: Clock, ms: number, abort: AbortSignal | undefined): Promise<void> {
  if (abort?.aborted) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const onAbort = (): void => {
      timer.cancel();
      resolve();
    };
    const timer = clock.setTimer(ms, () => {
      abort?.removeEventListener('abort', onAbort);
      resolve();
    });
    abort?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Result of probing one interface. */
export interface InterfaceProbe {
  readonly interfaceName: string;
  readonly mac: MacAddress;
  readonly answers: readonly ProbeAnswer[];
  /** Datagrams on the client port that were not DHCP. */
  readonly malformed: number;
}

/**
 * Probes one real interface: binds 0.0.0.0:68 pinned to it (SO_BINDTOIFINDEX),
 * sends the DISCOVER from the interface's MAC, listens `timeoutMs`, closes.
 * Throws a DhcpError of kind `interface` for a missing interface; binding errors of
 * port 68 come from src/net as they are.
 */
export async function probeInterface(
  interfaceName: string,
  timeoutMs: number,
  clock: Clock,
  abort?: AbortSignal,
  bind: (request: DhcpSocketRequest) => Promise<UdpEndpoint> = (r) => bindDhcpSocket({ kind: 'interface', ...r }),
): Promise<InterfaceProbe> {
  const ifindex = await readIfindex(interfaceName);
  if (ifindex === undefined) throw new DhcpError('interface', interfaceName, `interface ${interfaceName} does not exist`);
  const mac = await readInterfaceMac(interfaceName);
  const endpoint = await bind({ interfaceName, ifindex, port: DHCP_PORT.CLIENT });
  let malformed = 0;
  try {
    const answers = await probeDhcpServers({ endpoint, mac, timeoutMs, clock, onMalformed: () => malformed++, ...(abort ? { abort } : {}) });
    return { interfaceName, mac, answers, malformed };
  } finally {
    await endpoint.close();
  }
}
