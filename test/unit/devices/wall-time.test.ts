/**
 * Device times on the wall clock (wall-time.ts, persist.ts): a record, an event and a
 * journal entry are copied with every time moved by `toWall` (the book's own record is
 * left as it is), and a book journaled with `toWall` hands the store wall times, in its
 * appends and in its compactions, as the lease files hold them.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceBook } from '../../../src/devices/book.js';
import type { JournalEntry } from '../../../src/devices/journal-entry.js';
import { compactBook, journalChanges } from '../../../src/devices/persist.js';
import type { DeviceRecord } from '../../../src/devices/record.js';
import type { DeviceStore } from '../../../src/devices/store.js';
import { entryOnWall, recordOnWall } from '../../../src/devices/wall-time.js';
import { ack, file, obs, T0 } from './fixtures.js';

const DAY = 24 * 3600_000;
const toWall = (t: number): number => t + DAY;

/** A store that keeps what it is handed. */
function recordingStore(): { store: DeviceStore; appended: JournalEntry[]; compacted: DeviceRecord[][] } {
  const appended: JournalEntry[] = [];
  const compacted: DeviceRecord[][] = [];
  const store: DeviceStore = {
    load: () => Promise.resolve({ records: [], entries: [], damagedLines: 0, tornLines: 0, maxGeneration: 0, generations: [] }),
    append: (e) => void appended.push(e),
    reset: (mac, atMs) => void appended.push({ t: 'reset', mac, atMs }),
    compact: (records) => Promise.resolve(void compacted.push([...records] as DeviceRecord[])),
    flush: () => Promise.resolve(),
    close: () => Promise.resolve(),
    stats: () => ({ appended: 0, written: 0, lost: 0, batches: 0, compactions: 0, damagedLines: 0, tornLines: 0 }),
  };
  return { store, appended, compacted };
}

test('recordOnWall moves every time of a record (seen, timeline, lease, files) and leaves the book\'s record alone', () => {
  const book = new DeviceBook();
  book.apply(obs(ack(T0)));
  book.apply(obs(file('a.cfg', T0 + 1000)));
  const record = book.list()[0];
  assert.ok(record);
  const wall = recordOnWall(record, toWall);
  assert.deepEqual([wall.firstSeenMs, wall.lastSeenMs], [T0 + DAY, T0 + 1000 + DAY]);
  assert.deepEqual(wall.timeline.map((e) => e.atMs), [T0 + DAY, T0 + 1000 + DAY]);
  assert.equal(wall.progress.lease?.ackAtMs, T0 + DAY);
  assert.equal(wall.progress.lastDhcp?.atMs, T0 + DAY);
  assert.deepEqual(wall.progress.files.map((f) => f.atMs), [T0 + 1000 + DAY]);
  assert.equal(wall.progress.lastFileAtMs, T0 + 1000 + DAY);
  assert.deepEqual([record.firstSeenMs, record.timeline[0]?.atMs], [T0, T0]);
});

test('entryOnWall moves the time of an observation, a reset and an eviction', () => {
  assert.equal((entryOnWall({ t: 'obs', o: obs(ack(T0)) }, toWall) as { o: { event: { atMs: number } } }).o.event.atMs, T0 + DAY);
  assert.deepEqual(entryOnWall({ t: 'reset', mac: '001bd4aabbcc', atMs: T0 }, toWall), { t: 'reset', mac: '001bd4aabbcc', atMs: T0 + DAY });
  assert.deepEqual(entryOnWall({ t: 'evict', mac: '001bd4aabbcc', atMs: T0 }, toWall), { t: 'evict', mac: '001bd4aabbcc', atMs: T0 + DAY });
});

test('a book journaled with toWall appends and compacts wall times; without it, its own', async () => {
  const book = new DeviceBook();
  const { store, appended, compacted } = recordingStore();
  const stop = journalChanges(book, store, { toWall });
  book.apply(obs(ack(T0)));
  book.reset('00:1b:d4:aa:bb:cc', T0 + 5000);
  stop();
  await compactBook(book, store, toWall);
  assert.deepEqual(
    appended.map((e) => (e.t === 'obs' ? e.o.event.atMs : e.atMs)),
    [T0 + DAY, T0 + 5000 + DAY],
  );
  assert.deepEqual(compacted[0]?.map((r) => r.timeline.map((e) => e.atMs)), [[T0 + 5000 + DAY]]);
  await compactBook(book, store);
  assert.deepEqual(compacted[1]?.map((r) => r.timeline.map((e) => e.atMs)), [[T0 + 5000]]);
});
