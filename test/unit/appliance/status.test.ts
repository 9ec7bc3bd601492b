/**
 * `buildStatus` is a pure function of one snapshot: a stopped appliance (no TFTP or
 * DHCP snapshot) reports empty listen addresses and transfers and no counters; a
 * running one passes its counters through; lease totals count bound and offered
 * leases of every scope; a scope's source file is reported only when it has one.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildStatus, tftpSettingsOf, type StatusSnapshot } from '../../../src/appliance/index.js';
import type { Scope } from '../../../src/config/scope.js';
import type { Lease, LeaseState } from '../../../src/dhcp/lease.js';
import { parseCidr, parseIpv4, parseMac } from '../../../src/net/ipv4.js';

const NOW = 1_800_000_000_000;

const SCOPE: Scope = {
  name: 'bench',
  interface: 'eth1',
  subnet: parseCidr('10.9.0.0/24'),
  ranges: [{ start: parseIpv4('10.9.0.100'), end: parseIpv4('10.9.0.109') }],
  dns: [],
  leaseSeconds: 3600,
  boot: { tftpServers: [] },
  reservations: [],
  options: [],
  classes: [],
  authoritative: true,
  declineSeconds: 600,
};

function lease(ip: string, state: LeaseState, scope = 'bench'): Lease {
  return { scope, ip: parseIpv4(ip), clientKey: `mac:${ip}`, mac: parseMac('02:00:00:00:00:01'), state, startedAt: NOW - 1000, expiresAt: NOW + 60_000 };
}

const STOPPED: StatusSnapshot = {
  pid: 42,
  startedAt: 0,
  now: NOW,
  scopeSource: 'scope files in ./scopes',
  scopes: [SCOPE],
  leases: [],
  tftpRoot: '/srv/tftp',
  tftpSettings: tftpSettingsOf({ root: '/srv/tftp', port: 69, maxTransfers: 200 }),
  reloads: { ok: 0, rejected: 0 },
};

test('a stopped appliance: no listen address, no transfers, no counters', () => {
  const st = buildStatus(STOPPED);
  assert.deepEqual(st.tftp, {
    listen: [],
    root: '/srv/tftp',
    settings: { alternates: [], defaults: [], caseInsensitive: false, overwriteUploads: false, maxTransfers: 200, server: {} },
    transfers: [],
  });
  assert.equal(st.dhcp, undefined);
  assert.deepEqual(st.scopes, [{ name: 'bench', interface: 'eth1', subnet: '10.9.0.0/24', leases: { pool: 10, bound: 0, offered: 0, declined: 0, free: 10 } }]);
  assert.deepEqual(st.leases, { bound: 0, offered: 0, total: 0 });
});

test('a running appliance: counters pass through, leases are counted per scope and in total', () => {
  const counters = { transfersStarted: 3 } as unknown as NonNullable<StatusSnapshot['tftp']>['counters'];
  const st = buildStatus({
    ...STOPPED,
    scopes: [{ ...SCOPE, source: 'scopes/bench.yaml' }],
    leases: [lease('10.9.0.100', 'bound'), lease('10.9.0.101', 'offered'), lease('10.9.1.5', 'bound', 'other')],
    uploadDir: '/srv/up',
    tftp: { listen: ['10.9.0.1:69'], counters, transfers: [] },
    reloads: { ok: 2, rejected: 1 },
  });
  assert.deepEqual(st.tftp.listen, ['10.9.0.1:69']);
  assert.equal(st.tftp.uploadDir, '/srv/up');
  assert.equal(st.tftp.counters, counters);
  assert.equal(st.scopes[0]?.source, 'scopes/bench.yaml');
  assert.deepEqual(st.scopes[0]?.leases, { pool: 10, bound: 1, offered: 1, declined: 0, free: 8 });
  assert.deepEqual(st.leases, { bound: 2, offered: 1, total: 3 });
  assert.deepEqual(st.reloads, { ok: 2, rejected: 1 });
});

test('on a steady clock the start and transfer times are given in wall time; lease counts use the clock itself', () => {
  const day = 24 * 3600 * 1000;
  const transfer = { id: 't1', peer: { address: '10.9.0.100', port: 2000 }, file: 'a.cfg', direction: 'read', bytes: 0, blksize: 512, windowsize: 1, startedAt: NOW - 5000 } as const;
  const st = buildStatus({
    ...STOPPED,
    startedAt: NOW - 60_000,
    toWall: (t) => t + day,
    leases: [lease('10.9.0.100', 'bound')],
    tftp: { listen: [], counters: {} as NonNullable<StatusSnapshot['tftp']>['counters'], transfers: [transfer] },
  });
  assert.equal(st.startedAt, NOW - 60_000 + day);
  assert.deepEqual(st.tftp.transfers.map((x) => x.startedAt), [NOW - 5000 + day]);
  assert.deepEqual(st.leases, { bound: 1, offered: 0, total: 1 });
  assert.equal(st.scopes[0]?.leases.bound, 1);
});
