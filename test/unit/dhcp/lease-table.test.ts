/**
 * The lease table: indexes, expiry by comparison with `now`, the allocator's order
 * (never-used first, then oldest freed), reload keeping leases, stats, and the
 * allocator's work per request on a 65,536-address pool (counted, not timed).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { intToIpv4, ipv4ToInt } from '../../../src/net/ipv4.js';
import type { Ipv4 } from '../../../src/net/ipv4.js';
import { LeaseTable } from '../../../src/dhcp/lease-table.js';
import type { Lease, LeaseState } from '../../../src/dhcp/lease.js';
import { T0, benchScope, ip, mac } from './fixtures.js';

function lease(addr: string | Ipv4, key: string, state: LeaseState, expiresAt: number, startedAt = T0): Lease {
  return { scope: 'bench', ip: addr as Ipv4, clientKey: key, mac: mac('00:00:00:00:00:01'), state, startedAt, expiresAt };
}

/** A scope with no named addresses inside the pool. */
function plainScope(start: string, end: string, subnet = { network: ip('10.9.0.0'), prefix: 24 }) {
  return benchScope({ subnet, ranges: [{ start: ip(start), end: ip(end) }], router: undefined, dns: [], boot: { tftpServers: [] } });
}

test('indexes: get by IP, findByClient by key; a put over another client moves the index', () => {
  const t = new LeaseTable([plainScope('10.9.0.100', '10.9.0.109')]);
  t.apply([{ kind: 'put', lease: lease('10.9.0.100', 'mac:a', 'bound', T0 + 1000) }]);
  assert.equal(t.get('bench', ip('10.9.0.100'))?.clientKey, 'mac:a');
  assert.equal(t.findByClient('bench', 'mac:a')?.ip, '10.9.0.100');
  t.apply([{ kind: 'put', lease: lease('10.9.0.100', 'mac:b', 'offered', T0 + 2000) }]);
  assert.equal(t.findByClient('bench', 'mac:a'), undefined);
  assert.equal(t.findByClient('bench', 'mac:b')?.ip, '10.9.0.100');
  t.apply([{ kind: 'delete', scope: 'bench', ip: ip('10.9.0.100') }]);
  assert.equal(t.get('bench', ip('10.9.0.100')), undefined);
  assert.equal(t.findByClient('bench', 'mac:b'), undefined);
  assert.deepEqual(t.all(), []);
});

test('allocator: never-used addresses first, skipping leased, reserved and scope-named addresses', () => {
  const scope = benchScope({
    ranges: [{ start: ip('10.9.0.1'), end: ip('10.9.0.6') }],
    router: ip('10.9.0.1'),
    dns: [ip('10.9.0.2')],
    boot: { tftpServers: [ip('10.9.0.3')] },
    reservations: [{ mac: mac('00:00:00:00:00:99'), ip: ip('10.9.0.4') }],
  });
  const t = new LeaseTable([scope]);
  assert.equal(t.allocateFree('bench', T0), '10.9.0.5');
  t.apply([{ kind: 'put', lease: lease('10.9.0.5', 'mac:a', 'bound', T0 + 1000) }]);
  assert.equal(t.allocateFree('bench', T0), '10.9.0.6');
  t.apply([{ kind: 'put', lease: lease('10.9.0.6', 'mac:b', 'bound', T0 + 1000) }]);
  assert.equal(t.allocateFree('bench', T0), undefined, 'exhausted while both leases run');
  assert.equal(t.allocateFree('bench', T0 + 1000), '10.9.0.5', 'expiry is a comparison with now');
  assert.equal(t.stats('bench', T0).size, 2);
});

test('allocator: freed addresses come back oldest-freed first, so a returning client likely finds its own still free', () => {
  const t = new LeaseTable([plainScope('10.9.0.100', '10.9.0.103')]);
  for (const [i, key] of ['a', 'b', 'c', 'd'].entries()) {
    t.apply([{ kind: 'put', lease: lease(`10.9.0.10${i}`, `mac:${key}`, 'bound', T0 + 10_000 * (4 - i)) }]);
  }
  // d ends first (T0+10s), then c, b, a.
  const now = T0 + 50_000;
  assert.equal(t.allocateFree('bench', now), '10.9.0.103');
  t.apply([{ kind: 'put', lease: lease('10.9.0.103', 'mac:e', 'offered', now + 30_000, now) }]);
  assert.equal(t.allocateFree('bench', now), '10.9.0.102');
  // a RELEASE frees an address from its release time.
  const t2 = new LeaseTable([plainScope('10.9.0.100', '10.9.0.101')]);
  t2.apply([
    { kind: 'put', lease: lease('10.9.0.100', 'mac:a', 'bound', T0 + 99_000) },
    { kind: 'put', lease: lease('10.9.0.101', 'mac:b', 'bound', T0 + 99_000) },
  ]);
  assert.equal(t2.allocateFree('bench', T0 + 5_000), undefined);
  t2.apply([{ kind: 'put', lease: lease('10.9.0.101', 'mac:b', 'released', T0 + 5_000, T0 + 5_000) }]);
  assert.equal(t2.allocateFree('bench', T0 + 5_000), '10.9.0.101');
});

