/**
 * User class, option 77 (RFC 3004 §4): a list of length-prefixed opaque class names.
 * iPXE sends plain text instead ("iPXE"), so one string is accepted and decoded too.
 */
import { concat, decodeText, fail, fixed, show, textBytes, type OptionCodec } from './codec.js';
import type { OptionDef } from './registry.js';

/** Option 77: a list of names, or iPXE's plain text. */
export const userClassCodec: OptionCodec<string[] | string> = {
  encode: userClassBytes,
  decode(def, bytes) {
    fixed(def, bytes, 1);
    const list = splitUserClass(bytes);
    if (list && list.every(isPrintable)) return list;
    return decodeText(bytes);
  },
};

/** True when the text looks like a name or label rather than arbitrary bytes. */
function isPrintable(text: string): boolean {
  return /^[\x20-\x7e]+$/.test(text);
}

/** RFC 3004 §4: a list of length-prefixed opaque class names; one plain string is iPXE's form. */
function userClassBytes(def: OptionDef, value: unknown): Uint8Array {
  if (!Array.isArray(value)) return textBytes(def, value);
  if (value.length === 0) fail(def, 'empty user class list');
  return concat(
    value.map((v: unknown) => {
      const b = textBytes(def, v);
      if (b.length > 255) fail(def, `user class ${show(v)} is longer than 255 bytes`);
      return concat([Uint8Array.of(b.length), b]);
    }),
  );
}

/** Splits an RFC 3004 user class list; undefined when the bytes are not in that form. */
export function splitUserClass(bytes: Uint8Array): string[] | undefined {
  const out: string[] = [];
  let pos = 0;
  while (pos < bytes.length) {
    const len = bytes[pos] ?? 0;
    if (len === 0 || pos + 1 + len > bytes.length) return undefined;
    out.push(new TextDecoder().decode(bytes.subarray(pos + 1, pos + 1 + len)));
    pos += 1 + len;
  }
  return out.length > 0 ? out : undefined;
}
