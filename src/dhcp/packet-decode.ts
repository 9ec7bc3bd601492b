/**
 * Decoding a DHCPv4 / BOOTP datagram (RFC 951, RFC 2131 §2, RFC 3396): the fixed
 * header, the magic cookie, options in wire order, and overloaded file/sname fields
 * (option 52). A datagram cut short or an options area without End is a DecodeError
 * naming the offset; plain BOOTP (no cookie) decodes with `isBootp`.
 */
import { DecodeError } from '../net/bytes.js';
import type { Decoded } from '../net/bytes.js';
import { ipv4FromBytes } from '../net/ipv4.js';
import { BOOTP_SIZE, MAGIC_COOKIE, OPTION, OVERLOAD } from './constants.js';

import { getOption, type DhcpOption, type DhcpPacket } from './message.js';

const textDecoder = new TextDecoder('utf-8', { fatal: false });

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
