/**
 * Encapsulated sub-options, code/length/value: vendor-specific information, option 43
 * (RFC 2132 §8.4), and relay agent information, option 82 (RFC 3046 §2.0). Written in
 * a scope file as [{ code, hex | string }] or one hex string.
 */
import { ByteReader, DecodeError, toHex } from '../../net/bytes.js';
import { asItems, concat, fail, hexBytes, integer, show, textBytes, type OptionCodec } from './codec.js';
import type { OptionDef } from './registry.js';

/** One sub-option of option 43 or 82, as written in a scope file. */
export type SubOptionValue = { readonly code: number; readonly hex: string } | { readonly code: number; readonly string: string };

/** Sub-options of option 43 or 82. */
export const subOptionsCodec: OptionCodec<SubOptionValue[] | string> = {
  encode(def, value) {
    if (typeof value === 'string') return hexBytes(def, value);
    return concat(asItems(value).map((v) => subOptionBytes(def, v)));
  },
  decode: (_def, bytes) => decodeSubOptions(bytes),
};

/** PXE's End sub-option: one byte, no length (PXE 2.1 §2.4). */
const SUB_OPTION_END = 255;

function subOptionBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(def, `${show(value)} is not a sub-option {code, hex|string}`);
  const o = value as Record<string, unknown>;
  const code = integer(def, o['code'], 1, 255);
  if (code === SUB_OPTION_END) {
    if ((o['hex'] ?? '') !== '' || o['string'] !== undefined) fail(def, 'sub-option 255 is End and carries no value');
    return Uint8Array.of(SUB_OPTION_END);
  }
  let data: Uint8Array;
  if (o['hex'] !== undefined) data = hexBytes(def, o['hex']);
  else if (o['string'] !== undefined) data = textBytes(def, o['string']);
  else return fail(def, `sub-option ${code} needs "hex" or "string"`);
  if (data.length > 255) fail(def, `sub-option ${code} is longer than 255 bytes`);
  return concat([Uint8Array.of(code, data.length), data]);
}

/**
 * Sub-options as a list; PXE's End (255, no length; PXE 2.1 §2.4) is kept as
 * `{ code: 255, hex: "" }` so the list encodes back to the same bytes. Bytes that are
 * not a well-formed list (Aruba APs put plain text in option 43) come back as one hex
 * string, which `encodeOptionValue` also accepts.
 */
function decodeSubOptions(bytes: Uint8Array): SubOptionValue[] | string {
  const r = new ByteReader(bytes);
  const subs: SubOptionValue[] = [];
  try {
    while (r.remaining > 0) {
      const code = r.u8('sub-option code');
      if (code === SUB_OPTION_END) {
        subs.push({ code, hex: '' });
        if (r.remaining > 0) return toHex(bytes);
        break;
      }
      const len = r.u8('sub-option length');
      subs.push({ code, hex: toHex(r.take(len, `sub-option ${code}`)) });
    }
  } catch (err) {
    if (err instanceof DecodeError) return toHex(bytes);
    throw err;
  }
  return subs;
}
