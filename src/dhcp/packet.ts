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
import { ByteReader, ByteWriter, DecodeError } from '../net/bytes.js';
import type { Decoded } from '../net/bytes.js';
import { IPV4_ZERO, ipv4FromBytes, ipv4ToBytes, isIpv4, macFromBytes } from '../net/ipv4.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';
import { BOOTP_SIZE, FLAG_BROADCAST, MAGIC_COOKIE, OPTION, OVERLOAD } from './constants.js';

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

function fieldText(b: Uint8Array): string {
  const nul = b.indexOf(0);
  return textDecoder.decode(nul < 0 ? b : b.subarray(0, nul));
}

/**
 * Reads options from `start` to `end` until End. `requireEnd`: a missing End is a
 * DecodeError (main options area); in overloaded fields the field end also ends the list.
 */
function readOptions(bytes: Uint8Array, start: number, end: number, requireEnd: boolean, out: DhcpOption[]): void {
  const r = new ByteReader(bytes, start, end);
  while (r.remaining > 0) {
    const code = r.u8('option code');
    if (code === OPTION.PAD) continue;
    if (code === OPTION.END) return;
    const len = r.u8(`option ${code} length`);
    if (len > r.remaining) {
      throw new DecodeError(r.offset - 1, `option ${code} length ${len} runs past the end (${r.remaining} bytes left)`);
    }
    out.push({ code, data: r.take(len, `option ${code}`) });
  }
  if (requireEnd) throw new DecodeError(end, 'options area has no End option');
}

/** Joins the values of every occurrence of `code` (RFC 3396 §5); undefined when absent. */
export function getOption(packet: Pick<DhcpPacket, 'options'>, code: number): Uint8Array | undefined {
  let found: Uint8Array[] | undefined;
  for (const o of packet.options) if (o.code === code) (found ??= []).push(o.data);
  if (found === undefined) return undefined;
  if (found.length === 1) return found[0];
  const out = new Uint8Array(found.reduce((n, b) => n + b.length, 0));
  let at = 0;
  for (const b of found) {
    out.set(b, at);
    at += b.length;
  }
  return out;
}

/**
 * Decodes one UDP payload as a DHCP/BOOTP message. Throws only DecodeError:
 * truncated header, hlen over 16, option lengths running past the end, no End.
 */
export function decodeDhcpPacket(bytes: Uint8Array): Decoded<DhcpPacket> {
  const r = new ByteReader(bytes);
  const op = r.u8('op');
  const htype = r.u8('htype');
  const hlen = r.u8('hlen');
  if (hlen > BOOTP_SIZE.CHADDR) throw new DecodeError(2, `hlen ${hlen} is over 16`);
  const hops = r.u8('hops');
  const xid = r.u32('xid');
  const secs = r.u16('secs');
  const flags = r.u16('flags');
  const ciaddr = ipv4FromBytes(r.take(4, 'ciaddr'));
  const yiaddr = ipv4FromBytes(r.take(4, 'yiaddr'));
  const siaddr = ipv4FromBytes(r.take(4, 'siaddr'));
  const giaddr = ipv4FromBytes(r.take(4, 'giaddr'));
  const chaddr = Uint8Array.from(r.take(BOOTP_SIZE.CHADDR, 'chaddr'));
  const snameField = r.take(BOOTP_SIZE.SNAME, 'sname');
  const fileField = r.take(BOOTP_SIZE.FILE, 'file');
  const header = { op, htype, hlen, hops, xid, secs, flags, ciaddr, yiaddr, siaddr, giaddr, chaddr };

  const hasCookie = r.remaining >= 4 && MAGIC_COOKIE.every((b, i) => bytes[BOOTP_SIZE.HEADER + i] === b);
  if (!hasCookie) {
    const vendorArea = Uint8Array.from(bytes.subarray(BOOTP_SIZE.HEADER));
    const value: DhcpPacket = { ...header, sname: fieldText(snameField), file: fieldText(fileField), options: [], isBootp: true, vendorArea };
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
    ...header,
    sname: snameHolds ? '' : fieldText(snameField),
    file: fileHolds ? '' : fieldText(fileField),
    // Option 52 is framing: it is consumed here and written again by the encoder.
    options: overload === undefined ? options : options.filter((o) => o.code !== OPTION.OVERLOAD),
  };
  return { value, bytesRead: bytes.length };
}

// ---------------------------------------------------------------- encode

/** The option 52 option itself, written in the main area when overloading. */
const OVERLOAD_OPTION_SIZE = 3;

interface Layout {
  readonly main: readonly Uint8Array[];
  readonly file: readonly Uint8Array[];
  readonly sname: readonly Uint8Array[];
  readonly overload: number;
  readonly length: number;
}

