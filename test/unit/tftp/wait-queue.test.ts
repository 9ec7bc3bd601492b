/**
 * The queue of TFTP requests waiting for a slot, on a fake clock: its bounds (length and
 * wait), retransmissions absorbed, first come first served past clients at their limit.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.js';
import { MIN_STALE_MS, staleAfterMs, WaitQueue } from '../../../src/tftp/wait-queue.js';

function queue(maxWaitMs: number, maxLength?: number) {
  const clock = new FakeClock(0);
  const timedOut: [string, number][] = [];
  const q = new WaitQueue<string>({ clock, maxWaitMs, ...(maxLength === undefined ? {} : { maxLength }), onTimeout: (item, waited) => timedOut.push([item, waited]) });
  return { clock, q, timedOut };
}

test('a full queue and a zero wait both refuse; the same TID with the same request is a duplicate, another request is not', () => {
  const { q } = queue(1000, 2);
  assert.equal(q.offer('10.0.0.2:1000', '10.0.0.2', 'rrq a', 'A'), 'queued');
  assert.equal(q.offer('10.0.0.2:1000', '10.0.0.2', 'rrq a', 'A again'), 'duplicate');
  assert.equal(q.offer('10.0.0.2:1000', '10.0.0.2', 'rrq b', 'B'), 'queued');
  assert.equal(q.offer('10.0.0.3:1000', '10.0.0.3', 'rrq a', 'C'), 'full');
  assert.equal(q.length, 2);
  assert.equal(queue(0).q.offer('k', 'c', 'rrq a', 'A'), 'full');
});

test('take: oldest first, passing over clients that may not start one; the wait is reported', () => {
  const { clock, q } = queue(10_000);
  q.offer('a:1', 'a', 'rrq x', 'a1');
  clock.advance(100);
  q.offer('b:1', 'b', 'rrq x', 'b1');
  q.offer('a:2', 'a', 'rrq y', 'a2');
  clock.advance(50);
  assert.deepEqual(q.take((client) => client !== 'a'), { item: 'b1', waitedMs: 50 });
  assert.deepEqual(q.take(() => true), { item: 'a1', waitedMs: 150 });
  assert.equal(q.take((client) => client !== 'a'), undefined);
  assert.equal(q.length, 1);
});

test('a request that waits maxWaitMs leaves the queue and is reported once; a taken or drained one never times out', () => {
  const { clock, q, timedOut } = queue(1000);
  q.offer('a:1', 'a', 'rrq x', 'a1');
  q.offer('b:1', 'b', 'rrq x', 'b1');
  q.offer('c:1', 'c', 'rrq x', 'c1');
  q.take((client) => client === 'b');
  clock.advance(999);
  assert.deepEqual(timedOut, []);
  clock.advance(1);
  assert.deepEqual(timedOut, [['a1', 1000], ['c1', 1000]]);
  assert.equal(q.length, 0);
  q.offer('d:1', 'd', 'rrq x', 'd1');
  assert.deepEqual(q.drain(), ['d1']);
  clock.advance(5000);
  assert.equal(timedOut.length, 2);
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('a client asking for the same file from a new port (it started over) takes over its waiting request, place and wait included', () => {
  const { clock, q, timedOut } = queue(1000);
  q.offer('10.0.0.2:1000', '10.0.0.2', 'rrq fw.bin', 'first port');
  q.offer('10.0.0.3:1000', '10.0.0.3', 'rrq fw.bin', 'other device');
  clock.advance(600);
  assert.equal(q.offer('10.0.0.2:2000', '10.0.0.2', 'rrq fw.bin', 'new port'), 'moved');
  assert.equal(q.offer('10.0.0.2:2000', '10.0.0.2', 'rrq fw.bin', 'new port again'), 'duplicate', 'the new port is now the one waiting');
  assert.equal(q.length, 2);
  assert.deepEqual(q.take(() => true), { item: 'new port', waitedMs: 600 }, 'still first in line, answered on its new port');
  assert.equal(q.offer('10.0.0.3:3000', '10.0.0.3', 'rrq other.bin', 'another file'), 'queued', 'another file is another request');
  clock.advance(400);
  assert.deepEqual(timedOut, [['other device', 1000]]);
});

test('withdraw: a request whose client went away leaves the queue, its timer with it; the others keep their places', () => {
  const { clock, q, timedOut } = queue(1000);
  q.offer('a:1', 'a', 'GET x', 'a1');
  q.offer('b:1', 'b', 'GET x', 'b1');
  assert.equal(q.withdraw('a1'), true);
  assert.equal(q.withdraw('a1'), false, 'only once');
  assert.equal(q.length, 1);
  assert.deepEqual(q.take(() => true)?.item, 'b1');
  clock.advance(5000);
  assert.deepEqual(timedOut, []);
  assert.equal(clock.pending, 0, 'no timer left behind');
});

test('staleAfterMs: four of the client\'s timeouts, never under MIN_STALE_MS', () => {
  const table: [number, number][] = [
    [1000, MIN_STALE_MS],
    [2500, MIN_STALE_MS],
    [5000, 20_000],
    [255_000, 1_020_000],
  ];
  for (const [timeoutMs, stale] of table) assert.equal(staleAfterMs(timeoutMs), stale, `timeout ${timeoutMs} ms`);
});

test('a waiting client silent for longer than its staleMs is dropped at its turn, reported once; one that retransmits keeps its place', () => {
  const clock = new FakeClock(0);
  const stale: [string, number][] = [];
  const q = new WaitQueue<string>({ clock, maxWaitMs: 60_000, onTimeout: () => assert.fail('no timeout'), onStale: (item, silent) => stale.push([item, silent]) });
  assert.equal(q.offer('a:1', 'a', 'rrq x', 'gone', 10_000), 'queued');
  assert.equal(q.offer('b:1', 'b', 'rrq x', 'alive', 10_000), 'queued');
  assert.equal(q.offer('c:1', 'c', 'rrq x', 'moved', 10_000), 'queued');
  for (let t = 0; t < 12; t++) {
    clock.advance(1000);
    assert.equal(q.offer('b:1', 'b', 'rrq x', 'alive', 10_000), 'duplicate', 'b retransmits every second');
    if (t === 8) assert.equal(q.offer('c:2', 'c', 'rrq x', 'moved', 10_000), 'moved', 'c started over from a new port');
  }
  // 12 s on: a was last heard at 0, b at 12 s, c at 9 s.
  assert.equal(q.take(() => true)?.item, 'alive');
  assert.deepEqual(stale, [['gone', 12_000]]);
  assert.equal(q.take(() => true)?.item, 'moved');
  assert.equal(q.take(() => true), undefined);
  assert.equal(stale.length, 1);
});

test('a silent client is dropped even when its address may not start a transfer now; without a staleMs nobody is ever stale', () => {
  const clock = new FakeClock(0);
  const stale: string[] = [];
  const q = new WaitQueue<string>({ clock, maxWaitMs: 60_000, onTimeout: () => undefined, onStale: (item) => stale.push(item) });
  q.offer('a:1', 'a', 'rrq x', 'silent', 10_000);
  q.offer('b:1', 'b', 'rrq x', 'patient');
  clock.advance(30_000);
  assert.equal(q.take((client) => client !== 'a' && client !== 'b'), undefined);
  assert.deepEqual(stale, ['silent']);
  assert.equal(q.length, 1);
  assert.equal(q.take(() => true)?.item, 'patient');
});
