/**
 * The new-client rate limit (issue 16 point 6): a burst of spoofed MACs must not take a
 * whole pool for a lease time. Per scope (a scope is one interface's link, or the link
 * behind one relay), at most `perSecond` clients the scope has no record of are given an
 * address each second, with a burst of `burst` — a token bucket. Clients with a record
 * (renewals, a device that comes back, a pending offer's REQUEST) and reserved clients
 * never take a token. Time is passed in; there are no timers.
 *
 * The key is the scope, not giaddr: a sender on the link may write any giaddr inside the
 * scopes of its interface, and one bucket per giaddr would give it one fresh bucket per
 * address. Buckets that have filled up again hold nothing a new bucket would not, so they
 * are forgotten, which keeps the map as small as the set of scopes under load.
 */

/** The rate: `perSecond` new clients a second, `burst` at once. */
export interface NewClientRate {
  readonly perSecond: number;
  readonly burst: number;
}

/**
 * A fixed rate for every scope, or `pool`: each scope's own, from the size of its pool
 * ({@link poolRate}).
 */
export type NewClientRateSetting = NewClientRate | 'pool';

/**
 * The rate a pool of `size` addresses gets with the `pool` setting: a burst of half the
 * pool and a quarter of it a second (at least 64 and 20). A burst of spoofed MACs at wire
 * speed leaves about half the pool to real clients, while a boot storm as big as the pool
 * is admitted within two seconds (a /16 admits 32,767 at once and 16,384 a second, so the
 * DHCP benchmark's storms never meet the limit; a /24 admits 127, then 64 a second).
 */
export function poolRate(size: number): NewClientRate {
  return { burst: Math.max(64, Math.ceil(size / 2)), perSecond: Math.max(20, Math.ceil(size / 4)) };
}

interface Bucket {
  tokens: number;
  at: number;
}

/** One token bucket per key, refilled by elapsed time; each key has its rate (`rateOf`). */
export class NewClientLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly rateOf: (key: string) => NewClientRate;

  constructor(rate: NewClientRate | ((key: string) => NewClientRate)) {
    this.rateOf = typeof rate === 'function' ? rate : () => rate;
  }

  /**
   * Takes a token for one new client of `key` at `now`; false (nothing taken) when the
   * bucket is empty.
   */
  take(key: string, now: number): boolean {
    const bucket = this.refill(key, now);
    if (bucket.tokens < 1) return false;
    bucket.tokens -= 1;
    return true;
  }

  /** Tokens left for `key` at `now` (whole new clients that would be admitted). */
  available(key: string, now: number): number {
    return Math.floor(this.refill(key, now).tokens);
  }

  /** Buckets held (full ones are forgotten at the next `take`). */
  get size(): number {
    return this.buckets.size;
  }

  private refill(key: string, now: number): Bucket {
    this.forgetFull(now);
    const rate = this.rateOf(key);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: rate.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedMs = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(rate.burst, bucket.tokens + (elapsedMs * rate.perSecond) / 1000);
    bucket.at = Math.max(bucket.at, now);
    return bucket;
  }

  /** Drops buckets that are full again at `now`: a fresh bucket is the same. */
  private forgetFull(now: number): void {
    if (this.buckets.size < 64) return;
    for (const [key, b] of this.buckets) {
      const rate = this.rateOf(key);
      if (b.tokens + ((now - b.at) * rate.perSecond) / 1000 >= rate.burst) this.buckets.delete(key);
    }
  }
}
