/**
 * The text of `benchboot profile list` and `benchboot profile show NAME`: what a
 * profile matches and sends, each option as code, name, bytes in hex and meaning (as
 * `probe` shows options), then its files.
 */
import { toHex } from '../net/bytes.js';
import type { MatchRule, Profile } from './profile.js';
import { resolveProfileOptions, type AnswerContext } from './resolve.js';

function describeRule(rule: MatchRule): string {
  const parts: string[] = [];
  if (rule.vendorClassPrefix) parts.push(`option 60 starts with ${rule.vendorClassPrefix.map((p) => JSON.stringify(p)).join(' or ')}`);
  if (rule.vendorClassPattern) parts.push(`option 60 matches ${String(rule.vendorClassPattern)}`);
  if (rule.userClass) parts.push(`option 77 is ${rule.userClass.join(' or ')}`);
  if (rule.arch) parts.push(`option 93 arch ${rule.arch.join('/')}`);
  if (rule.clientIdPattern) parts.push(`option 61 text matches ${String(rule.clientIdPattern)}`);
  if (rule.notUserClass) parts.push(`option 77 is not ${rule.notUserClass.join(' or ')}`);
  return parts.join(', ');
}

/** How a profile recognises devices, in one line. */
export function describeMatch(profile: Profile): string {
  const rules = profile.match.rules.map(describeRule);
  if (profile.match.ouis.length > 0) rules.push(`MAC OUI ${profile.match.ouis.join(', ')} (fallback)`);
  return rules.length > 0 ? rules.join('; ') : 'only when forced';
}

function table(rows: readonly (readonly string[])[]): string[] {
  const widths: number[] = [];
  for (const r of rows) r.forEach((c, i) => (widths[i] = Math.max(widths[i] ?? 0, c.length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] ?? 0))).join('  ').trimEnd());
}

/** The `profile list` table: id, description and matching, one profile per line. */
export function formatProfileList(profiles: readonly Profile[]): string {
  return table([['PROFILE', 'SENDS', 'DESCRIPTION'], ...profiles.map((p) => [p.id, p.options.map((o) => String(o.code)).join(',') || '-', p.description])]).join('\n');
}

/** The `profile show NAME` text, options resolved for `ctx` (e.g. the server address on one interface). */
export function formatProfile(profile: Profile, ctx: AnswerContext): string {
  const lines = [`${profile.id}: ${profile.description}`, `matches: ${describeMatch(profile)}`];
  const options = resolveProfileOptions(profile, ctx);
  lines.push('', ...table([['CODE', 'NAME', 'BYTES', 'MEANING'], ...options.map((o) => [String(o.code), o.name, toHex(o.data), o.meaning])]));
  if (profile.withholds.length > 0) lines.push(`withholds scope defaults: ${profile.withholds.join(', ')}`);
  const f = profile.files;
  if (f.requested.length > 0) lines.push('', `files asked, in order: ${f.requested.join(', ')}`);
  if (f.done.length > 0) lines.push(`done when fetched: ${f.done.join(', ')}`);
  if (f.normalMisses.length > 0) lines.push(`normal misses: ${f.normalMisses.join(', ')}`);
  if (f.defaultFile !== undefined) lines.push(`default file: ${f.defaultFile}`);
  if (Object.keys(profile.params).length > 0) lines.push(`parameters: ${Object.entries(profile.params).map(([k, v]) => `${k}=${v === '' ? '""' : v}`).join(', ')}`);
  for (const note of profile.notes) lines.push(`note: ${note}`);
  lines.push(`sources: ${profile.sources.join('; ')}`);
  return lines.join('\n');
}
