/**
 * The device statuses as live view events: a book change sends the device's status
 * when it differs from the last one sent, time passing (on the fake clock) sends the
 * statuses that change without a packet (settled, gone), a device restored from disk
 * and not heard from is not sent, and nothing is sent after stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceStatusFeed, STATUS_CHECK_MS } from '../../../src/appliance/device-status-feed.js';
import { FakeClock } from '../../../src/clock.js';
import { DeviceBook } from '../../../src/devices/book.js';
import { formatReason } from '../../../src/devices/status-reason.js';
import type { DeviceStatusEvent } from '../../../src/ui/events.js';
import { ack, dhcp, file, obs, recordOf, T0 } from '../devices/fixtures.js';

function rig(): { book: DeviceBook; clock: FakeClock; sent: DeviceStatusEvent[]; feed: DeviceStatusFeed } {
  const clock = new FakeClock(T0);
  const book = new DeviceBook();
  const sent: DeviceStatusEvent[] = [];
  const feed = new DeviceStatusFeed({ book, clock, emit: (e) => sent.push(e) });
  feed.start();
  return { book, clock, sent, feed };
}

const summary = (sent: readonly DeviceStatusEvent[]): string[] => sent.map((e) => `${e.mac} ${e.status}: ${formatReason(e.reason)}`);

test('a lease and a missing file send leased then stuck, with the MAC written as the view writes it', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(ack(clock.now())));
  book.apply(obs(file('SEP001BD4AABBCC.cnf.xml', clock.now(), 'not-found')));
  assert.deepEqual(summary(sent), [
    '00:1b:d4:aa:bb:cc leased: took a lease on 10.0.0.10, no file asked yet',
    '00:1b:d4:aa:bb:cc stuck: asked for SEP001BD4AABBCC.cnf.xml: not found',
  ]);
  assert.equal(sent[1]?.ip, '10.0.0.10');
});

test('a change that leaves the status and its words as they were sends nothing', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(ack(clock.now())));
  book.apply(obs({ kind: 'syslog', atMs: clock.now(), facility: 16, severity: 6, text: 'booting' }));
  assert.equal(sent.length, 1);
});

test('time alone moves a device from fetching to provisioned, and a silent one to gone', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(ack(clock.now(), 60)));
  book.apply(obs(file('boot.cfg', clock.now())));
  assert.equal(sent.at(-1)?.status, 'fetching');
  clock.advance(book.thresholds.settleMs + STATUS_CHECK_MS);
  assert.equal(sent.at(-1)?.status, 'provisioned');
  const other = '02:00:00:00:00:02';
  book.apply(obs(dhcp('discover', clock.now()), other));
  assert.equal(sent.at(-1)?.status, 'discovered');
  clock.advance(book.thresholds.unleasedSilenceMs + STATUS_CHECK_MS);
  const last = sent.filter((e) => e.mac === other).at(-1);
  assert.equal(last?.status, 'gone');
  assert.match(formatReason(last.reason), /^no packet for \d+ s when one was due/);
  // Provisioned stays provisioned after the device leaves (no zombie).
  assert.equal(sent.filter((e) => e.mac === '00:1b:d4:aa:bb:cc').at(-1)?.status, 'provisioned');
});

test('a device restored from disk is sent only once it is heard from; nothing is sent after stop', () => {
  const { book, clock, sent, feed } = rig();
  book.restore([recordOf([ack(T0 - 3_600_000)], {}, '020000000003')], clock.now());
  clock.advance(STATUS_CHECK_MS * 3);
  assert.equal(sent.length, 0);
  book.apply(obs(dhcp('request', clock.now()), '02:00:00:00:00:03'));
  assert.equal(sent.length, 1);
  assert.equal(sent[0]?.mac, '02:00:00:00:00:03');
  feed.stop();
  book.apply(obs(file('x.cfg', clock.now(), 'not-found'), '02:00:00:00:00:03'));
  clock.advance(STATUS_CHECK_MS * 3);
  assert.equal(sent.length, 1);
});

test('a reset sends the device\'s fresh status', () => {
  const { book, clock, sent } = rig();
  book.apply(obs(ack(clock.now())));
  book.apply(obs(file('a.cfg', clock.now(), 'not-found')));
  book.reset('00:1b:d4:aa:bb:cc', clock.now());
  assert.deepEqual(sent.map((e) => e.status), ['leased', 'stuck', 'discovered']);
});
