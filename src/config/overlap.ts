/**
 * The rule across scope files: two scopes that answer on the same interface may
 * not share addresses, or one client could be offered the same address by both.
 * Scopes on different interfaces may reuse a subnet (two isolated benches).
 */
import { cidrBroadcast, formatCidr, ipv4ToInt, type Cidr } from '../net/ipv4.js';
import type { FieldPath, ScopeIssue } from './issues.js';
import type { Scope } from './scope.js';

/** A validated scope and where its fields are in its file. */
export interface PlacedScope {
  readonly scope: Scope;
  readonly file: string;
  lineOf(path: FieldPath): number;
}

function subnetsOverlap(a: Cidr, b: Cidr): boolean {
  return ipv4ToInt(a.network) <= ipv4ToInt(cidrBroadcast(b)) && ipv4ToInt(b.network) <= ipv4ToInt(cidrBroadcast(a));
}

/** Two overlapping scopes: the issue (reported in the later file, naming both) and the earlier file. */
export interface ScopeOverlap {
  readonly issue: ScopeIssue;
  readonly otherFile: string;
}

/** One overlap per pair of scopes on one interface whose subnets share addresses. */
export function findScopeOverlaps(scopes: readonly PlacedScope[]): ScopeOverlap[] {
  const issues: ScopeOverlap[] = [];
  scopes.forEach((b, j) => {
    for (const a of scopes.slice(0, j)) {
      if (a.scope.interface !== b.scope.interface || !subnetsOverlap(a.scope.subnet, b.scope.subnet)) continue;
      const issue: ScopeIssue = {
        file: b.file,
        line: b.lineOf(['subnet']),
        field: 'subnet',
        message:
          `subnet ${formatCidr(b.scope.subnet)} overlaps scope "${a.scope.name}" ` +
          `(${a.file}:${a.lineOf(['subnet'])}, subnet ${formatCidr(a.scope.subnet)}) on interface ${b.scope.interface}`,
      };
      issues.push({ issue, otherFile: a.file });
    }
  });
  return issues;
}
