/**
 * Option values by registry entry: each value family (`OptionType`) is served by its
 * codec in this folder, which owns both directions. `encodeOptionValue` turns a scope
 * file's value into option bytes, `decodeOptionValue` turns bytes back into a value it
 * accepts again, `formatOptionValue` is the one-line display used in logs and output.
 */
import { DecodeError, toHex } from '../../net/bytes.js';
import type { Ipv4 } from '../../net/ipv4.js';
import { fail, type OptionCodec } from './codec.js';
import { clientIdCodec } from './client-id.js';
import { boolCodec, i32Codec, u16Codec, u16ListCodec, u32Codec, u8Codec, u8ListCodec } from './int.js';
import { ipCodec, ipListCodec, ipPairsCodec } from './ip.js';
import type { OptionDef, OptionType } from './registry.js';
import { classlessRoutesCodec, type ClasslessRoute } from './routes.js';
import { subOptionsCodec, type SubOptionValue } from './sub-options.js';
import { domainListCodec, hexCodec, textCodec } from './text.js';
import { userClassCodec } from './user-class.js';

/** What `decodeOptionValue` returns: a value `encodeOptionValue` accepts again. */
export type OptionValue =
  | string
  | number
  | boolean
  | readonly string[]
  | readonly number[]
  | readonly Ipv4[]
  | readonly ClasslessRoute[]
  | readonly SubOptionValue[]
  | { readonly type: number; readonly hex: string };

/** The codec of each value family. */
const CODECS: Readonly<Record<OptionType, OptionCodec<OptionValue>>> = {
  ip: ipCodec,
  'ip-list': ipListCodec,
  'ip-pairs': ipPairsCodec,
  u8: u8Codec,
  u16: u16Codec,
  u32: u32Codec,
  i32: i32Codec,
  'u8-list': u8ListCodec,
  'u16-list': u16ListCodec,
  bool: boolCodec,
  string: textCodec,
  hex: hexCodec,
  'domain-list': domainListCodec,
  'classless-routes': classlessRoutesCodec,
  'sub-options': subOptionsCodec,
  'client-id': clientIdCodec,
  'user-class': userClassCodec,
};

/**
 * Encodes a scope-file value into option value bytes (without code and length).
 * Throws RangeError with a readable message, e.g.
 * `option 150 (tftp-servers): "10.0.0.300" is not an IPv4 address`.
 */
export function encodeOptionValue(def: OptionDef, value: unknown): Uint8Array {
  if (value === undefined || value === null) fail(def, 'no value');
  const bytes = CODECS[def.type].encode(def, value);
  if (bytes.length === 0) fail(def, 'empty value');
  return bytes;
}

/**
 * Decodes option value bytes to a displayable value that `encodeOptionValue`
 * accepts again. Throws DecodeError when the bytes do not fit the option's type.
 */
export function decodeOptionValue(def: OptionDef, bytes: Uint8Array): OptionValue {
  return CODECS[def.type].decode(def, bytes);
}

/** One-line display of an option value; falls back to hex when the bytes do not fit the type. */
export function formatOptionValue(def: OptionDef, bytes: Uint8Array): string {
  try {
    const v = decodeOptionValue(def, bytes);
    return typeof v === 'string' ? v : JSON.stringify(v);
  } catch (err) {
    if (err instanceof DecodeError) return `0x${toHex(bytes)} (${err.reason})`;
    throw err;
  }
}
