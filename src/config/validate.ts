/**
 * Turns the text of one scope file into an effective, readonly `Scope`, or into the
 * complete list of issues, each naming the file, the line and the field:
 *
 *   scopes/bench1.yaml:7: range: range end 10.0.1.5 is outside subnet 10.0.0.0/24
 *
 * Steps: parse YAML (keeping positions), check the shape (schema.ts, zod), check
 * the relations between fields (named rules below, run on every field whose shape
 * is fine so that one bad field does not hide the others), then fill the defaults
 * (defaults.ts). Pure: no file access; load.ts reads the files.
 */
import { basename } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { toHex } from '../net/bytes.js';
import {
  cidrBroadcast,
  cidrContains,
  formatCidr,
  ipv4ToInt,
  isIpv4,
  type Cidr,
  type Ipv4,
} from '../net/ipv4.js';
import {
  DEFAULT_DECLINE_SECONDS,
  DEFAULT_LEASE_SECONDS,
  MAX_PREFIX,
  MIN_PREFIX,
  bootWithDefaults,
  type BootInput,
  defaultRouter,
  freezeScope,
  formatRange,
  hostsExcept,
  poolSize,
} from './defaults.js';
import { didYouMean, displayField, locate, sortIssues, type FieldPath, type ScopeIssue } from './issues.js';
import { parseOptionsField, type PathIssue } from './options-field.js';
import {
  KNOWN_FIELDS,
  classSchema,
  mapKindAt,
  reservationSchema,
  scopeFileSchema,
  type BootFile,
  type ClassFile,
  type ReservationFile,
  type ScopeBootFile,
  type ScopeFile,
} from './schema.js';
import type { AddressRange, BootData, ClientClass, Reservation, Scope, ScopeOption } from './scope.js';

/** The outcome of validating one scope file. */
export type ScopeValidation =
  | {
      readonly ok: true;
      readonly scope: Scope;
      /** The line of a field in the file (for issues found later, e.g. across files). */
      lineOf(path: FieldPath): number;
    }
  | { readonly ok: false; readonly issues: readonly ScopeIssue[] };

/** The scope name a file name implies: `scopes/bench1.yaml` → `bench1`. */
export function scopeNameOfFile(fileName: string): string {
  return basename(fileName).replace(/\.ya?ml$/i, '');
}

/** Shortest lease offered: clients renew at half of it (T1), so shorter floods the wire. */
const MIN_LEASE_SECONDS = 10;
/** Longest lease: option 51 is a u32 and 0xffffffff would mean "infinite". */
const MAX_LEASE_SECONDS = 0xfffffffe;

/** Scope names: a letter or digit, then letters, digits, `.`, `_`, `-`; at most 64. */
export const SCOPE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/;

// ------------------------------------------------------------------ shape

const TYPE_WORDS: Readonly<Record<string, string>> = {
  string: 'text',
  number: 'a number',
  boolean: 'true or false',
  array: 'a list',
  object: 'a map of fields (key: value)',
};

