/**
 * The TFTP path decision, pure: what a requested file name means, which places are
 * searched for it and in what order, and where an upload may land. Nothing here
 * touches the file system; `fs-storage.ts` walks the plan this module returns and
 * checks (with realpath) that what it found is still inside the root.
 *
 * Rules (each one a named function below):
 * - a backslash is a separator (`..\..\x` is `../../x`), as Windows-built phone
 *   firmware and PXE ROMs send it;
 * - a drive letter (`C:`) and leading separators are stripped: `/SEP1.cnf.xml` and
 *   `C:\SEP1.cnf.xml` mean `SEP1.cnf.xml` under the root;
 * - `.` and empty segments vanish, a `..` segment is refused (access violation),
 *   as are NUL and other control characters and names that end up empty;
 * - the root is searched first, then up to ten alternate locations in order
 *   (Cisco's AlternateFileLocation); then the first default rule whose glob matches
 *   the name (e.g. `SEP*.cnf.xml` -> `XMLDefault.cnf.xml`, auto-registration) is
 *   searched the same way;
 * - upload temp files (`.benchboot-upload-*`) are never served.
 *
 * Error messages name only the requested file, never a server path.
 */
import { TFTP_ERROR, type TftpErrorCode } from './error-codes.js';
import { maskUnsafe, uploadNameProblem, type UploadNameProblem } from './upload-name-rules.js';

/** The most alternate locations searched after the root (Cisco allows ten). */
export const MAX_ALTERNATES = 10;

/** Longest accepted request name, in characters (a TFTP request fits a 512-byte datagram anyway). */
export const MAX_NAME_LENGTH = 1024;

/** Longest accepted single path segment (common file system limit, NAME_MAX). */
export const MAX_SEGMENT_LENGTH = 255;

/** Upload temp files start with this; they are never served and are cleaned at start. */
export const UPLOAD_TEMP_PREFIX = '.benchboot-upload-';

/** Why a name was refused (for logs and tests). */
export type RefusalReason =
  | 'empty'
  | 'control-character'
  | 'parent-segment'
  | 'too-long'
  | 'temp-file'
  | 'subdirectory'
  | 'remap-abort'
  | UploadNameProblem;

/** A name reduced to safe relative segments, or refused. */
export type NormalizedName =
  | { readonly kind: 'ok'; readonly segments: readonly string[]; readonly relative: string }
  | { readonly kind: 'refused'; readonly reason: RefusalReason };

/** A default-file rule: requests matching `pattern` (glob) get `file` when nothing else matched. */
export interface DefaultRule {
  /** Glob over the normalized name: `*` any run (not `/`), `?` one character (not `/`). */
  readonly pattern: string;
  /** The file sent instead, relative to the root (searched in root and alternates too). */
  readonly file: string;
}

/** One place to look, in order. `location` 0 is the root, 1..10 the alternates. */
export interface SearchAttempt {
  readonly location: number;
  readonly segments: readonly string[];
  /** For logs: `root`, `alternate 2`, `default for SEP*.cnf.xml (root)`. */
  readonly origin: string;
}

/** The outcome of planning a read. */
export type ReadPlan =
  | { readonly kind: 'search'; readonly attempts: readonly SearchAttempt[] }
  | { readonly kind: 'refused'; readonly code: TftpErrorCode; readonly reason: RefusalReason; readonly message: string };

/** The outcome of planning an upload: a plain file name inside the upload directory. */
export type UploadPlan =
  | { readonly kind: 'upload'; readonly fileName: string }
  | { readonly kind: 'refused'; readonly code: TftpErrorCode; readonly reason: RefusalReason; readonly message: string };

/** What planRead needs to know about the configuration. */
export interface ReadPlanConfig {
  /** How many alternate locations follow the root (0-10). */
  readonly alternateCount: number;
  readonly defaults: readonly CompiledDefaultRule[];
  readonly caseInsensitive: boolean;
}

/** A default rule with its glob compiled and its file name normalized. */
export interface CompiledDefaultRule {
  readonly pattern: string;
  readonly matcher: RegExp;
  readonly segments: readonly string[];
}

/** True for NUL, C0 control characters and DEL: never part of a file name we serve. */
export function hasControlCharacter(name: string): boolean {
  for (let i = 0; i < name.length; i++) if (isControlCode(name.charCodeAt(i))) return true;
  return false;
}

