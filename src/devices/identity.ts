/**
 * Who a device is and what has been learned about it: the canonical MAC (12
 * lower-case hex digits, the key of every record), an optional DHCP client
 * identifier, and the facts the servers learn along the way (vendor class, model,
 * profile, inventory row, last address). An observation is one event plus what
 * was learned with it; it is what the servers hand to the device book.
 */
import { clipText, TEXT_LIMITS, type DeviceEvent } from './event.js';

/** Facts learned about a device; each is the latest value seen. */
export interface DeviceFacts {
  /** Option 60 (vendor class identifier), e.g. `Cisco Systems, Inc. IP Phone CP-8841`. */
  readonly vendorClass?: string;
  /** Option 77 (user class), e.g. `iPXE`. */
  readonly userClass?: string;
  /** Option 93 client architecture (IANA PXE list: 0 BIOS, 7/9 x64 UEFI, …). */
  readonly arch?: number;
  /** Option 12 or the inventory row's hostname. */
  readonly hostname?: string;
  /** Model, from the vendor class or the inventory. */
  readonly model?: string;
  /** The vendor profile that matched (`cisco-phone`, …). */
  readonly profileId?: string;
  /** The inventory row this device is (absent: an unknown device). */
  readonly inventoryKey?: string;
  /** The last address it held. */
  readonly lastIp?: string;
}

/** One event with the identity of its device and any facts learned with it. */
export interface DeviceObservation {
  /** MAC in any common spelling; {@link canonicalMac} normalises it. */
  readonly mac: string;
  /** Option 61 client identifier, as hex. */
  readonly clientId?: string;
  readonly facts?: DeviceFacts;
  readonly event: DeviceEvent;
}

const HEX12 = /^[0-9a-f]{12}$/;
const COLONS_LOWER = /^(?:[0-9a-f]{2}:){5}[0-9a-f]{2}$/;

/**
 * The canonical MAC: 12 lower-case hex digits, from `00:1b:d4:aa:bb:cc`,
 * `001BD4AABBCC`, `001b.d4aa.bbcc` or `00-1B-D4-AA-BB-CC`; undefined for anything else.
 */
export function canonicalMac(text: string): string | undefined {
  // The spellings the servers hand over (already canonical, or colon-grouped lower case) skip the general parse.
  if (HEX12.test(text)) return text;
  if (COLONS_LOWER.test(text)) return text.replace(/:/g, '');
  const bare = text.trim().toLowerCase().replace(/[:.-]/g, '');
  if (!HEX12.test(bare)) return undefined;
  const grouped = /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(text.trim()) || /^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i.test(text.trim());
  return grouped || HEX12.test(text.trim().toLowerCase()) ? bare : undefined;
}

/** True when `mac` is already canonical. */
export function isCanonicalMac(mac: string): boolean {
  return HEX12.test(mac);
}

/** `001bd4aabbcc` → `00:1b:d4:aa:bb:cc`, for display. */
export function formatMacColons(mac: string): string {
  if (mac.length !== 12) return mac.replace(/(..)(?!$)/g, '$1:');
  // Slices, not a regular expression: every journal line, status event and profile match formats one.
  return `${mac.slice(0, 2)}:${mac.slice(2, 4)}:${mac.slice(4, 6)}:${mac.slice(6, 8)}:${mac.slice(8, 10)}:${mac.slice(10, 12)}`;
}

const FACT_TEXT_KEYS = ['vendorClass', 'userClass', 'hostname', 'model', 'profileId', 'inventoryKey', 'lastIp'] as const;

/**
 * `current` with every fact given in `learned` replaced (texts clipped); unchanged
 * facts keep their value, and `current` itself comes back when nothing changes (a
 * device repeats the same facts in every packet: no copy per event).
 */
export function mergeFacts(current: DeviceFacts, learned: DeviceFacts | undefined): DeviceFacts {
  if (!learned) return current;
  let out: { -readonly [K in keyof DeviceFacts]: DeviceFacts[K] } | undefined;
  for (const key of FACT_TEXT_KEYS) {
    const v = learned[key];
    if (v === undefined) continue;
    const clipped = clipText(v, TEXT_LIMITS.fact);
    if (clipped !== current[key]) (out ??= { ...current })[key] = clipped;
  }
  if (learned.arch !== undefined && learned.arch !== current.arch) (out ??= { ...current }).arch = learned.arch;
  return out ?? current;
}
