/**
 * The in-memory lease table: every lease per scope, indexed by IP and by client key,
 * plus an allocator that finds a free pool address in O(1) amortised / O(log n) per
 * request, so pools of 65,536 addresses are never scanned per DISCOVER.
 *
 * Allocation order, per scope:
 * 1. a cursor over never-used pool addresses (moves forward only; skips addresses
 *    that have a lease record, are reserved, or are excluded);
 * 2. when those run out, a min-heap of addresses ordered by the time they became free
 *    (lease end, release time, quarantine end; 0 for a deleted record), oldest first,
 *    so a client that comes back most likely finds its old address still free.
 * Heap entries are lazy: an entry is dropped when its address no longer has that
 * free-since time. The table is compacted when stale entries outnumber live ones.
 *
 * Expiry is a comparison with `now`; the table runs no timers. An address is free
 * when it has no lease, its lease is 'released', or its lease's `expiresAt <= now`.
 *
 * Addresses a scope itself names (router, DNS servers, next-server, TFTP servers,
 * reservations) and addresses given to `exclude` are never handed out from the pool.
 *
 * The engine reads the table through `LeaseView` and never mutates it; the server
 * applies the engine's changes with `apply` before the journal has them (so concurrent
 * requests see them) and takes back those the journal could not make durable with
 * `restore` (./pending-changes.ts).
 */
import type { Scope } from './scope.js';
import { Pool } from './pool.js';
import { intToIpv4, ipv4ToInt } from '../net/ipv4.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { Lease, LeaseChange } from './lease.js';

/** What the pure engine may ask of the lease table (read only). */
export interface LeaseView {
  /** The lease record of an address in a scope, in any state, expired or not. */
  get(scope: string, ip: Ipv4): Lease | undefined;
  /** The latest lease record of a client (by clientKey) in a scope, in any state. */
  findByClient(scope: string, clientKey: string): Lease | undefined;
  /** True when `ip` is never handed out from the pool of `scope` (named by the scope, reserved, or given to `exclude`). */
  isExcluded(scope: string, ip: Ipv4): boolean;
  /**
   * The oldest pending offer of `scope` made at or before `madeBefore` and still held at
   * `now` (a walk of the scope: only asked when the pool is exhausted).
   */
  oldestOffer(scope: string, madeBefore: number, now: number): Lease | undefined;
}

/**
 * The one command the engine gives the table: pick the next pool address to offer. It
 * changes the table's scan state (cursor, stale free-list entries, our own address
 * excluded from then on), which is why it is not part of the read-only view.
 */
export interface PoolAllocator {
  /**
   * The next pool address to offer at `now`, or undefined when the pool is exhausted.
   * `serverAddress` (ours on that link) is never returned; it is excluded from then on.
   */
  allocateFree(scope: string, now: number, serverAddress?: Ipv4): Ipv4 | undefined;
}

/** What the engine works on: the read-only view plus the allocation command. */
export type EngineLeases = LeaseView & PoolAllocator;

/** Counts for one scope at a given time. */
export interface ScopeStats {
  readonly scope: string;
  /** Pool addresses that can be handed out (excluded and reserved ones not counted). */
  readonly size: number;
  /** Pool addresses not held by a client now. */
  readonly free: number;
  /** Pool addresses held now (offered + bound + declined). */
  readonly used: number;
  readonly offered: number;
  readonly bound: number;
  readonly declined: number;
}

/** True when the address of this lease is free at `now` (released, or its time is over). */
export function isLeaseFree(lease: Lease, now: number): boolean {
  return lease.state === 'released' || lease.expiresAt <= now;
}

/** When the address became (or becomes) free: the heap key. */
function freeSince(lease: Lease): number {
  return lease.state === 'released' ? Math.min(lease.startedAt, lease.expiresAt) : lease.expiresAt;
}

/** The lease table. Mutated only through `apply`, `restore`, `load`, `setScopes` and `exclude`. */
export class LeaseTable implements LeaseView, PoolAllocator {
  private readonly leases = new Map<string, Map<number, Lease>>();
  private readonly clients = new Map<string, Map<string, Lease>>();
  private pools = new Map<string, Pool>();
  private scopes: readonly Scope[] = [];
  private readonly extraExcluded = new Set<number>();
  private steps = 0;

