/**
 * The relation rules of scope validation, each a small named function that adds
 * issues: ranges parse, run forwards, lie inside the subnet and do not overlap; the
 * router and TFTP server stay out of the pool; reservations, lease times and
 * classes are consistent; the name matches the file.
 */
import { toHex } from '../net/bytes.js';
import { cidrBroadcast, cidrContains, formatCidr, ipv4ToInt, isIpv4, isNetworkOrBroadcast, type Cidr, type Ipv4 } from '../net/ipv4.js';
import { MAX_PREFIX, MIN_PREFIX, formatRange } from './defaults.js';
import { didYouMean, type FieldPath } from './issues.js';
import type { PathIssue } from './options-field.js';
import { KNOWN_FIELDS, type ClassFile, type ReservationFile, type ScopeFile } from './schema.js';
import type { AddressRange } from './scope.js';
import { SCOPE_NAME, scopeNameOfFile } from './scope-name.js';
import { describeValue } from './shape-issues.js';

/** Shortest lease offered: clients renew at half of it (T1), so shorter floods the wire. */
const MIN_LEASE_SECONDS = 10;
/** Longest lease: option 51 is a u32 and 0xffffffff would mean "infinite". */
const MAX_LEASE_SECONDS = 0xfffffffe;

/** A pool range and where it is in the file. */
export interface PlacedRange extends AddressRange {
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
export function parseRanges(raw: unknown, issues: PathIssue[]): { ranges: PlacedRange[]; complete: boolean } | undefined {
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

/** The name in the file is the file's name, so `scope show NAME` finds it. */
export function ruleNameMatchesFile(name: string | undefined, fileName: string, issues: PathIssue[]): void {
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
export function ruleSubnetSize(subnet: Cidr, issues: PathIssue[]): void {
  if (subnet.prefix < MIN_PREFIX || subnet.prefix > MAX_PREFIX) {
    issues.push({ path: ['subnet'], message: `a /${subnet.prefix} subnet cannot be served; use a prefix from /${MIN_PREFIX} to /${MAX_PREFIX}` });
  }
}

/** Each range runs forwards, lies inside the subnet and avoids its network/broadcast addresses. */
export function ruleRangeInSubnet(subnet: Cidr, r: PlacedRange, issues: PathIssue[]): boolean {
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
export function ruleRangesDisjoint(ranges: readonly PlacedRange[], issues: PathIssue[]): void {
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
export function ruleServersOutsidePool(ranges: readonly PlacedRange[], servers: readonly [string, Ipv4 | undefined][], issues: PathIssue[]): void {
  for (const [role, ip] of servers) {
    if (ip === undefined) continue;
    const n = ipv4ToInt(ip);
    const hit = ranges.find((r) => n >= ipv4ToInt(r.start) && n <= ipv4ToInt(r.end));
    if (hit) issues.push({ path: hit.path, message: `range ${formatRange(hit)} contains the ${role} address ${ip}; clients would be given it` });
  }
}

/** The router is on the subnet and is a host address. */
export function ruleRouterInSubnet(subnet: Cidr, router: Ipv4, issues: PathIssue[]): void {
  if (!cidrContains(subnet, router)) {
    issues.push({ path: ['router'], message: `router ${router} is outside subnet ${formatCidr(subnet)}` });
  } else if (isNetworkOrBroadcast(subnet, router)) {
    issues.push({ path: ['router'], message: `router ${router} is the network or broadcast address of ${formatCidr(subnet)}` });
  }
}

/** Reservations: one key each, an address on the subnet that is not taken, no duplicates. */
export function ruleReservations(
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
export function ruleDurations(f: Partial<ScopeFile>, issues: PathIssue[]): void {
  if (f.leaseTime !== undefined && (f.leaseTime < MIN_LEASE_SECONDS || f.leaseTime > MAX_LEASE_SECONDS)) {
    issues.push({ path: ['leaseTime'], message: `${f.leaseTime} seconds is out of range; use ${MIN_LEASE_SECONDS}s to ${MAX_LEASE_SECONDS}s` });
  }
  if (f.declineTime !== undefined && (f.declineTime < 1 || f.declineTime > MAX_LEASE_SECONDS)) {
    issues.push({ path: ['declineTime'], message: `${f.declineTime} seconds is out of range; use 1s to ${MAX_LEASE_SECONDS}s` });
  }
}

/** Class names are unique and every class says how it is recognised. */
export function ruleClasses(list: readonly (ClassFile | undefined)[], issues: PathIssue[]): void {
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