function valueAt(data: unknown, path: FieldPath): unknown {
  let v: unknown = data;
  for (const seg of path) {
    if (typeof v !== 'object' || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[seg];
  }
  return v;
}

function describeValue(v: unknown): string {
  if (v === null) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a map';
  if (typeof v === 'string') return `"${v}"`;
  return String(v);
}

function shapeIssues(data: unknown, error: z.ZodError): PathIssue[] {
  const out: PathIssue[] = [];
  for (const iss of error.issues) {
    const path = iss.path.filter((s): s is string | number => typeof s !== 'symbol');
    if (iss.code === 'unrecognized_keys') {
      const known = KNOWN_FIELDS[mapKindAt(path)];
      for (const key of iss.keys) {
        const guess = didYouMean(key, known);
        const hint = guess ? ` (did you mean "${guess}"?)` : ` (known fields: ${known.join(', ')})`;
        out.push({ path: [...path, key], message: `unknown field "${key}"${hint}` });
      }
    } else if (iss.code === 'invalid_type') {
      const found = valueAt(data, path);
      const want = TYPE_WORDS[iss.expected] ?? iss.expected;
      out.push({
        path,
        message: found === undefined ? 'is required' : `expected ${want}, found ${describeValue(found)}`,
      });
    } else if (iss.code === 'too_small' && iss.origin === 'array') {
      out.push({ path, message: 'must not be an empty list' });
    } else {
      out.push({ path, message: iss.message });
    }
  }
  return out;
}

/** The fields (and list items) whose own shape is fine, so relations can still be checked. */
interface PartialScope {
  readonly fields: Partial<ScopeFile>;
  readonly reservations: readonly (ReservationFile | undefined)[];
  readonly classes: readonly (ClassFile | undefined)[];
}

function partialParse(data: Record<string, unknown>): PartialScope {
  const fields: Record<string, unknown> = {};
  for (const [key, schema] of Object.entries(scopeFileSchema.shape)) {
    const r = (schema as z.ZodType).safeParse(data[key]);
    if (r.success && r.data !== undefined) fields[key] = r.data;
  }
  const items = <T>(raw: unknown, schema: z.ZodType<T>): (T | undefined)[] =>
    Array.isArray(raw) ? raw.map((x: unknown) => {
      const r = schema.safeParse(x);
      return r.success ? r.data : undefined;
    }) : [];
  return {
    fields: fields as Partial<ScopeFile>,
    reservations: items(data['reservations'], reservationSchema),
    classes: items(data['classes'], classSchema),
  };
}

// ------------------------------------------------------------------ ranges

interface PlacedRange extends AddressRange {
  readonly path: FieldPath;
}

function rangeText(raw: unknown, path: FieldPath, issues: PathIssue[]): PlacedRange | undefined {
  let start: unknown;
  let end: unknown;
  if (typeof raw === 'string') {
    const parts = raw.split('-').map((s) => s.trim());
    if (parts.length > 2 || parts.some((p) => p === '')) {
      issues.push({ path, message: `"${raw}" is not a range (expected start-end, e.g. 10.0.0.100-10.0.0.199)` });
      return undefined;
    }
    start = parts[0];
    end = parts[1] ?? parts[0];
  } else if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) {
    const o = raw as Record<string, unknown>;
    for (const key of Object.keys(o)) {
      if (key !== 'start' && key !== 'end') {
        const guess = didYouMean(key, KNOWN_FIELDS.range);
        issues.push({ path: [...path, key], message: `unknown field "${key}"${guess ? ` (did you mean "${guess}"?)` : ''}` });
      }
    }
    start = o['start'];
    end = o['end'];
  } else {
    issues.push({ path, message: 'expected "start-end" text or { start, end }' });
    return undefined;
  }
  let ok = true;
  for (const [what, v] of [['start', start], ['end', end]] as const) {
    if (v === undefined || v === null) {
      issues.push({ path, message: `range ${what} is missing` });
      ok = false;
    } else if (typeof v !== 'string' || !isIpv4(v)) {
      issues.push({ path, message: `range ${what} ${describeValue(v)} is not an IPv4 address (expected a dotted quad like 10.0.0.1)` });
      ok = false;
    }
  }
  if (!ok) return undefined;
  return { start: start as Ipv4, end: end as Ipv4, path };
}

/** The ranges that parsed, and whether all did. */
function parseRanges(raw: unknown, issues: PathIssue[]): { ranges: PlacedRange[]; complete: boolean } | undefined {
  if (raw === undefined || raw === null) return undefined;
  const list = Array.isArray(raw) ? raw.map((r: unknown, i) => ({ r, path: ['range', i] as FieldPath })) : [{ r: raw, path: ['range'] as FieldPath }];
  if (list.length === 0) {
    issues.push({ path: ['range'], message: 'must not be an empty list (leave range out to use the whole subnet)' });
    return { ranges: [], complete: false };
  }
  const out: PlacedRange[] = [];
  for (const { r, path } of list) {
    const placed = rangeText(r, path, issues);
    if (placed) out.push(placed);
  }
  return { ranges: out, complete: out.length === list.length };
}

// ------------------------------------------------------------------ relation rules

function isNetworkOrBroadcast(subnet: Cidr, ip: Ipv4): boolean {
  return ip === subnet.network || ip === cidrBroadcast(subnet);
}

/** The name in the file is the file's name, so `scope show NAME` finds it. */
function ruleNameMatchesFile(name: string | undefined, fileName: string, issues: PathIssue[]): void {
  if (name === undefined) return;
  if (!SCOPE_NAME.test(name)) {
    issues.push({ path: ['name'], message: `"${name}" is not a scope name (letters, digits, . _ -, at most 64)` });
    return;
  }
  const expected = scopeNameOfFile(fileName);
  if (name !== expected) {
    issues.push({ path: ['name'], message: `name "${name}" differs from the file name; rename the file to ${name}.yaml or set name: ${expected}` });
  }
}

