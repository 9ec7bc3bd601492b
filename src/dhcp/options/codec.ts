/**
 * What every option value codec has in common: the `OptionCodec` shape (one value
 * family owns both directions), and the checks and byte helpers the families share.
 * Encoding failures are RangeErrors whose message names the option; decoding failures
 * are DecodeErrors.
 */
import { DecodeError, fromHex } from '../../net/bytes.js';
import { describeOption, type OptionDef } from './registry.js';

/** One value family: scope-file value → value bytes, and value bytes → a value `encode` accepts again. */
export interface OptionCodec<T> {
  encode(def: OptionDef, value: unknown): Uint8Array;
  /** Throws DecodeError when the bytes do not fit the family. */
  decode(def: OptionDef, bytes: Uint8Array): T;
}

class ValueError extends RangeError {}

/** Throws the RangeError of a value that does not fit `def`. */
export function fail(def: OptionDef, what: string): never {
  throw new ValueError(`${describeOption(def)}: ${what}`);
}

/** A value as it appears in an error message. */
export function show(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  try {
    return JSON.stringify(value) ?? String(value);
  } catch (err) {
    return `${String(value)} (${err instanceof Error ? err.message : 'unprintable'})`;
  }
}

/** A list value: an array as is, a string split on commas and spaces, anything else as one item. */
export function asList(value: unknown): unknown[] {
  if (Array.isArray(value)) return value as unknown[];
  if (typeof value === 'string') return value.split(/[\s,]+/).filter((s) => s.length > 0);
  return [value];
}

/** An array as is, anything else as a list of one. */
export function asItems(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [value];
}

/** Concatenates byte arrays. */
export function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** An integer from `min` to `max` (numeric text accepted). */
export function integer(def: OptionDef, value: unknown, min: number, max: number): number {
  const n = typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) {
    fail(def, `${show(value)} is not an integer from ${min} to ${max}`);
  }
  return n;
}

/** NVT text as bytes, at least one (RFC 2132 §2). */
export function textBytes(def: OptionDef, value: unknown): Uint8Array {
  if (typeof value !== 'string' && typeof value !== 'number') fail(def, `${show(value)} is not text`);
  const text = String(value);
  if (text.length === 0) fail(def, 'empty text (RFC 2132 §2: minimum length is 1)');
  return new TextEncoder().encode(text);
}

/** Bytes written as hex (or given as bytes). */
export function hexBytes(def: OptionDef, value: unknown): Uint8Array {
  if (value instanceof Uint8Array) return value;
  if (typeof value !== 'string') fail(def, `${show(value)} is not a hex string`);
  try {
    return fromHex(value);
  } catch (err) {
    return fail(def, `${show(value)} is not a hex string (${err instanceof Error ? err.message : 'bad digits'})`);
  }
}

/** Throws unless the value is a non-empty multiple of `unit` bytes. */
export function fixed(def: OptionDef, bytes: Uint8Array, unit: number): void {
  if (bytes.length === 0 || bytes.length % unit !== 0) {
    throw new DecodeError(0, `${describeOption(def)}: length ${bytes.length} is not a multiple of ${unit}`);
  }
}

/** Throws unless the value is exactly `n` bytes. */
export function exact(def: OptionDef, bytes: Uint8Array, n: number): void {
  if (bytes.length !== n) throw new DecodeError(0, `${describeOption(def)}: length ${bytes.length}, expected ${n}`);
}

/** Text as sent; a trailing NUL (sent by some firmware against RFC 2132 §2) is dropped. */
export function decodeText(bytes: Uint8Array): string {
  let end = bytes.length;
  while (end > 0 && bytes[end - 1] === 0) end--;
  return new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, end));
}
