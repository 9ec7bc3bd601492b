/**
 * The clock seam. Core logic receives `now` values; servers get a `Clock` so that
 * tests can drive time by hand with `FakeClock`.
 */

/** Handle of a scheduled callback. */
export interface TimerHandle {
  cancel(): void;
}

/** Time and timers, real or fake. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `fn` once after `ms`. */
  setTimer(ms: number, fn: () => void): TimerHandle;
  /**
   * The wall-clock time of `t`, a value of this clock's `now()`. Present on a clock whose
   * `now()` does not follow steps of the wall clock (./steady-clock.ts); absent when
   * `now()` is the wall clock itself.
   */
  toWall?(t: number): number;
}

/** The wall-clock time of `t` read from `clock` (the same number unless the clock is steady). */
export function wallTimeOf(clock: Clock, t: number): number {
  return clock.toWall ? clock.toWall(t) : t;
}

/** The time of `clock` whose wall-clock reckoning is `wall` (the inverse of {@link wallTimeOf}, as of now). */
export function clockTimeOfWall(clock: Clock, wall: number): number {
  if (!clock.toWall) return wall;
  const now = clock.now();
  return wall - (clock.toWall(now) - now);
}

/** The real clock (Date.now and setTimeout, unref'd so timers never keep the process up alone). */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer(ms, fn) {
    const t = setTimeout(fn, ms);
    t.unref();
    return { cancel: () => clearTimeout(t) };
  },
};

/** Waits for `all` to settle, or `ms` on `clock`, whichever comes first. */
export async function waitAtMost(clock: Clock, ms: number, all: readonly Promise<void>[]): Promise<void> {
  let timer: TimerHandle | undefined;
  const elapsed = new Promise<void>((resolve) => {
    timer = clock.setTimer(ms, resolve);
  });
  await Promise.race([Promise.all(all), elapsed]);
  timer?.cancel();
}

/** A clock that moves only when `advance` is called; timers fire in time order. */
export class FakeClock implements Clock {
  private current: number;
  private seq = 0;
  private timers = new Map<number, { at: number; fn: () => void }>();

  constructor(start = 1_700_000_000_000) {
    this.current = start;
  }

  now(): number {
    return this.current;
  }

  setTimer(ms: number, fn: () => void): TimerHandle {
    const id = ++this.seq;
    this.timers.set(id, { at: this.current + Math.max(0, ms), fn });
    return { cancel: () => this.timers.delete(id) };
  }

  /** Moves time forward by `ms`, firing due timers in order. */
  advance(ms: number): void {
    const target = this.current + ms;
    for (;;) {
      let nextId = -1;
      let nextAt = Infinity;
      for (const [id, t] of this.timers) {
        if (t.at <= target && t.at < nextAt) {
          nextAt = t.at;
          nextId = id;
        }
      }
      const next = this.timers.get(nextId);
      if (!next) break;
      this.timers.delete(nextId);
      this.current = next.at;
      next.fn();
    }
    this.current = target;
  }

  /** Number of pending timers. */
  get pending(): number {
    return this.timers.size;
  }
}
