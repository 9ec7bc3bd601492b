/**
 * TFTP packet codec: RRQ, WRQ, DATA, ACK, ERROR (RFC 1350 §5) and OACK (RFC 2347).
 *
 * `decodeTftpPacket` / `encodeTftpPacket` / `encodingLengthTftpPacket` form the codec
 * triad over the bounds-checked cursors of `net/bytes.ts`. A malformed datagram
 * throws `DecodeError { offset, reason }` and nothing else. The transfer fast path
 * uses `writeDataHeader` / `readOpcode` / `readBlock` to avoid building objects
 * for every block.
 */
import { ByteReader, ByteWriter, DecodeError, type Decoded } from '../net/bytes.js';

/** TFTP opcodes (RFC 1350 §5, RFC 2347 for OACK). */
export const TFTP_OPCODE = {
  rrq: 1,
  wrq: 2,
  data: 3,
  ack: 4,
  error: 5,
  oack: 6,
} as const;

/** The bytes of a DATA header (opcode + block). */
export const DATA_HEADER_BYTES = 4;

/** One negotiated option as it is on the wire (RFC 2347): name and value strings. */
export interface TftpOption {
  readonly name: string;
  readonly value: string;
}

/**
 * RRQ / WRQ (RFC 1350 §5, options RFC 2347 §2):
 * ```
 *  2 bytes    string   1 byte   string   1 byte   string   1 byte   string   1 byte
 * +--------+----------+------+--------+------+--------+------+--------+------+ ...
 * | 01/02  | Filename |  0   |  Mode  |  0   |  opt1  |  0   | value1 |  0   |
 * +--------+----------+------+--------+------+--------+------+--------+------+ ...
 * ```
 */
export interface TftpRequest {
  readonly kind: 'rrq' | 'wrq';
  readonly filename: string;
  /** As sent (case kept); `negotiate` compares it case-insensitively. */
  readonly mode: string;
  readonly options: readonly TftpOption[];
}

/**
 * DATA (RFC 1350 §5):
 * ```
 *  2 bytes   2 bytes    n bytes (0..blksize)
 * +--------+---------+------------+
 * |   03   | Block # |    Data    |
 * +--------+---------+------------+
 * ```
 */
export interface TftpData {
  readonly kind: 'data';
  /** Wire block number, 0..65535 (wraps past 65535). */
  readonly block: number;
  /** A view into the datagram (not a copy). */
  readonly data: Uint8Array;
}

/**
 * ACK (RFC 1350 §5):
 * ```
 *  2 bytes   2 bytes
 * +--------+---------+
 * |   04   | Block # |
 * +--------+---------+
 * ```
 */
export interface TftpAck {
  readonly kind: 'ack';
  readonly block: number;
}

/**
 * ERROR (RFC 1350 §5; code 8 from RFC 2347):
 * ```
 *  2 bytes   2 bytes      string    1 byte
 * +--------+-----------+----------+------+
 * |   05   | ErrorCode |  ErrMsg  |  0   |
 * +--------+-----------+----------+------+
 * ```
 */
export interface TftpError {
  readonly kind: 'error';
  /** 0-8 are defined; other values are kept as received. */
  readonly code: number;
  readonly message: string;
}

/**
 * OACK (RFC 2347 §2):
 * ```
 *  2 bytes  string   1 byte  string   1 byte
 * +-------+--------+------+--------+------+ ...
 * |  06   |  opt1  |  0   | value1 |  0   |
 * +-------+--------+------+--------+------+ ...
 * ```
 */
export interface TftpOack {
  readonly kind: 'oack';
  readonly options: readonly TftpOption[];
}

/** Any TFTP packet, discriminated by `kind`. */
export type TftpPacket = TftpRequest | TftpData | TftpAck | TftpError | TftpOack;

const utf8 = new TextDecoder('utf-8');
const utf8Encoder = new TextEncoder();

/** Reads a NUL-terminated string; throws DecodeError when the NUL is missing. */
function readString(r: ByteReader, what: string): string {
  const end = r.indexOf(0);
  if (end < 0) throw new DecodeError(r.offset, `${what} is not NUL-terminated`);
  const bytes = r.take(end - r.offset, what);
  r.skip(1, `${what} terminator`);
  return utf8.decode(bytes);
}

function readOptions(r: ByteReader): TftpOption[] {
  const options: TftpOption[] = [];
  while (r.remaining > 0) {
    const nameAt = r.offset;
    const name = readString(r, 'option name');
    if (name === '') throw new DecodeError(nameAt, 'empty option name');
    const value = readString(r, `value of option ${name}`);
    options.push({ name, value });
  }
  return options;
}

