/**
 * What "provisioned" means for one device, from its vendor profile (issue 13
 * part 2): the profile named by the DHCP answer (`profileId` fact), else the first
 * built-in profile that matches what the device sent (option 60/77/93, then OUI).
 * A profile's `files.done` lists alternatives (any one of them means done), so the
 * expectation is the one the device already received, else the first; parameters
 * (`{config_file}`) take the profile's defaults. An inventory row's `expects` list
 * replaces the profile's files (the profile's normal misses still apply). No profile
 * and no list, or a profile that names no file: "delivered everything it asked for".
 */
import { formatMacColons, NO_EXPECTATIONS, matchesPattern, type DeviceRecord, type Expectations } from '../devices/index.js';
import type { DeviceRow } from '../inventory/index.js';
import { clientIdText, getProfile, matchProfile, PROFILES, type Profile } from '../profiles/index.js';

const ALL_PROFILE_IDS: readonly string[] = PROFILES.map((p) => p.id);
const DEVICE_TOKENS = new Set(['MAC', 'mac', 'hostname']);

/**
 * Profile matches by what they were matched on: vendor class, user class, arch,
 * client-id and OUI (matchProfile reads nothing else). The status of a device is
 * derived on every change of its record and for every device when a full book
 * chooses whom to evict; matching the profiles anew each time was a twentieth of the
 * server's CPU in a DHCP storm, and a storm of new devices is mostly many devices of
 * a few models, so the match is shared by every device that sent the same. Bounded:
 * cleared when it holds {@link PROFILE_MATCHES_MAX} keys.
 */
const profileMatches = new Map<string, Profile | undefined>();
const PROFILE_MATCHES_MAX = 4096;

/** The profile of a device record: its `profileId` fact when known, else the first match over all profiles. */
export function profileOfRecord(record: Readonly<DeviceRecord>): Profile | undefined {
  const id = record.facts.profileId;
  if (id !== undefined) return getProfile(id);
  const f = record.facts;
  const key = `${field(f.vendorClass)}${field(f.userClass)}${f.arch ?? ''}|${field(record.clientId)}${record.mac.slice(0, 6)}`;
  if (profileMatches.has(key)) return profileMatches.get(key);
  const profile = matchAllProfiles(record);
  if (profileMatches.size >= PROFILE_MATCHES_MAX) profileMatches.clear();
  profileMatches.set(key, profile);
  return profile;
}

/** One text of a match key: its length first, so no text (the wire's, any bytes) can run into the next; `-` when absent. */
function field(text: string | undefined): string {
  return text === undefined ? '-' : `${text.length}:${text}`;
}

/** The first profile whose rules (then OUI) match what the device sent. */
function matchAllProfiles(record: Readonly<DeviceRecord>): Profile | undefined {
  const f = record.facts;
  const idText = clientIdText(record.clientId);
  const facts = {
    mac: formatMacColons(record.mac),
    ...(f.vendorClass === undefined ? {} : { vendorClass: f.vendorClass }),
    ...(f.userClass === undefined ? {} : { userClass: f.userClass }),
    ...(f.arch === undefined ? {} : { arch: f.arch }),
    ...(idText === undefined ? {} : { clientIdText: idText }),
  };
  return matchProfile(facts, ALL_PROFILE_IDS)?.profile;
}

/** `pattern` with the profile's parameters filled in, or undefined when a parameter has no value. */
export function fillProfileParams(pattern: string, params: Readonly<Record<string, string>>): string | undefined {
  let unknown = false;
  const filled = pattern.replace(/\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (whole, name: string) => {
    if (DEVICE_TOKENS.has(name)) return whole;
    const value = params[name];
    if (value === undefined || value === '') unknown = true;
    return value ?? whole;
  });
  return unknown ? undefined : filled;
}

/** The expectations of a device of `profile` given its record. */
export function expectationsOfProfile(profile: Profile, record: Readonly<DeviceRecord>): Expectations {
  const fill = (p: string): string | undefined => fillProfileParams(p, profile.params);
  const done = profile.files.done.map(fill).filter((p): p is string => p !== undefined);
  const normalMisses = profile.files.normalMisses.map(fill).filter((p): p is string => p !== undefined);
  const subject = { mac: record.mac, ...(record.facts.hostname === undefined ? {} : { hostname: record.facts.hostname }) };
  const delivered = record.progress.files.filter((f) => f.result === 'delivered');
  const reached = done.find((p) => delivered.some((f) => matchesPattern(f.name, p, subject)));
  const expected = reached ?? done[0];
  return {
    expectedFiles: expected === undefined ? [] : [expected],
    normalMisses,
    // A profile without a per-device default (PXE, iPXE) boots on shared files by design.
    acceptsDefault: profile.files.defaultFile === undefined,
  };
}

/** How a device's inventory row is named in its record: host name, else MAC, client-id, serial, else its line. */
export function inventoryKeyOf(row: DeviceRow): string {
  return row.hostname ?? row.mac ?? row.clientId ?? row.serial ?? `line ${row.line}`;
}

/** The expectations the appliance's device book uses: the row's `expects` when it lists any, else the profile's. */
export function expectationsOfRecord(record: Readonly<DeviceRecord>, row?: DeviceRow): Expectations {
  const profile = row?.profile !== undefined ? getProfile(row.profile) : profileOfRecord(record);
  const fromProfile = profile ? expectationsOfProfile(profile, record) : NO_EXPECTATIONS;
  if (row === undefined || row.expects.length === 0) return fromProfile;
  return { ...fromProfile, expectedFiles: [...row.expects] };
}
