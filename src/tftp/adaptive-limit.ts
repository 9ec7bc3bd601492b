/**
 * The number of TFTP transfers at once, adapted to what the machine delivers (issue 15).
 * The limit starts at `--max-transfers` (the base) and, while requests wait for a slot,
 * is raised a quarter at a time as long as the bytes moved per second grow with it; a
 * raise that does not pay is taken back. Measured on the 2-core bench (500 PXE-like
 * devices, lock-step): 200 at once finished in 11–13 s on 11 s of CPU, 500 at once took
 * 17–19 s on 17–19 s of CPU, so more transfers can cost more than they bring, and
 * only a measurement says which. Where they pay (slow links, clients that answer
 * slowly, more cores), the limit climbs to the ceiling (`--transfers-ceiling`).
 *
 * One decision per {@link ADAPT_PERIOD_MS} sample, pure (the server feeds it its
 * counters on its clock):
 *
 * - a period is *saturated* when, at its end, every slot is taken and requests wait;
 * - saturated for a second period in a row and not holding: the limit goes up by
 *   {@link RAISE_FACTOR} (to at most the ceiling), remembering the rate of that period
 *   (the first saturated period of a storm is still ramping up: its rate would make
 *   any raise look good). The next period lets the new transfers
 *   start; the one after is compared: at least {@link GROWTH} more bytes per second
 *   keeps the raise (and the next one may follow), less takes it back and holds the
 *   limit for {@link HOLD_PERIODS} periods before trying again;
 * - {@link IDLE_PERIODS} periods in a row without saturation: back to the base (the
 *   storm is over; the next one starts from the base again).
 *
 * The limit never goes under the base: that is the number the technician chose.
 */
import type { Clock, TimerHandle } from '../clock.js';
import type { Logger } from '../log.js';

/** How often the limit is reconsidered (ms). */
export const ADAPT_PERIOD_MS = 1000;

/** A raise multiplies the limit by this (rounded up, at least one more transfer). */
export const RAISE_FACTOR = 1.25;

/** A raise is kept when the rate grew by at least this fraction (or half the raise's own fraction, when smaller). */
export const GROWTH = 0.05;

/** Periods the limit stays put after a raise was taken back. */
export const HOLD_PERIODS = 10;

/** Periods without saturation after which the limit returns to the base. */
export const IDLE_PERIODS = 10;

/** What the server measured over one period. */
export interface LimitSample {
  /** Bytes sent and received by every transfer since the server started (running ones included). */
  readonly bytesMoved: number;
  /** Transfers running (and opening) now. */
  readonly running: number;
  /** Requests waiting for a slot now. */
  readonly waiting: number;
}

/** A raise under test: the limit and rate before it, and whether its first period has passed. */
interface Probe {
  readonly from: number;
  readonly rateBefore: number;
  settled: boolean;
}

/** The counts of an adaptive limit, for `status`. */
export interface AdaptiveLimitCounts {
  readonly limit: number;
  readonly base: number;
  readonly ceiling: number;
  /** Raises kept. */
  readonly raises: number;
  /** Raises taken back because the rate did not grow. */
  readonly takenBack: number;
}

/** Samples `limit` every {@link ADAPT_PERIOD_MS} on `clock` from `measure`, logging each change and calling `changed` after it; returns the stop function. */
export function adaptEvery(clock: Clock, limit: AdaptiveLimit, measure: () => LimitSample, log: Logger, changed: () => void): () => void {
  let timer: TimerHandle | undefined;
  const tick = (): void => {
    const from = limit.limit;
    const sample = measure();
    if (limit.sample(sample)) {
      const to = limit.limit;
      log.info(to > from ? 'transfer limit raised' : 'transfer limit lowered', { from, to, running: sample.running, waiting: sample.waiting });
      changed();
    }
    timer = clock.setTimer(ADAPT_PERIOD_MS, tick);
  };
  timer = clock.setTimer(ADAPT_PERIOD_MS, tick);
  return () => timer?.cancel();
}

/** The limit and its controller. */
export class AdaptiveLimit {
  private current: number;
  private lastBytes: number | undefined;
  private probe: Probe | undefined;
  private hold = 0;
  private idle = 0;
  /** Saturated periods in a row. */
  private saturatedRun = 0;
  private raises = 0;
  private takenBack = 0;

  constructor(
    readonly base: number,
    readonly ceiling: number,
  ) {
    if (!(Number.isInteger(base) && base >= 1 && Number.isInteger(ceiling) && ceiling >= base)) throw new RangeError(`adaptive limit needs 1 <= base <= ceiling (got ${base}, ${ceiling})`);
    this.current = base;
  }

  /** Transfers allowed at once now. */
  get limit(): number {
    return this.current;
  }

  /** Takes one period's measurement; returns true when the limit changed. */
  sample(s: LimitSample): boolean {
    const rate = this.lastBytes === undefined ? undefined : Math.max(0, s.bytesMoved - this.lastBytes);
    this.lastBytes = s.bytesMoved;
    if (rate === undefined || this.ceiling === this.base) return false;
    const before = this.current;
    if (this.probe) this.judge(rate);
    else this.consider(rate, s.running >= this.current && s.waiting > 0);
    return this.current !== before;
  }

  counts(): AdaptiveLimitCounts {
    return { limit: this.current, base: this.base, ceiling: this.ceiling, raises: this.raises, takenBack: this.takenBack };
  }

  /** A raise under test: skip its first period, then keep it or take it back. */
  private judge(rate: number): void {
    const probe = this.probe;
    if (!probe) return;
    if (!probe.settled) {
      probe.settled = true;
      return;
    }
    this.probe = undefined;
    this.saturatedRun = 0;
    // A small last step to the ceiling needs half its own share of growth, not the full GROWTH.
    const needed = Math.min(GROWTH, (this.current / probe.from - 1) / 2);
    if (rate >= probe.rateBefore * (1 + needed) && rate > 0) {
      this.raises++;
      return;
    }
    this.takenBack++;
    this.current = probe.from;
    this.hold = HOLD_PERIODS;
  }

  /** No raise under test: raise when saturated and not holding; drift back to the base when idle. */
  private consider(rate: number, saturated: boolean): void {
    if (this.hold > 0) this.hold--;
    if (!saturated) {
      this.saturatedRun = 0;
      this.idle++;
      if (this.idle >= IDLE_PERIODS) this.current = this.base;
      return;
    }
    this.idle = 0;
    this.saturatedRun++;
    // The rate to beat is that of a period saturated from its start: the first one of a storm is still ramping up.
    if (this.hold > 0 || this.saturatedRun < 2 || this.current >= this.ceiling) return;
    this.probe = { from: this.current, rateBefore: rate, settled: false };
    this.current = Math.min(this.ceiling, Math.max(this.current + 1, Math.ceil(this.current * RAISE_FACTOR)));
  }
}
