/**
 * What `benchboot status` computes and prints, without a server: lease counts per
 * scope (expired leases hold nothing, quarantined addresses are not free, a
 * reservation outside the pool does not shrink it, other scopes do not count),
 * durations and sizes, and a malformed status answer refused with BB_CONTROL.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { countScopeLeases } from '../../../src/appliance/index.js';
import { asApplianceStatus } from '../../../src/cli/status.js';
import { formatBytes, formatDuration } from '../../../src/ui/render.js';
import type { Scope } from '../../../src/config/scope.js';
import type { Lease, LeaseState } from '../../../src/dhcp/lease.js';
import { isBenchbootError } from '../../../src/errors.js';
import { parseCidr, parseIpv4, parseMac } from '../../../src/net/ipv4.js';

const NOW = 1_800_000_000_000;

const SCOPE: Scope = {
  name: 'bench',
  interface: 'eth1',
  subnet: parseCidr('10.9.0.0/24'),
  ranges: [
    { start: parseIpv4('10.9.0.100'), end: parseIpv4('10.9.0.109') },
    { start: parseIpv4('10.9.0.200'), end: parseIpv4('10.9.0.204') },
  ],
  dns: [],
  leaseSeconds: 3600,
  boot: { tftpServers: [] },
  reservations: [],
  options: [],
  classes: [],
  authoritative: true,
  declineSeconds: 600,
};

function lease(ip: string, state: LeaseState, expiresIn: number, scope = 'bench'): Lease {
  return { scope, ip: parseIpv4(ip), clientKey: `mac:${ip}`, mac: parseMac('02:00:00:00:00:01'), state, startedAt: NOW - 1000, expiresAt: NOW + expiresIn };
}

test('lease counts per scope: pool size, held addresses, expiry, quarantine, other scopes', () => {
  assert.deepEqual(countScopeLeases(SCOPE, [], NOW), { pool: 15, bound: 0, offered: 0, declined: 0, free: 15 });
  const leases = [
    lease('10.9.0.100', 'bound', 60_000),
    lease('10.9.0.101', 'bound', -1), // expired: holds nothing
    lease('10.9.0.102', 'offered', 5_000),
    lease('10.9.0.103', 'declined', 600_000),
    lease('10.9.0.104', 'released', 0),
    lease('10.9.0.200', 'bound', 60_000),
    lease('10.9.0.50', 'bound', 60_000), // a reservation outside the ranges
    lease('10.9.0.105', 'bound', 60_000, 'other'),
  ];
  assert.deepEqual(countScopeLeases(SCOPE, leases, NOW), { pool: 15, bound: 3, offered: 1, declined: 1, free: 11 });
});

test('durations and sizes read like a person would write them', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(59_999), '59s');
  assert.equal(formatDuration(250_000), '4m 10s');
  assert.equal(formatDuration(3_900_000), '1h 05m');
  assert.equal(formatDuration(2 * 86_400_000 + 3 * 3_600_000), '2d 3h');
  assert.equal(formatDuration(-5), '0s');
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(65536), '64.0 KiB');
  assert.equal(formatBytes(1.5 * 1024 * 1024), '1.5 MiB');
  assert.equal(formatBytes(2 * 1024 ** 3, 2), '2.00 GiB'); // status's precision
});

test('a status answer that is not one is refused with BB_CONTROL', () => {
  for (const bad of [null, [], 'ok', { pid: 1 }, { pid: 1, startedAt: 0, scopes: [{ name: 'x' }], tftp: { listen: [], transfers: [] }, leases: {}, reloads: {} }]) {
    assert.throws(() => asApplianceStatus(bad), (err) => isBenchbootError(err, 'BB_CONTROL'), JSON.stringify(bad));
  }
  const good = { pid: 1, startedAt: 0, scopes: [{ name: 'x', leases: {} }], tftp: { listen: [], transfers: [] }, leases: {}, reloads: {} };
  assert.equal(asApplianceStatus(good), good);
});
