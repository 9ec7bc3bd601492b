/**
 * Built-in vendor profiles (issue 12): which devices each matches, the DHCP options it
 * sends as typed encodings resolved per answer, the scope defaults it withholds, and
 * the files its devices ask for. Pure data and functions: no sockets, files or clock.
 */
export { encodeJuniperZtp, JUNIPER_ZTP as JUNIPER_ZTP_CODES, type JuniperZtp } from './encode/juniper-ztp.js';
export { OptionEncodeError, type RawOption } from './encode/raw-option.js';
export { decodeSubOptions, encodeSubOptions, type SubOption } from './encode/sub-options.js';
export { encodeVendorClass, encodeVendorSpecific, type VendorClassEntry, type VendorSpecificEntry } from './encode/vendor-identifying.js';
export { encodeAvaya, encodeCiscoPnp, encodeMitel, formatAvaya, formatCiscoPnp, formatMitel, MITEL_ID, MITEL_MAX_CHARS, type CiscoPnpTarget } from './encode/vendor-strings.js';
export { describeMatch, formatProfile, formatProfileList } from './format.js';
export { clientIdText, matchProfile, ruleHolds, type MatchReason, type ProfileChoice } from './match.js';
export type { DeviceFacts, MatchRule, OptionSource, Profile, ProfileFiles, ProfileMatch, ProfileOption } from './profile.js';
export { getProfile, PROFILES, profileIds } from './registry.js';
export { fillText, httpServerUrl, MITEL_ENTERPRISE, resolveProfileOptions, type AnswerContext, type ResolvedOption } from './resolve.js';