/** Prefixes outside /8../30 are refused: too big to pool, or no room for clients. */
function ruleSubnetSize(subnet: Cidr, issues: PathIssue[]): void {
  if (subnet.prefix < MIN_PREFIX || subnet.prefix > MAX_PREFIX) {
    issues.push({ path: ['subnet'], message: `a /${subnet.prefix} subnet cannot be served; use a prefix from /${MIN_PREFIX} to /${MAX_PREFIX}` });
  }
}

/** Each range runs forwards, lies inside the subnet and avoids its network/broadcast addresses. */
function ruleRangeInSubnet(subnet: Cidr, r: PlacedRange, issues: PathIssue[]): boolean {
  const before = issues.length;
  const net = formatCidr(subnet);
  if (ipv4ToInt(r.start) > ipv4ToInt(r.end)) {
    issues.push({ path: r.path, message: `range start ${r.start} is after range end ${r.end}` });
  }
  for (const [what, ip] of [['start', r.start], ['end', r.end]] as const) {
    if (!cidrContains(subnet, ip)) issues.push({ path: r.path, message: `range ${what} ${ip} is outside subnet ${net}` });
  }
  if (issues.length === before) {
    const lo = ipv4ToInt(r.start);
    const hi = ipv4ToInt(r.end);
    for (const ip of [subnet.network, cidrBroadcast(subnet)]) {
      const n = ipv4ToInt(ip);
      if (n >= lo && n <= hi) {
        const what = ip === subnet.network ? 'network' : 'broadcast';
        issues.push({ path: r.path, message: `range ${formatRange(r)} includes the ${what} address ${ip} of ${net}` });
      }
    }
  }
  return issues.length === before;
}

/** Two ranges may not share addresses (the same address would be in the pool twice). */
function ruleRangesDisjoint(ranges: readonly PlacedRange[], issues: PathIssue[]): void {
  const sorted = [...ranges].sort((a, b) => ipv4ToInt(a.start) - ipv4ToInt(b.start));
  for (let i = 1; i < sorted.length; i++) {
    const prev = sorted[i - 1];
    const cur = sorted[i];
    if (prev && cur && ipv4ToInt(cur.start) <= ipv4ToInt(prev.end)) {
      issues.push({ path: cur.path, message: `range ${formatRange(cur)} overlaps range ${formatRange(prev)}` });
    }
  }
}

/** The router and the TFTP server keep their addresses: they may not be handed out from the pool. */
function ruleServersOutsidePool(ranges: readonly PlacedRange[], servers: readonly [string, Ipv4 | undefined][], issues: PathIssue[]): void {
  for (const [role, ip] of servers) {
    if (ip === undefined) continue;
    const n = ipv4ToInt(ip);
    const hit = ranges.find((r) => n >= ipv4ToInt(r.start) && n <= ipv4ToInt(r.end));
    if (hit) issues.push({ path: hit.path, message: `range ${formatRange(hit)} contains the ${role} address ${ip}; clients would be given it` });
  }
}

/** The router is on the subnet and is a host address. */
function ruleRouterInSubnet(subnet: Cidr, router: Ipv4, issues: PathIssue[]): void {
  if (!cidrContains(subnet, router)) {
    issues.push({ path: ['router'], message: `router ${router} is outside subnet ${formatCidr(subnet)}` });
  } else if (isNetworkOrBroadcast(subnet, router)) {
    issues.push({ path: ['router'], message: `router ${router} is the network or broadcast address of ${formatCidr(subnet)}` });
  }
}

