/**
 * Encoding a DHCPv4 / BOOTP message (RFC 2131 §2, RFC 2132, RFC 3396 §4): options split
 * over 255 bytes, padding to 300 bytes (RFC 1542 §2.1), the client's size limit
 * (RFC 2132 §9.10), and overload into empty file/sname fields (option 52). What cannot
 * be written faithfully is refused with a RangeError, never truncated.
 */
import { isIpv4, writeIpv4 } from '../net/ipv4.js';
import type { Ipv4 } from '../net/ipv4.js';
import { BOOTP_SIZE, MAGIC_COOKIE, OPTION, OVERLOAD } from './constants.js';

import { getOption, type DhcpOption, type DhcpPacket } from './message.js';

/** Options for `encodeDhcpPacket`. */
export interface EncodeOptions {
  /** Largest message (UDP payload) to produce; see `maxReplyLength`. Default 548 (576 − 28). */
  readonly maxLength?: number;
  /** Pad to at least this many bytes. Default 300 (RFC 1542 §2.1); 0 for no padding. */
  readonly minLength?: number;
}

const textEncoder = new TextEncoder();

const EMPTY = new Uint8Array(0);

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
