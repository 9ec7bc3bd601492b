/**
 * The spellings of one MAC address. An inventory accepts every common spelling
 * (`00:1b:d4:aa:bb:cc`, `001BD4AABBCC`, `001b.d4aa.bbcc`, `00-1B-D4-AA-BB-CC`) and
 * keeps the canonical lower-case colon form (`MacAddress` of src/net/ipv4.ts);
 * file names and templates need the other forms back (`SEP001BD4AABBCC`, `{mac}.cfg`).
 */
import { isMac, parseMac, type MacAddress } from '../net/ipv4.js';

/** How a MAC is written: separator style and letter case. */
export interface MacStyle {
  readonly separator: 'colon' | 'dash' | 'dot' | 'none';
  readonly upper: boolean;
}

/** The usual spellings of one MAC, as templates see them (`device.mac`, `device.MAC`, ...). */
export interface MacForms {
  /** 12 lower-case hex digits, `001bd4aabbcc` (Polycom, Yealink file names). */
  readonly mac: string;
  /** 12 upper-case hex digits, `001BD4AABBCC` (Cisco `SEP…` names). */
  readonly MAC: string;
  /** `00:1b:d4:aa:bb:cc`. */
  readonly mac_colon: string;
  /** `00-1b-d4-aa-bb-cc`. */
  readonly mac_dash: string;
  /** Cisco IOS dotted form `001b.d4aa.bbcc`. */
  readonly mac_dot: string;
}

/** The canonical MAC of any common spelling, or undefined when `text` is not a MAC. */
export function readMac(text: string): MacAddress | undefined {
  const t = text.trim();
  return isMac(t) ? parseMac(t) : undefined;
}

/** The 12 hex digits of a MAC, lower-case. */
export function macHex(mac: MacAddress): string {
  return mac.replace(/:/g, '');
}

/** Writes a MAC in a given style. */
export function formatMac(mac: MacAddress, style: MacStyle): string {
  const hex = macHex(mac);
  let out: string;
  if (style.separator === 'none') out = hex;
  else if (style.separator === 'dot') out = `${hex.slice(0, 4)}.${hex.slice(4, 8)}.${hex.slice(8)}`;
  else out = mac.replace(/:/g, style.separator === 'dash' ? '-' : ':');
  return style.upper ? out.toUpperCase() : out;
}

/** The style a MAC was typed in (to write new rows the way the file already does). */
export function styleOfMac(text: string): MacStyle {
  const t = text.trim();
  const separator = t.includes(':') ? 'colon' : t.includes('-') ? 'dash' : t.includes('.') ? 'dot' : 'none';
  return { separator, upper: /[A-F]/.test(t) && !/[a-f]/.test(t) };
}

/** Every form templates use. */
export function macForms(mac: MacAddress): MacForms {
  const hex = macHex(mac);
  return {
    mac: hex,
    MAC: hex.toUpperCase(),
    mac_colon: mac,
    mac_dash: formatMac(mac, { separator: 'dash', upper: false }),
    mac_dot: formatMac(mac, { separator: 'dot', upper: false }),
  };
}
