/**
 * The clock `benchboot serve` runs on: steady (src/steady-clock.ts), so that lease times,
 * offer holds and quarantines keep their length when NTP or a person steps the wall
 * clock; each step is logged once as a warning. The lease files and `benchboot leases`
 * still show wall time.
 */
import type { Logger } from '../log.js';
import { systemSteadyClock, type ClockStep, type SteadyClock } from '../steady-clock.js';
import { formatDuration } from '../ui/render.js';

/** The warning for one step of the wall clock. */
export function logClockStep(logger: Logger, step: ClockStep): void {
  const direction = step.stepMs > 0 ? 'forward' : 'back';
  logger.warn(`the wall clock stepped ${direction} by ${formatDuration(Math.abs(step.stepMs))}; lease times keep running`, {
    stepMs: step.stepMs,
    wallTime: new Date(step.wallNow).toISOString(),
  });
}

/** The steady clock of one serve run, logging the wall clock's steps to `logger`. */
export function serveClock(logger: Logger): SteadyClock {
  return systemSteadyClock((step) => logClockStep(logger, step));
}
