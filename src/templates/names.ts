/**
 * Which file answers a TFTP request, within ONE location (the root or an alternate;
 * the caller walks the locations in order and stops at the first answer):
 *   1. a static file of exactly the requested name: a hand-written file overrides;
 *   2. else a token-less template `NAME.liquid` (renders for whoever asks);
 *   3. else a token template whose pattern matches the name: `SEP{MAC}.cnf.xml.liquid`
 *      answers `SEP001BD4AABBCC.cnf.xml`, `{hostname}-confg.liquid` answers
 *      `router1-confg`; the captured MAC or host name says which device it is for;
 *   4. else nothing (the default-file rules come next).
 * Tokens: `{MAC}` and `{mac}` stand for 12 hex digits and `{hostname}` for a host name;
 * patterns match ignoring case (phones differ, IOS lowercases host names). Among
 * several matching token templates the most specific wins: the one with more literal
 * characters, then one with a MAC token over one with only a host name, then the
 * smaller file name in code-unit order, so the choice never depends on listing order.
 * A request for a `.liquid` name itself gets nothing: templates are never sent raw.
 */
import { parseMac, type MacAddress } from '../net/ipv4.js';

/** The suffix that makes a file a template. */
export const TEMPLATE_SUFFIX = '.liquid';

/** The tokens a template name may hold. */
export type NameToken = 'MAC' | 'mac' | 'hostname';

/** A template file name read as the names it answers. */
export type TemplateName =
  | { readonly kind: 'plain'; readonly file: string; readonly answers: string }
  | { readonly kind: 'token'; readonly file: string; readonly pattern: RegExp; readonly tokens: readonly NameToken[]; readonly literalLength: number };

/** What a name captured from a request says about the device. */
export interface Captured {
  readonly mac?: MacAddress;
  readonly hostname?: string;
}

/** The answer for one request in one location. */
export type NameResolution =
  | { readonly kind: 'static'; readonly file: string }
  | { readonly kind: 'template'; readonly file: string; readonly captured: Captured }
  | { readonly kind: 'none' };

const TOKEN_RE = /\{(MAC|mac|hostname)\}/g;
const TOKEN_PATTERN: Readonly<Record<NameToken, string>> = {
  MAC: '([0-9a-f]{12})',
  mac: '([0-9a-f]{12})',
  hostname: '([a-z0-9](?:[a-z0-9.-]*[a-z0-9])?)',
};

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Reads a file name as a template name; undefined when it is not a template (no `.liquid`, or nothing before it). */
export function parseTemplateName(file: string): TemplateName | undefined {
  if (!file.endsWith(TEMPLATE_SUFFIX) || file.length === TEMPLATE_SUFFIX.length) return undefined;
  const answers = file.slice(0, -TEMPLATE_SUFFIX.length);
  const tokens = [...answers.matchAll(TOKEN_RE)].map((m) => m[1] as NameToken);
  if (tokens.length === 0) return { kind: 'plain', file, answers };
  const parts = answers.split(TOKEN_RE);
  let source = '';
  let literalLength = 0;
  parts.forEach((part, i) => {
    if (i % 2 === 1) source += TOKEN_PATTERN[part as NameToken];
    else {
      source += escapeRegExp(part);
      literalLength += part.length;
    }
  });
  return { kind: 'token', file, pattern: new RegExp(`^${source}$`, 'i'), tokens, literalLength };
}

/** What a token template captures from `requested`, or undefined when it does not match (or its tokens disagree). */
export function matchTemplateName(name: TemplateName, requested: string): Captured | undefined {
  if (name.kind === 'plain') return name.answers === requested ? {} : undefined;
  const m = name.pattern.exec(requested);
  if (!m) return undefined;
  let mac: MacAddress | undefined;
  let hostname: string | undefined;
  for (let i = 0; i < name.tokens.length; i++) {
    const value = m[i + 1] ?? '';
    if (name.tokens[i] === 'hostname') {
      if (hostname !== undefined && hostname.toLowerCase() !== value.toLowerCase()) return undefined;
      hostname = value;
    } else {
      const read = parseMac(value);
      if (mac !== undefined && mac !== read) return undefined;
      mac = read;
    }
  }
  return { ...(mac !== undefined ? { mac } : {}), ...(hostname !== undefined ? { hostname } : {}) };
}

/** Orders matching token templates: more literal characters, then MAC tokens, then file name. */
function moreSpecific(a: TemplateName & { kind: 'token' }, b: TemplateName & { kind: 'token' }): number {
  if (a.literalLength !== b.literalLength) return b.literalLength - a.literalLength;
  const aMac = a.tokens.some((t) => t !== 'hostname') ? 0 : 1;
  const bMac = b.tokens.some((t) => t !== 'hostname') ? 0 : 1;
  if (aMac !== bMac) return aMac - bMac;
  return a.file < b.file ? -1 : a.file > b.file ? 1 : 0;
}

/** Decides what answers `requested` in one location whose file names are `listing`. */
export function resolveName(requested: string, listing: readonly string[]): NameResolution {
  if (requested.endsWith(TEMPLATE_SUFFIX)) return { kind: 'none' };
  if (listing.includes(requested)) return { kind: 'static', file: requested };
  const plain = `${requested}${TEMPLATE_SUFFIX}`;
  if (listing.includes(plain)) return { kind: 'template', file: plain, captured: {} };
  const candidates: { name: TemplateName & { kind: 'token' }; captured: Captured }[] = [];
  for (const file of listing) {
    const name = parseTemplateName(file);
    if (name?.kind !== 'token') continue;
    const captured = matchTemplateName(name, requested);
    if (captured) candidates.push({ name, captured });
  }
  candidates.sort((a, b) => moreSpecific(a.name, b.name));
  const best = candidates[0];
  return best ? { kind: 'template', file: best.name.file, captured: best.captured } : { kind: 'none' };
}