  constructor(scopes: readonly Scope[] = []) {
    this.setScopes(scopes);
  }

  /**
   * Allocator work done so far: cursor moves, heap sifts and pops. A test reads it to
   * check that each allocation touches O(1)/O(log n) entries, not the whole pool.
   */
  get allocatorSteps(): number {
    return this.steps;
  }

  /** Replaces the scopes (config reload). Leases are kept, pools rebuilt. */
  setScopes(scopes: readonly Scope[]): void {
    this.scopes = scopes;
    this.pools = new Map(scopes.map((s) => [s.name, new Pool(s)]));
    for (const pool of this.pools.values()) for (const ip of this.extraExcluded) pool.excluded.add(ip);
    this.rebuildHeaps();
  }

  /** Never hands out these addresses (e.g. the server's own interface addresses). */
  exclude(ips: Iterable<Ipv4>): void {
    for (const ip of ips) {
      const n = ipv4ToInt(ip);
      this.extraExcluded.add(n);
      for (const pool of this.pools.values()) pool.excluded.add(n);
    }
  }

  /** Replaces all leases (journal replay at start). */
  load(leases: Iterable<Lease>): void {
    this.leases.clear();
    this.clients.clear();
    for (const lease of leases) this.put(lease, false);
    this.rebuildHeaps();
  }

  /** Applies the engine's changes in order. */
  apply(changes: readonly LeaseChange[]): void {
    for (const c of changes) {
      if (c.kind === 'put') this.put(c.lease, true);
      else this.delete(c.scope, c.ip);
    }
  }

  /**
   * Puts back `lease` (or no record) at `ip` of `scope`, taking back a change that could not
   * be made durable; the clients involved are indexed again by their latest remaining record.
   */
  restore(scope: string, ip: Ipv4, lease: Lease | undefined): void {
    const current = this.get(scope, ip);
    if (lease) this.put(lease, true);
    else this.delete(scope, ip);
    for (const key of new Set([current?.clientKey, lease?.clientKey])) if (key !== undefined) this.reindexClient(scope, key);
  }

  /** Every lease record, scope by scope. */
  all(): Lease[] {
    const out: Lease[] = [];
    for (const byIp of this.leases.values()) out.push(...byIp.values());
    return out;
  }

  /** The lease records of `ip`, one per scope at most (a lookup per scope, not a scan of the table). */
  at(ip: Ipv4): Lease[] {
    const key = ipv4ToInt(ip);
    const out: Lease[] = [];
    for (const byIp of this.leases.values()) {
      const lease = byIp.get(key);
      if (lease) out.push(lease);
    }
    return out;
  }

  get(scope: string, ip: Ipv4): Lease | undefined {
    return this.leases.get(scope)?.get(ipv4ToInt(ip));
  }

  findByClient(scope: string, clientKey: string): Lease | undefined {
    return this.clients.get(scope)?.get(clientKey);
  }

  isExcluded(scope: string, ip: Ipv4): boolean {
    return this.pools.get(scope)?.excluded.has(ipv4ToInt(ip)) ?? this.extraExcluded.has(ipv4ToInt(ip));
  }

  oldestOffer(scope: string, madeBefore: number, now: number): Lease | undefined {
    let oldest: Lease | undefined;
    for (const lease of this.leases.get(scope)?.values() ?? []) {
      if (lease.state !== 'offered' || lease.expiresAt <= now || lease.startedAt > madeBefore) continue;
      if (!oldest || lease.startedAt < oldest.startedAt) oldest = lease;
    }
    return oldest;
  }

  /** See {@link PoolAllocator.allocateFree}. */
  allocateFree(scope: string, now: number, serverAddress?: Ipv4): Ipv4 | undefined {
    const pool = this.pools.get(scope);
    if (!pool) return undefined;
    // Our own address is never a client's; remembering that keeps the cursor moving.
    if (serverAddress !== undefined) pool.excluded.add(ipv4ToInt(serverAddress));
    const byIp = this.leases.get(scope);
    // 1. Never-used addresses. The cursor only moves forward: amortised O(1).
    while (pool.cursor < pool.size) {
      const ip = pool.at(pool.cursor);
      if (!pool.excluded.has(ip) && !byIp?.has(ip)) return intToIpv4(ip);
      pool.cursor++;
      this.steps++;
    }
    // 2. Addresses freed earliest. Stale heap entries are dropped as they surface.
    for (;;) {
      const top = pool.heap.peek();
      if (!top || top.key > now) return undefined;
      const lease = byIp?.get(top.ip);
      const current = lease ? freeSince(lease) : 0;
      if (current === top.key && !pool.excluded.has(top.ip) && (!lease || isLeaseFree(lease, now))) return intToIpv4(top.ip);
      this.steps += 1 + pool.heap.pop();
    }
  }

