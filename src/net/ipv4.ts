/**
 * IPv4 addresses, subnets and MAC addresses as checked values.
 *
 * Text is parsed once at the edge (scope files, CLI, interface discovery) with the
 * strict dotted-quad rule (four decimal parts 0..255, no leading zeros, no hex such as
 * `0xc0.168.1.1`), and becomes a branded `Ipv4`. Arithmetic inside is uint32 math.
 * The conversions are single passes without regular expressions or arrays: they run
 * several times for every DHCP packet. `parseIpv4`, the edge parser for text typed by
 * people, also asks ipaddr.js (the maintained validator the design names), so the two
 * checks must agree before a scope file's address is accepted.
 */
import ipaddr from 'ipaddr.js';

/** A canonical dotted-quad IPv4 address, e.g. `10.10.0.1`. */
export type Ipv4 = string & { readonly __brand: 'Ipv4' };

/**
 * A MAC address as lowercase colon-separated hex, e.g. `00:1b:d4:aa:bb:cc`. Taken from a
 * request's chaddr it is the client's hardware address of any length (hlen 0..16, any
 * htype; `''` for hlen 0), see {@link isHardwareAddress}.
 */
export type MacAddress = string & { readonly __brand: 'MacAddress' };

/** An IPv4 subnet: network address and prefix length. */
export interface Cidr {
  readonly network: Ipv4;
  readonly prefix: number;
}

/**
 * The uint32 of a strict dotted quad, or -1 when `text` is not one: four decimal
 * parts 0..255, no leading zeros, no signs, nothing else. One pass over the
 * characters (this runs for every address of every packet encoded).
 */
function strictQuadToInt(text: string): number {
  const n = text.length;
  if (n < 7 || n > 15) return -1;
  let value = 0;
  let part = 0;
  let digits = 0;
  let parts = 0;
  let leadingZero = false;
  for (let i = 0; i <= n; i++) {
    const c = i < n ? text.charCodeAt(i) : 0x2e;
    if (c === 0x2e) {
      if (digits === 0 || part > 255 || (leadingZero && digits > 1)) return -1;
      value = value * 256 + part;
      parts++;
      part = 0;
      digits = 0;
      continue;
    }
    if (c < 0x30 || c > 0x39 || digits === 3) return -1;
    if (digits === 0) leadingZero = c === 0x30;
    part = part * 10 + (c - 0x30);
    digits++;
  }
  return parts === 4 ? value : -1;
}

/** True when `text` is a strict dotted quad (no leading zeros, no hex, four parts). */
export function isIpv4(text: string): boolean {
  return strictQuadToInt(text) >= 0;
}

/** Parses a strict dotted quad; throws RangeError with a readable message otherwise. */
export function parseIpv4(text: string): Ipv4 {
  if (!isIpv4(text) || !ipaddr.IPv4.isValidFourPartDecimal(text)) throw new RangeError(`"${text}" is not an IPv4 address (expected a dotted quad like 10.0.0.1)`);
  return text as Ipv4;
}

/** The address as an unsigned 32-bit integer. */
export function ipv4ToInt(ip: Ipv4): number {
  const n = strictQuadToInt(ip);
  if (n >= 0) return n;
  // Not a strict quad (a cast, not a parse): the lenient reading this always had.
  const p = ip.split('.');
  return ((Number(p[0]) << 24) | (Number(p[1]) << 16) | (Number(p[2]) << 8) | Number(p[3])) >>> 0;
}

/** The dotted quad of an unsigned 32-bit integer. */
export function intToIpv4(n: number): Ipv4 {
  const v = n >>> 0;
  return `${v >>> 24}.${(v >>> 16) & 0xff}.${(v >>> 8) & 0xff}.${v & 0xff}` as Ipv4;
}

/** Reads four bytes at `offset` as an address. */
export function ipv4FromBytes(b: Uint8Array, offset = 0): Ipv4 {
  return `${b[offset] ?? 0}.${b[offset + 1] ?? 0}.${b[offset + 2] ?? 0}.${b[offset + 3] ?? 0}` as Ipv4;
}

/** The four wire bytes of an address. */
export function ipv4ToBytes(ip: Ipv4): Uint8Array {
  const b = new Uint8Array(4);
  writeIpv4(b, 0, ip);
  return b;
}

/** Writes the four wire bytes of an address into `b` at `offset` (no allocation). */
export function writeIpv4(b: Uint8Array, offset: number, ip: Ipv4): void {
  const n = ipv4ToInt(ip);
  b[offset] = n >>> 24;
  b[offset + 1] = (n >>> 16) & 0xff;
  b[offset + 2] = (n >>> 8) & 0xff;
  b[offset + 3] = n & 0xff;
}

/** 0.0.0.0, the unset address in BOOTP fields. */
export const IPV4_ZERO = '0.0.0.0' as Ipv4;
/** The limited broadcast address. */
export const IPV4_BROADCAST = '255.255.255.255' as Ipv4;

/** The netmask of a prefix length as uint32 (prefix 0..32). */
export function prefixToMaskInt(prefix: number): number {
  return prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
}

