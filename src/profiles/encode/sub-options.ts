/**
 * Encapsulated vendor sub-options, the TLV list inside option 43 (RFC 2132 §8.4: code,
 * length, data, no magic cookie, 255 ends the list) and inside each RFC 3925 entry.
 *
 *   +------+-----+------------+------+-----+----- ...
 *   | code | len | data (len) | code | len | ...
 *   +------+-----+------------+------+-----+----- ...
 *
 * Code 0 is allowed because Juniper ZTP uses it (image file name); 255 is not.
 */
import { checkLength, MAX_OPTION_DATA, OptionEncodeError } from './raw-option.js';

/** One sub-option. */
export interface SubOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/** The TLV bytes of a list of sub-options; refuses codes out of 0..254, data over 255 bytes, and a total over `max`. */
export function encodeSubOptions(subs: readonly SubOption[], max = MAX_OPTION_DATA): Uint8Array {
  const out = new Uint8Array(encodingLengthSubOptions(subs));
  let at = 0;
  for (const s of subs) {
    if (!Number.isInteger(s.code) || s.code < 0 || s.code > 254) throw new OptionEncodeError(`sub-option code ${s.code} is outside 0..254`);
    checkLength(s.data, MAX_OPTION_DATA, `sub-option ${s.code}`);
    out[at++] = s.code;
    out[at++] = s.data.length;
    out.set(s.data, at);
    at += s.data.length;
  }
  return checkLength(out, max, 'the sub-option list');
}

/** The encoded size of a list of sub-options. */
export function encodingLengthSubOptions(subs: readonly SubOption[]): number {
  return subs.reduce((n, s) => n + 2 + s.data.length, 0);
}

/** Reads a TLV list back (for display); stops at code 255; throws on a length past the end. */
export function decodeSubOptions(data: Uint8Array): SubOption[] {
  const out: SubOption[] = [];
  let at = 0;
  while (at < data.length) {
    const code = data[at] ?? 255;
    if (code === 255) break;
    const len = data[at + 1];
    if (len === undefined || at + 2 + len > data.length) throw new OptionEncodeError(`sub-option ${code} at byte ${at} runs past the end`);
    out.push({ code, data: data.subarray(at + 2, at + 2 + len) });
    at += 2 + len;
  }
  return out;
}
