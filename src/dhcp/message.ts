/**
 * The DHCPv4 / BOOTP message as decoded (RFC 2131 §2 field names) and the accessors
 * that read it: options by code (joined over repeats, RFC 3396 §5), message type,
 * address and text options, chaddr as a MAC. The wire layout is drawn in ./packet.ts.
 */
import { IPV4_ZERO, ipv4FromBytes, macFromBytes } from '../net/ipv4.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';
import { BOOTP_SIZE, FLAG_BROADCAST, HTYPE_ETHERNET, OPTION } from './constants.js';

const textDecoder = new TextDecoder('utf-8', { fatal: false });

/** One option occurrence as it was on the wire: code and value bytes (no code/length). */
export interface DhcpOption {
  /** 1..254. */
  readonly code: number;
  readonly data: Uint8Array;
}

/** A decoded DHCPv4/BOOTP message; field names are RFC 2131 §2's. */
export interface DhcpPacket {
  /** 1 BOOTREQUEST, 2 BOOTREPLY. */
  readonly op: number;
  /** Hardware address type (1 = Ethernet). */
  readonly htype: number;
  /** Hardware address length, 0..16. */
  readonly hlen: number;
  /** Relay hops. */
  readonly hops: number;
  /** Transaction id, unsigned 32-bit. */
  readonly xid: number;
  /** Seconds since the client began (as on the wire, big-endian). */
  readonly secs: number;
  /** Flags; bit 0x8000 is BROADCAST. */
  readonly flags: number;
  /** Client's current address (RENEWING/REBINDING/INFORM). */
  readonly ciaddr: Ipv4;
  /** "your" address: what the server gives. */
  readonly yiaddr: Ipv4;
  /** Next server in the boot process (TFTP), a.k.a. next-server. */
  readonly siaddr: Ipv4;
  /** Relay agent address. */
  readonly giaddr: Ipv4;
  /** The 16-byte client hardware address field (only the first `hlen` bytes are the address). */
  readonly chaddr: Uint8Array;
  /** Server host name (64-byte field, text up to the first NUL); "" when empty or overloaded. */
  readonly sname: string;
  /** Boot file name (128-byte field, text up to the first NUL); "" when empty or overloaded. */
  readonly file: string;
  /** Options in wire order, Pad and End left out, overloaded file/sname options appended. */
  readonly options: readonly DhcpOption[];
  /** True when there was no magic cookie: a plain BOOTP message (RFC 951). */
  readonly isBootp?: boolean;
  /** BOOTP vendor area (bytes 236..end) of a message without the cookie. */
  readonly vendorArea?: Uint8Array;
}

/** Joins the values of every occurrence of `code` (RFC 3396 §5); undefined when absent. */
export function getOption(packet: Pick<DhcpPacket, 'options'>, code: number): Uint8Array | undefined {
  let first: Uint8Array | undefined;
  let more: Uint8Array[] | undefined;
  for (const o of packet.options) {
    if (o.code !== code) continue;
    if (first === undefined) first = o.data;
    else (more ??= [first]).push(o.data);
  }
  if (more === undefined) return first;
  const out = new Uint8Array(more.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of more) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/** Option 53 (RFC 2132 §9.6), or undefined for BOOTP / a missing or bad option. */
export function getMessageType(packet: Pick<DhcpPacket, 'options'>): number | undefined {
  const v = getOption(packet, OPTION.MESSAGE_TYPE);
  return v?.length === 1 ? v[0] : undefined;
}

/** An option holding one IPv4 address (50, 54, ...), or undefined when absent or not 4 bytes. */
export function getOptionIpv4(packet: Pick<DhcpPacket, 'options'>, code: number): Ipv4 | undefined {
  const v = getOption(packet, code);
  return v?.length === 4 ? ipv4FromBytes(v) : undefined;
}

/** A text option (12, 60, ...), a trailing NUL dropped; undefined when absent or empty. */
export function getOptionText(packet: Pick<DhcpPacket, 'options'>, code: number): string | undefined {
  const v = getOption(packet, code);
  if (v === undefined) return undefined;
  let end = v.length;
  while (end > 0 && v[end - 1] === 0) end--;
  return end > 0 ? textDecoder.decode(v.subarray(0, end)) : undefined;
}

/** The client's hardware address: the first `hlen` bytes of chaddr. */
export function clientMac(packet: Pick<DhcpPacket, 'chaddr' | 'hlen'>): MacAddress {
  return macFromBytes(packet.chaddr.subarray(0, Math.min(packet.hlen, BOOTP_SIZE.CHADDR)));
}

/** True when the client set the BROADCAST flag (RFC 2131 §4.1). */
export function isBroadcastFlag(packet: Pick<DhcpPacket, 'flags'>): boolean {
  return (packet.flags & FLAG_BROADCAST) !== 0;
}

/** An empty-field template for building packets: all addresses 0.0.0.0, no options. */
export function emptyDhcpPacket(): DhcpPacket {
  return {
    op: 0,
    htype: HTYPE_ETHERNET,
    hlen: 6,
    hops: 0,
    xid: 0,
    secs: 0,
    flags: 0,
    ciaddr: IPV4_ZERO,
    yiaddr: IPV4_ZERO,
    siaddr: IPV4_ZERO,
    giaddr: IPV4_ZERO,
    chaddr: new Uint8Array(BOOTP_SIZE.CHADDR),
    sname: '',
    file: '',
    options: [],
  };
}
