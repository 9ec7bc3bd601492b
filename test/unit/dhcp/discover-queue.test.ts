/** DISCOVERs wait their turn after the socket reads: bounded, a time slice per turn, dropped and counted when full. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DiscoverQueue } from '../../../src/dhcp/discover-queue.js';

/** A queue whose turns the test runs by hand, on a time the answers advance. */
function rig(max: number, turnMs: number, costMs: number): { q: DiscoverQueue; turns: (() => void)[]; answered: number[]; push: (n: number) => boolean } {
  let nowMs = 0;
  const turns: (() => void)[] = [];
  const answered: number[] = [];
  const q = new DiscoverQueue({ max, turnMs, defer: (fn) => void turns.push(fn), now: () => nowMs });
  const push = (n: number): boolean =>
    q.push(() => {
      answered.push(n);
      nowMs += costMs;
    });
  return { q, turns, answered, push };
}

test('discover queue: answered in arrival order, a time slice per turn (at least one), the rest in the next turn', () => {
  const { q, turns, answered, push } = rig(64, 2, 0.5);
  for (let i = 0; i < 6; i++) assert.equal(push(i), true);
  assert.equal(turns.length, 1, 'one turn scheduled, however many wait');
  assert.deepEqual(answered, [], 'nothing is answered while the socket is being read');
  turns.shift()?.();
  assert.deepEqual(answered, [0, 1, 2, 3], 'a 2 ms slice: four answers of 0.5 ms');
  assert.equal(q.size(), 2);
  assert.equal(turns.length, 1, 'the rest wait for the next turn');
  turns.shift()?.();
  assert.deepEqual(answered, [0, 1, 2, 3, 4, 5]);
  assert.equal(turns.length, 0, 'an empty queue schedules nothing');
  assert.equal(q.dropped(), 0);

  const slow = rig(64, 2, 10);
  slow.push(1);
  slow.push(2);
  slow.turns.shift()?.();
  assert.deepEqual(slow.answered, [1], 'an answer longer than the slice still gets its turn, alone');
});

test('discover queue: when full, a new DISCOVER is dropped and counted; clear forgets the waiting ones', () => {
  const { q, turns, answered, push } = rig(3, 2, 0);
  assert.deepEqual([push(1), push(2), push(3), push(4), push(5)], [true, true, true, false, false]);
  assert.equal(q.dropped(), 2);
  assert.equal(q.size(), 3);
  q.clear();
  turns.shift()?.();
  assert.deepEqual(answered, [], 'nothing answered after clear');
  assert.equal(push(6), true, 'room again');
});
