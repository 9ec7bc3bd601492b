/** The dashboard's live hub: pushes coalesced per interval, and the interval grows with what a render costs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Clock, TimerHandle } from '../../../src/clock.js';
import { createSilentLogger } from '../../../src/log.js';
import { LIVE_FLUSH_COST_FACTOR, LIVE_FLUSH_MAX_MS, LIVE_FLUSH_MS, LiveHub, type LiveClient } from '../../../src/web/live.js';
import type { DashboardChange } from '../../../src/web/source.js';

/** A clock whose time the test sets and whose timers the test fires. */
class ScriptedClock implements Clock {
  nowMs = 0;
  readonly timers: { ms: number; fn: () => void }[] = [];
  now(): number {
    return this.nowMs;
  }
  setTimer(ms: number, fn: () => void): TimerHandle {
    this.timers.push({ ms, fn });
    return { cancel: () => undefined };
  }
}

const LEASE = { kind: 'appliance', event: { kind: 'lease' } } as unknown as DashboardChange;

test('live hub: a costly render stretches the wait before the next push (at most LIVE_FLUSH_MAX_MS); a cheap one brings it back', async () => {
  const clock = new ScriptedClock();
  let costMs = 0;
  let renders = 0;
  const hub = new LiveHub(
    {
      panel: () => {
        renders++;
        // The whole flush costs `costMs`, however many panels it renders.
        clock.nowMs += costMs;
        costMs = 0;
        return Promise.resolve('<p>x</p>');
      },
      device: () => undefined,
    },
    clock,
    createSilentLogger(),
  );
  const written: string[] = [];
  const client: LiveClient = { write: (c) => void written.push(c), queuedBytes: () => 0, close: () => undefined };
  hub.add(client);
  const pushAfter = async (cost: number): Promise<number> => {
    costMs = cost;
    hub.notice(LEASE);
    const timer = clock.timers.shift();
    assert.ok(timer, 'a push was scheduled');
    assert.equal(clock.timers.length, 0, 'one timer at a time');
    timer.fn();
    await new Promise((resolve) => setImmediate(resolve));
    return timer.ms;
  };
  assert.equal(await pushAfter(100), LIVE_FLUSH_MS, 'first push after the base interval');
  assert.ok(renders > 0 && written.some((w) => w.includes('event: leases')), 'the stale panels were pushed');
  assert.equal(await pushAfter(2000), 100 * LIVE_FLUSH_COST_FACTOR, 'after a 100 ms render: ten times that');
  assert.equal(await pushAfter(0), LIVE_FLUSH_MAX_MS, 'after a 2 s render: capped');
  assert.equal(await pushAfter(0), LIVE_FLUSH_MS, 'after a cheap render: the base interval again');
  hub.close();
});
