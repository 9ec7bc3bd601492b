/**
 * The durable lease store: what survives a reopen, group commit, torn lines, the
 * lock, compaction and the crash windows of compaction, and reclaiming on open.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, writeFile, appendFile } from 'node:fs/promises';
import { spawnSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Transport from 'winston-transport';
import winston from 'winston';
import { compactionThreshold, openLeaseStore, readLeaseStore } from '../../../src/store/lease-store.js';
import { formatJournalLine, journalFileName, LEASE_STORE_FILES } from '../../../src/store/format.js';
import { reclaimOnOpen } from '../../../src/store/replay.js';
import type { Lease, LeaseState } from '../../../src/dhcp/lease.js';
import { isBenchbootError } from '../../../src/errors.js';
import type { Ipv4, MacAddress } from '../../../src/net/ipv4.js';

const NOW = 1_700_000_000_000;

function lease(n: number, state: LeaseState = 'bound', over: Partial<Lease> = {}): Lease {
  const mac = `02:00:00:00:00:${n.toString(16).padStart(2, '0')}` as MacAddress;
  return {
    scope: 'bench',
    ip: `10.9.0.${n}` as Ipv4,
    clientKey: `mac:${mac}`,
    mac,
    state,
    startedAt: NOW,
    expiresAt: NOW + 3600_000,
    ...over,
  };
}

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-leases-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function byIp(leases: readonly Lease[]): Map<string, Lease> {
  return new Map(leases.map((l) => [l.ip, l]));
}

class MemoryTransport extends Transport {
  readonly entries: { level: string; message: string }[] = [];
  override log(info: { level: string; message: string }, next: () => void): void {
    this.entries.push({ level: info.level, message: info.message });
    next();
  }
}

function captureLogger(): { logger: winston.Logger; transport: MemoryTransport } {
  const transport = new MemoryTransport();
  return { logger: winston.createLogger({ level: 'debug', transports: [transport] }), transport };
}

test('bound leases and deletes survive close and reopen; offers are not journaled', async (t) => {
  const dir = await tempDir(t);
  const a = await openLeaseStore({ dir, now: NOW });
  assert.deepEqual(a.loaded, []);
  await a.append([{ kind: 'put', lease: lease(10) }, { kind: 'put', lease: lease(11) }]);
  await a.append([{ kind: 'put', lease: lease(12, 'offered') }]);
  await a.append([{ kind: 'delete', scope: 'bench', ip: '10.9.0.11' as Ipv4 }]);
  await a.close();

  const b = await openLeaseStore({ dir, now: NOW });
  t.after(() => b.close());
  assert.deepEqual([...byIp(b.loaded).keys()].sort(), ['10.9.0.10']);
  assert.deepEqual(byIp(b.loaded).get('10.9.0.10'), lease(10));
});

test('changes that arrive while a sync is in flight share the next batch (group commit)', async (t) => {
  const dir = await tempDir(t);
  const store = await openLeaseStore({ dir, now: NOW });
  t.after(() => store.close());
  await Promise.all(Array.from({ length: 200 }, (_, i) => store.append([{ kind: 'put', lease: lease(i + 1) }])));
  const s = store.stats();
  assert.equal(s.changesWritten, 200);
  assert.ok(s.batches < 200, `expected fewer batches than appends, got ${s.batches}`);
  assert.ok(s.largestBatch > 1);
  const text = await readFile(join(dir, journalFileName(s.generation)), 'utf8');
  assert.equal(text.trim().split('\n').length, 200, 'every change is in the journal when append resolved');
});

test('a torn last journal line is skipped with a warning; the lines before it count', async (t) => {
  const dir = await tempDir(t);
  const a = await openLeaseStore({ dir, now: NOW });
  await a.append([{ kind: 'put', lease: lease(20) }]);
  const gen = a.stats().generation;
  await a.close();
  const torn = formatJournalLine({ kind: 'put', lease: lease(21) }).slice(0, 40);
  await appendFile(join(dir, journalFileName(gen)), torn);

  const { logger, transport } = captureLogger();
  const b = await openLeaseStore({ dir, now: NOW, logger });
  t.after(() => b.close());
  assert.deepEqual([...byIp(b.loaded).keys()], ['10.9.0.20']);
  assert.equal(b.stats().tornLinesSkipped, 1);
  assert.ok(transport.entries.some((e) => e.level === 'warn' && /torn last line/.test(e.message)));
});

test('a damaged line in the middle of a journal is skipped with a warning and counted; the lines around it count', async (t) => {
  const dir = await tempDir(t);
  const a = await openLeaseStore({ dir, now: NOW });
  const gen = a.stats().generation;
  await a.close();
  const good = formatJournalLine({ kind: 'put', lease: lease(30) });
  const other = formatJournalLine({ kind: 'put', lease: lease(31) });
  await writeFile(join(dir, journalFileName(gen)), `${good}\n{"kind":"put","lease":{"ip":"oops"}}\n${other}\n`);
  const { logger, transport } = captureLogger();
  const b = await openLeaseStore({ dir, now: NOW, logger });
  t.after(() => b.close());
  assert.deepEqual([...byIp(b.loaded).keys()].sort(), ['10.9.0.30', '10.9.0.31']);
  assert.equal(b.stats().damagedRecordsSkipped, 1);
  assert.ok(transport.entries.some((e) => e.level === 'warn' && /not a lease change/.test(e.message)));
});

test('a second server on the same directory gets BB_LEASE_STORE; a stale lock of a dead process is taken over', async (t) => {
  const dir = await tempDir(t);
  const a = await openLeaseStore({ dir, now: NOW });
  await assert.rejects(openLeaseStore({ dir, now: NOW }), (err: unknown) => isBenchbootError(err, 'BB_LEASE_STORE') && /in use/.test(String(err)));
  await a.append([{ kind: 'put', lease: lease(40) }]);
  // Simulate kill -9: the lock stays behind with the pid of a process that is gone.
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const deadPid = Number(dead.stdout);
  assert.ok(deadPid > 0);
  await a.close();
  await writeFile(join(dir, LEASE_STORE_FILES.lock), `${deadPid}\n`);
  const b = await openLeaseStore({ dir, now: NOW });
  t.after(() => b.close());
  assert.equal(b.loaded.length, 1);
  assert.equal((await readFile(join(dir, LEASE_STORE_FILES.lock), 'utf8')).split('\n')[0], String(process.pid));
});

test('compaction keeps the state, writes a snapshot and removes old journal generations', async (t) => {
  const dir = await tempDir(t);
  const store = await openLeaseStore({ dir, now: NOW, compactAfterChanges: 25 });
  const expected = new Map<string, Lease>();
  for (let round = 0; round < 6; round++) {
    const batch = Array.from({ length: 20 }, (_, i) => lease(1 + ((round * 20 + i) % 90), 'bound', { expiresAt: NOW + 1000 * (round + 1) + 3600_000 }));
    for (const l of batch) expected.set(l.ip, l);
    await Promise.all(batch.map((l) => store.append([{ kind: 'put', lease: l }])));
  }
  await store.compact();
  const s = store.stats();
  assert.ok(s.compactions >= 1, `expected a compaction, got ${s.compactions}`);
  await store.close();
  const journals = (await readdir(dir)).filter((n) => LEASE_STORE_FILES.journalPattern.test(n));
  assert.deepEqual(journals, [journalFileName(s.generation)], 'only the current generation remains');
  const reopened = await openLeaseStore({ dir, now: NOW });
  t.after(() => reopened.close());
  assert.deepEqual(byIp(reopened.loaded), expected);
});

test('crash windows of compaction lose nothing: stale journals and a leftover temp snapshot are ignored', async (t) => {
  const dir = await tempDir(t);
  // State on disk as after "snapshot renamed, old generations not yet deleted":
  // snapshot covers generations < 3, journal.2 is stale (already in the snapshot), journal.3 is current.
  const snap = { format: 'benchboot-leases', version: 1, nextJournal: 3, leases: [lease(50)] };
  await writeFile(join(dir, LEASE_STORE_FILES.snapshot), JSON.stringify(snap));
  await writeFile(join(dir, journalFileName(2)), `${formatJournalLine({ kind: 'delete', scope: 'bench', ip: '10.9.0.50' as Ipv4 })}\n`);
  await writeFile(join(dir, journalFileName(3)), `${formatJournalLine({ kind: 'put', lease: lease(51) })}\n`);
  // A temp snapshot from a crash before its rename.
  await writeFile(join(dir, LEASE_STORE_FILES.snapshotTemp), '{"format":"benchboot-le');
  const store = await openLeaseStore({ dir, now: NOW });
  t.after(() => store.close());
  assert.deepEqual([...byIp(store.loaded).keys()].sort(), ['10.9.0.50', '10.9.0.51']);
  assert.ok(store.stats().generation > 3, 'appends go to a new generation');
  const left = (await readdir(dir)).filter((n) => LEASE_STORE_FILES.journalPattern.test(n));
  assert.deepEqual(left, [journalFileName(store.stats().generation)]);
});

test('a crash before the snapshot rename replays the old snapshot and both generations', async (t) => {
  const dir = await tempDir(t);
  const snap = { format: 'benchboot-leases', version: 1, nextJournal: 2, leases: [lease(60)] };
  await writeFile(join(dir, LEASE_STORE_FILES.snapshot), JSON.stringify(snap));
  await writeFile(join(dir, journalFileName(2)), `${formatJournalLine({ kind: 'put', lease: lease(61) })}\n`);
  await writeFile(join(dir, journalFileName(3)), `${formatJournalLine({ kind: 'delete', scope: 'bench', ip: '10.9.0.60' as Ipv4 })}\n`);
  const store = await openLeaseStore({ dir, now: NOW });
  t.after(() => store.close());
  assert.deepEqual([...byIp(store.loaded).keys()], ['10.9.0.61']);
});

test('expired bindings come back as released memories; ended quarantines and offers are dropped', () => {
  const later = NOW + 7200_000;
  const out = reclaimOnOpen(
    [
      lease(1, 'bound'),
      lease(2, 'bound', { expiresAt: later + 1 }),
      lease(3, 'declined'),
      lease(4, 'declined', { expiresAt: later + 1 }),
      lease(5, 'offered', { expiresAt: later + 1 }),
      lease(6, 'released'),
      lease(7, 'released', { startedAt: NOW - 40 * 24 * 3600_000 }),
    ],
    later,
    30 * 24 * 3600_000,
  );
  const m = byIp(out);
  assert.deepEqual([...m.keys()].sort(), ['10.9.0.1', '10.9.0.2', '10.9.0.4', '10.9.0.6']);
  assert.equal(m.get('10.9.0.1')?.state, 'released', 'expired binding is free but remembered');
  assert.equal(m.get('10.9.0.1')?.clientKey, lease(1).clientKey);
  assert.equal(m.get('10.9.0.2')?.state, 'bound');
});

test('an unusable state directory is a BB_LEASE_STORE error', async (t) => {
  const dir = await tempDir(t);
  const file = join(dir, 'not-a-dir');
  await writeFile(file, 'x');
  await assert.rejects(openLeaseStore({ dir: join(file, 'leases'), now: NOW }), (err: unknown) => isBenchbootError(err, 'BB_LEASE_STORE'));
});

test('readLeaseStore reads a directory in use without locking or writing', async (t) => {
  const dir = await tempDir(t);
  const store = await openLeaseStore({ dir, now: NOW });
  t.after(() => store.close());
  await store.append([{ kind: 'put', lease: lease(70) }, { kind: 'put', lease: lease(71, 'bound', { expiresAt: NOW - 1 }) }]);
  const before = (await readdir(dir)).sort();
  const leases = await readLeaseStore(dir, NOW);
  assert.deepEqual((await readdir(dir)).sort(), before, 'nothing written');
  assert.equal(byIp(leases).get('10.9.0.70')?.state, 'bound');
  assert.equal(byIp(leases).get('10.9.0.71')?.state, 'released', 'expired binding shown as a released memory');
  await assert.rejects(readLeaseStore(join(dir, 'missing'), NOW), (err: unknown) => isBenchbootError(err, 'BB_LEASE_STORE'));
});

test('compaction threshold: 5000 changes, or one change per lease held once the table is larger; an explicit setting wins', () => {
  assert.equal(compactionThreshold(undefined, 0), 5000);
  assert.equal(compactionThreshold(undefined, 4999), 5000);
  assert.equal(compactionThreshold(undefined, 50_000), 50_000, 'a snapshot of 50,000 leases is written at most once per 50,000 changes');
  assert.equal(compactionThreshold(16, 50_000), 16);
});

test('lease files (journal, snapshot, lock) are private to the owner: mode 0600, also a journal left 0644', async (t) => {
  const dir = await tempDir(t);
  await writeFile(join(dir, journalFileName(0)), '', { mode: 0o644 });
  const store = await openLeaseStore({ dir, now: NOW });
  t.after(() => store.close());
  await store.append([{ kind: 'put', lease: lease(80) }]);
  await store.compact();
  const { stat } = await import('node:fs/promises');
  for (const name of [LEASE_STORE_FILES.lock, LEASE_STORE_FILES.snapshot, journalFileName(store.stats().generation)]) {
    assert.equal((await stat(join(dir, name))).mode & 0o777, 0o600, name);
  }
});
