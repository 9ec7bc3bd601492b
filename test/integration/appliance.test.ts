/**
 * The appliance on loopback: DHCP (loopback socket standing for one interface),
 * TFTP on 127.0.0.1, the lease store and the control socket in a temp state dir.
 * A client gets a lease and a file, the events describe both, the control socket
 * answers, a reload changes what the next client gets while the first keeps its
 * lease, an invalid scope file is rejected, and leases survive a restart.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles, type Appliance, type ApplianceEvent } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { controlRequest, controlSocketPath } from '../../src/control/client.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { tftpGet } from '../../src/tftp/client.js';
import { isBenchbootError } from '../../src/errors.js';
import { freeUdpPort } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';

function scopeYaml(file: string): string {
  return [
    'name: bench',
    'interface: bench0',
    'subnet: 10.9.0.0/24',
    'range: 10.9.0.100-10.9.0.150',
    'leaseTime: 1h',
    'boot:',
    '  nextServer: 10.9.0.1',
    '  tftpServers: [10.9.0.1]',
    `  file: ${file}`,
    '',
  ].join('\n');
}

interface Rig {
  appliance: Appliance;
  events: ApplianceEvent[];
  dir: string;
  scopesDir: string;
  stateDir: string;
  dhcpPort: number;
}

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

async function startRig(dir: string): Promise<Rig> {
  const scopesDir = join(dir, 'scopes');
  const stateDir = join(dir, 'state');
  const dhcpPort = await freeUdpPort();
  const events: ApplianceEvent[] = [];
  const appliance = createAppliance({
    scopes: scopeFiles(scopesDir),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir,
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    onEvent: (e) => events.push(e),
  });
  await appliance.start();
  return { appliance, events, dir, scopesDir, stateDir, dhcpPort };
}

async function client(rig: Rig, mac: string): Promise<{ c: DhcpTestClient; close: () => Promise<void> }> {
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  const port = new DhcpTestPort(endpoint, { address: '127.0.0.1', port: rig.dhcpPort });
  return { c: new DhcpTestClient(port, { mac: parseMac(mac), vendorClass: 'Cisco Systems, Inc. IP Phone' }, { timeoutMs: 1000 }), close: () => endpoint.close() };
}

test('lease, file, control socket, reload and restart on one appliance', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-appliance-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), scopeYaml('first.cfg'));
  const firmware = Buffer.alloc(300_000, 7);
  await writeFile(join(dir, 'tftp', 'first.cfg'), firmware);

  let rig = await startRig(dir);
  let stopped = false;
  t.after(async () => {
    if (!stopped) await rig.appliance.stop(0);
  });

  // A phone gets a lease with the boot file of the scope file.
  const phone = await client(rig, '00:1b:d4:00:00:01');
  const got = await phone.c.obtain();
  await phone.close();
  assert.ok(got, 'no lease');
  assert.equal(got.ack.file, 'first.cfg');
  assert.equal(got.ack.siaddr, '10.9.0.1');
  const bound = rig.events.find((e) => e.kind === 'lease' && e.state === 'bound');
  assert.ok(bound && bound.kind === 'lease');
  assert.equal(bound.mac, '00:1b:d4:00:00:01');
  assert.equal(bound.ip, got.ip);
  assert.equal(bound.vendorClass, 'Cisco Systems, Inc. IP Phone');

  // It fetches the file over TFTP; the events tell the story of the transfer.
  const status1 = (await controlRequest(controlSocketPath(rig.stateDir), { op: 'status' })) as { tftp: { listen: string[] }; leases: { bound: number } };
  assert.equal(status1.leases.bound, 1);
  const tftpPort = Number(status1.tftp.listen[0]?.split(':')[1]);
  const r = await tftpGet({ host: '127.0.0.1', port: tftpPort, file: 'first.cfg', blksize: 1428 });
  assert.deepEqual(r.data, firmware);
  // The server sees the last ACK just after the client has its data.
  await until(() => rig.events.some((e) => e.kind === 'transfer-finished'));
  const kinds = rig.events.filter((e) => e.kind.startsWith('transfer')).map((e) => e.kind);
  assert.equal(kinds[0], 'transfer-started');
  assert.equal(kinds.at(-1), 'transfer-finished');
  const started = rig.events.find((e) => e.kind === 'transfer-started');
  assert.ok(started && started.kind === 'transfer-started');
  assert.equal(started.file, 'first.cfg');
  assert.equal(started.size, firmware.length);

  // A missing file is a refusal the view can show.
  await assert.rejects(tftpGet({ host: '127.0.0.1', port: tftpPort, file: 'missing.cfg', retries: 1 }));
  await until(() => rig.events.some((e) => e.kind === 'tftp-refused'));
  assert.ok(rig.events.some((e) => e.kind === 'tftp-refused' && e.file === 'missing.cfg'));

  // The control socket lists the lease.
  const leases = (await controlRequest(controlSocketPath(rig.stateDir), { op: 'leases' })) as { ip: string; state: string; mac: string }[];
  assert.ok(leases.some((l) => l.ip === got.ip && l.state === 'bound' && l.mac === '00:1b:d4:00:00:01'), JSON.stringify(leases));

  // Reload with a changed file: the next client gets the new boot file, the first keeps its lease.
  await writeFile(join(dir, 'scopes', 'bench.yaml'), scopeYaml('second.cfg'));
  assert.deepEqual(await controlRequest(controlSocketPath(rig.stateDir), { op: 'reload' }), { scopes: ['bench'] });
  const laptop = await client(rig, '00:1b:d4:00:00:02');
  const got2 = await laptop.c.obtain();
  assert.ok(got2);
  assert.equal(got2.ack.file, 'second.cfg');
  const renewPhone = await client(rig, '00:1b:d4:00:00:01');
  const renewed = await renewPhone.c.obtain(got.ip);
  await renewPhone.close();
  assert.equal(renewed?.ip, got.ip);

  // An invalid file is rejected: old scopes stay, the error names the file.
  await writeFile(join(dir, 'scopes', 'bench.yaml'), `${scopeYaml('third.cfg')}range: 10.8.0.1-10.8.0.9\n`);
  await assert.rejects(controlRequest(controlSocketPath(rig.stateDir), { op: 'reload' }), (err) => isBenchbootError(err) && /bench\.yaml/.test(err.message));
  assert.ok(rig.events.some((e) => e.kind === 'reload' && !e.ok));
  const got3 = await laptop.c.obtain();
  await laptop.close();
  assert.equal(got3?.ack.file, 'second.cfg');

  // Stop flushes the journal; a restart still knows both leases.
  await writeFile(join(dir, 'scopes', 'bench.yaml'), scopeYaml('second.cfg'));
  await rig.appliance.stop(1000);
  rig = await startRig(dir);
  const after = rig.appliance.leases().filter((l) => l.state === 'bound').map((l) => l.ip).sort();
  assert.deepEqual(after, [got.ip, got2.ip].sort());
  await rig.appliance.stop(0);
  stopped = true;
});
