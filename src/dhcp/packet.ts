/**
 * The DHCPv4 / BOOTP message codec (RFC 951, RFC 2131 §2, RFC 2132, RFC 3396).
 *
 * ```
 *  0                   1                   2                   3
 *  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 * +---------------+---------------+---------------+---------------+
 * |     op (1)    |   htype (1)   |   hlen (1)    |   hops (1)    |
 * +---------------+---------------+---------------+---------------+
 * |                            xid (4)                            |
 * +-------------------------------+-------------------------------+
 * |           secs (2)            |           flags (2)           |
 * +-------------------------------+-------------------------------+
 * |  ciaddr (4) | yiaddr (4) | siaddr (4) | giaddr (4)            |
 * +---------------------------------------------------------------+
 * |  chaddr (16) | sname (64) | file (128)                         |
 * +---------------------------------------------------------------+
 * |  magic cookie 99.130.83.99 (4) | options (variable) ... End   |
 * +---------------------------------------------------------------+
 * ```
 *
 * Decisions:
 * - Options are kept in wire order with their raw bytes, so unknown options survive
 *   and option 82 can be echoed byte for byte (RFC 3046 §2.2). Pad and End are
 *   framing and are not kept. `getOption` joins repeated codes (RFC 3396 §5); the
 *   encoder splits values over 255 bytes.
 * - With option 52 (overload) the options in `file` and then `sname` are appended to
 *   `options` in that order (RFC 3396 §5: options field, file, sname), and the field
 *   itself reads as "". Option 52 itself is framing and is left out of `options`.
 * - A datagram with no magic cookie at offset 236 is plain BOOTP (RFC 951): it decodes
 *   with `isBootp = true` and no options (its vendor area is kept in `vendorArea`)
 *   rather than being rejected; the engine decides what to do with it.
 * - A cookie with an options area that has no End option is a DecodeError.
 * - The encoder refuses what it cannot write faithfully (sname over 64 bytes, file over
 *   128, chaddr over 16, options that do not fit) with a RangeError; it never truncates.
 *   It pads to at least 300 bytes (RFC 1542 §2.1) and keeps under `maxLength`; when the
 *   options do not fit it uses `file`/`sname` for options (option 52) only if those
 *   fields are empty.
 */
import { DecodeError } from '../net/bytes.js';
import type { Decoded } from '../net/bytes.js';
import { IPV4_ZERO, ipv4FromBytes, isIpv4, macFromBytes, writeIpv4 } from '../net/ipv4.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';
import { BOOTP_SIZE, FLAG_BROADCAST, HTYPE_ETHERNET, MAGIC_COOKIE, OPTION, OVERLOAD } from './constants.js';

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

/** Options for `encodeDhcpPacket`. */
export interface EncodeOptions {
  /** Largest message (UDP payload) to produce; see `maxReplyLength`. Default 548 (576 − 28). */
  readonly maxLength?: number;
  /** Pad to at least this many bytes. Default 300 (RFC 1542 §2.1); 0 for no padding. */
  readonly minLength?: number;
}

const textDecoder = new TextDecoder('utf-8', { fatal: false });
const textEncoder = new TextEncoder();

// ---------------------------------------------------------------- decode

const EMPTY = new Uint8Array(0);

/** Text of a NUL-padded fixed field (sname, file): up to the first NUL. */
function fieldText(bytes: Uint8Array, offset: number, size: number): string {
  if (bytes[offset] === 0) return '';
  const field = bytes.subarray(offset, offset + size);
  const nul = field.indexOf(0);
  return textDecoder.decode(nul < 0 ? field : field.subarray(0, nul));
}

/**
 * Reads options from `start` to `end` until End. `requireEnd`: a missing End is a
 * DecodeError (main options area); in overloaded fields the field end also ends the list.
 * Option values are views into `bytes`, not copies.
 */