test('a withdrawn offer (delete) returns its address to the pool', () => {
  const t = new LeaseTable([plainScope('10.9.0.100', '10.9.0.100')]);
  t.apply([{ kind: 'put', lease: lease('10.9.0.100', 'mac:a', 'offered', T0 + 30_000) }]);
  assert.equal(t.allocateFree('bench', T0), undefined);
  t.apply([{ kind: 'delete', scope: 'bench', ip: ip('10.9.0.100') }]);
  assert.equal(t.allocateFree('bench', T0), '10.9.0.100');
});

test('setScopes (reload) keeps leases; load replaces them; exclude removes addresses from the pool', () => {
  const t = new LeaseTable([plainScope('10.9.0.100', '10.9.0.101')]);
  t.apply([{ kind: 'put', lease: lease('10.9.0.100', 'mac:a', 'bound', T0 + 1000) }]);
  t.setScopes([plainScope('10.9.0.100', '10.9.0.102')]);
  assert.equal(t.get('bench', ip('10.9.0.100'))?.clientKey, 'mac:a');
  assert.equal(t.allocateFree('bench', T0), '10.9.0.101');
  t.exclude([ip('10.9.0.101')]);
  assert.equal(t.allocateFree('bench', T0), '10.9.0.102');
  assert.equal(t.isExcluded('bench', ip('10.9.0.101')), true);
  t.load([lease('10.9.0.102', 'mac:z', 'bound', T0 + 1000)]);
  assert.equal(t.get('bench', ip('10.9.0.100')), undefined);
  assert.equal(t.allocateFree('bench', T0), '10.9.0.100');
  assert.equal(t.allocateFree('bench', T0, ip('10.9.0.100')), undefined, 'the server address is never returned');
});

test('stats: free/used per scope at a given time', () => {
  const t = new LeaseTable([plainScope('10.9.0.100', '10.9.0.109')]);
  t.apply([
    { kind: 'put', lease: lease('10.9.0.100', 'mac:a', 'bound', T0 + 1000) },
    { kind: 'put', lease: lease('10.9.0.101', 'mac:b', 'offered', T0 + 500) },
    { kind: 'put', lease: lease('10.9.0.102', 'mac:c', 'declined', T0 + 2000) },
    { kind: 'put', lease: lease('10.9.0.103', 'mac:d', 'released', T0, T0) },
  ]);
  assert.deepEqual(t.stats('bench', T0), { scope: 'bench', size: 10, free: 7, used: 3, offered: 1, bound: 1, declined: 1 });
  assert.deepEqual(t.stats('bench', T0 + 1000), { scope: 'bench', size: 10, free: 9, used: 1, offered: 0, bound: 0, declined: 1 });
  assert.equal(t.allStats(T0).length, 1);
});

test('many renewals of one lease leave the allocator correct (stale heap entries are compacted)', () => {
  const t = new LeaseTable([plainScope('10.9.0.100', '10.9.0.100')]);
  for (let i = 0; i < 5000; i++) t.apply([{ kind: 'put', lease: lease('10.9.0.100', 'mac:a', 'bound', T0 + 1000 + i) }]);
  assert.equal(t.allocateFree('bench', T0 + 5000), undefined);
  assert.equal(t.allocateFree('bench', T0 + 6000), '10.9.0.100');
});

test('65,536-address pool: every allocation touches O(1) entries amortised (counted, not timed)', () => {
  const size = 65_536;
  const scope = plainScope('10.1.0.0', '10.1.255.255', { network: ip('10.0.0.0'), prefix: 8 });
  const t = new LeaseTable([scope]);
  const seen = new Set<number>();
  for (let i = 0; i < size; i++) {
    const addr = t.allocateFree('bench', T0);
    assert.ok(addr !== undefined, `allocation ${i}`);
    seen.add(ipv4ToInt(addr));
    t.apply([{ kind: 'put', lease: lease(addr, `mac:${i}`, 'bound', T0 + 3600_000 + i) }]);
  }
  assert.equal(seen.size, size, 'every address handed out once');
  assert.equal(t.allocateFree('bench', T0), undefined, 'then the pool is exhausted');
  const afterFill = t.allocatorSteps;
  assert.ok(afterFill <= 4 * size, `filling took ${afterFill} steps for ${size} allocations`);

  // Everything expires; reallocation from the freed heap costs O(log n) each.
  const later = T0 + 7200_000;
  for (let i = 0; i < 1000; i++) {
    const addr = t.allocateFree('bench', later);
    assert.equal(addr, intToIpv4(ipv4ToInt(ip('10.1.0.0')) + i), 'oldest-expired first');
    t.apply([{ kind: 'put', lease: lease(addr, `mac:new${i}`, 'bound', later + 3600_000) }]);
  }
  const perRealloc = (t.allocatorSteps - afterFill) / 1000;
  assert.ok(perRealloc <= 4 * Math.log2(size), `${perRealloc} steps per reallocation`);
});
