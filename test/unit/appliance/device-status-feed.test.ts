/**
 * The device statuses as live view events: a book change sends the device's status
 * (STATUS_COALESCE_MS later, once for the changes meanwhile) when it differs from the last one sent, time passing (on the fake clock) sends the
 * statuses that change without a packet (settled, gone), the devices restored from
 * disk are sent at start in one event with their final status, an evicted device is
 * sent as removed, and nothing is sent after stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceStatusFeed, STATUS_CHECK_MS, STATUS_COALESCE_MS } from '../../../src/appliance/device-status-feed.js';
import { FakeClock } from '../../../src/clock.js';
import { DeviceBook } from '../../../src/devices/book.js';
import { formatReason } from '../../../src/devices/status-reason.js';
import type { DeviceStatusEvent, DeviceViewEvent } from '../../../src/ui/events.js';
import { ack, dhcp, file, obs, recordOf, T0 } from '../devices/fixtures.js';

function rig(book = new DeviceBook(), clock = new FakeClock(T0)): { book: DeviceBook; clock: FakeClock; sent: DeviceStatusEvent[]; others: DeviceViewEvent[]; feed: DeviceStatusFeed } {
  const sent: DeviceStatusEvent[] = [];
  const others: DeviceViewEvent[] = [];
  const feed = new DeviceStatusFeed({ book, clock, emit: (e) => (e.kind === 'device-status' ? sent.push(e) : others.push(e)) });
  feed.start();
  return { book, clock, sent, others, feed };
}

const summary = (sent: readonly DeviceStatusEvent[]): string[] => sent.map((e) => `${e.mac} ${e.status}: ${formatReason(e.reason)}`);

test('a lease and a missing file send leased then stuck, with the MAC written as the view writes it', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(ack(clock.now())));
  clock.advance(STATUS_COALESCE_MS);
  book.apply(obs(file('SEP001BD4AABBCC.cnf.xml', clock.now(), 'not-found')));
  clock.advance(STATUS_COALESCE_MS);
  assert.deepEqual(summary(sent), [
    '00:1b:d4:aa:bb:cc leased: took a lease on 10.0.0.10, no file asked yet',
    '00:1b:d4:aa:bb:cc stuck: asked for SEP001BD4AABBCC.cnf.xml: not found',
  ]);
  assert.equal(sent[1]?.ip, '10.0.0.10');
});

test('a change that leaves the status and its words as they were sends nothing', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(ack(clock.now())));
  clock.advance(STATUS_COALESCE_MS);
  book.apply(obs({ kind: 'syslog', atMs: clock.now(), facility: 16, severity: 6, text: 'booting' }));
  clock.advance(STATUS_COALESCE_MS);
  assert.equal(sent.length, 1);
});

test('time alone moves a device from fetching to provisioned, and a silent one to gone', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(ack(clock.now(), 60)));
  clock.advance(STATUS_COALESCE_MS);
  book.apply(obs(file('boot.cfg', clock.now())));
  clock.advance(STATUS_COALESCE_MS);
  assert.equal(sent.at(-1)?.status, 'fetching');
  clock.advance(book.thresholds.settleMs + STATUS_CHECK_MS);
  assert.equal(sent.at(-1)?.status, 'provisioned');
  const other = '02:00:00:00:00:02';
  book.apply(obs(dhcp('discover', clock.now()), other));
  clock.advance(STATUS_COALESCE_MS);
  assert.equal(sent.at(-1)?.status, 'discovered');
  clock.advance(book.thresholds.unleasedSilenceMs + STATUS_CHECK_MS);
  const last = sent.filter((e) => e.mac === other).at(-1);
  assert.equal(last?.status, 'gone');
  assert.match(formatReason(last.reason), /^no packet for \d+ s when one was due/);
  // Provisioned stays provisioned after the device leaves (no zombie).
  assert.equal(sent.filter((e) => e.mac === '00:1b:d4:aa:bb:cc').at(-1)?.status, 'provisioned');
});

test('the devices restored from disk are sent at start in one event, with their status by the rules (provisioned stays provisioned; a stuck one whose lease ran out a day ago is gone); nothing is sent after stop', () => {
  const clock = new FakeClock(T0);
  const book = new DeviceBook();
  const day = 24 * 3_600_000;
  book.restore(
    [
      recordOf([ack(T0 - day, 3600), file('boot.cfg', T0 - day + 1000)], {}, '020000000003'),
      recordOf([ack(T0 - day, 3600), file('x.cfg', T0 - day + 1000, 'not-found')], {}, '020000000004'),
    ],
    clock.now(),
  );
  const { sent, others, feed } = rig(book, clock);
  assert.equal(others.length, 1);
  const restored = others[0];
  assert.ok(restored?.kind === 'devices-restored');
  assert.deepEqual(
    restored.devices.map((d) => `${d.mac} ${d.status}`),
    ['02:00:00:00:00:03 provisioned', '02:00:00:00:00:04 gone'],
  );
  // Time passing does not send them again: their status is final.
  clock.advance(STATUS_CHECK_MS * 3);
  assert.equal(sent.length, 0);
  // Heard from again: back from gone to stuck on its missing file, and that is sent.
  book.apply(obs(ack(clock.now(), 3600), '02:00:00:00:00:04'));
  clock.advance(STATUS_COALESCE_MS);
  assert.equal(sent.length, 1);
  assert.deepEqual([sent[0]?.mac, sent[0]?.status], ['02:00:00:00:00:04', 'stuck']);
  feed.stop();
  book.apply(obs(file('x.cfg', clock.now(), 'not-found'), '02:00:00:00:00:04'));
  clock.advance(STATUS_COALESCE_MS);
  clock.advance(STATUS_CHECK_MS * 3);
  assert.equal(sent.length, 1);
});

test('an empty book sends nothing at start; a device evicted from a full book is sent as removed', () => {
  const { book, clock, sent, others } = rig(new DeviceBook({ retention: { maxDevices: 1 } }));
  assert.deepEqual(others, []);
  book.apply(obs(ack(clock.now()), '02:00:00:00:00:05'));
  clock.advance(STATUS_COALESCE_MS);
  clock.advance(1000);
  const evictedAt = clock.now();
  book.apply(obs(ack(clock.now()), '02:00:00:00:00:06'));
  clock.advance(STATUS_COALESCE_MS);
  assert.deepEqual(others, [{ kind: 'device-removed', at: evictedAt, mac: '02:00:00:00:00:05', reason: 'idle-unfinished' }]);
  assert.deepEqual(sent.map((e) => e.mac), ['02:00:00:00:00:05', '02:00:00:00:00:06']);
});

test('a reset sends the device\'s fresh status', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(ack(clock.now())));
  clock.advance(STATUS_COALESCE_MS);
  book.apply(obs(file('a.cfg', clock.now(), 'not-found')));
  clock.advance(STATUS_COALESCE_MS);
  book.reset('00:1b:d4:aa:bb:cc', clock.now());
  clock.advance(STATUS_COALESCE_MS);
  assert.deepEqual(sent.map((e) => e.status), ['leased', 'stuck', 'discovered']);
});

test('the changes of one exchange are checked once, after STATUS_COALESCE_MS: only the status they end in is sent', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(dhcp('discover', clock.now())));
  book.apply(obs(ack(clock.now())));
  book.apply(obs(file('SEP001BD4AABBCC.cnf.xml', clock.now(), 'not-found')));
  assert.equal(sent.length, 0, 'nothing before the interval');
  clock.advance(STATUS_COALESCE_MS);
  assert.deepEqual(summary(sent), ['00:1b:d4:aa:bb:cc stuck: asked for SEP001BD4AABBCC.cnf.xml: not found']);
});