function readOptions(bytes: Uint8Array, start: number, end: number, requireEnd: boolean, out: DhcpOption[]): void {
  let i = start;
  while (i < end) {
    const code = bytes[i] ?? OPTION.END;
    if (code === OPTION.PAD) {
      i++;
      continue;
    }
    if (code === OPTION.END) return;
    if (i + 1 >= end) throw new DecodeError(i + 1, `truncated option ${code} length: need 1 bytes, have 0`);
    const len = bytes[i + 1] ?? 0;
    const left = end - i - 2;
    if (len > left) throw new DecodeError(i + 1, `option ${code} length ${len} runs past the end (${left} bytes left)`);
    out.push({ code, data: bytes.subarray(i + 2, i + 2 + len) });
    i += 2 + len;
  }
  if (requireEnd) throw new DecodeError(end, 'options area has no End option');
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

/** Fixed header fields in wire order with their offsets, for naming where a datagram was cut. */
const HEADER_FIELDS: readonly (readonly [string, number, number])[] = [
  ['op', 0, 1],
  ['htype', 1, 1],
  ['hlen', 2, 1],
  ['hops', 3, 1],
  ['xid', 4, 4],
  ['secs', 8, 2],
  ['flags', 10, 2],
  ['ciaddr', 12, 4],
  ['yiaddr', 16, 4],
  ['siaddr', 20, 4],
  ['giaddr', 24, 4],
  ['chaddr', 28, BOOTP_SIZE.CHADDR],
  ['sname', BOOTP_SIZE.SNAME_OFFSET, BOOTP_SIZE.SNAME],
  ['file', BOOTP_SIZE.FILE_OFFSET, BOOTP_SIZE.FILE],
];

/** The DecodeError for a datagram shorter than the fixed header: names the field it cuts. */
function truncatedHeader(length: number): DecodeError {
  for (const [name, offset, size] of HEADER_FIELDS) {
    if (offset + size > length) return new DecodeError(offset, `truncated ${name}: need ${size} bytes, have ${length - offset}`);
  }
  return new DecodeError(length, 'truncated header');
}

/**
 * Decodes one UDP payload as a DHCP/BOOTP message. Throws only DecodeError:
 * truncated header, hlen over 16, option lengths running past the end, no End.
 */
export function decodeDhcpPacket(bytes: Uint8Array): Decoded<DhcpPacket> {
  const hlen = bytes.length > 2 ? (bytes[2] ?? 0) : 0;
  if (hlen > BOOTP_SIZE.CHADDR) throw new DecodeError(2, `hlen ${hlen} is over 16`);
  if (bytes.length < BOOTP_SIZE.HEADER) throw truncatedHeader(bytes.length);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chaddr = new Uint8Array(BOOTP_SIZE.CHADDR);
  chaddr.set(bytes.subarray(28, 28 + BOOTP_SIZE.CHADDR));
  const op = view.getUint8(0);
  const htype = view.getUint8(1);
  const hops = view.getUint8(3);
  const xid = view.getUint32(4);
  const secs = view.getUint16(8);
  const flags = view.getUint16(10);
  const ciaddr = ipv4FromBytes(bytes, 12);
  const yiaddr = ipv4FromBytes(bytes, 16);
  const siaddr = ipv4FromBytes(bytes, 20);
  const giaddr = ipv4FromBytes(bytes, 24);

  const hasCookie =
    bytes.length >= BOOTP_SIZE.HEADER + 4 && MAGIC_COOKIE.every((b, i) => bytes[BOOTP_SIZE.HEADER + i] === b);
  if (!hasCookie) {
    const value: DhcpPacket = {
      op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr,
      sname: fieldText(bytes, BOOTP_SIZE.SNAME_OFFSET, BOOTP_SIZE.SNAME),
      file: fieldText(bytes, BOOTP_SIZE.FILE_OFFSET, BOOTP_SIZE.FILE),
      options: [],
      isBootp: true,
      vendorArea: Uint8Array.from(bytes.subarray(BOOTP_SIZE.HEADER)),
    };
    return { value, bytesRead: bytes.length };
  }
  const options: DhcpOption[] = [];
  readOptions(bytes, BOOTP_SIZE.HEADER + 4, bytes.length, true, options);
  const overload = getOption({ options }, OPTION.OVERLOAD);
  const overloadValue = overload?.length === 1 ? overload[0] : undefined;
  if (overload !== undefined && (overloadValue === undefined || overloadValue < 1 || overloadValue > 3)) {
    throw new DecodeError(BOOTP_SIZE.HEADER, `option 52 (overload) has an invalid value`);
  }
  const fileHolds = overloadValue === OVERLOAD.FILE || overloadValue === OVERLOAD.BOTH;
  const snameHolds = overloadValue === OVERLOAD.SNAME || overloadValue === OVERLOAD.BOTH;
  if (fileHolds) readOptions(bytes, BOOTP_SIZE.FILE_OFFSET, BOOTP_SIZE.FILE_OFFSET + BOOTP_SIZE.FILE, false, options);
  if (snameHolds) readOptions(bytes, BOOTP_SIZE.SNAME_OFFSET, BOOTP_SIZE.SNAME_OFFSET + BOOTP_SIZE.SNAME, false, options);
  const value: DhcpPacket = {
    op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr,
    sname: snameHolds ? '' : fieldText(bytes, BOOTP_SIZE.SNAME_OFFSET, BOOTP_SIZE.SNAME),
    file: fileHolds ? '' : fieldText(bytes, BOOTP_SIZE.FILE_OFFSET, BOOTP_SIZE.FILE),
    // Option 52 is framing: it is consumed here and written again by the encoder.
    options: overload === undefined ? options : options.filter((o) => o.code !== OPTION.OVERLOAD),
  };
  return { value, bytesRead: bytes.length };
}

// ---------------------------------------------------------------- encode

/** The option 52 option itself, written in the main area when overloading. */
const OVERLOAD_OPTION_SIZE = 3;

/**
 * Where the options go. `direct`: all of them in the options area, written straight
 * from the packet's option list (the usual case, no intermediate chunks). Otherwise
 * code/length/value chunks split over the options area, `file` and `sname`.
 */
interface Layout {
  readonly direct: boolean;
  readonly main: readonly Uint8Array[];
  readonly file: readonly Uint8Array[];
  readonly sname: readonly Uint8Array[];
  readonly overload: number;
  readonly length: number;
}

/** Wire size of the options (code, length, value; values over 255 bytes split, RFC 3396 §4); checks the codes. */
function optionsWireSize(options: readonly DhcpOption[]): number {
  let size = 0;
  for (const o of options) {
    if (!Number.isInteger(o.code) || o.code < 1 || o.code > 254) {
      throw new RangeError(`option code ${o.code} cannot be encoded (1..254)`);
    }
    if (o.code === OPTION.OVERLOAD) throw new RangeError('option 52 (overload) is set by the encoder, not by the caller');
    const pieces = o.data.length === 0 ? 1 : Math.ceil(o.data.length / 255);
    size += 2 * pieces + o.data.length;
  }
  return size;
}

/** Writes the options (split over 255 bytes) into `out` at `at`; returns the offset after them. */
function writeOptions(out: Uint8Array, at: number, options: readonly DhcpOption[]): number {
  let pos = at;
  for (const o of options) {
    let from = 0;
    do {
      const part = Math.min(255, o.data.length - from);
      out[pos] = o.code;
      out[pos + 1] = part;
      out.set(o.data.subarray(from, from + part), pos + 2);
      pos += 2 + part;
      from += 255;
    } while (from < o.data.length);
  }
  return pos;
}

/** code/length/value chunks; values over 255 bytes become several occurrences (RFC 3396 §4). */
function optionChunks(options: readonly DhcpOption[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const o of options) {
    let at = 0;
    do {
      const part = o.data.subarray(at, at + 255);
      const chunk = new Uint8Array(2 + part.length);
      chunk[0] = o.code;
      chunk[1] = part.length;
      chunk.set(part, 2);
      chunks.push(chunk);
      at += 255;
    } while (at < o.data.length);
  }
  return chunks;
}

function fill(chunks: readonly Uint8Array[], from: number, room: number): number {
  let used = 0;
  let i = from;
  while (i < chunks.length) {
    const size = chunks[i]?.length ?? 0;
    if (used + size > room) break;
    used += size;
    i++;
  }
  return i;
}

/** Largest reply for a request: its option 57 (minus IP/UDP headers), never under 576 − 28 (RFC 2131 §2, RFC 2132 §9.10). */
export function maxReplyLength(request: Pick<DhcpPacket, 'options'>): number {
  const v = getOption(request, OPTION.MAX_MESSAGE_SIZE);
  const requested = v?.length === 2 ? ((v[0] ?? 0) << 8) | (v[1] ?? 0) : 0;
  return Math.max(requested, BOOTP_SIZE.MIN_MAX_MESSAGE) - BOOTP_SIZE.IP_UDP_HEADERS;
}

/** UTF-8 bytes of a fixed-field text; the empty string costs nothing. */
function fieldBytes(text: string): Uint8Array {
  return text.length === 0 ? EMPTY : textEncoder.encode(text);
}

function byteField(name: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} ${v} is out of range 0..${max}`);
}

function addressField(name: string, v: Ipv4): void {
  if (!isIpv4(v)) throw new RangeError(`${name} "${v}" is not an IPv4 address`);
}

function checkFields(p: DhcpPacket): { sname: Uint8Array; file: Uint8Array } {
  byteField('op', p.op, 0xff);
  byteField('htype', p.htype, 0xff);
  byteField('hlen', p.hlen, BOOTP_SIZE.CHADDR);
  byteField('hops', p.hops, 0xff);
  byteField('xid', p.xid, 0xffffffff);
  byteField('secs', p.secs, 0xffff);
  byteField('flags', p.flags, 0xffff);
  addressField('ciaddr', p.ciaddr);
  addressField('yiaddr', p.yiaddr);
  addressField('siaddr', p.siaddr);
  addressField('giaddr', p.giaddr);
  if (p.chaddr.length > BOOTP_SIZE.CHADDR) throw new RangeError(`chaddr is ${p.chaddr.length} bytes, over 16`);
  const sname = fieldBytes(p.sname);
  const file = fieldBytes(p.file);
  if (sname.length > BOOTP_SIZE.SNAME) throw new RangeError(`sname is ${sname.length} bytes, over 64: "${p.sname}"`);
  if (file.length > BOOTP_SIZE.FILE) throw new RangeError(`file is ${file.length} bytes, over 128: "${p.file}"`);
  return { sname, file };
}

function planLayout(p: DhcpPacket, fields: { sname: Uint8Array; file: Uint8Array }, opts: EncodeOptions): Layout {
  const maxLength = opts.maxLength ?? BOOTP_SIZE.MIN_MAX_MESSAGE - BOOTP_SIZE.IP_UDP_HEADERS;
  const minLength = opts.minLength ?? BOOTP_SIZE.MIN_MESSAGE;
  const total = optionsWireSize(p.options);
  const mainRoom = maxLength - BOOTP_SIZE.HEADER - MAGIC_COOKIE.length - 1;
  if (mainRoom < 0) throw new RangeError(`maxLength ${maxLength} is below the 241-byte minimum of a DHCP message`);
  const padded = (raw: number): number => Math.max(raw, Math.min(minLength, maxLength));
  if (total <= mainRoom) {
    const length = padded(BOOTP_SIZE.HEADER + MAGIC_COOKIE.length + total + 1);
    return { direct: true, main: [], file: [], sname: [], overload: 0, length };
  }

  // Overload (RFC 2132 §9.3): only into fields that carry no boot data.
  const chunks = optionChunks(p.options);
  const size = (list: readonly Uint8Array[]): number => list.reduce((n, c) => n + c.length, 0);
  const canFile = fields.file.length === 0;
  const canSname = fields.sname.length === 0;
  const afterMain = fill(chunks, 0, mainRoom - OVERLOAD_OPTION_SIZE);
  const afterFile = canFile ? fill(chunks, afterMain, BOOTP_SIZE.FILE - 1) : afterMain;
  const afterSname = canSname ? fill(chunks, afterFile, BOOTP_SIZE.SNAME - 1) : afterFile;
  if (afterSname < chunks.length) {
    const free = [canFile ? 'file' : '', canSname ? 'sname' : ''].filter(Boolean).join(' and ') || 'no field';
    throw new RangeError(`options (${total} bytes) do not fit in a ${maxLength}-byte message (overload could use ${free})`);
  }
  const main = chunks.slice(0, afterMain);
  const inFile = chunks.slice(afterMain, afterFile);
  const inSname = chunks.slice(afterFile, afterSname);
  const overload = (inFile.length > 0 ? OVERLOAD.FILE : 0) | (inSname.length > 0 ? OVERLOAD.SNAME : 0);
  const length = padded(BOOTP_SIZE.HEADER + MAGIC_COOKIE.length + size(main) + (overload ? OVERLOAD_OPTION_SIZE : 0) + 1);
  return { direct: false, main, file: inFile, sname: inSname, overload, length };
}

/** Writes chunks and End into a fixed field at `offset` (the rest stays zero). */
function writeArea(out: Uint8Array, offset: number, chunks: readonly Uint8Array[]): void {
  let pos = offset;
  for (const c of chunks) {
    out.set(c, pos);
    pos += c.length;
  }
  out[pos] = OPTION.END;
}

function encodeWith(p: DhcpPacket, opts: EncodeOptions): { layout: Layout; fields: { sname: Uint8Array; file: Uint8Array } } {
  const fields = checkFields(p);
  if (p.isBootp) {
    const vendor = p.vendorArea?.length ?? 0;
    const length = Math.max(BOOTP_SIZE.HEADER + vendor, opts.minLength ?? BOOTP_SIZE.MIN_MESSAGE);
    if (p.options.length > 0) throw new RangeError('a BOOTP message without the magic cookie cannot carry DHCP options');
    return { layout: { direct: false, main: [], file: [], sname: [], overload: 0, length }, fields };
  }
  return { layout: planLayout(p, fields, opts), fields };
}

/** Encoded size of `packet` with the same options as `encodeDhcpPacket` (throws as it does). */
export function encodingLengthDhcpPacket(packet: DhcpPacket, opts: EncodeOptions = {}): number {
  return encodeWith(packet, opts).layout.length;
}

/**
 * Encodes a message. Long options are split (RFC 3396), options overflow into empty
 * file/sname fields with option 52 only when needed, the result is at least
 * `minLength` (300) and at most `maxLength` (548) bytes. Throws RangeError instead of
 * truncating anything.
 */
export function encodeDhcpPacket(packet: DhcpPacket, opts: EncodeOptions = {}): Uint8Array {
  const { layout, fields } = encodeWith(packet, opts);
  // A fresh array is all zeros: padding and the unused parts of fixed fields need no writes.
  const out = new Uint8Array(layout.length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  view.setUint8(0, packet.op);
  view.setUint8(1, packet.htype);
  view.setUint8(2, packet.hlen);
  view.setUint8(3, packet.hops);
  view.setUint32(4, packet.xid);
  view.setUint16(8, packet.secs);
  view.setUint16(10, packet.flags);
  writeIpv4(out, 12, packet.ciaddr);
  writeIpv4(out, 16, packet.yiaddr);
  writeIpv4(out, 20, packet.siaddr);
  writeIpv4(out, 24, packet.giaddr);
  out.set(packet.chaddr, 28);
  if (layout.overload & OVERLOAD.SNAME) writeArea(out, BOOTP_SIZE.SNAME_OFFSET, layout.sname);
  else out.set(fields.sname, BOOTP_SIZE.SNAME_OFFSET);
  if (layout.overload & OVERLOAD.FILE) writeArea(out, BOOTP_SIZE.FILE_OFFSET, layout.file);
  else out.set(fields.file, BOOTP_SIZE.FILE_OFFSET);
  if (packet.isBootp) {
    if (packet.vendorArea) out.set(packet.vendorArea, BOOTP_SIZE.HEADER);
    return out;
  }
  out.set(MAGIC_COOKIE, BOOTP_SIZE.HEADER);
  let pos = BOOTP_SIZE.HEADER + MAGIC_COOKIE.length;
  if (layout.direct) pos = writeOptions(out, pos, packet.options);
  else {
    for (const c of layout.main) {
      out.set(c, pos);
      pos += c.length;
    }
  }
  if (layout.overload) {
    out[pos] = OPTION.OVERLOAD;
    out[pos + 1] = 1;
    out[pos + 2] = layout.overload;
    pos += OVERLOAD_OPTION_SIZE;
  }
  out[pos] = OPTION.END;
  return out;
}

// ---------------------------------------------------------------- accessors

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
