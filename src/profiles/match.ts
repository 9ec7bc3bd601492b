/**
 * Which profile a device gets. A row may force one; otherwise the scope's (or
 * class's) list is tried in its order and the first profile with an explicit rule
 * that holds wins (option 60 prefix or pattern, option 77, option 93, option 61
 * text). Only when none matches explicitly is the MAC OUI tried, again in list
 * order, and only for a device whose explicit facts match no built-in profile at
 * all: vendors use many OUIs and share some (Cisco phones and switches), so an OUI
 * never overrides what the device said. A Cisco phone on a scope that lists only
 * `cisco-ios` gets no profile, not the switch's.
 */
import type { DeviceFacts, MatchRule, Profile } from './profile.js';
import { getProfile, PROFILES } from './registry.js';

/** Why a profile was chosen, for the log and `probe`. */
export type MatchReason = 'forced' | 'vendor-class' | 'user-class' | 'arch' | 'client-id' | 'oui';

/** Longest option 61 read as text (IOS sends about 25 bytes). */
const CLIENT_ID_TEXT_MAX = 64;

/**
 * Option 61 as text: a type-0 identifier (RFC 2132 §9.14: not a hardware address)
 * whose remaining bytes are printable ASCII, e.g. IOS's `cisco-0019.e8a5.0a81-Vl1`;
 * undefined otherwise. `id` is the raw option, as bytes or as hex.
 */
export function clientIdText(id: Uint8Array | string | undefined): string | undefined {
  if (id === undefined) return undefined;
  const bytes = typeof id === 'string' ? Buffer.from(id.replace(/[^0-9a-fA-F]/g, ''), 'hex') : id;
  if (bytes.length < 2 || bytes.length > CLIENT_ID_TEXT_MAX + 1 || bytes[0] !== 0) return undefined;
  const rest = bytes.subarray(1);
  if (!rest.every((b) => b >= 0x21 && b <= 0x7e)) return undefined;
  return Buffer.from(rest).toString('latin1');
}

/** A chosen profile and why. */
export interface ProfileChoice {
  readonly profile: Profile;
  readonly reason: MatchReason;
}

/** Option 60 as compared: trailing NULs some phones send are dropped (wazo-provd notes them). */
function cleanVendorClass(text: string | undefined): string | undefined {
  return text?.replace(/\0+$/, '');
}

/** True when every criterion the rule gives holds for `facts`. */
export function ruleHolds(rule: MatchRule, facts: DeviceFacts): boolean {
  const vc = cleanVendorClass(facts.vendorClass);
  if (rule.vendorClassPrefix && !(vc !== undefined && rule.vendorClassPrefix.some((p) => vc.startsWith(p)))) return false;
  if (rule.vendorClassPattern && !(vc !== undefined && rule.vendorClassPattern.test(vc))) return false;
  if (rule.userClass && !(facts.userClass !== undefined && rule.userClass.includes(facts.userClass))) return false;
  if (rule.notUserClass && facts.userClass !== undefined && rule.notUserClass.includes(facts.userClass)) return false;
  if (rule.arch && !(facts.arch !== undefined && rule.arch.includes(facts.arch))) return false;
  if (rule.clientIdPattern && !(facts.clientIdText !== undefined && rule.clientIdPattern.test(facts.clientIdText))) return false;
  return true;
}

function reasonOf(rule: MatchRule): MatchReason {
  if (rule.vendorClassPrefix || rule.vendorClassPattern) return 'vendor-class';
  if (rule.userClass) return 'user-class';
  if (rule.clientIdPattern) return 'client-id';
  return 'arch';
}

function ouiOf(mac: string): string {
  return mac.toLowerCase().slice(0, 8);
}

/**
 * The profile for a device: `forcedId` when given and known; else the first of
 * `allowedIds` (in order) with an explicit rule that holds; else the first whose OUI
 * list has the device's OUI, unless what the device sent matches some built-in
 * profile explicitly; else undefined. Unknown ids in `allowedIds` are skipped (the
 * scope check reports them).
 */
export function matchProfile(facts: DeviceFacts, allowedIds: readonly string[], forcedId?: string): ProfileChoice | undefined {
  if (forcedId !== undefined) {
    const forced = getProfile(forcedId);
    if (forced) return { profile: forced, reason: 'forced' };
  }
  const allowed = allowedIds.map(getProfile).filter((p): p is Profile => p !== undefined);
  for (const profile of allowed) {
    const rule = profile.match.rules.find((r) => ruleHolds(r, facts));
    if (rule) return { profile, reason: reasonOf(rule) };
  }
  // The device said what it is, and no allowed profile is that: its OUI must not make it another.
  if (PROFILES.some((p) => p.match.rules.some((r) => ruleHolds(r, facts)))) return undefined;
  const oui = ouiOf(facts.mac);
  const byOui = allowed.find((p) => p.match.ouis.includes(oui));
  return byOui ? { profile: byOui, reason: 'oui' } : undefined;
}
