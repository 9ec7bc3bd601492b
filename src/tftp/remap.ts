/**
 * Filename remapping in the manner of tftpd-hpa's `--map-file`, pure: a rule file is
 * parsed into rules, and a requested name is rewritten by applying the rules in order.
 * Rules see the normalised name (resolve-path.ts `normalizeRequestName`): backslashes are
 * already slashes, a drive letter, leading slashes and `.` or empty segments are gone, and
 * names that are too long, hold control characters or a `..` segment were refused before
 * any rule ran. So `a ^private/` also refuses `/private/x`, `private\x` and `./private/x`,
 * and a rule can never shorten an over-long name into an accepted one. The result is
 * checked by the path rules again like any other request, so a remap can never lead
 * outside the root.
 *
 * Map file format, one rule per line (`#` starts a comment, blank lines ignored):
 *
 *     # flags  regex                  replacement
 *     ri       ^tftpboot/(.*)         \1         # strip a path prefix, any case
 *     r        ^SEP(.*)\.cnf\.xml$    phones/SEP\1.cnf.xml
 *     a        \.exe$                            # refuse these (access violation)
 *     Pr       ^(.*)-confg$           \i-\1-confg # only for uploads (WRQ): prefix the client IP
 *
 * Flags: `r` replace the match, `g` every match, `i` ignore case, `e` stop after this
 * rule when it matched, `s` start again from the first rule when it matched (at most
 * 32 restarts), `a` refuse the request when it matched, `G` only for reads (RRQ), `P`
 * only for uploads (WRQ). The regex is a JavaScript regular expression (close to POSIX
 * extended for the usual rules). In the replacement, `\0` is the whole match, `\1`-`\9`
 * the groups, `\i` the client's IP address, `\x` it as 8 hex digits, `\\` a backslash;
 * a backslash before whitespace keeps the whitespace inside a field.
 */
import { normalizeRequestName, type RefusalReason } from './resolve-path.js';
import { TftpError } from './tftp-error.js';

/** Most restarts (`s` flag) before a request is refused: a loop in the rules is a configuration error. */
export const MAX_REMAP_RESTARTS = 32;

/** One parsed rule. */
export interface RemapRule {
  /** 1-based line in the map file (or position in a list), for messages. */
  readonly line: number;
  readonly pattern: RegExp;
  /** Replacement template (only used with `r`). */
  readonly replacement: string;
  readonly isReplace: boolean;
  readonly isEnd: boolean;
  readonly isRestart: boolean;
  readonly isAbort: boolean;
  /** Applies to reads (false when the rule has `P` only). */
  readonly forRead: boolean;
  /** Applies to uploads (false when the rule has `G` only). */
  readonly forWrite: boolean;
}

/** The request a rule set is applied to. */
export interface RemapRequest {
  readonly op: 'read' | 'write';
  /** The client's IPv4 address (for `\i` and `\x`). */
  readonly clientIp: string;
}

/** The result of remapping: a new name, or a refusal by an `a` rule. */
export type RemapResult =
  | { readonly kind: 'mapped'; readonly name: string; readonly changed: boolean; readonly lines: readonly number[] }
  | { readonly kind: 'refused'; readonly line: number };

const KNOWN_FLAGS = new Set(['r', 'g', 'i', 'e', 's', 'a', 'G', 'P']);

/** Splits a line into whitespace-separated fields; a backslash keeps the next character in the field. */
export function splitRuleFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let inField = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line.charAt(i);
    if (ch === '\\' && i + 1 < line.length) {
      current += ch + line.charAt(i + 1);
      inField = true;
      i++;
    } else if (/\s/.test(ch)) {
      if (inField) fields.push(current);
      current = '';
      inField = false;
    } else if (ch === '#' && !inField) {
      break;
    } else {
      current += ch;
      inField = true;
    }
  }
  if (inField) fields.push(current);
  return fields;
}

/** Number of capture groups in a RegExp. */
function groupCount(re: RegExp): number {
  const probe = new RegExp(`${re.source}|`).exec('');
  return probe ? probe.length - 1 : 0;
}

/** Checks a replacement template against the group count; returns a problem or undefined. */
function checkReplacement(template: string, groups: number): string | undefined {
  for (let i = 0; i < template.length; i++) {
    if (template.charAt(i) !== '\\') continue;
    const next = template.charAt(i + 1);
    if (next === '') return 'replacement ends with a lone backslash';
    if (/[1-9]/.test(next) && Number(next) > groups) return `replacement uses \\${next} but the regex has ${groups} group(s)`;
    i++;
  }
  return undefined;
}

