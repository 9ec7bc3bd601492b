/**
 * Where a reply goes: RFC 2131 §4.1 reply addressing as one pure decision.
 *
 * > If the 'giaddr' field in a DHCP message from a client is non-zero, the server
 * > sends any return messages to the 'DHCP server' port on the BOOTP relay agent
 * > whose address appears in 'giaddr'. If the 'giaddr' field is zero and the
 * > 'ciaddr' field is nonzero, then the server unicasts DHCPOFFER and DHCPACK
 * > messages to the address in 'ciaddr'. [...] If the broadcast bit is not set and
 * > 'giaddr' is zero and 'ciaddr' is zero, then the server unicasts DHCPOFFER and
 * > DHCPACK messages to the client's hardware address and 'yiaddr' address. In all
 * > cases, when 'giaddr' is zero, the server broadcasts any DHCPNAK messages to
 * > 0xffffffff.
 *
 * Node's UDP sockets cannot send to an address that has no ARP entry yet by naming the
 * MAC (there is no raw ARP-table insert), so the "unicast to chaddr/yiaddr" case is
 * broadcast to 255.255.255.255 instead. RFC 2131 §4.1 allows that: a server that
 * cannot unicast to a client without an address may broadcast.
 */
import { IPV4_BROADCAST, IPV4_ZERO } from '../net/ipv4.js';
import type { UdpPeer } from '../net/udp.js';
import type { Ipv4 } from '../net/ipv4.js';
import { DHCP_MESSAGE_TYPE, DHCP_PORT } from './constants.js';
import type { DhcpPacket } from './packet.js';

/** The address and port a reply is sent to. */
export type ReplyDestination =
  /** 255.255.255.255:68 on the receiving interface. */
  | { readonly kind: 'broadcast'; readonly port: 68 }
  /** The client's current address (ciaddr), port 68. */
  | { readonly kind: 'unicast'; readonly address: Ipv4; readonly port: 68 }
  /** The relay agent (giaddr), port 67. */
  | { readonly kind: 'relay'; readonly address: Ipv4; readonly port: 67 };

/** RFC 2131 §4.1: where the reply of type `replyType` (option 53) to `request` goes. */
export function replyDestination(request: Pick<DhcpPacket, 'giaddr' | 'ciaddr'>, replyType: number): ReplyDestination {
  if (request.giaddr !== IPV4_ZERO) return { kind: 'relay', address: request.giaddr, port: DHCP_PORT.SERVER };
  if (replyType === DHCP_MESSAGE_TYPE.NAK) return { kind: 'broadcast', port: DHCP_PORT.CLIENT };
  if (request.ciaddr !== IPV4_ZERO) return { kind: 'unicast', address: request.ciaddr, port: DHCP_PORT.CLIENT };
  // Broadcast bit set → broadcast; not set → unicast to chaddr/yiaddr, which Node cannot do
  // without an ARP entry, so broadcast as well.
  return { kind: 'broadcast', port: DHCP_PORT.CLIENT };
}

/** The UDP peer a reply goes to on the wire: a broadcast destination is 255.255.255.255:68. */
export function destinationPeer(d: ReplyDestination): UdpPeer {
  return d.kind === 'broadcast' ? { address: IPV4_BROADCAST, port: DHCP_PORT.CLIENT } : { address: d.address, port: d.port };
}
