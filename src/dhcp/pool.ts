/**
 * One scope's address pool as the lease table's allocator sees it: its ranges as
 * uint32 pairs (index ↔ address by binary search over prefix sums), the addresses it
 * never hands out, the cursor over never-used addresses, and the min-heap of
 * addresses by the time they became free.
 */
import { ipv4ToInt } from '../net/ipv4.js';
import type { Scope } from './scope.js';

/** A binary min-heap of (key, ip as uint32) pairs. */
export class FreeHeap {
  private keys: number[] = [];
  private ips: number[] = [];

  get size(): number {
    return this.keys.length;
  }

  clear(): void {
    this.keys = [];
    this.ips = [];
  }

  push(key: number, ip: number): number {
    this.keys.push(key);
    this.ips.push(ip);
    let i = this.keys.length - 1;
    let steps = 0;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if ((this.keys[parent] ?? 0) <= key) break;
      this.swap(i, parent);
      i = parent;
      steps++;
    }
    return steps;
  }

  peek(): { key: number; ip: number } | undefined {
    const key = this.keys[0];
    const ip = this.ips[0];
    return key === undefined || ip === undefined ? undefined : { key, ip };
  }

  pop(): number {
    const lastKey = this.keys.pop();
    const lastIp = this.ips.pop();
    if (this.keys.length === 0 || lastKey === undefined || lastIp === undefined) return 0;
    this.keys[0] = lastKey;
    this.ips[0] = lastIp;
    let i = 0;
    let steps = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < this.keys.length && (this.keys[l] ?? 0) < (this.keys[m] ?? 0)) m = l;
      if (r < this.keys.length && (this.keys[r] ?? 0) < (this.keys[m] ?? 0)) m = r;
      if (m === i) break;
      this.swap(i, m);
      i = m;
      steps++;
    }
    return steps;
  }

  private swap(a: number, b: number): void {
    const k = this.keys[a] ?? 0;
    const p = this.ips[a] ?? 0;
    this.keys[a] = this.keys[b] ?? 0;
    this.ips[a] = this.ips[b] ?? 0;
    this.keys[b] = k;
    this.ips[b] = p;
  }
}

/** One scope's pool: ranges as uint32 pairs with prefix sums for index ↔ address. */
export class Pool {
  readonly starts: number[] = [];
  readonly ends: number[] = [];
  /** Number of pool addresses before range i. */
  readonly before: number[] = [];
  readonly size: number;
  readonly excluded = new Set<number>();
  cursor = 0;
  readonly heap = new FreeHeap();

  constructor(scope: Scope | undefined) {
    let total = 0;
    const ranges = [...(scope?.ranges ?? [])].map((r) => [ipv4ToInt(r.start), ipv4ToInt(r.end)] as const).sort((a, b) => a[0] - b[0]);
    for (const [s, e] of ranges) {
      if (e < s) continue;
      this.starts.push(s);
      this.ends.push(e);
      this.before.push(total);
      total += e - s + 1;
    }
    this.size = total;
    if (!scope) return;
    const named = [scope.router, scope.boot.nextServer, ...scope.dns, ...scope.boot.tftpServers, ...scope.reservations.map((r) => r.ip)];
    for (const ip of named) if (ip !== undefined) this.excluded.add(ipv4ToInt(ip));
  }

  /** The pool address at index i (0 ≤ i < size), by binary search over ranges. */
  at(i: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if ((this.before[mid] ?? 0) <= i) lo = mid;
      else hi = mid - 1;
    }
    return (this.starts[lo] ?? 0) + i - (this.before[lo] ?? 0);
  }

  contains(ip: number): boolean {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (ip < (this.starts[mid] ?? 0)) hi = mid - 1;
      else if (ip > (this.ends[mid] ?? 0)) lo = mid + 1;
      else return true;
    }
    return false;
  }

  countExcluded(): number {
    let n = 0;
    for (const ip of this.excluded) if (this.contains(ip)) n++;
    return n;
  }
}
