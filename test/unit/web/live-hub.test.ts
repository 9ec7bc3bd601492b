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

test('live hub: each page gets the device table of its own filter, once per filter, and a new page gets its table at once', async () => {
  const clock = new ScriptedClock();
  const rendered: string[] = [];
  const hub = new LiveHub(
    {
      panel: (p, filter) => {
        const label = `${p}:${filter?.status ?? 'all'}:${filter?.q ?? ''}`;
        rendered.push(label);
        return Promise.resolve(`<p>${label}</p>`);
      },
      device: (mac) => ({ status: `<p>${mac}</p>`, timeline: '<li>t</li>' }),
    },
    clock,
    createSilentLogger(),
  );
  const page = (filter?: { status?: string; q?: string }, device?: string): LiveClient & { text: string[] } => {
    const text: string[] = [];
    return { text, ...(filter ? { filter } : {}), ...(device ? { device } : {}), write: (c) => void text.push(c), queuedBytes: () => 0, close: () => undefined };
  };
  const all = page();
  const stuck = page({ status: 'stuck' });
  const stuckToo = page({ status: 'stuck', q: '  ' });
  const detail = page(undefined, '02:00:00:00:00:0c');
  for (const p of [all, stuck, stuckToo, detail]) hub.add(p);
  await new Promise((resolve) => setImmediate(resolve));
  assert.match(stuck.text.join(''), /event: devices\ndata: <p>devices:stuck:<\/p>/, 'a new page gets its table without waiting for a change');
  assert.ok(!detail.text.join('').includes('event: devices'), "a device's page has no device table");

  rendered.length = 0;
  for (const p of [all, stuck, stuckToo, detail]) p.text.length = 0;
  hub.notice({ kind: 'device', change: { kind: 'reset', mac: '02:00:00:00:00:0c', atMs: 0 } } as DashboardChange);
  const timer = clock.timers.shift();
  assert.ok(timer);
  timer.fn();
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(rendered.filter((r) => r.startsWith('devices')).sort(), ['devices:all:', 'devices:stuck:'], 'one render per distinct filter (blank search = none)');
  assert.match(all.text.join(''), /data: <p>devices:all:<\/p>/);
  assert.ok(!all.text.join('').includes('devices:stuck'), 'a page never gets the table of another filter');
  assert.match(stuckToo.text.join(''), /data: <p>devices:stuck:<\/p>/);
  assert.match(detail.text.join(''), /event: device-status\ndata: <p>02:00:00:00:00:0c<\/p>/, 'the device page gets its device');
  hub.close();
});