function isControlCode(code: number): boolean {
  return code < 0x20 || code === 0x7f;
}

/** Backslashes are separators (Windows-style requests). */
export function unifySeparators(name: string): string {
  return name.replace(/\\/g, '/');
}

/** Strips a leading drive letter (`C:`) and leading separators: requests are relative to the root. */
export function stripRootPrefix(name: string): string {
  return name.replace(/^[A-Za-z]:/, '').replace(/^\/+/, '');
}

/**
 * Reduces a requested name to relative segments: separators unified, drive letter
 * and leading slashes stripped, `.` and empty segments dropped; `..`, control
 * characters, over-long names and names that end up empty are refused.
 */
export function normalizeRequestName(requested: string): NormalizedName {
  if (requested.length > MAX_NAME_LENGTH) return { kind: 'refused', reason: 'too-long' };
  if (hasControlCharacter(requested)) return { kind: 'refused', reason: 'control-character' };
  const segments: string[] = [];
  for (const seg of stripRootPrefix(unifySeparators(requested)).split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') return { kind: 'refused', reason: 'parent-segment' };
    if (seg.length > MAX_SEGMENT_LENGTH) return { kind: 'refused', reason: 'too-long' };
    segments.push(seg);
  }
  if (segments.length === 0) return { kind: 'refused', reason: 'empty' };
  return { kind: 'ok', segments, relative: segments.join('/') };
}

/** True when a segment names an upload temp file (never served, never uploaded to). */
export function isUploadTempName(segment: string): boolean {
  return segment.startsWith(UPLOAD_TEMP_PREFIX);
}

/** Compiles a default-file glob to an anchored RegExp (`*`, `?`; everything else literal). */
export function compileGlob(pattern: string, caseInsensitive: boolean): RegExp {
  let source = '';
  for (const ch of pattern) {
    if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else source += ch.replace(/[.+^${}()|[\]\\]/g, '\\$&');
  }
  return new RegExp(`^${source}$`, caseInsensitive ? 'i' : '');
}

/**
 * Checks and compiles default rules; returns an error text (naming the rule) for the
 * first bad one instead of throwing, so the caller picks the error code.
 */
export function compileDefaultRules(
  rules: readonly DefaultRule[],
  caseInsensitive: boolean,
): { readonly kind: 'ok'; readonly rules: readonly CompiledDefaultRule[] } | { readonly kind: 'invalid'; readonly message: string } {
  const out: CompiledDefaultRule[] = [];
  for (const [i, rule] of rules.entries()) {
    if (rule.pattern.length === 0 || hasControlCharacter(rule.pattern)) {
      return { kind: 'invalid', message: `default rule ${i + 1}: pattern ${JSON.stringify(rule.pattern)} is empty or has control characters` };
    }
    const file = normalizeRequestName(rule.file);
    if (file.kind === 'refused') {
      return { kind: 'invalid', message: `default rule ${i + 1}: file ${JSON.stringify(rule.file)} is not a safe relative name (${file.reason})` };
    }
    out.push({ pattern: rule.pattern, matcher: compileGlob(rule.pattern, caseInsensitive), segments: file.segments });
  }
  return { kind: 'ok', rules: out };
}

/** A requested name made safe to show in a log line or an error packet. */
export function displayName(requested: string): string {
  const clean = maskUnsafe(requested);
  return clean.length > 200 ? `${clean.slice(0, 200)}...` : clean;
}

/** The RFC 1350 error text for a refusal, naming only the requested file. */
export function refusalMessage(reason: RefusalReason, requested: string): string {
  const name = displayName(requested);
  switch (reason) {
    case 'empty':
      return 'Access violation: empty file name';
    case 'control-character':
      return `Access violation: control character in file name ${name}`;
    case 'parent-segment':
      return `Access violation: ${name} leaves the TFTP root`;
    case 'too-long':
      return `Access violation: file name too long ${name}`;
    case 'temp-file':
      return `File not found: ${name}`;
    case 'subdirectory':
      return `Access violation: uploads may not name a directory (${name})`;
    case 'remap-abort':
      return `Access violation: ${name} is refused by a remap rule`;
    case 'unsafe-character':
      return `Access violation: control, bidi or non-UTF-8 character in upload name ${name}`;
    case 'leading-dot-or-dash':
      return `Access violation: an upload name may not start with - or . (${name})`;
  }
}

