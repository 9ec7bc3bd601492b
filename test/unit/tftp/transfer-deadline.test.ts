/**
 * Transfer deadlines as a pure decision: the deadline is allowance + size / floor, the
 * size being the file (read), the announced tsize (write) or the bytes so far (write
 * without tsize); the default floor is checked against the slow links and storms it
 * must never end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkRate, deadlineAfterMs, DEFAULT_MIN_BYTES_PER_SECOND, DEFAULT_RATE_ALLOWANCE_MS, formatTooSlow, type RateFloor } from '../../../src/tftp/transfer-deadline.js';

const floor: RateFloor = { minBytesPerSecond: 1024, allowanceMs: 60_000 };
const MIB = 1024 * 1024;

test('checkRate: on time, too slow or off', () => {
  const cases: readonly [string, RateFloor, Parameters<typeof checkRate>[1], ReturnType<typeof checkRate>][] = [
    ['a read of 10 KiB: deadline 60 s + 10 s, checked again then', floor, { elapsedMs: 0, bytes: 0, sizeBytes: 10 * 1024 }, { kind: 'on-time', checkInMs: 70_000 }],
    ['a read one ms before its deadline is on time', floor, { elapsedMs: 69_999, bytes: 512, sizeBytes: 10 * 1024 }, { kind: 'on-time', checkInMs: 1 }],
    ['a read at its deadline is too slow, however far it got', floor, { elapsedMs: 70_000, bytes: 9 * 1024, sizeBytes: 10 * 1024 }, { kind: 'too-slow', bytes: 9 * 1024, elapsedMs: 70_000, minBytesPerSecond: 1024 }],
    ['a write without tsize: within the allowance with nothing received yet', floor, { elapsedMs: 30_000, bytes: 0 }, { kind: 'on-time', checkInMs: 30_000 }],
    ['a write without tsize keeping the floor: its deadline moves on with the bytes', floor, { elapsedMs: 60_000, bytes: 20 * 1024 }, { kind: 'on-time', checkInMs: 20_000 }],
    ['a write without tsize under the floor after the allowance', floor, { elapsedMs: 90_000, bytes: 20 * 1024 }, { kind: 'too-slow', bytes: 20 * 1024, elapsedMs: 90_000, minBytesPerSecond: 1024 }],
    ['a write with tsize: the announced size sets the deadline', floor, { elapsedMs: 90_000, bytes: 20 * 1024, sizeBytes: 40 * 1024 }, { kind: 'on-time', checkInMs: 10_000 }],
    ['floor 0: no deadline at all', { minBytesPerSecond: 0, allowanceMs: 60_000 }, { elapsedMs: 10 ** 9, bytes: 0, sizeBytes: 1 }, { kind: 'off' }],
  ];
  for (const [name, f, facts, want] of cases) assert.deepEqual(checkRate(f, facts), want, name);
});

test('the default floor ends a one-block-per-timeout peer but never a slow link or a storm on it', () => {
  const dflt: RateFloor = { minBytesPerSecond: DEFAULT_MIN_BYTES_PER_SECOND, allowanceMs: DEFAULT_RATE_ALLOWANCE_MS };
  const timeToMove = (bytes: number, bytesPerSecond: number): number => (bytes / bytesPerSecond) * 1000;
  // Measured on a veth pair shaped to 10 Mb/s each way (tc tbf): lock-step at blksize 512,
  // tftp-hpa fetched 8 MiB in 10.9 s (770 KB/s).
  assert.ok(timeToMove(8 * MIB, 770_000) < deadlineAfterMs(dflt, 8 * MIB));
  // Same link, 500 devices × 2 MiB with 200 slots: the slowest transfer averaged 3,666 B/s.
  assert.ok(timeToMove(2 * MIB, 3666) < deadlineAfterMs(dflt, 2 * MIB));
  // ... which a floor of 4 KiB/s would have ended (it did, 22 times, in that run).
  assert.ok(timeToMove(2 * MIB, 3666) > deadlineAfterMs({ ...dflt, minBytesPerSecond: 4096 }, 2 * MIB));
  // A peer that ACKs one 512- or 1468-byte block per 1 s timeout is ended.
  assert.ok(timeToMove(8 * MIB, 512) > deadlineAfterMs(dflt, 8 * MIB));
  assert.ok(timeToMove(8 * MIB, 1468) > deadlineAfterMs(dflt, 8 * MIB));
});

test('formatTooSlow names the bytes, the time and the floor (the ERROR 0 text and the log reason)', () => {
  assert.equal(formatTooSlow({ kind: 'too-slow', bytes: 7680, elapsedMs: 15_001, minBytesPerSecond: 1024 }), 'transfer too slow: 7680 bytes in 15 s, below the floor of 1024 bytes/s');
});
