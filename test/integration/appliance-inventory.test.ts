/**
 * `serve --inventory FILE` on a loopback appliance (issue 12): a row's `ip` is a
 * reservation and its `hostname` option 12, its cells are the variables of the
 * templates it fetches, a reload re-reads the file, and an inventory that does not
 * fit (an address in no scope, a clash with the scope file) refuses the start or the
 * reload with every issue at file:line:column while the previous one stays in force.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles, type Appliance } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { OPTION } from '../../src/dhcp/constants.js';
import { getOption } from '../../src/dhcp/message.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { isBenchbootError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { tftpGet } from '../../src/tftp/client.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { freeUdpPort } from '../helpers/cli.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.78.0.0/24', 'range: 127.78.0.100-127.78.0.150', 'boot:', '  nextServer: 127.78.0.1', ''];

interface Rig {
  readonly appliance: Appliance;
  readonly dhcpPort: number;
  readonly tftpPort: number;
}

async function startRig(dir: string): Promise<Rig> {
  const dhcpPort = await freeUdpPort();
  const tftpPort = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: tftpPort, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir: join(dir, 'state'),
    inventory: join(dir, 'inventory.csv'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('127.78.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    control: false,
  });
  await appliance.start();
  return { appliance, dhcpPort, tftpPort };
}

async function lab(t: { after: (fn: () => Promise<void>) => void }, scopeExtra: readonly string[] = []): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-inventory-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), [...SCOPE, ...scopeExtra, ''].join('\n'));
  await writeFile(join(dir, 'tftp', 'SEP{MAC}.cnf.xml.liquid'), 'host {{ device.hostname }} ext {{ device.ext }}\n');
  await writeFile(join(dir, 'tftp', 'network-confg.liquid'), 'hostname {{ device.hostname }}\n');
  return dir;
}

/** DISCOVER + REQUEST from `mac`: the address and option 12 of the ACK. */
async function lease(rig: Rig, mac: string): Promise<{ ip: string; hostname: string | undefined }> {
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  try {
    const port = new DhcpTestPort(endpoint, { address: '127.0.0.1', port: rig.dhcpPort });
    const got = await new DhcpTestClient(port, { mac: parseMac(mac) }, { timeoutMs: 1000 }).obtain();
    assert.ok(got, `no lease for ${mac}`);
    const host = getOption(got.ack, OPTION.HOST_NAME);
    return { ip: got.ip, hostname: host === undefined ? undefined : Buffer.from(host).toString('utf8') };
  } finally {
    await endpoint.close();
  }
}

/** Waits (bounded) for a condition the server reaches asynchronously. */
async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

/** A TFTP read from `from` (a leased address: loopback holds all of 127/8), so that the server knows the device. */
async function get(rig: Rig, file: string, from = '127.0.0.1'): Promise<string> {
  const r = await tftpGet({ host: '127.0.0.1', port: rig.tftpPort, file, retries: 1, localAddress: from });
  return Buffer.from(r.data ?? new Uint8Array()).toString('utf8');
}

