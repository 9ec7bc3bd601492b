/**
 * The I/O side of transfer deadlines (transfer-deadline.ts): one timer per running
 * transfer, armed at its deadline and re-armed while a write without tsize keeps
 * moving it; a transfer past its deadline is handed to `onTooSlow`, which ends it.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { checkRate, type RateFloor, type RateVerdict } from './transfer-deadline.js';

/** What the watch reads of a running transfer (its TransferInfo). */
export interface WatchedTransfer {
  readonly id: string;
  readonly startedAt: number;
  readonly bytes: number;
  readonly size?: number;
}

/** A transfer past its deadline. */
export type TooSlow = Extract<RateVerdict, { kind: 'too-slow' }>;

/** The longest a timer may be set for (setTimeout's limit, about 24.8 days). */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** Keeps one deadline timer per transfer. */
export class DeadlineWatch {
  private readonly timers = new Map<string, TimerHandle>();

  constructor(
    private readonly clock: Clock,
    private readonly floor: RateFloor,
    private readonly onTooSlow: (id: string, verdict: TooSlow) => void,
  ) {}

  /** Starts watching `t` (its `bytes` and `size` are read again at each check); nothing when the floor is off. */
  watch(t: WatchedTransfer): void {
    this.check(t);
  }

  /** Stops watching transfer `id` (it ended). */
  forget(id: string): void {
    this.timers.get(id)?.cancel();
    this.timers.delete(id);
  }

  private check(t: WatchedTransfer): void {
    this.timers.delete(t.id);
    const facts = { elapsedMs: this.clock.now() - t.startedAt, bytes: t.bytes, ...(t.size !== undefined ? { sizeBytes: t.size } : {}) };
    const verdict = checkRate(this.floor, facts);
    if (verdict.kind === 'off') return;
    if (verdict.kind === 'too-slow') {
      this.onTooSlow(t.id, verdict);
      return;
    }
    this.timers.set(t.id, this.clock.setTimer(Math.min(verdict.checkInMs, MAX_TIMER_MS), () => this.check(t)));
  }
}
