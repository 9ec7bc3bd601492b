/**
 * The adaptive transfer limit (issue 15): raised while requests wait and the bytes
 * moved per second grow with it, taken back when a raise does not pay, back to the
 * base when the storm is over, never under the base nor over the ceiling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { defaultTransfersCeiling } from '../../../src/appliance/tftp-limits.js';
import { AdaptiveLimit, HOLD_PERIODS, IDLE_PERIODS } from '../../../src/tftp/adaptive-limit.js';

/** What the machine does with `limit` transfers at once: bytes per period, and whether requests wait. */
type Machine = (limit: number) => { readonly rate: number; readonly waiting: number };

/** Feeds `periods` samples from `machine`; returns the limit after each. */
function run(limit: AdaptiveLimit, machine: Machine, periods: number, start = { bytes: 0 }): number[] {
  const limits: number[] = [];
  for (let i = 0; i < periods; i++) {
    const { rate, waiting } = machine(limit.limit);
    start.bytes += rate;
    limit.sample({ bytesMoved: start.bytes, running: limit.limit, waiting });
    limits.push(limit.limit);
  }
  return limits;
}

/** A machine whose rate grows with every transfer (clients that answer slowly): 1 MB/s each. */
const slowClients: Machine = (limit) => ({ rate: limit * 1e6, waiting: 300 });

/** A machine saturated at 200 MB/s: more transfers only cost (the CPU-bound bench). */
const cpuBound: Machine = (limit) => ({ rate: 200e6 - Math.max(0, limit - 200) * 0.2e6, waiting: 300 });

test('while requests wait and the rate grows with the limit, the limit climbs a quarter at a time to the ceiling, and no further', () => {
  const limit = new AdaptiveLimit(200, 800);
  const limits = run(limit, slowClients, 40);
  assert.equal(limits[0], 200, 'the first sample only sets the byte count');
  assert.equal(limits[1], 200, 'the first saturated period may still be ramping up: no raise on it');
  assert.equal(limits[2], 250, 'the second saturated period in a row raises by a quarter');
  assert.ok(limits.includes(313) && limits.includes(392), `steps of a quarter, rounded up: ${limits.join(' ')}`);
  assert.equal(limits.at(-1), 800);
  assert.ok(limits.every((l) => l >= 200 && l <= 800));
  assert.equal(limits.indexOf(800), limits.lastIndexOf(767) + 1, `the short last step to the ceiling is kept too: ${limits.join(' ')}`);
  assert.deepEqual({ ...limit.counts(), raises: limit.counts().raises > 0 }, { limit: 800, base: 200, ceiling: 800, raises: true, takenBack: 0 });
});

test('a raise that does not grow the rate is taken back, and the limit holds before it tries again', () => {
  const limit = new AdaptiveLimit(200, 800);
  const limits = run(limit, cpuBound, 30);
  assert.ok(Math.max(...limits) === 250, `never beyond one step: ${limits.join(' ')}`);
  const firstBack = limits.indexOf(200, limits.indexOf(250));
  assert.ok(firstBack > 0, 'taken back');
  const nextRaise = limits.indexOf(250, firstBack);
  assert.ok(nextRaise - firstBack >= HOLD_PERIODS, `held ${HOLD_PERIODS} periods before the next try (took back at ${firstBack}, raised again at ${nextRaise})`);
  assert.ok(limit.counts().takenBack >= 2);
  assert.equal(limit.counts().raises, 0);
});

test('without requests waiting the limit is not raised, and after a storm it returns to the base', () => {
  const limit = new AdaptiveLimit(200, 800);
  const bytes = { bytes: 0 };
  assert.deepEqual(run(limit, (l) => ({ rate: l * 1e6, waiting: 0 }), 10, bytes), Array(10).fill(200), 'no demand beyond the limit: no raise');
  run(limit, slowClients, 12, bytes);
  assert.ok(limit.limit > 200, 'raised in the storm');
  const after = run(limit, () => ({ rate: 0, waiting: 0 }), IDLE_PERIODS, bytes);
  assert.equal(after.at(-1), 200, `back to the base after ${IDLE_PERIODS} quiet periods`);
  assert.ok(after.slice(0, -1).every((l) => l > 200), 'not before');
});

test('a base equal to the ceiling is a fixed limit; bad bounds are refused; the serve default ceiling is 4 x the base, at most 10000', () => {
  const fixed = new AdaptiveLimit(30, 30);
  assert.deepEqual(run(fixed, slowClients, 10), Array(10).fill(30));
  assert.throws(() => new AdaptiveLimit(0, 10), RangeError);
  assert.throws(() => new AdaptiveLimit(20, 10), RangeError);
  assert.throws(() => new AdaptiveLimit(1.5, 10), RangeError);
  assert.equal(defaultTransfersCeiling(200), 800);
  assert.equal(defaultTransfersCeiling(5000), 10_000);
  assert.equal(defaultTransfersCeiling(10_000), 10_000);
});
