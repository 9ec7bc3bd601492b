/**
 * Turns the text of one scope file into an effective, readonly `Scope`, or into the
 * complete list of issues, each naming the file, the line and the field:
 *
 *   scopes/bench1.yaml:7: range: range end 10.0.1.5 is outside subnet 10.0.0.0/24
 *
 * Steps: parse YAML (keeping positions, here), check the shape (schema.ts with
 * shape-issues.ts), check the relations between fields (the named rules of
 * rules.ts, run on every field whose shape is fine so that one bad field does not
 * hide the others), then build the scope with its defaults (build-scope.ts). Pure:
 * no file access; load.ts reads the files.
 */
import { LineCounter, parseDocument, type Document } from 'yaml';
import { cidrContains, formatCidr, type Ipv4 } from '../net/ipv4.js';
import { buildScope } from './build-scope.js';
import { defaultRouter, hostsExcept, poolSize } from './defaults.js';
import { getProfile, profileIds } from '../profiles/index.js';
import { didYouMean, displayField, locate, sortIssues, type FieldPath, type ScopeIssue } from './issues.js';
import { parseOptionsField, type PathIssue } from './options-field.js';
import {
  parseRanges,
  ruleClasses,
  ruleDurations,
  ruleNameMatchesFile,
  ruleRangeInSubnet,
  ruleRangesDisjoint,
  ruleReservations,
  ruleRouterInSubnet,
  ruleServersOutsidePool,
  ruleSubnetSize,
  type PlacedRange,
} from './rules.js';
import { scopeFileSchema } from './schema.js';
import type { AddressRange, Scope, ScopeOption } from './scope.js';
import { partialParse, shapeIssues, type PartialScope } from './shape-issues.js';

/** The outcome of validating one scope file. */
export type ScopeValidation =
  | {
      readonly ok: true;
      readonly scope: Scope;
      /** The line of a field in the file (for issues found later, e.g. across files). */
      lineOf(path: FieldPath): number;
    }
  | { readonly ok: false; readonly issues: readonly ScopeIssue[] };

type Invalid = Extract<ScopeValidation, { ok: false }>;

function yamlIssues(doc: Document, lineCounter: LineCounter, fileName: string): ScopeIssue[] {
  return doc.errors.map((e) => {
    const line = e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line;
    const first = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    return { file: fileName, line, field: '', message: `YAML: ${first}` };
  });
}

/** The document's fields as a map, or the one issue that stops validation (empty, not a map, bad aliases). */
function fieldsOf(doc: Document, fileName: string): { readonly fields: Record<string, unknown> } | { readonly invalid: Invalid } {
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // yaml reports unresolved aliases and alias bombs only when converting.
    if (!(err instanceof Error)) throw err;
    return { invalid: { ok: false, issues: [{ file: fileName, line: 1, field: '', message: `YAML: ${err.message}` }] } };
  }
  if (data === null || data === undefined) {
    return { invalid: { ok: false, issues: [{ file: fileName, line: 0, field: '', message: 'the file is empty; a scope needs at least name, interface and subnet' }] } };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { invalid: { ok: false, issues: [{ file: fileName, line: 1, field: '', message: 'expected a map of fields (name: ..., interface: ..., subnet: ...)' }] } };
  }
  return { fields: data as Record<string, unknown> };
}

/** What the relation rules learned: the router in force, the TFTP server and the ranges given. */
interface Relations {
  readonly router: Ipv4 | undefined;
  readonly tftp: Ipv4 | undefined;
  readonly given: { ranges: PlacedRange[]; complete: boolean } | undefined;
}

/** Every profile id must be a built-in profile (did-you-mean on a typo). */
function ruleProfiles(ids: readonly string[] | undefined, at: (string | number)[], issues: PathIssue[]): void {
  (ids ?? []).forEach((id, i) => {
    if (getProfile(id)) return;
    const known = [...profileIds()];
    const guess = didYouMean(id, known);
    issues.push({ path: [...at, i], message: `unknown profile "${id}"${guess ? `; did you mean "${guess}"?` : ''} (known: ${known.join(', ')})` });
  });
}

