/**
 * The steady clock (issue 16 point 7): wall time at start, then monotonic time; a step of
 * the wall clock changes neither `now()` nor the timers, is reported once, and is kept as
 * the offset `toWall` adds. Time sources are a FakeClock (monotonic) and a wall clock the
 * test sets by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { FakeClock, wallTimeOf } from '../../src/clock.js';
import { SteadyClock, type ClockStep } from '../../src/steady-clock.js';
import { logClockStep } from '../../src/cli/serve-clock.js';
import { createLogger } from '../../src/log.js';

const START = Date.UTC(2026, 11, 5, 8, 0, 0);
const DAY = 24 * 3600 * 1000;

/** A steady clock over a FakeClock and a wall clock that follows it until the test steps it. */
function clocks(onStep?: (step: ClockStep) => void) {
  const monotonic = new FakeClock(0);
  let wallOffset = START;
  const wall = { step: (ms: number) => (wallOffset += ms), now: () => monotonic.now() + wallOffset };
  const steps: ClockStep[] = [];
  const clock = new SteadyClock({ wall: wall.now, monotonic, onStep: onStep ?? ((s) => steps.push(s)) });
  return { monotonic, wall, clock, steps };
}

test('now() starts at the wall time and then counts monotonic time, whatever the wall clock does', () => {
  const { monotonic, wall, clock } = clocks();
  assert.equal(clock.now(), START);
  monotonic.advance(1000);
  wall.step(DAY);
  assert.equal(clock.now(), START + 1000);
  monotonic.advance(500);
  wall.step(-2 * DAY);
  assert.equal(clock.now(), START + 1500);
});

test('toWall gives the wall clock\'s reckoning of a time, before and after a step', () => {
  const { monotonic, wall, clock } = clocks();
  const expiresAt = clock.now() + 3600_000;
  assert.equal(clock.toWall(expiresAt), START + 3600_000);
  monotonic.advance(1000);
  wall.step(DAY);
  assert.equal(clock.toWall(expiresAt), START + 3600_000 + DAY);
  assert.equal(wallTimeOf(clock, expiresAt), START + 3600_000 + DAY);
  assert.equal(wallTimeOf(new FakeClock(), expiresAt), expiresAt, 'a clock without toWall is the wall clock');
});

test('timers run on monotonic time: a wall step neither fires nor delays them', () => {
  const { monotonic, wall, clock } = clocks();
  const fired: number[] = [];
  clock.setTimer(600_000, () => fired.push(clock.now()));
  wall.step(DAY);
  monotonic.advance(599_999);
  assert.deepEqual(fired, []);
  wall.step(-DAY);
  monotonic.advance(1);
  assert.deepEqual(fired, [START + 600_000]);
});

test('each step is reported once, forward and back; drift under the threshold is followed silently', () => {
  const { monotonic, wall, clock, steps } = clocks();
  wall.step(1500);
  monotonic.advance(10);
  assert.equal(clock.now(), START + 10);
  assert.equal(clock.toWall(START + 10), START + 1510, 'the small move is kept as the offset');
  wall.step(DAY);
  for (let i = 0; i < 5; i++) clock.now();
  wall.step(-DAY);
  clock.toWall(0);
  clock.now();
  assert.deepEqual(steps, [
    { stepMs: DAY, wallNow: START + 10 + 1500 + DAY },
    { stepMs: -DAY, wallNow: START + 10 + 1500 },
  ]);
});

test('the serve log line of a step says which way and how far, once per step', async () => {
  const stream = new PassThrough();
  const logger = createLogger({ level: 'info', json: true, stream });
  const { monotonic, wall, clock } = clocks((s) => logClockStep(logger, s));
  wall.step(DAY);
  monotonic.advance(1000);
  clock.now();
  clock.now();
  wall.step(-DAY);
  clock.now();
  await new Promise((r) => setImmediate(r));
  const lines = String(stream.read() ?? '').trim().split('\n').map((l) => JSON.parse(l) as { level: string; message: string; stepMs: number });
  assert.deepEqual(
    lines.map((l) => [l.level, l.message, l.stepMs]),
    [
      ['warn', 'the wall clock stepped forward by 1d 0h; lease times keep running', DAY],
      ['warn', 'the wall clock stepped back by 1d 0h; lease times keep running', -DAY],
    ],
  );
});
