/**
 * The JSON-lines device store: records survive close/reopen and a dropped process,
 * batching by timer (fake clock) and by size, damaged and torn lines skipped with
 * file:line, compaction, and a damaged snapshot line losing only its device.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Transport from 'winston-transport';
import winston from 'winston';
import { FakeClock } from '../../../src/clock.js';
import { DeviceBook } from '../../../src/devices/book.js';
import { openJsonlDeviceStore } from '../../../src/devices/jsonl-store.js';
import { compactBook, compactionThreshold, journalChanges, restoreBook } from '../../../src/devices/persist.js';
import { deviceJournalName } from '../../../src/devices/journal-read.js';
import type { DeviceStore } from '../../../src/devices/store.js';
import { ack, at, dhcp, file, MAC, obs } from './fixtures.js';

class MemoryTransport extends Transport {
  readonly entries: { level: string; message: string; file?: string }[] = [];
  override log(info: { level: string; message: string; file?: string }, next: () => void): void {
    this.entries.push({ level: info.level, message: info.message, file: info.file });
    next();
  }
}

export function captureLogger(): { logger: winston.Logger; transport: MemoryTransport } {
  const transport = new MemoryTransport();
  return { logger: winston.createLogger({ level: 'debug', transports: [transport] }), transport };
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-devices-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

async function openBook(dir: string, clock = new FakeClock(at(0))): Promise<{ book: DeviceBook; store: DeviceStore; clock: FakeClock; log: MemoryTransport }> {
  const { logger, transport } = captureLogger();
  const store = await openJsonlDeviceStore({ dir, clock, logger });
  const book = new DeviceBook();
  await restoreBook(book, store, clock.now());
  journalChanges(book, store);
  return { book, store, clock, log: transport };
}

function fill(book: DeviceBook): void {
  book.apply(obs(dhcp('discover', at(0)), MAC, { vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' }));
  book.apply(obs(ack(at(1))));
  book.apply(obs(file('SEP001BD4AABBCC.cnf.xml', at(2))));
  book.apply(obs(dhcp('discover', at(3)), '02:00:00:00:00:01'));
}

test('store: records survive close and reopen (timeline, facts, progress)', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  fill(a.book);
  await a.store.close();
  const b = await openBook(dir);
  assert.deepEqual(b.book.list(), a.book.list());
  assert.equal(b.book.status(MAC, at(30))?.status, 'provisioned');
  await b.store.close();
});

test('store: kill-style — flushed entries survive a process that never closed; unflushed ones are the accepted loss', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  fill(a.book);
  a.clock.advance(1000);
  await a.store.flush();
  a.book.apply(obs(dhcp('request', at(5))));
  // No close, no timer: the process "dies" here with one entry still in memory.
  const b = await openBook(dir);
  assert.equal(b.book.get(MAC)?.timeline.length, 3);
  assert.equal(b.book.list().length, 2);
  await b.store.close();
});

test('store: appends wait in memory until the timer (flushIntervalMs) fires, then go as one batch', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  fill(a.book);
  await new Promise((r) => setImmediate(r));
  assert.equal(a.store.stats().written, 0);
  a.clock.advance(999);
  assert.equal(a.clock.pending, 1);
  a.clock.advance(1);
  assert.equal(a.clock.pending, 0);
  await a.store.flush();
  assert.deepEqual([a.store.stats().written, a.store.stats().batches], [4, 1]);
  await a.store.close();
});

test('store: a full batch (flushAfterEntries) is written without waiting for the timer', async (t) => {
  const dir = await tempDir(t);
  const { logger } = captureLogger();
  const clock = new FakeClock(at(0));
  const store = await openJsonlDeviceStore({ dir, clock, logger, flushAfterEntries: 3 });
  await store.load();
  for (let i = 0; i < 3; i++) store.append({ t: 'obs', o: obs(dhcp('discover', at(i))) });
  assert.equal(clock.pending, 0);
  await store.flush();
  assert.equal(store.stats().batches, 1);
  await store.close();
});

test('store: a damaged middle line is skipped with file:line and counted; lines before and after load', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  fill(a.book);
  await a.store.close();
  const path = join(dir, deviceJournalName(0));
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines[1] = '{"t":"obs","o":{"mac":"001bd4aabbcc","event":{"kind":"dhcp","atMs":"yesterday"}}}';
  await writeFile(path, lines.join('\n'));
  const b = await openBook(dir);
  assert.deepEqual(b.book.get(MAC)?.timeline.map((e) => e.atMs), [at(0), at(2)]);
  assert.ok(b.book.get('020000000001'));
  assert.equal(b.store.stats().damagedLines, 1);
  assert.ok(b.log.entries.some((e) => e.level === 'warn' && e.file === `${path}:2`));
  await b.store.close();
});

test('store: a torn last line is tolerated and counted apart; the next run writes a new generation', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  fill(a.book);
  await a.store.close();
  await appendFile(join(dir, deviceJournalName(0)), '{"t":"obs","o":{"mac":"00');
  const b = await openBook(dir);
  assert.equal(b.book.list().length, 2);
  assert.deepEqual([b.store.stats().tornLines, b.store.stats().damagedLines], [1, 0]);
  b.book.apply(obs(dhcp('request', at(9))));
  await b.store.close();
  assert.ok((await readdir(dir)).includes(deviceJournalName(1)));
  const c = await openBook(dir);
  assert.equal(c.book.get(MAC)?.timeline.length, 4);
  await c.store.close();
});

test('store: compaction writes a snapshot, removes old generations, and later appends still load', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  fill(a.book);
  await compactBook(a.book, a.store);
  a.book.apply(obs(dhcp('request', at(9))));
  a.book.reset('020000000001', at(10));
  await a.store.close();
  const names = (await readdir(dir)).sort();
  assert.deepEqual(names, ['journal.1.jsonl', 'snapshot.jsonl']);
  const b = await openBook(dir);
  assert.deepEqual(b.book.list(), a.book.list());
  assert.equal(b.store.stats().compactions, 0);
  await b.store.close();
});

test('store: a damaged snapshot line loses only that device', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  fill(a.book);
  await compactBook(a.book, a.store);
  await a.store.close();
  const path = join(dir, 'snapshot.jsonl');
  const lines = (await readFile(path, 'utf8')).split('\n');
  lines[1] = (lines[1] ?? '').slice(0, 40);
  await writeFile(path, lines.join('\n'));
  const b = await openBook(dir);
  assert.deepEqual(b.book.list().map((r) => r.mac), ['020000000001']);
  assert.equal(b.store.stats().damagedLines, 1);
  assert.ok(b.log.entries.some((e) => e.file === `${path}:2`));
  await b.store.close();
});

test('store: appends after close are dropped and counted as lost, not thrown', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  await a.store.close();
  a.book.apply(obs(dhcp('discover', at(0))));
  assert.equal(a.store.stats().lost, 1);
});

test('store: journalChanges compacts by itself after compactAfterEntries changes; the default grows with the book', async (t) => {
  const dir = await tempDir(t);
  const { logger } = captureLogger();
  const store = await openJsonlDeviceStore({ dir, clock: new FakeClock(at(0)), logger });
  const book = new DeviceBook();
  await restoreBook(book, store, at(0));
  journalChanges(book, store, { compactAfterEntries: 3 });
  fill(book);
  await store.flush();
  assert.equal(store.stats().compactions, 1);
  await store.close();
  const b = await openBook(dir);
  assert.deepEqual(b.book.list(), book.list());
  await b.store.close();
  assert.equal(compactionThreshold(undefined, 5), 20_000);
  assert.equal(compactionThreshold(undefined, 10_000), 20_000);
  assert.equal(compactionThreshold(undefined, 2_000_000), 4_000_000, 'a book of 2,000,000 entries is snapshotted at most once per 4,000,000 changes');
  assert.equal(compactionThreshold(7, 2_000_000), 7);
});

test('store: a directory holding more devices than maxDevices loads with the evictions reported', async (t) => {
  const dir = await tempDir(t);
  const a = await openBook(dir);
  fill(a.book);
  await a.store.close();
  const { logger } = captureLogger();
  const store = await openJsonlDeviceStore({ dir, clock: new FakeClock(at(100)), logger });
  const book = new DeviceBook({ retention: { maxDevices: 1 } });
  const summary = await restoreBook(book, store, at(100));
  assert.equal(summary.devices, 1);
  assert.equal(summary.evictions.length, 1);
  assert.equal(summary.entriesReplayed, 4);
  await store.close();
});
