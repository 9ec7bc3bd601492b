/**
 * A clock for a server that runs for days (issue 16 point 7). `now()` starts at the
 * wall-clock time and then advances with a monotonic clock, so lease times, offer holds,
 * quarantines and sweeps run their full length whatever NTP or a person does to the wall
 * clock: a step forward no longer ends live leases (and hands their addresses to other
 * devices), a step back no longer pins a quarantine for a day.
 *
 * The wall clock is still watched: every reading compares it with this clock, and when
 * the difference moved by more than {@link CLOCK_STEP_THRESHOLD_MS} since the last
 * reading the wall clock was stepped; `onStep` hears of it once. Small movements (NTP
 * slewing, which moves the monotonic clock too) are followed silently. `toWall(t)` gives
 * the wall clock's reckoning of a time of this clock, for what is written down (the
 * lease journal and snapshot) and what a person reads (`benchboot leases`).
 *
 *     const clock = systemSteadyClock((step) => logger.warn(...));
 *     clock.now();              // ms since the epoch, never stepped
 *     clock.toWall(lease.expiresAt);
 */
import { performance } from 'node:perf_hooks';
import { systemClock, type Clock, type TimerHandle } from './clock.js';

/** A change of the wall clock against the monotonic clock above this is a step, not a drift. */
export const CLOCK_STEP_THRESHOLD_MS = 2000;

/** A step of the wall clock, as {@link SteadyClock} reports it. */
export interface ClockStep {
  /** How far the wall clock jumped against the monotonic clock, ms (positive: forward). */
  readonly stepMs: number;
  /** The wall-clock time just after the step, ms since the epoch. */
  readonly wallNow: number;
}

/** The time sources of a {@link SteadyClock}. */
export interface SteadyClockOptions {
  /** The wall clock, ms since the epoch (Date.now): the one that can be stepped. */
  readonly wall: () => number;
  /** A clock that is never stepped (any origin) and its timers: performance.now and setTimeout, or a FakeClock. */
  readonly monotonic: Clock;
  /** Default {@link CLOCK_STEP_THRESHOLD_MS}. */
  readonly stepThresholdMs?: number;
  /** Hears of each step of the wall clock, once. */
  readonly onStep?: (step: ClockStep) => void;
}

/** Wall time at start, then monotonic time; the wall clock's steps are reported and kept as an offset. */
export class SteadyClock implements Clock {
  private readonly origin: number;
  private readonly monotonicOrigin: number;
  /** wall − now() at the last reading. */
  private offset = 0;

  constructor(private readonly options: SteadyClockOptions) {
    this.origin = Math.round(options.wall());
    this.monotonicOrigin = options.monotonic.now();
  }

  /** Milliseconds since the epoch as of the start, advanced by monotonic time. */
  now(): number {
    const t = this.steady();
    this.observe(t);
    return t;
  }

  /** Runs `fn` after `ms` of monotonic time. */
  setTimer(ms: number, fn: () => void): TimerHandle {
    return this.options.monotonic.setTimer(ms, fn);
  }

  /** The wall clock's reckoning of `t` (a value of `now()`), as of now. */
  toWall(t: number): number {
    return t + this.wallOffset();
  }

  /** How far the wall clock is ahead of this clock now (negative: behind), ms. */
  wallOffset(): number {
    return this.observe(this.steady());
  }

  private steady(): number {
    return this.origin + Math.round(this.options.monotonic.now() - this.monotonicOrigin);
  }

  /** Reads the wall clock against `steady`, reports a step, and returns the offset. */
  private observe(steady: number): number {
    const wall = this.options.wall();
    const offset = wall - steady;
    const moved = offset - this.offset;
    this.offset = offset;
    if (Math.abs(moved) > (this.options.stepThresholdMs ?? CLOCK_STEP_THRESHOLD_MS)) this.options.onStep?.({ stepMs: moved, wallNow: wall });
    return offset;
  }
}

/** The monotonic clock of the process: performance.now and (monotonic) setTimeout. */
const monotonicClock: Clock = {
  now: () => performance.now(),
  setTimer: (ms, fn) => systemClock.setTimer(ms, fn),
};

/** The steady clock over the real wall and monotonic clocks. */
export function systemSteadyClock(onStep?: (step: ClockStep) => void): SteadyClock {
  return new SteadyClock({ wall: () => Date.now(), monotonic: monotonicClock, ...(onStep ? { onStep } : {}) });
}
