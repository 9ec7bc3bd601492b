/**
 * Integer families in network byte order: u8 / u16 / u32 / i32 (e.g. options 23, 26,
 * 51, 2; RFC 2132), lists of u8 (option 55, RFC 2132 §9.8) and u16 (option 93,
 * RFC 4578 §2.1), and the one-byte boolean (e.g. option 19, RFC 2132 §4.1).
 */
import { asList, concat, exact, fail, fixed, integer, show, type OptionCodec } from './codec.js';
import type { OptionDef } from './registry.js';

function u16Bytes(def: OptionDef, value: unknown): Uint8Array {
  const n = integer(def, value, 0, 0xffff);
  return Uint8Array.of(n >>> 8, n & 0xff);
}

function u32Bytes(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n >>> 0);
  return b;
}

function readUints(bytes: Uint8Array, unit: 2 | 4): number[] {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: number[] = [];
  for (let i = 0; i < bytes.length; i += unit) out.push(unit === 2 ? view.getUint16(i) : view.getUint32(i));
  return out;
}

/** One byte, 0..255. */
export const u8Codec: OptionCodec<number> = {
  encode: (def, value) => Uint8Array.of(integer(def, value, 0, 0xff)),
  decode(def, bytes) {
    exact(def, bytes, 1);
    return bytes[0] ?? 0;
  },
};

/** Two bytes, 0..65535. */
export const u16Codec: OptionCodec<number> = {
  encode: u16Bytes,
  decode(def, bytes) {
    exact(def, bytes, 2);
    return readUints(bytes, 2)[0] ?? 0;
  },
};

/** Four bytes, unsigned. */
export const u32Codec: OptionCodec<number> = {
  encode: (def, value) => u32Bytes(integer(def, value, 0, 0xffffffff)),
  decode(def, bytes) {
    exact(def, bytes, 4);
    return readUints(bytes, 4)[0] ?? 0;
  },
};

/** Four bytes, two's complement (option 2, RFC 2132 §3.4). */
export const i32Codec: OptionCodec<number> = {
  encode: (def, value) => u32Bytes(integer(def, value, -0x80000000, 0x7fffffff)),
  decode(def, bytes) {
    exact(def, bytes, 4);
    return new DataView(bytes.buffer, bytes.byteOffset, 4).getInt32(0);
  },
};

/** A list of one-byte values. */
export const u8ListCodec: OptionCodec<number[]> = {
  encode: (def, value) => Uint8Array.from(asList(value).map((v) => integer(def, v, 0, 0xff))),
  decode(def, bytes) {
    fixed(def, bytes, 1);
    return Array.from(bytes);
  },
};

/** A list of two-byte values. */
export const u16ListCodec: OptionCodec<number[]> = {
  encode: (def, value) => concat(asList(value).map((v) => u16Bytes(def, v))),
  decode(def, bytes) {
    fixed(def, bytes, 2);
    return readUints(bytes, 2);
  },
};

/** One byte, 0 or 1. */
export const boolCodec: OptionCodec<boolean> = {
  encode(def, value) {
    if (value === true || value === 1) return Uint8Array.of(1);
    if (value === false || value === 0) return Uint8Array.of(0);
    return fail(def, `${show(value)} is not true or false`);
  },
  decode(def, bytes) {
    exact(def, bytes, 1);
    return bytes[0] !== 0;
  },
};
