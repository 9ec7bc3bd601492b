/**
 * Which profile a device gets. A row may force one; otherwise the scope's (or
 * class's) list is tried in its order and the first profile with an explicit rule
 * that holds wins (option 60 prefix or pattern, option 77, option 93). Only when
 * none matches explicitly is the MAC OUI tried, again in list order: vendors use
 * many OUIs and share some, so an OUI never overrides what the device said.
 */
import type { DeviceFacts, MatchRule, Profile } from './profile.js';
import { getProfile } from './registry.js';

/** Why a profile was chosen, for the log and `probe`. */
export type MatchReason = 'forced' | 'vendor-class' | 'user-class' | 'arch' | 'oui';

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
  return true;
}

function reasonOf(rule: MatchRule): MatchReason {
  if (rule.vendorClassPrefix || rule.vendorClassPattern) return 'vendor-class';
  if (rule.userClass) return 'user-class';
  return 'arch';
}

function ouiOf(mac: string): string {
  return mac.toLowerCase().slice(0, 8);
}

/**
 * The profile for a device: `forcedId` when given and known; else the first of
 * `allowedIds` (in order) with an explicit rule that holds; else the first whose OUI
 * list has the device's OUI; else undefined. Unknown ids in `allowedIds` are skipped
 * (the scope check reports them).
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
  const oui = ouiOf(facts.mac);
  const byOui = allowed.find((p) => p.match.ouis.includes(oui));
  return byOui ? { profile: byOui, reason: 'oui' } : undefined;
}