/** Parses one rule line; `source` names the file in errors (`file:line: problem`). */
function parseRuleLine(fields: readonly string[], line: number, source: string): RemapRule {
  const fail = (problem: string): never => {
    throw new TftpError('config', `${source}:${line}: ${problem}`);
  };
  const [flags = '', regex, replacement, ...extra] = fields;
  for (const f of flags) if (!KNOWN_FLAGS.has(f)) fail(`unknown flag ${JSON.stringify(f)} in ${JSON.stringify(flags)} (known: r g i e s a G P)`);
  if (regex === undefined) fail('a rule needs flags and a regex');
  const isReplace = flags.includes('r');
  if (isReplace && replacement === undefined) fail('an r rule needs a replacement');
  if (!isReplace && replacement !== undefined) fail(`a replacement is given but the flags ${JSON.stringify(flags)} have no r`);
  if (extra.length > 0) fail(`unexpected text after the replacement: ${JSON.stringify(extra.join(' '))}`);
  if (flags.includes('g') && !isReplace) fail('flag g only makes sense with r');
  let pattern: RegExp;
  try {
    pattern = new RegExp(regex ?? '', (flags.includes('g') ? 'g' : '') + (flags.includes('i') ? 'i' : ''));
  } catch (err) {
    throw new TftpError('config', `${source}:${line}: invalid regex ${JSON.stringify(regex)}`, { cause: err });
  }
  const template = replacement ?? '';
  const problem = checkReplacement(template, groupCount(pattern));
  if (problem) fail(problem);
  const hasG = flags.includes('G');
  const hasP = flags.includes('P');
  return {
    line,
    pattern,
    replacement: template,
    isReplace,
    isEnd: flags.includes('e'),
    isRestart: flags.includes('s'),
    isAbort: flags.includes('a'),
    forRead: hasG || !hasP,
    forWrite: hasP || !hasG,
  };
}

/**
 * Parses a map file's text into rules. Throws TftpError of kind `config` naming
 * `source` and the line of the first bad rule.
 */
export function parseRemapRules(text: string, source = 'map file'): RemapRule[] {
  const rules: RemapRule[] = [];
  for (const [i, raw] of text.split(/\r?\n/).entries()) {
    const fields = splitRuleFields(raw);
    if (fields.length === 0) continue;
    rules.push(parseRuleLine(fields, i + 1, source));
  }
  return rules;
}

/** The client IP as 8 uppercase hex digits (`\x`), as PXELINUX names per-host files. */
export function ipToHex(ip: string): string {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) return '';
  return parts.map((p) => p.toString(16).toUpperCase().padStart(2, '0')).join('');
}

/** Expands a replacement template for one match. */
export function expandReplacement(template: string, match: string, groups: readonly (string | undefined)[], req: RemapRequest): string {
  let out = '';
  for (let i = 0; i < template.length; i++) {
    const ch = template.charAt(i);
    if (ch !== '\\') {
      out += ch;
      continue;
    }
    const next = template.charAt(++i);
    if (next === '0') out += match;
    else if (/[1-9]/.test(next)) out += groups[Number(next) - 1] ?? '';
    else if (next === 'i') out += req.clientIp;
    else if (next === 'x') out += ipToHex(req.clientIp);
    else out += next;
  }
  return out;
}

function applyOne(rule: RemapRule, name: string, req: RemapRequest): string {
  return name.replace(rule.pattern, (match: string, ...rest: unknown[]) => {
    const groups: (string | undefined)[] = [];
    for (const v of rest) {
      if (typeof v === 'number') break; // the offset argument ends the captures
      groups.push(typeof v === 'string' ? v : undefined);
    }
    return expandReplacement(rule.replacement, match, groups, req);
  });
}

function matches(rule: RemapRule, name: string): boolean {
  rule.pattern.lastIndex = 0;
  const hit = rule.pattern.test(name);
  rule.pattern.lastIndex = 0;
  return hit;
}

/** Applies the rules in order to a requested name (tftpd-hpa semantics, see the module header). */
export function applyRemap(rules: readonly RemapRule[], name: string, req: RemapRequest): RemapResult {
  let current = name;
  const lines: number[] = [];
  let restarts = 0;
  let i = 0;
  while (i < rules.length) {
    const rule = rules[i];
    i++;
    if (rule === undefined) break;
    if (req.op === 'read' ? !rule.forRead : !rule.forWrite) continue;
    if (!matches(rule, current)) continue;
    lines.push(rule.line);
    if (rule.isAbort) return { kind: 'refused', line: rule.line };
    if (rule.isReplace) current = applyOne(rule, current, req);
    if (rule.isEnd) break;
    if (rule.isRestart) {
      restarts++;
      if (restarts > MAX_REMAP_RESTARTS) return { kind: 'refused', line: rule.line };
      i = 0;
    }
  }
  return { kind: 'mapped', name: current, changed: current !== name, lines };
}

/** The outcome of remapping a request as the client sent it: the mapped name, or why it was refused. */
export type RequestRemap =
  | { readonly kind: 'mapped'; readonly name: string }
  | { readonly kind: 'refused'; readonly reason: RefusalReason };

/**
 * Normalises a requested name (length limit, control characters, separators, `..`), then
 * applies the rules to the normalised name: the rules see one spelling of each name.
 */
export function remapRequest(rules: readonly RemapRule[], requested: string, req: RemapRequest): RequestRemap {
  const norm = normalizeRequestName(requested);
  if (norm.kind === 'refused') return norm;
  if (rules.length === 0) return { kind: 'mapped', name: norm.relative };
  const mapped = applyRemap(rules, norm.relative, req);
  return mapped.kind === 'refused' ? { kind: 'refused', reason: 'remap-abort' } : { kind: 'mapped', name: mapped.name };
}