/** Decodes one TFTP datagram (RFC 1350 §5, RFC 2347); throws DecodeError when malformed. */
export function decodeTftpPacket(bytes: Uint8Array): Decoded<TftpPacket> {
  const r = new ByteReader(bytes);
  const opcode = r.u16('opcode');
  let value: TftpPacket;
  switch (opcode) {
    case TFTP_OPCODE.rrq:
    case TFTP_OPCODE.wrq: {
      const filename = readString(r, 'filename');
      const modeAt = r.offset;
      const mode = readString(r, 'mode');
      if (mode === '') throw new DecodeError(modeAt, 'empty transfer mode');
      value = { kind: opcode === TFTP_OPCODE.rrq ? 'rrq' : 'wrq', filename, mode, options: readOptions(r) };
      break;
    }
    case TFTP_OPCODE.data:
      value = { kind: 'data', block: r.u16('block number'), data: r.take(r.remaining, 'data') };
      break;
    case TFTP_OPCODE.ack:
      value = { kind: 'ack', block: r.u16('block number') };
      if (r.remaining > 0) throw new DecodeError(r.offset, `${r.remaining} bytes after ACK`);
      break;
    case TFTP_OPCODE.error: {
      const code = r.u16('error code');
      // Some senders omit the final NUL; the message is informative only, so take what is there.
      const end = r.indexOf(0);
      const message = utf8.decode(r.take(end < 0 ? r.remaining : end - r.offset, 'error message'));
      if (end >= 0) r.skip(1, 'error message terminator');
      value = { kind: 'error', code, message };
      break;
    }
    case TFTP_OPCODE.oack:
      value = { kind: 'oack', options: readOptions(r) };
      break;
    default:
      throw new DecodeError(0, `unknown opcode ${opcode}`);
  }
  return { value, bytesRead: r.offset };
}

function stringLength(s: string, what: string): number {
  const n = utf8Encoder.encode(s).length;
  if (s.includes('\0')) throw new RangeError(`${what} contains NUL`);
  return n + 1;
}

function optionsLength(options: readonly TftpOption[]): number {
  let n = 0;
  for (const o of options) {
    if (o.name === '') throw new RangeError('empty option name');
    n += stringLength(o.name, 'option name') + stringLength(o.value, `value of option ${o.name}`);
  }
  return n;
}

/** Bytes `encodeTftpPacket` will write; throws RangeError for a packet that cannot be encoded. */
export function encodingLengthTftpPacket(p: TftpPacket): number {
  switch (p.kind) {
    case 'rrq':
    case 'wrq':
      if (p.mode === '') throw new RangeError('empty transfer mode');
      return 2 + stringLength(p.filename, 'filename') + stringLength(p.mode, 'mode') + optionsLength(p.options);
    case 'data':
      return DATA_HEADER_BYTES + p.data.length;
    case 'ack':
      return 4;
    case 'error':
      return 4 + stringLength(p.message, 'error message');
    case 'oack':
      return 2 + optionsLength(p.options);
  }
}

function writeString(w: ByteWriter, s: string): void {
  w.put(utf8Encoder.encode(s)).u8(0);
}

function checkU16(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 0xffff) throw new RangeError(`${what} ${v} is not 0..65535`);
}

/** Encodes a packet (RFC 1350 §5, RFC 2347); refuses impossible packets with RangeError. */
export function encodeTftpPacket(p: TftpPacket, target?: Uint8Array): Uint8Array {
  const length = encodingLengthTftpPacket(p);
  const out = target ? target.subarray(0, length) : new Uint8Array(length);
  if (out.length < length) throw new RangeError(`target holds ${out.length} bytes, packet needs ${length}`);
  const w = new ByteWriter(out);
  switch (p.kind) {
    case 'rrq':
    case 'wrq':
      w.u16(p.kind === 'rrq' ? TFTP_OPCODE.rrq : TFTP_OPCODE.wrq);
      writeString(w, p.filename);
      writeString(w, p.mode);
      for (const o of p.options) {
        writeString(w, o.name);
        writeString(w, o.value);
      }
      break;
    case 'data':
      checkU16(p.block, 'block number');
      w.u16(TFTP_OPCODE.data).u16(p.block).put(p.data);
      break;
    case 'ack':
      checkU16(p.block, 'block number');
      w.u16(TFTP_OPCODE.ack).u16(p.block);
      break;
    case 'error':
      checkU16(p.code, 'error code');
      w.u16(TFTP_OPCODE.error).u16(p.code);
      writeString(w, p.message);
      break;
    case 'oack':
      w.u16(TFTP_OPCODE.oack);
      for (const o of p.options) {
        writeString(w, o.name);
        writeString(w, o.value);
      }
      break;
  }
  return out;
}

/** Fast path: writes a DATA header (opcode 3, wire block) into `buf` at offset `at` (default 0). */
export function writeDataHeader(buf: Uint8Array, wireBlock: number, at = 0): void {
  buf[at] = 0;
  buf[at + 1] = TFTP_OPCODE.data;
  buf[at + 2] = (wireBlock >>> 8) & 0xff;
  buf[at + 3] = wireBlock & 0xff;
}

/** Fast path: the opcode of a datagram, or -1 when it is shorter than 2 bytes. */
export function readOpcode(buf: Uint8Array): number {
  if (buf.length < 2) return -1;
  return ((buf[0] ?? 0) << 8) | (buf[1] ?? 0);
}

/** Fast path: the block number of a DATA or ACK datagram, or -1 when it is shorter than 4 bytes. */
export function readBlock(buf: Uint8Array): number {
  if (buf.length < 4) return -1;
  return ((buf[2] ?? 0) << 8) | (buf[3] ?? 0);
}

/** An ACK datagram for a wire block number (RFC 1350 §5). */
export function encodeAck(wireBlock: number): Uint8Array {
  return encodeTftpPacket({ kind: 'ack', block: wireBlock & 0xffff });
}

/** An ERROR datagram (RFC 1350 §5). */
export function encodeError(code: number, message: string): Uint8Array {
  return encodeTftpPacket({ kind: 'error', code, message });
}
