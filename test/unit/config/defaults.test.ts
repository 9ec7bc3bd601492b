/** Defaults from a subnet, scopes derived from an interface address, and durations. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveScope, hostsExcept, poolSize } from '../../../src/config/defaults.js';
import { formatDuration, parseDuration } from '../../../src/config/duration.js';
import { isBenchbootError } from '../../../src/errors.js';
import { parseCidr, parseIpv4 } from '../../../src/net/ipv4.js';

test('deriveScope: the laptop is router, DNS, siaddr, option 66 and 150; the pool is the rest, in two ranges', () => {
  const s = deriveScope({ name: 'eth1', interface: 'eth1', address: parseIpv4('10.10.0.50'), prefix: 24 });
  assert.deepEqual(s.subnet, { network: '10.10.0.0', prefix: 24 });
  assert.equal(s.router, '10.10.0.50');
  assert.deepEqual(s.dns, ['10.10.0.50']);
  assert.deepEqual(s.boot, { nextServer: '10.10.0.50', tftpServerName: '10.10.0.50', tftpServers: ['10.10.0.50'] });
  assert.deepEqual(s.ranges, [
    { start: '10.10.0.1', end: '10.10.0.49' },
    { start: '10.10.0.51', end: '10.10.0.254' },
  ]);
  assert.equal(poolSize(s.ranges), 253);
  assert.equal(s.leaseSeconds, 3600);
  assert.equal(s.authoritative, true);
});

test('deriveScope: the laptop on the first host leaves one range; overrides win', () => {
  const s = deriveScope({
    name: 'lab',
    interface: 'eth2',
    address: parseIpv4('192.168.5.1'),
    prefix: 28,
    overrides: { leaseSeconds: 600, boot: { file: 'undionly.kpxe' } },
  });
  assert.deepEqual(s.ranges, [{ start: '192.168.5.2', end: '192.168.5.14' }]);
  assert.equal(s.leaseSeconds, 600);
  assert.equal(s.boot.file, 'undionly.kpxe');
  assert.equal(s.boot.nextServer, '192.168.5.1');
});

test('deriveScope refuses addresses that leave no room or are not host addresses (BB_INTERFACE)', () => {
  for (const [address, prefix] of [
    ['10.0.0.1', 31],
    ['10.0.0.1', 32],
    ['10.0.0.0', 24],
    ['10.0.0.255', 24],
    ['10.0.0.1', 4],
  ] as const) {
    assert.throws(
      () => deriveScope({ name: 'x', interface: 'eth9', address: parseIpv4(address), prefix }),
      (e: unknown) => isBenchbootError(e, 'BB_INTERFACE') && e.message.includes('eth9'),
      `${address}/${prefix}`,
    );
  }
});

test('hostsExcept skips network, broadcast and every excluded address, ignoring ones outside', () => {
  const subnet = parseCidr('10.0.0.0/29');
  assert.deepEqual(hostsExcept(subnet, [parseIpv4('10.0.0.1'), parseIpv4('10.0.0.4'), parseIpv4('10.9.9.9')]), [
    { start: '10.0.0.2', end: '10.0.0.3' },
    { start: '10.0.0.5', end: '10.0.0.6' },
  ]);
  assert.deepEqual(hostsExcept(subnet, [parseIpv4('10.0.0.6')]), [{ start: '10.0.0.1', end: '10.0.0.5' }]);
});

test('durations: seconds, units, combinations, and readable refusals', () => {
  assert.equal(parseDuration(3600), 3600);
  assert.equal(parseDuration('3600'), 3600);
  assert.equal(parseDuration('30m'), 1800);
  assert.equal(parseDuration('12h'), 43200);
  assert.equal(parseDuration('7d'), 604800);
  assert.equal(parseDuration('1h30m'), 5400);
  assert.throws(() => parseDuration('12 hours'), /not a duration/);
  assert.throws(() => parseDuration(1.5), /whole number/);
  assert.throws(() => parseDuration(true), /expected seconds/);
  assert.equal(formatDuration(5400), '1h30m');
  assert.equal(formatDuration(604800), '1w');
  assert.equal(formatDuration(61), '1m1s');
  for (const n of [1, 59, 3600, 86399, 1000000]) assert.equal(parseDuration(formatDuration(n)), n);
});
