/**
 * The one timer of a transfer: re-armed as the deadline moves, never one per block.
 */
import type { Clock, TimerHandle } from '../clock.js';

/** Keeps one timer for a transfer and moves it only when it fires or must fire earlier. */
export class TransferTimer {
  private handle: TimerHandle | undefined;
  private at = Infinity;

  constructor(
    private readonly clock: Clock,
    private readonly tick: () => void,
  ) {}

  /** Makes sure the timer fires no later than `deadline` (or stops it when undefined). */
  arm(deadline: number | undefined): void {
    if (deadline === undefined) {
      this.stop();
      return;
    }
    if (this.handle && this.at <= deadline) return; // fires earlier; it will re-arm itself
    this.handle?.cancel();
    this.at = deadline;
    this.handle = this.clock.setTimer(Math.max(0, deadline - this.clock.now()), () => {
      this.handle = undefined;
      this.at = Infinity;
      this.tick();
    });
  }

  /** Cancels the timer. */
  stop(): void {
    this.handle?.cancel();
    this.handle = undefined;
    this.at = Infinity;
  }
}
