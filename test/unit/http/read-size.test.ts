/**
 * The large-read slots of the HTTP server: the first LARGE_READ_SLOTS downloads at once
 * read 1 MiB at a time, the rest 64 KiB, and a slot given back is taken again.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LARGE_READ_BYTES, LARGE_READ_SLOTS, ReadSizes, SMALL_READ_BYTES } from '../../../src/http/read-size.js';

test('large reads are rationed to the slots; the others read small; a slot given back is taken again', () => {
  const sizes = new ReadSizes();
  const taken = Array.from({ length: LARGE_READ_SLOTS + 3 }, () => sizes.take());
  assert.deepEqual(taken, [...Array<number>(LARGE_READ_SLOTS).fill(LARGE_READ_BYTES), SMALL_READ_BYTES, SMALL_READ_BYTES, SMALL_READ_BYTES]);
  sizes.give(SMALL_READ_BYTES);
  assert.equal(sizes.take(), SMALL_READ_BYTES);
  sizes.give(LARGE_READ_BYTES);
  assert.equal(sizes.large, LARGE_READ_SLOTS - 1);
  assert.equal(sizes.take(), LARGE_READ_BYTES);
});

test('memory held by reads stays bounded: 500 downloads at once hold at most 2 reads each', () => {
  const sizes = new ReadSizes();
  const total = Array.from({ length: 500 }, () => sizes.take()).reduce((a, b) => a + 2 * b, 0);
  assert.equal(total, LARGE_READ_SLOTS * 2 * LARGE_READ_BYTES + (500 - LARGE_READ_SLOTS) * 2 * SMALL_READ_BYTES);
  assert.ok(total <= 96 * 1024 * 1024);
});
