/**
 * Changes in the lease table that the journal has not confirmed (issue 16 point 3): a
 * failed exchange is taken back out of the table, whatever the order in which the
 * exchanges touching the same address settle, and the client index follows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Ipv4 } from '../../../src/net/ipv4.js';
import { LeaseTable } from '../../../src/dhcp/lease-table.js';
import type { Lease, LeaseChange, LeaseState } from '../../../src/dhcp/lease.js';
import { PendingChanges } from '../../../src/dhcp/pending-changes.js';
import { T0, benchScope, ip, mac } from './fixtures.js';

const A = '10.9.0.100' as Ipv4;

function lease(addr: Ipv4, key: string, state: LeaseState, startedAt: number): Lease {
  return { scope: 'bench', ip: addr, clientKey: key, mac: mac('00:00:00:00:00:01'), state, startedAt, expiresAt: startedAt + 3600_000 };
}
const put = (l: Lease): LeaseChange[] => [{ kind: 'put', lease: l }];

function setup(): { table: LeaseTable; pending: PendingChanges; base: Lease } {
  const table = new LeaseTable([benchScope({ ranges: [{ start: ip('10.9.0.100'), end: ip('10.9.0.109') }], router: undefined, dns: [], boot: { tftpServers: [] } })]);
  const base = lease(A, 'mac:a', 'bound', T0);
  table.load([base]);
  return { table, pending: new PendingChanges(table), base };
}

test('two exchanges on one address: each order of settling leaves exactly the durable ones', () => {
  const renewed = lease(A, 'mac:a', 'bound', T0 + 1000);
  const released = lease(A, 'mac:a', 'released', T0 + 2000);
  const cases: { settle: ('durable' | 'failed')[]; order: [number, number]; want: Lease }[] = [
    { settle: ['failed', 'durable'], order: [0, 1], want: released },
    { settle: ['durable', 'failed'], order: [0, 1], want: renewed },
    { settle: ['failed', 'failed'], order: [0, 1], want: lease(A, 'mac:a', 'bound', T0) },
    // The second settles first (an offer settles at once), then the first fails.
    { settle: ['failed', 'durable'], order: [1, 0], want: released },
    { settle: ['durable', 'failed'], order: [1, 0], want: renewed },
  ];
  for (const c of cases) {
    const { table, pending } = setup();
    const entries = [pending.apply(put(renewed)), pending.apply(put(released))];
    assert.equal(table.get('bench', A), released, 'both are in the table at once');
    for (const i of c.order) {
      const entry = entries[i];
      if (!entry) throw new Error('no entry');
      if (c.settle[i] === 'durable') pending.durable(entry);
      else pending.failed(entry);
    }
    assert.deepEqual(table.get('bench', A), c.want, `${c.settle.join('/')} settled in order ${c.order.join(',')}`);
    assert.deepEqual(table.findByClient('bench', 'mac:a'), c.want);
    assert.equal(pending.size, 0, 'nothing is left pending');
  }
});

test('a failed new lease leaves the address free and the client unknown; a failed move keeps the old record', async () => {
  const { table, pending, base } = setup();
  const fresh = lease('10.9.0.101' as Ipv4, 'mac:b', 'bound', T0 + 10);
  await assert.rejects(pending.write(put(fresh), { append: () => Promise.reject(new Error('ENOSPC')) }), /ENOSPC/);
  assert.equal(table.get('bench', fresh.ip), undefined);
  assert.equal(table.findByClient('bench', 'mac:b'), undefined);
  assert.equal(table.allocateFree('bench', T0 + 20), '10.9.0.101', 'the address is free again');
  // Client a moves to .102: the journal fails, so a's record is its old one again.
  const moved = lease('10.9.0.102' as Ipv4, 'mac:a', 'bound', T0 + 30);
  await assert.rejects(pending.write(put(moved), { append: () => Promise.reject(new Error('ENOSPC')) }));
  assert.equal(table.findByClient('bench', 'mac:a'), base);
  assert.equal(table.get('bench', moved.ip), undefined);
  // And a write that succeeds stays.
  await pending.write(put(moved), { append: () => Promise.resolve() });
  assert.equal(table.findByClient('bench', 'mac:a'), moved);
  assert.equal(pending.size, 0);
});
