/**
 * Durations in scope files: a number of seconds (`3600`) or text with units
 * (`90s`, `30m`, `12h`, `7d`, `1w`, or combined such as `1h30m`).
 */

const UNIT_SECONDS = { s: 1, m: 60, h: 3600, d: 86_400, w: 604_800 } as const;

const DURATION_TEXT = /^(\d+[smhdw])+$/;

/** Parses a duration to whole seconds; throws RangeError with a readable message. */
export function parseDuration(value: unknown): number {
  if (typeof value === 'number') {
    if (!Number.isInteger(value) || value < 0) throw new RangeError(`${value} is not a whole number of seconds`);
    return value;
  }
  if (typeof value !== 'string') throw new RangeError('expected seconds or text such as 30m, 12h, 7d');
  const text = value.trim().toLowerCase();
  if (/^\d+$/.test(text)) return Number(text);
  if (!DURATION_TEXT.test(text)) {
    throw new RangeError(`"${value}" is not a duration (use seconds or 90s, 30m, 12h, 7d, 1w, 1h30m)`);
  }
  let seconds = 0;
  for (const m of text.matchAll(/(\d+)([smhdw])/g)) {
    const unit = m[2] as keyof typeof UNIT_SECONDS;
    seconds += Number(m[1]) * UNIT_SECONDS[unit];
  }
  return seconds;
}

/** The shortest exact text for a number of seconds, e.g. 5400 → `1h30m`, 3600 → `1h`. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  let rest = seconds;
  let out = '';
  for (const unit of ['w', 'd', 'h', 'm', 's'] as const) {
    const size = UNIT_SECONDS[unit];
    const n = Math.floor(rest / size);
    if (n > 0) {
      out += `${n}${unit}`;
      rest -= n * size;
    }
  }
  return out;
}