/** Reservations: one key each, an address on the subnet that is not taken, no duplicates. */
function ruleReservations(
  subnet: Cidr | undefined,
  list: readonly (ReservationFile | undefined)[],
  router: Ipv4 | undefined,
  issues: PathIssue[],
): void {
  const seenMac = new Map<string, number>();
  const seenId = new Map<string, number>();
  const seenIp = new Map<string, number>();
  list.forEach((r, i) => {
    if (!r) return;
    const at = ['reservations', i];
    if ((r.mac === undefined) === (r.clientId === undefined)) {
      issues.push({ path: at, message: 'give exactly one of mac or clientId' });
    }
    if (subnet && !cidrContains(subnet, r.ip)) {
      issues.push({ path: [...at, 'ip'], message: `reserved address ${r.ip} is outside subnet ${formatCidr(subnet)}` });
    } else if (subnet && isNetworkOrBroadcast(subnet, r.ip)) {
      issues.push({ path: [...at, 'ip'], message: `reserved address ${r.ip} is the network or broadcast address of ${formatCidr(subnet)}` });
    } else if (router !== undefined && r.ip === router) {
      issues.push({ path: [...at, 'ip'], message: `reserved address ${r.ip} is the router's address` });
    }
    const dup = (seen: Map<string, number>, key: string | undefined, field: string, what: string): void => {
      if (key === undefined) return;
      const first = seen.get(key);
      if (first === undefined) seen.set(key, i);
      else issues.push({ path: [...at, field], message: `${what} is already reserved by reservations[${first}]` });
    };
    dup(seenMac, r.mac, 'mac', `MAC ${r.mac ?? ''}`);
    dup(seenId, r.clientId === undefined ? undefined : toHex(r.clientId), 'clientId', 'this client identifier');
    dup(seenIp, r.ip, 'ip', `address ${r.ip}`);
  });
}

/** Lease times fit option 51 (u32, 0xffffffff meaning infinite is not offered) and are long enough to renew. */
function ruleDurations(f: Partial<ScopeFile>, issues: PathIssue[]): void {
  if (f.leaseTime !== undefined && (f.leaseTime < MIN_LEASE_SECONDS || f.leaseTime > MAX_LEASE_SECONDS)) {
    issues.push({ path: ['leaseTime'], message: `${f.leaseTime} seconds is out of range; use ${MIN_LEASE_SECONDS}s to ${MAX_LEASE_SECONDS}s` });
  }
  if (f.declineTime !== undefined && (f.declineTime < 1 || f.declineTime > MAX_LEASE_SECONDS)) {
    issues.push({ path: ['declineTime'], message: `${f.declineTime} seconds is out of range; use 1s to ${MAX_LEASE_SECONDS}s` });
  }
}

/** Class names are unique and every class says how it is recognised. */
function ruleClasses(list: readonly (ClassFile | undefined)[], issues: PathIssue[]): void {
  const seen = new Map<string, number>();
  list.forEach((c, i) => {
    if (!c) return;
    const first = seen.get(c.name);
    if (first !== undefined) issues.push({ path: ['classes', i, 'name'], message: `class "${c.name}" is already defined by classes[${first}]` });
    else seen.set(c.name, i);
    const m = c.match;
    if (m.vendorClass === undefined && m.userClass === undefined && m.arch === undefined) {
      issues.push({ path: ['classes', i, 'match'], message: 'give at least one of vendorClass, userClass or arch' });
    }
  });
}

// ------------------------------------------------------------------ building

/** The boot fields a file gives, absent ones left out; a class's block has no nulls, so it yields BootData fields. */
function bootOf(b: BootFile | undefined): Partial<BootData>;
function bootOf(b: ScopeBootFile | undefined): BootInput;
function bootOf(b: ScopeBootFile | undefined): BootInput {
  if (!b) return {};
  return {
    ...(b.nextServer === undefined ? {} : { nextServer: b.nextServer }),
    ...(b.serverName === undefined ? {} : { serverName: b.serverName }),
    ...(b.tftpServerName === undefined ? {} : { tftpServerName: b.tftpServerName }),
    ...(b.tftpServers === undefined ? {} : { tftpServers: b.tftpServers }),
    ...(b.file === undefined ? {} : { file: b.file }),
  };
}

function reservationOf(r: ReservationFile): Reservation {
  return {
    ...(r.mac === undefined ? {} : { mac: r.mac }),
    ...(r.clientId === undefined ? {} : { clientId: r.clientId }),
    ip: r.ip,
    ...(r.hostname === undefined ? {} : { hostname: r.hostname }),
  };
}

function classOf(c: ClassFile, options: readonly ScopeOption[]): ClientClass {
  return {
    name: c.name,
    match: {
      ...(c.match.vendorClass === undefined ? {} : { vendorClass: c.match.vendorClass }),
      ...(c.match.userClass === undefined ? {} : { userClass: c.match.userClass }),
      ...(c.match.arch === undefined ? {} : { arch: c.match.arch }),
    },
    boot: bootOf(c.boot),
    options,
  };
}