  /** Free/used counts of one scope at `now` (walks that scope's leases: for display, not per packet). */
  stats(scope: string, now: number): ScopeStats {
    const pool = this.pools.get(scope) ?? new Pool(undefined);
    let offered = 0;
    let bound = 0;
    let declined = 0;
    for (const [ip, lease] of this.leases.get(scope) ?? []) {
      if (!pool.contains(ip) || pool.excluded.has(ip) || isLeaseFree(lease, now)) continue;
      if (lease.state === 'offered') offered++;
      else if (lease.state === 'bound') bound++;
      else if (lease.state === 'declined') declined++;
    }
    const size = pool.size - pool.countExcluded();
    const used = offered + bound + declined;
    return { scope, size, free: size - used, used, offered, bound, declined };
  }

  /** Stats for every configured scope. */
  allStats(now: number): ScopeStats[] {
    return this.scopes.map((s) => this.stats(s.name, now));
  }

  private put(lease: Lease, pushFree: boolean): void {
    const ip = ipv4ToInt(lease.ip);
    let byIp = this.leases.get(lease.scope);
    if (!byIp) this.leases.set(lease.scope, (byIp = new Map()));
    const previous = byIp.get(ip);
    if (previous && previous.clientKey !== lease.clientKey) this.forgetClient(previous);
    byIp.set(ip, lease);
    let byClient = this.clients.get(lease.scope);
    if (!byClient) this.clients.set(lease.scope, (byClient = new Map()));
    byClient.set(lease.clientKey, lease);
    if (pushFree) this.pushFree(lease.scope, ip, freeSince(lease));
  }

  private delete(scope: string, ipText: Ipv4): void {
    const ip = ipv4ToInt(ipText);
    const byIp = this.leases.get(scope);
    const previous = byIp?.get(ip);
    if (!previous) return;
    byIp?.delete(ip);
    this.forgetClient(previous);
    this.pushFree(scope, ip, 0);
  }

  /** Points the client index of `clientKey` at its latest record in `scope` (a walk of the scope: rollbacks only). */
  private reindexClient(scope: string, clientKey: string): void {
    let latest: Lease | undefined;
    for (const lease of this.leases.get(scope)?.values() ?? []) {
      if (lease.clientKey === clientKey && (!latest || lease.startedAt >= latest.startedAt)) latest = lease;
    }
    const byClient = this.clients.get(scope);
    if (latest) byClient?.set(clientKey, latest);
    else byClient?.delete(clientKey);
  }

  private forgetClient(lease: Lease): void {
    const byClient = this.clients.get(lease.scope);
    if (byClient?.get(lease.clientKey) === lease) byClient.delete(lease.clientKey);
  }

  private pushFree(scope: string, ip: number, key: number): void {
    const pool = this.pools.get(scope);
    if (!pool || !pool.contains(ip)) return;
    this.steps += 1 + pool.heap.push(key, ip);
    // Renewals leave stale entries behind; rebuild when they dominate.
    const live = this.leases.get(scope)?.size ?? 0;
    if (pool.heap.size > 2 * live + 64) this.rebuildHeap(scope, pool);
  }

  private rebuildHeaps(): void {
    for (const [name, pool] of this.pools) this.rebuildHeap(name, pool);
  }

  private rebuildHeap(scope: string, pool: Pool): void {
    // Deleted records below the cursor only live in the heap: restart the cursor so
    // the rebuild cannot lose them (amortised by the rebuild's own O(n)).
    pool.cursor = 0;
    pool.heap.clear();
    for (const [ip, lease] of this.leases.get(scope) ?? []) {
      if (pool.contains(ip)) this.steps += 1 + pool.heap.push(freeSince(lease), ip);
    }
  }
}
