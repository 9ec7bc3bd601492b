/**
 * The output of every profile encoder: a DHCP option as its code and data bytes, ready
 * for the DHCP encoder (which adds code and length on the wire), and the typed error an
 * encoder throws instead of truncating or writing something a device would misread.
 */

/** One DHCP option: code 1..254 and its data (at most 255 bytes; RFC 2132 §2). */
export interface RawOption {
  readonly code: number;
  readonly data: Uint8Array;
}

/** A value cannot be encoded (too long, a forbidden character, a code out of range). */
export class OptionEncodeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OptionEncodeError';
  }
}

/** The most data one option may carry (its length octet, RFC 2132 §2). */
export const MAX_OPTION_DATA = 255;

/** ASCII bytes of `text`; refuses non-ASCII (vendor strings are NVT ASCII). */
export function asciiBytes(text: string, what: string): Uint8Array {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) throw new OptionEncodeError(`${what}: character ${JSON.stringify(text[i])} is not printable ASCII`);
  }
  return Uint8Array.from(text, (ch) => ch.charCodeAt(0));
}

/** Refuses data longer than `max` bytes. */
export function checkLength(data: Uint8Array, max: number, what: string): Uint8Array {
  if (data.length > max) throw new OptionEncodeError(`${what} is ${data.length} bytes, more than the ${max} allowed`);
  return data;
}
