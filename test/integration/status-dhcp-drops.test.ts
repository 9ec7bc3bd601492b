/** `benchboot status` names the DHCP drops a technician acts on: new clients over the rate, a full pool, DISCOVERs shed over capacity. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatStatus } from '../../src/cli/status.js';
import { startLoopbackAppliance } from '../helpers/loopback-appliance.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.79.0.0/24', 'range: 127.79.0.100-127.79.0.150', 'leaseTime: 1h', ''].join('\n');

test('status: the DISCOVERs shed over capacity are named beside rate-limited and pool-exhausted drops; other drops are only counted', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-status-drops-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const { appliance } = await startLoopbackAppliance(dir, '127.79.0.1', { tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] } });
  t.after(() => appliance.stop(0));
  const st = appliance.status();
  assert.ok(st.dhcp, 'DHCP is served');
  // The counters as a server over capacity reports them (making the queue overflow on a shared machine is not repeatable).
  const loaded = { ...st, dhcp: { ...st.dhcp, drops: { 'discover-shed': 120, 'not-a-request': 2 }, scopes: { bench: { offers: 0, acks: 0, naks: 0, declines: 0, releases: 0, informs: 0, drops: { 'pool-exhausted': 3 } } } } };
  const line = formatStatus(loaded, Date.now()).find((l) => l.startsWith('DHCP counters:'));
  assert.match(line ?? '', /125 dropped \(3 pool-exhausted, 120 discover-shed\)/);
});
