/**
 * Issue 16 point 7, the lease files: the server counts lease time on its steady clock,
 * but the journal and snapshot hold wall time. After a +1 day step of the wall clock a
 * renewal is written with the new wall clock's times, and the next start (whose clock
 * begins at that wall time) finds the lease bound with the time it had left. Through the
 * appliance's own wiring (openLeaseJournal) and a real DhcpServer on an in-memory network.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openLeaseJournal } from '../../../src/appliance/dhcp.js';
import { FakeClock } from '../../../src/clock.js';
import { DHCP_MESSAGE_TYPE } from '../../../src/dhcp/constants.js';
import type { Lease } from '../../../src/dhcp/lease.js';
import { getMessageType } from '../../../src/dhcp/packet.js';
import { createSilentLogger } from '../../../src/log.js';
import { MemoryNetwork } from '../../../src/net/udp.js';
import { LEASE_STORE_FILES, parseJournalLine } from '../../../src/store/format.js';
import { openLeaseStore, readLeaseStore } from '../../../src/store/lease-store.js';
import { SteadyClock } from '../../../src/steady-clock.js';
import { DhcpTestClient, DhcpTestPort, testMac } from '../../helpers/dhcp-client.js';
import { memoryDhcpServer } from '../../helpers/memory-dhcp.js';
import { scopeFromJson } from '../../helpers/scope-json.js';

const DAY = 24 * 3600 * 1000;
const HOUR = 3600_000;
const START = Date.UTC(2026, 11, 5, 8, 0, 0);
const BENCH = scopeFromJson({ name: 'bench', interface: 'bench0', subnet: '10.9.0.0/24', ranges: [['10.9.0.100', '10.9.0.109']], leaseSeconds: 3600 });

/** The bound lease of the last journal line of `dir`. */
async function lastJournaledLease(dir: string): Promise<Lease | undefined> {
  const journals = (await readdir(dir)).filter((f) => LEASE_STORE_FILES.journalPattern.test(f)).sort();
  const lines = (await readFile(join(dir, journals.at(-1) ?? 'none'), 'utf8')).trim().split('\n');
  const change = parseJournalLine(lines.at(-1) ?? '');
  return change?.kind === 'put' ? change.lease : undefined;
}

test('after a +1 day wall step the journal and snapshot hold the new wall clock\'s times, and a restart keeps the lease bound', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-clock-step-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const monotonic = new FakeClock(0);
  let wallLead = START;
  const wallNow = (): number => monotonic.now() + wallLead;
  const clock = new SteadyClock({ wall: wallNow, monotonic });
  const store = await openLeaseJournal({ stateDir: dir, clock, logger: createSilentLogger() });
  const net = new MemoryNetwork();
  const server = memoryDhcpServer({ scope: BENCH, store, clock, net, serverAddress: '10.9.0.1' });
  await server.start();
  const got = await new DhcpTestClient(new DhcpTestPort(net.bind('255.255.255.255', 68), { address: '10.9.0.1', port: 67 }), { mac: testMac(1) }).obtain();
  assert.ok(got);
  assert.equal((await lastJournaledLease(dir))?.expiresAt, START + HOUR);

  monotonic.advance(1000);
  wallLead += DAY;
  monotonic.advance(30 * 60_000);
  const renewed = await new DhcpTestClient(new DhcpTestPort(net.bind(got.ip, 68), { address: '10.9.0.1', port: 67 }), { mac: testMac(1) }).renew(got.ip);
  assert.equal(renewed && getMessageType(renewed), DHCP_MESSAGE_TYPE.ACK);
  const renewedAt = wallNow();
  const line = await lastJournaledLease(dir);
  assert.deepEqual([line?.state, line?.startedAt, line?.expiresAt], ['bound', renewedAt, renewedAt + HOUR], 'the journal line is in the new wall time');
  await store.compact();
  const snapshot = JSON.parse(await readFile(join(dir, LEASE_STORE_FILES.snapshot), 'utf8')) as { leases: Lease[] };
  assert.deepEqual(snapshot.leases.map((l) => [l.ip, l.state, l.expiresAt]), [[got.ip, 'bound', renewedAt + HOUR]]);
  await server.stop();
  await store.close();

  // 20 minutes later (wall time), stopped: `benchboot leases` and the next start see the lease bound with 40 min left.
  const restartAt = renewedAt + 20 * 60_000;
  const listed = await readLeaseStore(dir, restartAt);
  assert.deepEqual(listed.map((l) => [l.ip, l.state]), [[got.ip, 'bound']]);
  const reopened = await openLeaseStore({ dir, now: restartAt });
  t.after(() => reopened.close());
  const lease = reopened.loaded.find((l) => l.ip === got.ip);
  assert.equal(lease?.state, 'bound');
  assert.equal((lease?.expiresAt ?? 0) - restartAt, 40 * 60_000);
});
