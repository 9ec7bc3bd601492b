/**
 * Which kept versions of an upload name are pruned (pure): the first version and the
 * one just saved always stay, the oldest later versions go, names of other uploads
 * are never touched, and version names shortened to 255 bytes are recognised.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { versionedName } from '../../../src/tftp/upload-names.js';
import { versionPlace, versionsToPrune } from '../../../src/tftp/upload-versions.js';

const T1 = Date.UTC(2026, 11, 1, 8, 0, 0);
const T2 = Date.UTC(2026, 11, 2, 8, 0, 0);
const T3 = Date.UTC(2026, 11, 3, 8, 0, 0);
const T4 = Date.UTC(2026, 11, 4, 8, 0, 0);
const v = (name: string, at: number, attempt = 1): string => versionedName(name, at, attempt);

interface Case {
  readonly edge: string;
  readonly stored: readonly string[];
  readonly max: number;
  readonly justSaved: string;
  readonly pruned: readonly string[];
}

const R = 'router1-confg';
const cases: readonly Case[] = [
  { edge: 'under the cap: nothing goes', stored: [R, v(R, T1), v(R, T2)], max: 3, justSaved: v(R, T2), pruned: [] },
  { edge: 'one over: the oldest later version goes, the first stays', stored: [R, v(R, T1), v(R, T2), v(R, T3)], max: 3, justSaved: v(R, T3), pruned: [v(R, T1)] },
  { edge: 'cap 2: the first and the newest only', stored: [R, v(R, T1), v(R, T2), v(R, T3), v(R, T4)], max: 2, justSaved: v(R, T4), pruned: [v(R, T1), v(R, T2), v(R, T3)] },
  { edge: 'listing order does not matter: age comes from the stamp', stored: [v(R, T3), v(R, T1), R, v(R, T4), v(R, T2)], max: 3, justSaved: v(R, T4), pruned: [v(R, T1), v(R, T2)] },
  { edge: 'within one millisecond -2 is newer than the plain stamp, -10 newer than -9', stored: [R, v(R, T1, 10), v(R, T1), v(R, T1, 9), v(R, T1, 2)], max: 3, justSaved: v(R, T1, 10), pruned: [v(R, T1), v(R, T1, 2)] },
  { edge: 'the version just saved stays even when its stamp is older (clock set back)', stored: [R, v(R, T3), v(R, T4), v(R, T1)], max: 2, justSaved: v(R, T1), pruned: [v(R, T3), v(R, T4)] },
  { edge: 'the first removed by hand: the cap counts what is there', stored: [v(R, T1), v(R, T2), v(R, T3)], max: 2, justSaved: v(R, T3), pruned: [v(R, T1)] },
  { edge: 'the first upload itself was just saved: later leftovers beyond the cap go', stored: [R, v(R, T1), v(R, T2)], max: 2, justSaved: R, pruned: [v(R, T1)] },
  {
    edge: 'other names are never versions: a prefix, another suffix, a dated name of another base',
    stored: [R, v(R, T1), v(R, T2), 'router1-confg-old', v('router1', T1), `${R}.bak`, v('router10-confg', T1), `${R}.2026-12-01T08-00-00Z`],
    max: 2,
    justSaved: v(R, T2),
    pruned: [v(R, T1)],
  },
];

for (const c of cases) {
  test(`prune: ${c.edge}`, () => {
    assert.deepEqual(versionsToPrune(R, c.stored, c.max, c.justSaved), c.pruned);
  });
}

test('prune: versions of a 254-byte name (shortened to fit 255 bytes) are recognised', () => {
  const long = 'é'.repeat(127);
  const stored = [long, v(long, T1), v(long, T2), v(long, T3, 2)];
  assert.ok(stored.slice(1).every((n) => Buffer.byteLength(n) <= 255 && !n.startsWith(long)), 'the later versions have a shortened base');
  assert.deepEqual(versionsToPrune(long, stored, 2, v(long, T3, 2)), [v(long, T1), v(long, T2)]);
});

test('versionPlace: the plain name is the first, a stamped one says when and which attempt', () => {
  assert.deepEqual(versionPlace(R, R), { stamp: '', attempt: 0 });
  assert.deepEqual(versionPlace(R, v(R, T1)), { stamp: '2026-12-01T08-00-00.000Z', attempt: 1 });
  assert.deepEqual(versionPlace(R, v(R, T1, 3)), { stamp: '2026-12-01T08-00-00.000Z', attempt: 3 });
  assert.equal(versionPlace(R, v('switch1-confg', T1)), undefined);
});