function yamlIssues(doc: Document, lineCounter: LineCounter, fileName: string): ScopeIssue[] {
  return doc.errors.map((e) => {
    const line = e.linePos?.[0].line ?? lineCounter.linePos(e.pos[0]).line;
    const first = (e.message.split('\n')[0] ?? e.message).replace(/ at line \d+, column \d+:?$/, '');
    return { file: fileName, line, field: '', message: `YAML: ${first}` };
  });
}

/**
 * Validates the text of one scope file named `fileName` (used in messages and to
 * check `name`). Returns the effective scope, or every issue found.
 */
export function validateScopeText(text: string, fileName: string): ScopeValidation {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) return { ok: false, issues: yamlIssues(doc, lineCounter, fileName) };
  const place = (p: PathIssue): ScopeIssue => {
    const { line, found } = locate(doc, lineCounter, p.path);
    return { file: fileName, line, field: displayField(p.path, found), message: p.message };
  };
  let data: unknown;
  try {
    data = doc.toJS({ maxAliasCount: 100 });
  } catch (err) {
    // yaml reports unresolved aliases and alias bombs only when converting.
    if (!(err instanceof Error)) throw err;
    return { ok: false, issues: [{ file: fileName, line: 1, field: '', message: `YAML: ${err.message}` }] };
  }
  if (data === null || data === undefined) {
    return { ok: false, issues: [{ file: fileName, line: 0, field: '', message: 'the file is empty; a scope needs at least name, interface and subnet' }] };
  }
  if (typeof data !== 'object' || Array.isArray(data)) {
    return { ok: false, issues: [{ file: fileName, line: 1, field: '', message: 'expected a map of fields (name: ..., interface: ..., subnet: ...)' }] };
  }
  const raw = data as Record<string, unknown>;
  const issues: PathIssue[] = [];
  const shape = scopeFileSchema.safeParse(raw);
  if (!shape.success) issues.push(...shapeIssues(raw, shape.error));

  const part = partialParse(raw);
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
  ruleDurations(f, issues);
  const scopeOptions = parseOptionsField(raw['options'], ['options'], false);
  issues.push(...scopeOptions.issues);
  const classOptions = part.classes.map((c, i) => {
    const rawClass = Array.isArray(raw['classes']) ? (raw['classes'] as unknown[])[i] : undefined;
    const rawOptions = typeof rawClass === 'object' && rawClass !== null ? (rawClass as Record<string, unknown>)['options'] : undefined;
    const r = parseOptionsField(rawOptions, ['classes', i, 'options'], true);
    issues.push(...r.issues);
    return c ? r.options : [];
  });
  let pool: AddressRange[] | undefined = given?.complete ? given.ranges.map(({ start, end }) => ({ start, end })) : undefined;
  if (!given && f.subnet && router && issues.length === 0) {
    const excluded = [router, ...(tftp && cidrContains(f.subnet, tftp) ? [tftp] : [])];
    pool = hostsExcept(f.subnet, excluded);
    if (poolSize(pool) === 0) issues.push({ path: ['subnet'], message: `${formatCidr(f.subnet)} has no address left for clients; give a range` });
  }

  if (issues.length > 0 || !shape.success || !pool || !router) {
    const placed = issues.map(place);
    const unique = new Map(placed.map((i) => [`${i.line}|${i.field}|${i.message}`, i]));
    return { ok: false, issues: sortIssues([...unique.values()]) };
  }
  const s = shape.data;
  const scope: Scope = {
    name: s.name,
    source: fileName,
    interface: s.interface,
    subnet: s.subnet,
    ranges: pool,
    router,
    dns: s.dns ?? [router],
    ...(s.domain === undefined ? {} : { domain: s.domain.replace(/\.$/, '') }),
    leaseSeconds: s.leaseTime ?? DEFAULT_LEASE_SECONDS,
    boot: bootWithDefaults(bootOf(s.boot), router),
    reservations: (s.reservations ?? []).map(reservationOf),
    options: scopeOptions.options,
    classes: (s.classes ?? []).map((c, i) => classOf(c, classOptions[i] ?? [])),
    authoritative: s.authoritative ?? true,
    declineSeconds: s.declineTime ?? DEFAULT_DECLINE_SECONDS,
  };
  return { ok: true, scope: freezeScope(scope), lineOf: (path) => locate(doc, lineCounter, path).line };
}
