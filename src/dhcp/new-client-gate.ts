/**
 * Where the new-client rate limit meets the engine's answers: an OFFER or ACK that gives
 * an address to a client its scope has no lease record of, and no reservation for, takes
 * a token of that scope (./new-client-limit.ts); without one it becomes a drop,
 * `rate-limited`, and no lease changes. Every other answer passes untouched: renewals,
 * a pending offer's REQUEST, a device that comes back, NAKs, INFORMs.
 *
 * The engine stays pure: it decides as if there were no limit, and nothing it did is
 * kept when the gate refuses (the allocator only moves past addresses that are taken).
 */
import type { Logger } from '../log.js';
import { findReservation } from './choose-address.js';
import type { EngineResult } from './exchange.js';
import type { LeaseView } from './lease-table.js';
import { ipv4ToInt } from '../net/ipv4.js';
import { NewClientLimiter, poolRate, type NewClientRate, type NewClientRateSetting } from './new-client-limit.js';
import type { RequestFacts } from './request-facts.js';
import type { Scope } from './scope.js';

/** The name of the scope whose pool `result` takes an address from for a new client, or undefined. */
export function newClientScope(result: EngineResult, facts: RequestFacts, scopes: readonly Scope[], view: LeaseView): string | undefined {
  if (result.kind !== 'reply') return undefined;
  const event = result.event;
  if (event.type !== 'offered' && event.type !== 'bound') return undefined;
  if (view.findByClient(event.scope, event.clientKey) !== undefined) return undefined;
  const scope = scopes.find((s) => s.name === event.scope);
  if (scope === undefined || findReservation(scope, facts.mac, facts.clientId) !== undefined) return undefined;
  return scope.name;
}

/** The rate limit on new clients, per scope, over the engine's answers; one log line when a scope starts refusing. */
export class NewClientGate {
  private readonly limiter: NewClientLimiter;
  /** Scopes whose last new client was refused (one log line per episode, not one per packet). */
  private readonly limited = new Set<string>();

  /** The scopes of the last check (the `pool` setting sizes each one's rate from them). */
  private scopes: readonly Scope[] = [];

  constructor(
    readonly setting: NewClientRateSetting,
    private readonly log: Logger,
  ) {
    this.limiter = new NewClientLimiter(setting === 'pool' ? (name) => this.rateOf(name) : setting);
  }

  /** The rate of scope `name`. */
  rateOf(name: string): NewClientRate {
    if (this.setting !== 'pool') return this.setting;
    const scope = this.scopes.find((s) => s.name === name);
    return poolRate(scope ? poolSize(scope) : 0);
  }

  /** `result` unchanged, or the `rate-limited` drop (no reply, no lease changes) that replaces it. */
  check(result: EngineResult, facts: RequestFacts, scopes: readonly Scope[], view: LeaseView, now: number): EngineResult {
    const scope = newClientScope(result, facts, scopes, view);
    if (scope === undefined) return result;
    this.scopes = scopes;
    if (this.limiter.take(scope, now)) {
      this.limited.delete(scope);
      return result;
    }
    if (!this.limited.has(scope)) {
      this.limited.add(scope);
      this.log.warn('new clients arrive faster than the new-client rate: those over it get no answer until it allows them (counted as rate-limited)', {
        scope,
        mac: facts.mac,
        ...this.rateOf(scope),
      });
    }
    return { kind: 'drop', reason: { kind: 'rate-limited', scope }, changes: [] };
  }
}

/** Addresses in the pool ranges of `scope`. */
function poolSize(scope: Scope): number {
  return scope.ranges.reduce((n, r) => n + ipv4ToInt(r.end) - ipv4ToInt(r.start) + 1, 0);
}
