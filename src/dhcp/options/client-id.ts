/**
 * Client identifier, option 61 (RFC 2132 §9.14): a type byte, then the identifier
 * (type 1 + MAC for Ethernet). Written as a MAC, as hex, or as { type, hex | string }.
 */
import { DecodeError, toHex } from '../../net/bytes.js';
import { isMac, macToBytes, parseMac } from '../../net/ipv4.js';
import { concat, fail, hexBytes, integer, textBytes, type OptionCodec } from './codec.js';
import { describeOption, type OptionDef } from './registry.js';

/** Option 61. */
export const clientIdCodec: OptionCodec<{ readonly type: number; readonly hex: string }> = {
  encode: clientIdBytes,
  decode(def, bytes) {
    if (bytes.length < 2) throw new DecodeError(0, `${describeOption(def)}: length ${bytes.length} is under 2`);
    return { type: bytes[0] ?? 0, hex: toHex(bytes.subarray(1)) };
  },
};

function clientIdBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value === 'string' && isMac(value)) return concat([Uint8Array.of(1), macToBytes(parseMac(value))]);
  if (typeof value === 'object' && value !== null && !(value instanceof Uint8Array)) {
    const o = value as Record<string, unknown>;
    const type = integer(def, o['type'], 0, 255);
    const rest = o['hex'] !== undefined ? hexBytes(def, o['hex']) : textBytes(def, o['string']);
    return concat([Uint8Array.of(type), rest]);
  }
  const b = hexBytes(def, value);
  if (b.length < 2) fail(def, 'a client identifier needs a type byte and at least one more byte (RFC 2132 §9.14)');
  return b;
}