/** True when a refusal is about the name the client sent (counted as a bad name), not about a rule of this server. */
export function isBadNameReason(reason: RefusalReason): boolean {
  return reason !== 'temp-file' && reason !== 'remap-abort';
}

/** The wire code for a refusal: temp files are simply "not found", the rest access violations. */
export function refusalCode(reason: RefusalReason): TftpErrorCode {
  return reason === 'temp-file' ? TFTP_ERROR.fileNotFound : TFTP_ERROR.accessViolation;
}

/** A refusal as the storage seam answers it, marked when it is about the client's name. */
export function refusalResult(reason: RefusalReason, requested: string): { kind: 'error'; code: TftpErrorCode; message: string; isBadName: boolean } {
  return { kind: 'error', code: refusalCode(reason), message: refusalMessage(reason, requested), isBadName: isBadNameReason(reason) };
}

function refused(reason: RefusalReason, requested: string): { kind: 'refused'; code: TftpErrorCode; reason: RefusalReason; message: string } {
  return { kind: 'refused', code: refusalCode(reason), reason, message: refusalMessage(reason, requested) };
}

function locationLabel(location: number): string {
  return location === 0 ? 'root' : `alternate ${location}`;
}

/** The first default rule whose glob matches the (normalized) name, if any. */
export function matchDefaultRule(relative: string, rules: readonly CompiledDefaultRule[]): CompiledDefaultRule | undefined {
  return rules.find((r) => r.matcher.test(relative));
}

/**
 * Plans a read (RRQ): the name in the root, then in each alternate in order, then the
 * first matching default file in the root and each alternate. `requested` is the name
 * after remapping; `original` is what the client sent (used in messages).
 */
export function planRead(requested: string, config: ReadPlanConfig, original: string = requested): ReadPlan {
  const norm = normalizeRequestName(requested);
  if (norm.kind === 'refused') return refused(norm.reason, original);
  if (norm.segments.some(isUploadTempName)) return refused('temp-file', original);
  const attempts: SearchAttempt[] = [];
  const locations = Math.min(Math.max(0, config.alternateCount), MAX_ALTERNATES);
  for (let loc = 0; loc <= locations; loc++) {
    attempts.push({ location: loc, segments: norm.segments, origin: locationLabel(loc) });
  }
  const rule = matchDefaultRule(norm.relative, config.defaults);
  if (rule) {
    for (let loc = 0; loc <= locations; loc++) {
      attempts.push({ location: loc, segments: rule.segments, origin: `default for ${rule.pattern} (${locationLabel(loc)})` });
    }
  }
  return { kind: 'search', attempts };
}

/**
 * Plans an upload (WRQ): the same name rules as reads, and the result must be a plain
 * file name. Subdirectories are refused (decision: the upload inbox is flat, so a
 * router can never create or climb directories; `/router1-confg` is fine), and so are
 * names the upload-name rules refuse (upload-name-rules.ts: C1 and bidi controls, a
 * leading `-` or `.`, over 255 bytes).
 */
export function planUpload(requested: string, original: string = requested): UploadPlan {
  const norm = normalizeRequestName(requested);
  if (norm.kind === 'refused') return refused(norm.reason, original);
  const [only, ...rest] = norm.segments;
  if (only === undefined || rest.length > 0) return refused('subdirectory', original);
  if (isUploadTempName(only)) return refused('temp-file', original);
  const problem = uploadNameProblem(only);
  if (problem) return refused(problem, original);
  return { kind: 'upload', fileName: only };
}

/**
 * Picks the directory entry for a segment when matching is case-insensitive: the
 * exact name if present, otherwise the first (in sorted order) equal ignoring case.
 */
export function pickEntry(entries: readonly string[], segment: string, caseInsensitive: boolean): string | undefined {
  if (entries.includes(segment)) return segment;
  if (!caseInsensitive) return undefined;
  const wanted = segment.toLowerCase();
  return [...entries].sort().find((e) => e.toLowerCase() === wanted);
}

/** True when `child` (an absolute, resolved path) is `root` or inside it. */
export function isInside(root: string, child: string): boolean {
  if (child === root) return true;
  const base = root.endsWith('/') ? root : `${root}/`;
  return child.startsWith(base);
}
