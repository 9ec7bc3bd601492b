/**
 * Waiting for a condition the code under test reaches on its own time (a file written
 * and synced in the thread pool, a counter bumped when a datagram arrives). The bound is
 * only there so a broken test ends: generous, because a shared machine can be slow, and
 * never part of what a test asserts.
 */
import assert from 'node:assert/strict';

/** Polls `check` every 10 ms until it holds; fails with `what` after `limitMs` (default 30 s). */
export async function waitUntil(check: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!check() && Date.now() < end) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), what);
}
