/**
 * A DHCP request read once, at the edge, into the facts the decisions need (STYLE §13):
 * message type, client identity, requested address, server identifier, class facts
 * (options 60/77/93), relay facts (giaddr, option 82, option 118), the parameter request
 * list and the reply size limit. The engine, classification and scope selection read
 * these fields; none of them goes back into the option list.
 */
import { toHex } from '../net/bytes.js';
import { IPV4_ZERO, ipv4FromBytes, type Ipv4, type MacAddress } from '../net/ipv4.js';
import { clientFacts, type ClientFacts } from './classify.js';
import { OPTION } from './constants.js';
import { clientMac, getMessageType, getOption, getOptionIpv4, getOptionText, maxReplyLength, type DhcpPacket } from './packet.js';

/** What a relay agent added (RFC 3046, RFC 3011). */
export interface RelayFacts {
  /** giaddr: the relay's address on the client's link; absent when the request came directly. */
  readonly giaddr?: Ipv4;
  /** Option 82, echoed in replies (RFC 3046 §2.2). */
  readonly agentInfo?: Uint8Array;
  /** Option 118, the subnet the client wants an address on (RFC 3011 §3). */
  readonly subnetSelection?: Ipv4;
  /** Option 82 sub-option 5, the client's link when giaddr cannot name it (RFC 3527 §3). */
  readonly linkSelection?: Ipv4;
}

/** Option 82 sub-option 5, link selection (RFC 3527 §3). */
const RAI_LINK_SELECTION = 5;

/** The facts of one request. */
export interface RequestFacts {
  /** The decoded request (its fixed header fields are copied into replies). */
  readonly packet: DhcpPacket;
  /** Option 53; undefined for a BOOTP request (RFC 2132 §9.6). */
  readonly messageType?: number;
  /** chaddr as a MAC. */
  readonly mac: MacAddress;
  /** Option 61, when sent and not empty (RFC 2132 §9.14). */
  readonly clientId?: Uint8Array;
  /** `id:<hex of option 61>` or `mac:<chaddr>` (RFC 2131 §4.2, RFC 6842). */
  readonly clientKey: string;
  /** Option 50 (RFC 2132 §9.1). */
  readonly requestedIp?: Ipv4;
  /** Option 54 (RFC 2132 §9.7). */
  readonly serverId?: Ipv4;
  /** Option 12. */
  readonly hostname?: string;
  /** Option 56, e.g. a DECLINE's explanation (RFC 2132 §9.9). */
  readonly message?: string;
  /** Options 60, 77 and 93. */
  readonly classFacts: ClientFacts;
  readonly relay: RelayFacts;
  /** Option 55 (RFC 2132 §9.8); empty when not sent. */
  readonly parameterList: readonly number[];
  /** The largest reply the client accepts, UDP payload bytes (option 57, RFC 2132 §9.10). */
  readonly maxReplyBytes: number;
}

/** `id:<hex of option 61>` when the client sent one, else `mac:<chaddr>` (RFC 2131 §4.2, RFC 6842). */
export function clientKeyOf(mac: MacAddress, clientId: Uint8Array | undefined): string {
  return clientId !== undefined ? `id:${toHex(clientId)}` : `mac:${mac}`;
}

function relayFacts(packet: DhcpPacket): RelayFacts {
  const agentInfo = getOption(packet, OPTION.RELAY_AGENT_INFO);
  const subnetSelection = getOptionIpv4(packet, OPTION.SUBNET_SELECTION);
  const linkSelection = agentInfo !== undefined ? linkSelectionOf(agentInfo) : undefined;
  return {
    ...(packet.giaddr !== IPV4_ZERO ? { giaddr: packet.giaddr } : {}),
    ...(agentInfo !== undefined ? { agentInfo } : {}),
    ...(subnetSelection !== undefined ? { subnetSelection } : {}),
    ...(linkSelection !== undefined ? { linkSelection } : {}),
  };
}

/** Sub-option 5 of option 82 when it holds one address; the sub-options are code, length, value (RFC 3046 §2.0). */
function linkSelectionOf(agentInfo: Uint8Array): Ipv4 | undefined {
  for (let i = 0; i + 1 < agentInfo.length; i += 2 + (agentInfo[i + 1] ?? 0)) {
    const len = agentInfo[i + 1] ?? 0;
    if (agentInfo[i] === RAI_LINK_SELECTION && len === 4 && i + 6 <= agentInfo.length) return ipv4FromBytes(agentInfo, i + 2);
  }
  return undefined;
}

/** Reads a decoded request once into its facts. */
export function readRequestFacts(packet: DhcpPacket): RequestFacts {
  const messageType = getMessageType(packet);
  const raw = getOption(packet, OPTION.CLIENT_ID);
  const clientId = raw !== undefined && raw.length > 0 ? raw : undefined;
  const mac = clientMac(packet);
  const requestedIp = getOptionIpv4(packet, OPTION.REQUESTED_IP);
  const serverId = getOptionIpv4(packet, OPTION.SERVER_ID);
  const hostname = getOptionText(packet, OPTION.HOST_NAME);
  const message = getOptionText(packet, OPTION.MESSAGE);
  return {
    packet,
    ...(messageType !== undefined ? { messageType } : {}),
    mac,
    ...(clientId !== undefined ? { clientId } : {}),
    clientKey: clientKeyOf(mac, clientId),
    ...(requestedIp !== undefined ? { requestedIp } : {}),
    ...(serverId !== undefined ? { serverId } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    ...(message !== undefined ? { message } : {}),
    classFacts: clientFacts(packet),
    relay: relayFacts(packet),
    parameterList: Array.from(getOption(packet, OPTION.PARAMETER_REQUEST_LIST) ?? []),
    maxReplyBytes: maxReplyLength(packet),
  };
}
