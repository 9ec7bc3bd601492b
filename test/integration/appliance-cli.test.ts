/**
 * The CLI commands around a running appliance, through `main` with captured
 * streams: `tftp get|put` against its TFTP server, `leases` and `reload` through
 * its control socket, and `leases` / `leases release` on the lease files once it
 * has stopped.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { createSilentLogger } from '../../src/log.js';
import { freeUdpPort, runCli } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';

test('tftp get/put, leases, reload and release through the CLI', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp', 'uploads']) await mkdir(join(dir, d));
  const scope = (file: string): string =>
    ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', 'boot:', `  file: ${file}`, ''].join('\n');
  await writeFile(join(dir, 'scopes', 'bench.yaml'), scope('a.cfg'));
  const blob = Buffer.alloc(70_000, 3);
  await writeFile(join(dir, 'tftp', 'blob.bin'), blob);
  const dhcpPort = await freeUdpPort();
  const state = join(dir, 'state');
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), uploadDir: join(dir, 'uploads'), port: 0, maxTransfers: 5, listenAddresses: ['127.0.0.1'] },
    stateDir: state,
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
  });
  await appliance.start();
  let running = true;
  t.after(async () => {
    if (running) await appliance.stop(0);
  });
  const tftpPort = appliance.status().tftp.listen[0]?.split(':')[1] ?? '';

  const got = await runCli(['tftp', 'get', '127.0.0.1', 'blob.bin', '--port', tftpPort, '--blksize', '1400', '--windowsize', '4', '--output', join(dir, 'out.bin')]);
  assert.equal(got.code, 0, got.stderr);
  assert.match(got.stdout, /blob\.bin -> .*out\.bin: 68\.4 KiB in \d+ ms .*blksize 1400, windowsize 4/);
  assert.deepEqual(await readFile(join(dir, 'out.bin')), blob);

  await writeFile(join(dir, 'router1-confg'), 'hostname router1\n');
  const put = await runCli(['tftp', 'put', '127.0.0.1', join(dir, 'router1-confg'), '--port', tftpPort, '--json']);
  assert.equal(put.code, 0, put.stderr);
  assert.equal((JSON.parse(put.stdout) as { remote: string }).remote, 'router1-confg');
  assert.ok((await readdir(join(dir, 'uploads'))).some((n) => n.startsWith('router1-confg')));

  // A failed transfer is exit 1 with the client's code and the server's own words.
  const missing = await runCli(['tftp', 'get', '127.0.0.1', 'nope.bin', '--port', tftpPort, '--output', join(dir, 'nope.bin')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /\[BB_TFTP_CLIENT\]/);
  assert.match(missing.stderr, /not found/i);

  // Two leases, seen through `benchboot leases`.
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  const port = new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort });
  const lease = await new DhcpTestClient(port, { mac: parseMac('02:00:00:00:00:07') }).obtain();
  const other = await new DhcpTestClient(port, { mac: parseMac('02:00:00:00:00:08'), clientId: Uint8Array.of(1, 2, 0, 0, 0, 0, 8) }).obtain();
  await endpoint.close();
  assert.ok(lease && other);
  const listed = await runCli(['leases', '--leases', state]);
  assert.equal(listed.code, 0, listed.stderr);
  assert.match(listed.stdout, new RegExp(`${lease.ip.replace(/\./g, '\\.')} +02:00:00:00:00:07 +bound +bench`));

  await writeFile(join(dir, 'scopes', 'bench.yaml'), scope('b.cfg'));
  const reloaded = await runCli(['reload', '--leases', state]);
  assert.equal(reloaded.code, 0, reloaded.stderr);
  assert.match(reloaded.stdout, /Reloaded: now serving bench\./);

  // While it runs, release goes through the server (a DHCPRELEASE on the client's behalf,
  // client identifier included), and the address is free at once.
  const viaServer = await runCli(['leases', 'release', other.ip, '--leases', state]);
  assert.equal(viaServer.code, 0, viaServer.stderr);
  assert.match(viaServer.stdout, new RegExp(`Released ${other.ip.replace(/\./g, '\\.')} \\(was [0-9a-f:]+, scope bench\\)\\.`));
  assert.equal(appliance.leases().find((l) => l.ip === other.ip)?.state, 'released');
  const twice = await runCli(['leases', 'release', other.ip, '--leases', state]);
  assert.equal(twice.code, 1);
  assert.match(twice.stderr, /BB_LEASE_NOT_FOUND/);

  // Stopped: list and release in the lease files.
  await appliance.stop(0);
  running = false;
  const offline = await runCli(['leases', '--leases', state, '--json']);
  const offBody = JSON.parse(offline.stdout) as { from: string; leases: { ip: string }[] };
  assert.equal(offBody.from, 'lease files');
  assert.deepEqual(offBody.leases.map((l) => l.ip), [lease.ip]);
  const released = await runCli(['leases', 'release', lease.ip, '--leases', state]);
  assert.equal(released.code, 0, released.stderr);
  assert.match(released.stdout, /Released .* \(was 02:00:00:00:00:07, scope bench\)/);
  const after = await runCli(['leases', '--leases', state, '--all', '--json']);
  const all = (JSON.parse(after.stdout) as { leases: { ip: string; state: string }[] }).leases;
  assert.equal(all.find((l) => l.ip === lease.ip)?.state, 'released');
  const again = await runCli(['leases', 'release', lease.ip, '--leases', state]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /BB_LEASE_NOT_FOUND/);
});