/** The netmask of a prefix length as a dotted quad. */
export function prefixToMask(prefix: number): Ipv4 {
  return intToIpv4(prefixToMaskInt(prefix));
}

/** The prefix length of a contiguous netmask, or undefined when it is not contiguous. */
export function maskToPrefix(mask: Ipv4): number | undefined {
  const m = ipv4ToInt(mask);
  for (let p = 0; p <= 32; p++) if (prefixToMaskInt(p) === m) return p;
  return undefined;
}

/**
 * Parses `a.b.c.d/len`. With `strict` (the default) host bits must be zero, so a
 * typo such as `10.0.0.1/24` is reported instead of silently meaning 10.0.0.0/24.
 */
export function parseCidr(text: string, strict = true): Cidr {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new RangeError(`"${text}" is not a subnet (expected address/prefix, e.g. 10.0.0.0/24)`);
  }
  const ip = parseIpv4(m[1]);
  const prefix = Number(m[2]);
  if (prefix > 32) throw new RangeError(`"${text}": prefix length ${prefix} is over 32`);
  const network = intToIpv4(ipv4ToInt(ip) & prefixToMaskInt(prefix));
  if (strict && network !== ip) {
    throw new RangeError(`"${text}" has host bits set; the subnet is ${network}/${prefix}`);
  }
  return { network, prefix };
}

/** `network/prefix` text. */
export function formatCidr(c: Cidr): string {
  return `${c.network}/${c.prefix}`;
}

/** True when `ip` lies in the subnet (network and broadcast included). */
export function cidrContains(c: Cidr, ip: Ipv4): boolean {
  const mask = prefixToMaskInt(c.prefix);
  return ((ipv4ToInt(ip) & mask) >>> 0) === ipv4ToInt(c.network);
}

/** The broadcast address of a subnet. */
export function cidrBroadcast(c: Cidr): Ipv4 {
  return intToIpv4((ipv4ToInt(c.network) | ~prefixToMaskInt(c.prefix)) >>> 0);
}

/** True for the subnet's network or broadcast address. */
export function isNetworkOrBroadcast(subnet: Cidr, ip: Ipv4): boolean {
  return ip === subnet.network || ip === cidrBroadcast(subnet);
}

/** First and last usable host (for /31 and /32 the whole range, RFC 3021). */
export function cidrHosts(c: Cidr): { first: Ipv4; last: Ipv4 } {
  const net = ipv4ToInt(c.network);
  const bcast = ipv4ToInt(cidrBroadcast(c));
  if (c.prefix >= 31) return { first: intToIpv4(net), last: intToIpv4(bcast) };
  return { first: intToIpv4(net + 1), last: intToIpv4(bcast - 1) };
}

const MAC_TEXT = /^([0-9a-fA-F]{2})([:-]?)([0-9a-fA-F]{2})(\2[0-9a-fA-F]{2}){4}$/;

/** True when `text` is a 48-bit MAC (`aa:bb:cc:dd:ee:ff`, `aa-bb-...` or `aabbccddeeff`). */
export function isMac(text: string): boolean {
  return MAC_TEXT.test(text) || /^[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}\.[0-9a-fA-F]{4}$/.test(text);
}

/** Parses a MAC in colon, dash, bare or Cisco dotted form into lowercase colon form. */
export function parseMac(text: string): MacAddress {
  if (!isMac(text)) throw new RangeError(`"${text}" is not a MAC address (expected aa:bb:cc:dd:ee:ff)`);
  const hex = text.replace(/[:.-]/g, '').toLowerCase();
  const pairs: string[] = [];
  for (let i = 0; i < 12; i += 2) pairs.push(hex.slice(i, i + 2));
  return pairs.join(':') as MacAddress;
}

const HARDWARE_ADDRESS_TEXT = /^(?:[0-9a-f]{2}(?::[0-9a-f]{2}){0,15})?$/;

/**
 * True when `text` is a hardware address as {@link macFromBytes} writes it: 0..16 bytes
 * (chaddr's size, RFC 2131 §2) in lowercase colon hex, `''` for hlen 0 (RFC 4390).
 */
export function isHardwareAddress(text: string): boolean {
  return HARDWARE_ADDRESS_TEXT.test(text);
}

/** The colon form of hardware-address bytes (any length, e.g. the first hlen bytes of chaddr). */
export function macFromBytes(b: Uint8Array): MacAddress {
  let out = '';
  for (let i = 0; i < b.length; i++) out += (i === 0 ? '' : ':') + (HEX_BYTE[b[i] ?? 0] ?? '00');
  return out as MacAddress;
}

/** `00`..`ff`, indexed by byte value. */
const HEX_BYTE: readonly string[] = Array.from({ length: 256 }, (_, x) => x.toString(16).padStart(2, '0'));

/** The bytes of a colon-form MAC. */
export function macToBytes(mac: MacAddress): Uint8Array {
  return Uint8Array.from(mac.split(':').map((h) => parseInt(h, 16)));
}
