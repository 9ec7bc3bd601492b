/**
 * The built-in profiles, by id, in a fixed order (the order `profile list` shows).
 */
import type { Profile } from './profile.js';
import { AVAYA, MITEL } from './vendors/avaya-mitel.js';
import { CISCO_IOS, CISCO_PHONE, CISCO_PNP } from './vendors/cisco.js';
import { GRANDSTREAM, MITEL_SIP, POLYCOM, SNOM, YEALINK } from './vendors/phones.js';
import { IPXE, PXE_BIOS, PXE_UEFI } from './vendors/pxe.js';
import { ARISTA_ZTP, JUNIPER_ZTP } from './vendors/switches.js';

/** Every built-in profile. */
export const PROFILES: readonly Profile[] = [
  CISCO_PHONE,
  CISCO_IOS,
  CISCO_PNP,
  POLYCOM,
  YEALINK,
  GRANDSTREAM,
  SNOM,
  AVAYA,
  MITEL,
  MITEL_SIP,
  JUNIPER_ZTP,
  ARISTA_ZTP,
  PXE_BIOS,
  PXE_UEFI,
  IPXE,
];

/** The ids of every built-in profile (for the inventory's `profile` column and scope checks). */
export function profileIds(): ReadonlySet<string> {
  return new Set(PROFILES.map((p) => p.id));
}

/** The profile with this id, or undefined. */
export function getProfile(id: string): Profile | undefined {
  return PROFILES.find((p) => p.id === id);
}
