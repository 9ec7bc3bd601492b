/**
 * A vendor profile's default file (issue 12): a device its profile matched that asks
 * for its own per-device file (`SEP{MAC}.cnf.xml`, `{mac}.cfg`, `{hostname}-confg`)
 * when nothing answers that name (no static file, no template that can render for
 * it, no inventory row) gets the profile's default file instead (`XMLDefault.cnf.xml`,
 * `000000000000.cfg`, `y000000000000.cfg`…), so an unknown phone is never refused for
 * being unknown. Per-device names are the profile's file patterns holding a device
 * token, less its normal misses (a Cisco phone's `CTLSEP{MAC}.tlv` stays a miss),
 * matched for the asking device's own MAC and host name, whatever the case.
 */
import { matchesPattern, type PatternSubject } from '../devices/pattern.js';
import { getProfile } from '../profiles/index.js';

/** A profile default that answers a request: the file to send instead, and whose default it is. */
export interface ProfileDefault {
  readonly profile: string;
  readonly file: string;
}

const DEVICE_TOKEN = /\{MAC\}|\{mac\}|\{hostname\}/;

/** The asker's facts as file-name patterns read them (12 lower-case hex digits). */
function subjectOf(mac: string, hostname: string | undefined): PatternSubject {
  return { mac: mac.replace(/[^0-9a-fA-F]/g, '').toLowerCase(), ...(hostname === undefined ? {} : { hostname }) };
}

/**
 * The default file of profile `profileId` when `name` is one of the device's own
 * per-device files (see the module comment); undefined otherwise, or when the
 * profile names no default.
 */
export function profileDefaultFor(profileId: string | undefined, name: string, mac: string | undefined, hostname?: string): ProfileDefault | undefined {
  if (profileId === undefined || mac === undefined) return undefined;
  const profile = getProfile(profileId);
  const file = profile?.files.defaultFile;
  if (profile === undefined || file === undefined || name.toLowerCase() === file.toLowerCase()) return undefined;
  const subject = subjectOf(mac, hostname);
  const own = [...profile.files.requested, ...profile.files.done].filter((p) => DEVICE_TOKEN.test(p));
  const perDevice = own.filter((p) => !profile.files.normalMisses.includes(p));
  return perDevice.some((p) => matchesPattern(name, p, subject)) ? { profile: profile.id, file } : undefined;
}
