/**
 * File-name patterns of expectations and normal misses, as profiles and inventory
 * rows write them: `SEP{MAC}.cnf.xml`, `CTLSEP{MAC}.tlv`, `{hostname}-confg`,
 * `*.loads`. `{MAC}`/`{mac}` stand for the device's 12 hex digits, `{hostname}` for
 * its hostname fact, `*` for any run of characters. Matching ignores case, since
 * phones differ in how they spell the MAC (and IOS lowercases hostnames).
 */

/** The device facts a pattern may refer to. */
export interface PatternSubject {
  /** Canonical MAC, 12 lower-case hex digits. */
  readonly mac: string;
  readonly hostname?: string;
}

const TOKEN = /\{MAC\}|\{mac\}|\{hostname\}|\*/g;

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The regular expression of `pattern` for `subject`, or undefined when the pattern
 * names a fact the device does not have (`{hostname}` before its hostname is known).
 */
export function compilePattern(pattern: string, subject: PatternSubject): RegExp | undefined {
  let missing = false;
  let source = '';
  let last = 0;
  for (const m of pattern.matchAll(TOKEN)) {
    source += escapeRegExp(pattern.slice(last, m.index));
    last = m.index + m[0].length;
    if (m[0] === '*') source += '.*';
    else if (m[0] === '{hostname}') {
      if (subject.hostname === undefined) missing = true;
      else source += escapeRegExp(subject.hostname);
    } else source += subject.mac;
  }
  source += escapeRegExp(pattern.slice(last));
  return missing ? undefined : new RegExp(`^${source}$`, 'i');
}

/** True when the file `name` matches `pattern` for this device. */
export function matchesPattern(name: string, pattern: string, subject: PatternSubject): boolean {
  return compilePattern(pattern, subject)?.test(name) ?? false;
}

/** True when `name` matches any of `patterns`. */
export function matchesAny(name: string, patterns: readonly string[], subject: PatternSubject): boolean {
  return patterns.some((p) => matchesPattern(name, p, subject));
}

/** The pattern with the device's facts filled in, for diagnoses (`SEP{MAC}.cnf.xml` → `SEP001BD4AABBCC.cnf.xml`). */
export function describePattern(pattern: string, subject: PatternSubject): string {
  return pattern
    .replace(/\{MAC\}/g, subject.mac.toUpperCase())
    .replace(/\{mac\}/g, subject.mac)
    .replace(/\{hostname\}/g, subject.hostname ?? '{hostname}');
}