test('inventory rows reserve addresses, name hosts, fill templates, and a reload re-reads the file', async (t) => {
  const dir = await lab(t);
  const inventory = join(dir, 'inventory.csv');
  await writeFile(inventory, ['mac,ip,hostname,ext,expects', '00:1b:d4:00:00:01,127.78.0.42,phone1,1001,SEP{MAC}.cnf.xml', '001B.D400.0002,,phone2,1002,', ''].join('\n'));
  const rig = await startRig(dir);
  t.after(() => rig.appliance.stop(0));

  assert.deepEqual(await lease(rig, '00:1b:d4:00:00:01'), { ip: '127.78.0.42', hostname: 'phone1' }, 'the row ip is a reservation, its hostname option 12');
  const second = await lease(rig, '00:1b:d4:00:00:02');
  assert.equal(second.hostname, 'phone2');
  assert.ok(second.ip >= '127.78.0.100' && second.ip <= '127.78.0.150', `a row without ip leases from the pool: ${second.ip}`);
  assert.equal(await get(rig, 'SEP001BD4000001.cnf.xml', '127.78.0.42'), 'host phone1 ext 1001\n');
  // The device record knows its row, the file as a template, and the row's expects decide "provisioned".
  // (The server files the transfer when the client's last ACK arrives, just after the client has its data.)
  await until(() => (rig.appliance.devices()?.detail('001bd4000001')?.record.progress.files.length ?? 0) > 0);
  const detail = rig.appliance.devices()?.detail('001bd4000001');
  assert.ok(detail, 'no device record');
  assert.equal(detail.record.facts.inventoryKey, 'phone1');
  assert.deepEqual(detail.record.progress.files.map((f) => [f.name, f.origin, f.result]), [['SEP001BD4000001.cnf.xml', 'template', 'delivered']]);
  assert.equal(detail.status.status, 'provisioned', JSON.stringify(detail.status));
  assert.equal(rig.appliance.devices()?.detail('001bd4000002')?.record.facts.inventoryKey, 'phone2');
  // A template without a token renders for the device that asks, known by its lease.
  assert.equal(await get(rig, 'network-confg', second.ip), 'hostname phone2\n');

  // An edited file is read again at reload: a new row's reservation, a changed cell.
  await writeFile(inventory, ['mac,ip,hostname,ext', '00:1b:d4:00:00:01,127.78.0.42,phone1,2001', '001B.D400.0002,,phone2,1002', '00-1B-D4-00-00-03,127.78.0.43,phone3,1003', ''].join('\n'));
  await rig.appliance.reload();
  assert.deepEqual(await lease(rig, '00:1b:d4:00:00:03'), { ip: '127.78.0.43', hostname: 'phone3' });
  assert.equal(await get(rig, 'SEP001BD4000001.cnf.xml'), 'host phone1 ext 2001\n');

  // A file that does not fit is rejected with its position; the previous inventory stays.
  await writeFile(inventory, ['mac,ip,hostname,ext', '00:1b:d4:00:00:01,10.8.0.5,phone1,3001', ''].join('\n'));
  await assert.rejects(rig.appliance.reload(), (err: unknown) => isBenchbootError(err, 'BB_INVENTORY') && /inventory\.csv:2:2: ip: 10\.8\.0\.5 is in no scope/.test(err.message));
  assert.equal(await get(rig, 'SEP001BD4000001.cnf.xml'), 'host phone1 ext 2001\n', 'the rejected file changed nothing');
  assert.deepEqual(await lease(rig, '00:1b:d4:00:00:03'), { ip: '127.78.0.43', hostname: 'phone3' });
});

test('an inventory that clashes with the scope file, or has a bad cell, refuses the start naming file:line:column', async (t) => {
  const dir = await lab(t, ['reservations:', '  - mac: 00:1b:d4:00:00:09', '    ip: 127.78.0.42']);
  const inventory = join(dir, 'inventory.csv');
  await writeFile(inventory, ['mac,ip,hostname', '00:1b:d4:00:00:01,127.78.0.42,phone1', '00:1b:d4:00:00:02,127.78.0.1,phone2', ''].join('\n'));
  await assert.rejects(startRig(dir), (err: unknown) => {
    assert.ok(isBenchbootError(err, 'BB_INVENTORY'), String(err));
    assert.match(err.message, /inventory\.csv:2:2: ip: 127\.78\.0\.42 is already reserved in scope bench \(127\.78\.0\.0\/24\) for 00:1b:d4:00:00:09/);
    assert.match(err.message, /inventory\.csv:3:2: ip: 127\.78\.0\.1 is the router of scope bench/);
    return true;
  });

  await writeFile(inventory, ['mac,ip,hostname', '00:1b:d4:00:00:01,127.78.0.300,phone1', ''].join('\n'));
  await assert.rejects(startRig(dir), (err: unknown) => isBenchbootError(err, 'BB_INVENTORY') && /inventory\.csv:2:2: ip: "127\.78\.0\.300" is not an IPv4 address/.test(err.message));

  // The row that the scope file already reserves the same way is no clash.
  await writeFile(inventory, ['mac,ip,hostname', '00:1b:d4:00:00:09,127.78.0.42,gw1', ''].join('\n'));
  const rig = await startRig(dir);
  t.after(() => rig.appliance.stop(0));
  assert.deepEqual(await lease(rig, '00:1b:d4:00:00:09'), { ip: '127.78.0.42', hostname: 'gw1' });
});
