/**
 * Text families: NVT ASCII text (e.g. options 12, 66, 67; RFC 2132 §2, §9.4, §9.5),
 * raw bytes written as hex (any option benchboot has no family for), and RFC 1035
 * names as option 119 carries them (RFC 3397 §2, compression pointers allowed).
 */
import { DecodeError, ByteReader, toHex } from '../../net/bytes.js';
import { asList, concat, decodeText, fail, fixed, hexBytes, show, textBytes, type OptionCodec } from './codec.js';
import type { OptionDef } from './registry.js';

/** Text, sent without a trailing NUL. */
export const textCodec: OptionCodec<string> = {
  encode: textBytes,
  decode(def, bytes) {
    fixed(def, bytes, 1);
    return decodeText(bytes);
  },
};

/** Raw bytes as hex. */
export const hexCodec: OptionCodec<string> = {
  encode: hexBytes,
  decode: (_def, bytes) => toHex(bytes),
};

/** A list of domain names (RFC 3397 §2). */
export const domainListCodec: OptionCodec<string[]> = {
  encode: (def, value) => concat(asList(value).map((v) => domainBytes(def, v))),
  decode: (_def, bytes) => decodeDomainList(bytes),
};

/** RFC 1035 §3.1 name: labels of 1..63 bytes, whole name at most 255 bytes. */
function domainBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value !== 'string') fail(def, `${show(value)} is not a domain name`);
  const name = value.endsWith('.') ? value.slice(0, -1) : value;
  if (name.length === 0) fail(def, 'empty domain name');
  const parts: Uint8Array[] = [];
  for (const label of name.split('.')) {
    if (!/^[A-Za-z0-9_]([A-Za-z0-9_-]*[A-Za-z0-9_])?$/.test(label) || label.length > 63) {
      fail(def, `${show(value)} is not a domain name (label ${show(label)})`);
    }
    parts.push(Uint8Array.of(label.length), new TextEncoder().encode(label));
  }
  parts.push(Uint8Array.of(0));
  const out = concat(parts);
  if (out.length > 255) fail(def, `${show(value)} is longer than 255 bytes`);
  return out;
}

/** RFC 1035 §4.1.4 names, compression pointers into the option value allowed (RFC 3397 §2). */
function decodeDomainList(bytes: Uint8Array): string[] {
  const names: string[] = [];
  const r = new ByteReader(bytes);
  while (r.remaining > 0) {
    const labels: string[] = [];
    let pos = r.offset;
    let jumped = false;
    let jumps = 0;
    for (;;) {
      const len = bytes[pos];
      if (len === undefined) throw new DecodeError(pos, 'domain name runs past the end');
      if (len === 0) {
        pos += 1;
        break;
      }
      if ((len & 0xc0) === 0xc0) {
        const low = bytes[pos + 1];
        if (low === undefined) throw new DecodeError(pos, 'truncated compression pointer');
        const target = ((len & 0x3f) << 8) | low;
        if (target >= pos || ++jumps > 64) throw new DecodeError(pos, 'compression pointer does not point backwards');
        if (!jumped) r.skip(pos + 2 - r.offset, 'name');
        jumped = true;
        pos = target;
        continue;
      }
      if (len > 63) throw new DecodeError(pos, `label length ${len} over 63`);
      const end = pos + 1 + len;
      if (end > bytes.length) throw new DecodeError(pos, 'label runs past the end');
      labels.push(new TextDecoder().decode(bytes.subarray(pos + 1, end)));
      pos = end;
    }
    if (!jumped) r.skip(pos - r.offset, 'name');
    names.push(labels.join('.'));
  }
  return names;
}