/** code/length/value chunks; values over 255 bytes become several occurrences (RFC 3396 §4). */
function optionChunks(options: readonly DhcpOption[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (const o of options) {
    if (!Number.isInteger(o.code) || o.code < 1 || o.code > 254) {
      throw new RangeError(`option code ${o.code} cannot be encoded (1..254)`);
    }
    if (o.code === OPTION.OVERLOAD) throw new RangeError('option 52 (overload) is set by the encoder, not by the caller');
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

function checkFields(p: DhcpPacket): { sname: Uint8Array; file: Uint8Array } {
  const byteField = (name: string, v: number, max: number): void => {
    if (!Number.isInteger(v) || v < 0 || v > max) throw new RangeError(`${name} ${v} is out of range 0..${max}`);
  };
  byteField('op', p.op, 0xff);
  byteField('htype', p.htype, 0xff);
  byteField('hlen', p.hlen, BOOTP_SIZE.CHADDR);
  byteField('hops', p.hops, 0xff);
  byteField('xid', p.xid, 0xffffffff);
  byteField('secs', p.secs, 0xffff);
  byteField('flags', p.flags, 0xffff);
  for (const f of ['ciaddr', 'yiaddr', 'siaddr', 'giaddr'] as const) {
    if (!isIpv4(p[f])) throw new RangeError(`${f} "${p[f]}" is not an IPv4 address`);
  }
  if (p.chaddr.length > BOOTP_SIZE.CHADDR) throw new RangeError(`chaddr is ${p.chaddr.length} bytes, over 16`);
  const sname = textEncoder.encode(p.sname);
  const file = textEncoder.encode(p.file);
  if (sname.length > BOOTP_SIZE.SNAME) throw new RangeError(`sname is ${sname.length} bytes, over 64: "${p.sname}"`);
  if (file.length > BOOTP_SIZE.FILE) throw new RangeError(`file is ${file.length} bytes, over 128: "${p.file}"`);
  return { sname, file };
}

function planLayout(p: DhcpPacket, fields: { sname: Uint8Array; file: Uint8Array }, opts: EncodeOptions): Layout {
  const maxLength = opts.maxLength ?? BOOTP_SIZE.MIN_MAX_MESSAGE - BOOTP_SIZE.IP_UDP_HEADERS;
  const minLength = opts.minLength ?? BOOTP_SIZE.MIN_MESSAGE;
  const chunks = optionChunks(p.options);
  const mainRoom = maxLength - BOOTP_SIZE.HEADER - MAGIC_COOKIE.length - 1;
  if (mainRoom < 0) throw new RangeError(`maxLength ${maxLength} is below the 241-byte minimum of a DHCP message`);
  const size = (list: readonly Uint8Array[]): number => list.reduce((n, c) => n + c.length, 0);
  const finish = (main: Uint8Array[], file: Uint8Array[], sname: Uint8Array[], overload: number): Layout => {
    const raw = BOOTP_SIZE.HEADER + MAGIC_COOKIE.length + size(main) + (overload ? OVERLOAD_OPTION_SIZE : 0) + 1;
    return { main, file, sname, overload, length: Math.max(raw, Math.min(minLength, maxLength)) };
  };
  if (size(chunks) <= mainRoom) return finish(chunks, [], [], 0);

  // Overload (RFC 2132 §9.3): only into fields that carry no boot data.
  const canFile = fields.file.length === 0;
  const canSname = fields.sname.length === 0;
  const afterMain = fill(chunks, 0, mainRoom - OVERLOAD_OPTION_SIZE);
  const afterFile = canFile ? fill(chunks, afterMain, BOOTP_SIZE.FILE - 1) : afterMain;
  const afterSname = canSname ? fill(chunks, afterFile, BOOTP_SIZE.SNAME - 1) : afterFile;
  if (afterSname < chunks.length) {
    const free = [canFile ? 'file' : '', canSname ? 'sname' : ''].filter(Boolean).join(' and ') || 'no field';
    throw new RangeError(
      `options (${size(chunks)} bytes) do not fit in a ${maxLength}-byte message (overload could use ${free})`,
    );
  }
  const inFile = chunks.slice(afterMain, afterFile);
  const inSname = chunks.slice(afterFile, afterSname);
  const overload = (inFile.length > 0 ? OVERLOAD.FILE : 0) | (inSname.length > 0 ? OVERLOAD.SNAME : 0);
  return finish(chunks.slice(0, afterMain), inFile, inSname, overload);
}

function writeArea(w: ByteWriter, chunks: readonly Uint8Array[], fieldSize: number): void {
  const start = w.offset;
  for (const c of chunks) w.put(c);
  w.u8(OPTION.END);
  w.zero(fieldSize - (w.offset - start));
}

function encodeWith(p: DhcpPacket, opts: EncodeOptions): { layout: Layout; fields: { sname: Uint8Array; file: Uint8Array } } {
  const fields = checkFields(p);
  if (p.isBootp) {
    const vendor = p.vendorArea?.length ?? 0;
    const length = Math.max(BOOTP_SIZE.HEADER + vendor, opts.minLength ?? BOOTP_SIZE.MIN_MESSAGE);
    if (p.options.length > 0) throw new RangeError('a BOOTP message without the magic cookie cannot carry DHCP options');
    return { layout: { main: [], file: [], sname: [], overload: 0, length }, fields };
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
  const out = new Uint8Array(layout.length);
  const w = new ByteWriter(out);
  w.u8(packet.op).u8(packet.htype).u8(packet.hlen).u8(packet.hops).u32(packet.xid).u16(packet.secs).u16(packet.flags);
  for (const a of [packet.ciaddr, packet.yiaddr, packet.siaddr, packet.giaddr]) w.put(ipv4ToBytes(a));
  w.put(packet.chaddr).zero(BOOTP_SIZE.CHADDR - packet.chaddr.length);
  if (layout.overload & OVERLOAD.SNAME) writeArea(w, layout.sname, BOOTP_SIZE.SNAME);
  else w.put(fields.sname).zero(BOOTP_SIZE.SNAME - fields.sname.length);
  if (layout.overload & OVERLOAD.FILE) writeArea(w, layout.file, BOOTP_SIZE.FILE);
  else w.put(fields.file).zero(BOOTP_SIZE.FILE - fields.file.length);
  if (packet.isBootp) {
    if (packet.vendorArea) w.put(packet.vendorArea);
    return out;
  }
  w.put(MAGIC_COOKIE);
  for (const c of layout.main) w.put(c);
  if (layout.overload) w.u8(OPTION.OVERLOAD).u8(1).u8(layout.overload);
  w.u8(OPTION.END);
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
    htype: 1,
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
