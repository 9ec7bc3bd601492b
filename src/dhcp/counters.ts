/**
 * Counters of the DHCP server: per scope (offers, ACKs, NAKs, declines, releases,
 * informs, drops by reason, pool free/used) and for the whole server (datagrams
 * received, undecodable datagrams, send and journal failures). Plain data that
 * the server increments and the appliance shows in the status view.
 */
import type { DropKind } from './drop-reason.js';

/** What happened to one scope since start. */
export interface ScopeCounters {
  offers: number;
  acks: number;
  naks: number;
  /** DHCPDECLINE messages accepted (address quarantined). */
  declines: number;
  releases: number;
  /** DHCPACKs sent for DHCPINFORM (no lease). */
  informs: number;
  /** Requests dropped after the scope was known, by reason. */
  readonly drops: Record<string, number>;
}

/** Pool usage of one scope, as the lease table reports it. */
export interface PoolUsage {
  /** Addresses in the pool ranges. */
  readonly size: number;
  /** Bound, offered or quarantined. */
  readonly used: number;
  readonly free: number;
}

/** A read-only copy of every counter, with pool usage. */
export interface DhcpCountersSnapshot {
  readonly received: number;
  /** Datagrams that did not decode (counted, dropped, logged at debug). */
  readonly decodeErrors: number;
  /** Replies the kernel refused to send. */
  readonly sendErrors: number;
  /** Lease changes the journal could not make durable (no ACK was sent for them). */
  readonly journalErrors: number;
  /** Unexpected failures inside one datagram's handling (logged with a stack). */
  readonly internalErrors: number;
  /** Drops before any scope was chosen (no scope for the interface, not a request...), by reason. */
  readonly drops: Readonly<Record<string, number>>;
  readonly scopes: Readonly<Record<string, Readonly<ScopeCounters> & { readonly pool?: PoolUsage }>>;
}

/** What drops are counted by: the engine's drop kinds, and the server's own. */
export type DropCounterKey = DropKind | 'no-scope-on-interface' | 'journal-failed' | 'discover-shed';

/** The kinds of reply a scope counts. */
export type CountedReply = 'offered' | 'bound' | 'refused' | 'informed';

/** The mutable counter set one server owns (no module-level state). */
export class DhcpCounters {
  received = 0;
  decodeErrors = 0;
  sendErrors = 0;
  journalErrors = 0;
  internalErrors = 0;
  private readonly drops: Record<string, number> = {};
  private readonly scopes = new Map<string, ScopeCounters>();

  /** The counters of `scope`, created on first use. */
  scope(name: string): ScopeCounters {
    let c = this.scopes.get(name);
    if (!c) {
      c = { offers: 0, acks: 0, naks: 0, declines: 0, releases: 0, informs: 0, drops: {} };
      this.scopes.set(name, c);
    }
    return c;
  }

  /** Counts a reply that was sent. */
  countReply(scope: string, kind: CountedReply): void {
    const c = this.scope(scope);
    if (kind === 'offered') c.offers++;
    else if (kind === 'bound') c.acks++;
    else if (kind === 'refused') c.naks++;
    else c.informs++;
  }

  /** Counts a drop, under its scope when one was chosen. */
  countDrop(scope: string | undefined, reason: DropCounterKey): void {
    const table = scope === undefined ? this.drops : this.scope(scope).drops;
    table[reason] = (table[reason] ?? 0) + 1;
  }

  /** A copy of everything, with pool usage per scope from `pools`. */
  snapshot(pools: ReadonlyMap<string, PoolUsage> = new Map()): DhcpCountersSnapshot {
    const scopes: Record<string, ScopeCounters & { pool?: PoolUsage }> = {};
    const names = new Set([...this.scopes.keys(), ...pools.keys()]);
    for (const name of [...names].sort()) {
      const c = this.scope(name);
      const pool = pools.get(name);
      scopes[name] = { ...c, drops: { ...c.drops }, ...(pool ? { pool } : {}) };
    }
    return {
      received: this.received,
      decodeErrors: this.decodeErrors,
      sendErrors: this.sendErrors,
      journalErrors: this.journalErrors,
      internalErrors: this.internalErrors,
      drops: { ...this.drops },
      scopes,
    };
  }
}