/** Runs every relation rule on the fields whose shape is fine. */
function checkRelations(raw: Record<string, unknown>, part: PartialScope, fileName: string, issues: PathIssue[]): Relations {
  const f = part.fields;
  ruleNameMatchesFile(f.name, fileName, issues);
  if (f.subnet) ruleSubnetSize(f.subnet, issues);
  const router = f.router ?? (f.subnet ? defaultRouter(f.subnet) : undefined);
  const tftp = f.boot?.nextServer ?? undefined;
  if (f.subnet && f.router) ruleRouterInSubnet(f.subnet, f.router, issues);
  const given = parseRanges(raw['range'], issues);
  if (given && f.subnet) {
    const subnet = f.subnet;
    const inside = given.ranges.filter((r) => ruleRangeInSubnet(subnet, r, issues));
    ruleRangesDisjoint(inside, issues);
    ruleServersOutsidePool(inside, [['router', router], ['TFTP server (boot.nextServer)', tftp]], issues);
  }
  ruleReservations(f.subnet, part.reservations, router, issues);
  ruleClasses(part.classes, issues);
  ruleProfiles(f.profiles, ['profiles'], issues);
  part.classes.forEach((c, i) => ruleProfiles(c?.profiles, ['classes', i, 'profiles'], issues));
  ruleDurations(f, issues);
  return { router, tftp, given };
}

/** The options of the scope and of each class (issues added). */
function optionsOf(raw: Record<string, unknown>, part: PartialScope, issues: PathIssue[]): { scope: readonly ScopeOption[]; classes: (readonly ScopeOption[])[] } {
  const scopeOptions = parseOptionsField(raw['options'], ['options'], false);
  issues.push(...scopeOptions.issues);
  const classes = part.classes.map((c, i) => {
    const rawClass = Array.isArray(raw['classes']) ? (raw['classes'] as unknown[])[i] : undefined;
    const rawOptions = typeof rawClass === 'object' && rawClass !== null ? (rawClass as Record<string, unknown>)['options'] : undefined;
    const r = parseOptionsField(rawOptions, ['classes', i, 'options'], true);
    issues.push(...r.issues);
    return c ? r.options : [];
  });
  return { scope: scopeOptions.options, classes };
}

/** The pool: the ranges given, or the rest of the subnet without the router and TFTP server. */
function poolOf(part: PartialScope, rel: Relations, issues: PathIssue[]): AddressRange[] | undefined {
  const f = part.fields;
  let pool: AddressRange[] | undefined = rel.given?.complete ? rel.given.ranges.map(({ start, end }) => ({ start, end })) : undefined;
  if (!rel.given && f.subnet && rel.router && issues.length === 0) {
    const excluded = [rel.router, ...(rel.tftp && cidrContains(f.subnet, rel.tftp) ? [rel.tftp] : [])];
    pool = hostsExcept(f.subnet, excluded);
    if (poolSize(pool) === 0) issues.push({ path: ['subnet'], message: `${formatCidr(f.subnet)} has no address left for clients; give a range` });
  }
  return pool;
}

/**
 * Validates the text of one scope file named `fileName` (used in messages and to
 * check `name`). Returns the effective scope, or every issue found.
 */
export function validateScopeText(text: string, fileName: string): ScopeValidation {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false, issues: yamlIssues(doc, lineCounter, fileName) };
  const read = fieldsOf(doc, fileName);
  if ('invalid' in read) return read.invalid;
  const { fields } = read;
  const issues: PathIssue[] = [];
  const shape = scopeFileSchema.safeParse(fields);
  if (!shape.success) issues.push(...shapeIssues(fields, shape.error));
  const part = partialParse(fields);
  const rel = checkRelations(fields, part, fileName, issues);
  const options = optionsOf(fields, part, issues);
  const pool = poolOf(part, rel, issues);
  if (issues.length > 0 || !shape.success || !pool || !rel.router) {
    const placed = issues.map((p): ScopeIssue => {
      const { line, found } = locate(doc, lineCounter, p.path);
      return { file: fileName, line, field: displayField(p.path, found), message: p.message };
    });
    const unique = new Map(placed.map((i) => [`${i.line}|${i.field}|${i.message}`, i]));
    return { ok: false, issues: sortIssues([...unique.values()]) };
  }
  const scope = buildScope(shape.data, { fileName, pool, router: rel.router, options: options.scope, classOptions: options.classes });
  return { ok: true, scope, lineOf: (path) => locate(doc, lineCounter, path).line };
}
