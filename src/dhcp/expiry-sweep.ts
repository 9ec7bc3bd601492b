/**
 * The expiry sweep: every interval, the bound leases whose time ran out since the last
 * sweep are reported once as expired. The table needs no change (expiry is a comparison
 * with `now`); this only tells the log and the view.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { Lease } from './lease.js';

/** A periodic sweep over the leases, on the given clock. */
export class ExpirySweep {
  private timer: TimerHandle | undefined;
  private lastSweepAt: number;

  constructor(
    private readonly clock: Clock,
    private readonly intervalMs: number,
    private readonly leases: () => Iterable<Lease>,
    private readonly onExpired: (lease: Lease) => void,
  ) {
    this.lastSweepAt = clock.now();
  }

  /** Schedules the next sweep (and every one after it until `stop`). */
  start(): void {
    this.timer = this.clock.setTimer(this.intervalMs, () => {
      this.timer = undefined;
      this.sweep();
      this.start();
    });
  }

  /** Cancels the pending sweep. */
  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private sweep(): void {
    const now = this.clock.now();
    const since = this.lastSweepAt;
    this.lastSweepAt = now;
    for (const lease of this.leases()) {
      if (lease.state === 'bound' && lease.expiresAt <= now && lease.expiresAt > since) this.onExpired(lease);
    }
  }
}
