/**
 * Seeing and clearing what a burst of new clients took (issue 16 point 6), through the
 * CLI and the control socket of a running appliance: `benchboot leases --since TIME`
 * lists only the leases bound since then, `benchboot leases release --since TIME` frees
 * exactly those (the device bound before keeps its lease), and on a stopped server the
 * same is done in the lease files. `status` names the rate-limited drops.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createAppliance, scopeFiles } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseIpv4 } from '../../src/net/ipv4.js';
import { createSilentLogger } from '../../src/log.js';
import { freeUdpPort, runCli } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort, testMac } from '../helpers/dhcp-client.js';

const BURST = 12;

test('leases --since shows what a burst took; leases release --since gives it back, running or stopped', { timeout: 30_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-since-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', ''].join('\n'));
  const dhcpPort = await freeUdpPort();
  const state = join(dir, 'state');
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 5, listenAddresses: ['127.0.0.1'] },
    stateDir: state,
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    // A token every 1000 s: nothing refills while the test runs.
    newClientRate: { perSecond: 0.001, burst: BURST },
    logger: createSilentLogger(),
    clock: systemClock,
  });
  await appliance.start();
  let running = true;
  t.after(async () => {
    if (running) await appliance.stop(0);
  });
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  t.after(() => endpoint.close());
  const port = new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort });

  const real = await new DhcpTestClient(port, { mac: testMac(1) }).obtain();
  assert.ok(real);
  // Leases record ms: step past the real device's lease before marking the burst's start.
  await sleep(5);
  const mark = new Date().toISOString();
  const burst = await Promise.all(Array.from({ length: BURST + 3 }, (_, i) => new DhcpTestClient(port, { mac: testMac(100 + i) }, { timeoutMs: 300, attempts: 1 }).obtain()));
  const took = burst.filter((b) => b !== undefined).map((b) => b.ip);
  assert.equal(took.length, BURST - 1, 'the bucket had room for the burst less the real device');

  const listed = await runCli(['leases', '--leases', state, '--since', mark, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const shown = (JSON.parse(listed.stdout) as { leases: { ip: string }[] }).leases.map((l) => l.ip);
  assert.deepEqual(new Set(shown), new Set(took));
  assert.ok(!shown.includes(real.ip));

  const status = await runCli(['status', '--leases', state]);
  assert.match(status.stdout, /^DHCP counters: .* dropped \(4 rate-limited\)/m);

  const released = await runCli(['leases', 'release', '--since', mark, '--leases', state]);
  assert.equal(released.code, 0, released.stderr);
  assert.match(released.stdout, new RegExp(`^Released ${BURST - 1} leases bound since .* UTC \\(running server,`, 'm'));
  const bound = appliance.leases().filter((l) => l.state === 'bound').map((l) => l.ip);
  assert.deepEqual(bound, [real.ip], 'only the device bound before the burst keeps its lease');

  const neither = await runCli(['leases', 'release', '--leases', state]);
  assert.equal(neither.code, 2);
  assert.match(neither.stderr, /an IP or --since TIME/);
  const bad = await runCli(['leases', '--since', 'yesterday', '--leases', state]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /--since "yesterday"/);

  await appliance.stop(0);
  running = false;
  const offline = await runCli(['leases', 'release', '--since', '1h', '--leases', state, '--json']);
  assert.equal(offline.code, 0, offline.stderr);
  const body = JSON.parse(offline.stdout) as { from: string; released: { ip: string }[] };
  assert.equal(body.from, 'lease files');
  assert.deepEqual(body.released.map((l) => l.ip), [real.ip]);
});
