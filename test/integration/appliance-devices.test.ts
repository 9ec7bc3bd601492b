/**
 * The appliance's device book on loopback (issue 13 parts 1–3): the scope hands out
 * 127.77.0.x addresses so that a TFTP client bound to its leased address is found
 * in the lease table. A device that gets a lease and a file is fetching (or
 * provisioned) with the file; one asking for a missing file is stuck with "asked
 * for X: not found"; records survive a restart; `device-reset` clears one; the CSV
 * report neutralises a vendor class starting with `=`.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { type Appliance } from '../../src/appliance/index.js';
import { controlRequest, controlSocketPath } from '../../src/control/client.js';
import { parseMac } from '../../src/net/ipv4.js';
import { tftpGet } from '../../src/tftp/client.js';
import { startLoopbackAppliance } from '../helpers/loopback-appliance.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { main } from '../../src/cli/main.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.77.0.0/24', 'range: 127.77.0.100-127.77.0.150', 'leaseTime: 1h', 'boot:', '  file: first.cfg', ''].join('\n');

interface Rig {
  appliance: Appliance;
  stateDir: string;
  dhcpPort: number;
  tftpPort: number;
}

async function startRig(dir: string): Promise<Rig> {
  return startLoopbackAppliance(dir, '127.77.0.1');
}

async function lease(rig: Rig, mac: string, vendorClass: string): Promise<string> {
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  try {
    const port = new DhcpTestPort(endpoint, { address: '127.0.0.1', port: rig.dhcpPort });
    const got = await new DhcpTestClient(port, { mac: parseMac(mac), vendorClass }, { timeoutMs: 1000 }).obtain();
    assert.ok(got, 'no lease');
    return got.ip;
  } finally {
    await endpoint.close();
  }
}

async function until(predicate: () => Promise<boolean>, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate()) && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

interface Row {
  mac: string;
  status: string;
  diagnosis: string;
  vendorClass?: string;
  lastFile?: string;
  files: { name: string; result: string }[];
}

async function devices(rig: Rig): Promise<Row[]> {
  return (await controlRequest(controlSocketPath(rig.stateDir), { op: 'devices' })) as Row[];
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

test('devices: a lease and a file, a missing file, restart, reset and the CSV report', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-devices-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  await writeFile(join(dir, 'tftp', 'first.cfg'), Buffer.alloc(5000, 7));
  let rig = await startRig(dir);
  let running = true;
  t.after(async () => {
    if (running) await rig.appliance.stop(0);
  });

  // A device takes a lease and fetches its file from its leased address.
  const ipA = await lease(rig, '02:00:00:00:00:0a', 'bench-a');
  await tftpGet({ host: '127.0.0.1', port: rig.tftpPort, file: 'first.cfg', localAddress: ipA });
  // A device with a vendor class that a spreadsheet would take for a formula asks for a missing file.
  const ipB = await lease(rig, '02:00:00:00:00:0b', '=HYPERLINK("x")');
  await assert.rejects(tftpGet({ host: '127.0.0.1', port: rig.tftpPort, file: 'missing.cfg', localAddress: ipB, retries: 1 }));
  await until(async () => (await devices(rig)).filter((d) => d.files.length > 0).length === 2);

  const rows = await devices(rig);
  const a = rows.find((d) => d.mac === '02:00:00:00:00:0a');
  const b = rows.find((d) => d.mac === '02:00:00:00:00:0b');
  assert.ok(a && b, JSON.stringify(rows));
  assert.ok(['fetching', 'provisioned'].includes(a.status), a.status);
  assert.deepEqual(a.files, [{ name: 'first.cfg', result: 'delivered' }]);
  assert.equal(a.lastFile, 'first.cfg');
  assert.equal(b.status, 'stuck');
  assert.match(b.diagnosis, /asked for missing\.cfg: not found/);

  // One device with its timeline; `status` counts devices by status.
  const one = (await controlRequest(controlSocketPath(rig.stateDir), { op: 'device', mac: '0200.0000.000b' })) as { record: { timeline: { kind: string }[] } };
  assert.deepEqual(one.record.timeline.map((e) => e.kind), ['dhcp', 'dhcp', 'file']);
  const st = (await controlRequest(controlSocketPath(rig.stateDir), { op: 'status' })) as { devices: Record<string, number> };
  assert.equal(st.devices.stuck, 1);

  // The CLI: the table, `show` and the CSV report.
  const table = await cli(['devices', '--leases', rig.stateDir]);
  assert.equal(table.code, 0, table.stderr);
  assert.match(table.stdout, /STATUS/);
  assert.match(table.stdout, /02:00:00:00:00:0b .*stuck/);
  const show = await cli(['devices', 'show', '02:00:00:00:00:0b', '--leases', rig.stateDir]);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /missing\.cfg/);
  assert.match(show.stdout, /stuck: asked for missing\.cfg: not found/);
  const csv = await cli(['report', '--format', 'csv', '--leases', rig.stateDir]);
  assert.equal(csv.code, 0, csv.stderr);
  assert.match(csv.stdout, /'=HYPERLINK/);
  assert.doesNotMatch(csv.stdout, /(^|,)"?=HYPERLINK/m);

  // The records survive a restart.
  await rig.appliance.stop(0);
  running = false;
  rig = await startRig(dir);
  running = true;
  const after = await devices(rig);
  assert.equal(after.find((d) => d.mac === '02:00:00:00:00:0b')?.status, 'stuck');
  assert.equal(after.find((d) => d.mac === '02:00:00:00:00:0a')?.lastFile, 'first.cfg');

  // `devices reset` clears a record: the device starts over.
  const reset = await cli(['devices', 'reset', '02:00:00:00:00:0b', '--leases', rig.stateDir]);
  assert.equal(reset.code, 0, reset.stderr);
  const cleared = (await devices(rig)).find((d) => d.mac === '02:00:00:00:00:0b');
  assert.ok(cleared);
  assert.deepEqual(cleared.files, []);
  assert.notEqual(cleared.status, 'stuck');
  const unknown = await cli(['devices', 'reset', '02:00:00:00:00:ff', '--leases', rig.stateDir]);
  assert.equal(unknown.code, 1);
  assert.match(unknown.stderr, /BB_DEVICE_NOT_FOUND/);

  // With the server stopped, the report reads the device store offline.
  await rig.appliance.stop(0);
  running = false;
  const offline = await cli(['report', '--format', 'json', '--leases', rig.stateDir]);
  assert.equal(offline.code, 0, offline.stderr);
  assert.match(offline.stdout, /02:00:00:00:00:0a/);
});
