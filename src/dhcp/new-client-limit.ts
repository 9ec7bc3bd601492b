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

interface Bucket {
  tokens: number;
  at: number;
}

/** One token bucket per key, refilled by elapsed time. */
export class NewClientLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly rate: NewClientRate) {}

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
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = { tokens: this.rate.burst, at: now };
      this.buckets.set(key, bucket);
      return bucket;
    }
    const elapsedMs = Math.max(0, now - bucket.at);
    bucket.tokens = Math.min(this.rate.burst, bucket.tokens + (elapsedMs * this.rate.perSecond) / 1000);
    bucket.at = Math.max(bucket.at, now);
    return bucket;
  }

  /** Drops buckets that are full again at `now`: a fresh bucket is the same. */
  private forgetFull(now: number): void {
    if (this.buckets.size < 64) return;
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) * this.rate.perSecond) / 1000 >= this.rate.burst) this.buckets.delete(key);
    }
  }
}
