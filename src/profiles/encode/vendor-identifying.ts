/**
 * RFC 3925 vendor-identifying options. Option 125 (V-I Vendor-Specific Information,
 * §4) carries, per vendor, its IANA enterprise number and its data; option 124 (V-I
 * Vendor Class, §3) carries, per vendor, a list of length-prefixed class strings.
 *
 *   125: | enterprise-number (u32) | data-len (u8) | option-data (data-len) | ...
 *   124: | enterprise-number (u32) | data-len (u8) | len | class | len | class ... | ...
 */
import { ByteWriter } from '../../net/bytes.js';
import { checkLength, MAX_OPTION_DATA, OptionEncodeError } from './raw-option.js';

/** One vendor's entry in option 125. */
export interface VendorSpecificEntry {
  /** IANA private enterprise number (e.g. 1027 Mitel, 3561 Broadband Forum). */
  readonly enterprise: number;
  /** The vendor's data (sub-options in RFC 3925; some vendors put a string here). */
  readonly data: Uint8Array;
}

function writeEntry(w: ByteWriter, enterprise: number, data: Uint8Array): void {
  if (!Number.isInteger(enterprise) || enterprise < 0 || enterprise > 0xffffffff) throw new OptionEncodeError(`enterprise number ${enterprise} is not a 32-bit number`);
  checkLength(data, MAX_OPTION_DATA, `data of enterprise ${enterprise}`);
  w.u32(enterprise);
  w.u8(data.length);
  w.put(data);
}

/** Option 125 data (RFC 3925 §4); refuses a total over 255 bytes (no RFC 3396 split). */
export function encodeVendorSpecific(entries: readonly VendorSpecificEntry[]): Uint8Array {
  const w = new ByteWriter(new Uint8Array(entries.reduce((n, e) => n + 5 + e.data.length, 0)));
  for (const e of entries) writeEntry(w, e.enterprise, e.data);
  return checkLength(w.bytes, MAX_OPTION_DATA, 'option 125');
}

/** One vendor's entry in option 124: its class strings. */
export interface VendorClassEntry {
  readonly enterprise: number;
  readonly classes: readonly Uint8Array[];
}

/** Option 124 data (RFC 3925 §3). */
export function encodeVendorClass(entries: readonly VendorClassEntry[]): Uint8Array {
  const w = new ByteWriter(new Uint8Array(entries.reduce((n, e) => n + 5 + e.classes.reduce((m, c) => m + 1 + c.length, 0), 0)));
  for (const e of entries) {
    const inner = new ByteWriter(new Uint8Array(e.classes.reduce((m, c) => m + 1 + c.length, 0)));
    for (const c of e.classes) {
      checkLength(c, MAX_OPTION_DATA, 'a vendor class');
      inner.u8(c.length);
      inner.put(c);
    }
    writeEntry(w, e.enterprise, inner.bytes);
  }
  return checkLength(w.bytes, MAX_OPTION_DATA, 'option 124');
}
