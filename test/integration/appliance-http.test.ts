/**
 * HTTP in the appliance on loopback (issue 14): a template renders per device over
 * HTTP byte-equal to its TFTP render for the same requester (known by its leased
 * address); HTTP requests are filed in the device's record (protocol http); a default
 * HTTP port another program listens on is skipped with its name in `status`, an
 * explicit one refuses the start with BB_PORT_IN_USE naming it.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles, type Appliance, type ApplianceHttpConfig } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { isBenchbootError } from '../../src/errors.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { tftpGet } from '../../src/tftp/client.js';
import { freeUdpPort } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { httpRaw } from '../helpers/http-client.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.79.0.0/24', 'range: 127.79.0.100-127.79.0.150', 'leaseTime: 1h', ''].join('\n');
const INVENTORY = ['mac,hostname,ext', '02:00:00:00:01:0a,phone-a,1001', '02:00:00:00:01:0b,phone-b,1002', ''].join('\n');

interface Rig {
  readonly appliance: Appliance;
  readonly dhcpPort: number;
  readonly tftpPort: number;
  readonly httpPort: number;
}

async function lab(t: TestContext): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-app-http-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  await writeFile(join(dir, 'inventory.csv'), INVENTORY);
  await writeFile(join(dir, 'tftp', 'phone.cfg.liquid'), 'name {{ device.hostname }} ext {{ device.ext }} mac {{ device.mac }} via {{ server.address }}\n');
  await writeFile(join(dir, 'tftp', 'first.cfg'), 'static\n');
  return dir;
}

async function startRig(t: TestContext, dir: string, http: ApplianceHttpConfig): Promise<Rig> {
  const dhcpPort = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    http,
    inventory: join(dir, 'inventory.csv'),
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('127.79.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    control: false,
  });
  await appliance.start();
  t.after(() => appliance.stop(0));
  const port = (listen: readonly string[] | undefined): number => Number(listen?.[0]?.split(':')[1]);
  return { appliance, dhcpPort, tftpPort: port(appliance.status().tftp.listen), httpPort: port(appliance.status().http?.listen) };
}

async function lease(rig: Rig, mac: string): Promise<string> {
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  try {
    const got = await new DhcpTestClient(new DhcpTestPort(endpoint, { address: '127.0.0.1', port: rig.dhcpPort }), { mac: parseMac(mac) }, { timeoutMs: 1000 }).obtain();
    assert.ok(got, 'no lease');
    return got.ip;
  } finally {
    await endpoint.close();
  }
}

async function until(predicate: () => boolean): Promise<void> {
  for (let i = 0; i < 250 && !predicate(); i++) await new Promise((r) => setTimeout(r, 20));
}

test('a template over HTTP is byte-equal to its TFTP render for the same device; HTTP requests reach the device record', async (t) => {
  const dir = await lab(t);
  const rig = await startRig(t, dir, { ports: [{ port: 0, isExplicit: true }] });
  for (const [mac, ext] of [['02:00:00:00:01:0a', '1001'], ['02:00:00:00:01:0b', '1002']] as const) {
    const ip = await lease(rig, mac);
    const viaTftp = Buffer.from((await tftpGet({ host: '127.0.0.1', port: rig.tftpPort, file: 'phone.cfg', localAddress: ip })).data ?? new Uint8Array());
    const viaHttp = await httpRaw({ host: '127.0.0.1', port: rig.httpPort, path: '/phone.cfg', localAddress: ip });
    assert.equal(viaHttp.status, 200);
    assert.ok(viaHttp.body.equals(viaTftp), `${viaHttp.body.toString()} vs ${viaTftp.toString()}`);
    assert.match(viaHttp.body.toString(), new RegExp(`ext ${ext} mac ${mac.replace(/:/g, '')} via 127\\.79\\.0\\.1`));
  }
  const ipA = await lease(rig, '02:00:00:00:01:0a');
  assert.equal((await httpRaw({ host: '127.0.0.1', port: rig.httpPort, path: '/missing.cfg', localAddress: ipA })).status, 404);
  const devices = rig.appliance.devices();
  const files = () => devices?.book.get('02:00:00:00:01:0a')?.timeline.filter((e) => e.kind === 'file') ?? [];
  await until(() => files().length >= 3);
  const seen = files().map((e) => (e.kind === 'file' ? `${e.protocol} ${e.name} ${e.result}` : ''));
  assert.deepEqual(seen, ['tftp phone.cfg delivered', 'http phone.cfg delivered', 'http missing.cfg not-found']);
});

/** Starts a process that listens on a TCP port of 127.0.0.1; returns the port and its pid. */
async function holdTcpPort(t: TestContext): Promise<{ port: number; pid: number }> {
  const child = spawn(process.execPath, ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))"], { stdio: ['ignore', 'pipe', 'inherit'] });
  t.after(() => {
    child.kill();
  });
  const [line] = (await once(child.stdout, 'data')) as [Buffer];
  return { port: Number(line.toString().trim()), pid: child.pid ?? 0 };
}

test('a default HTTP port held by another program is skipped with a warning; an explicit one refuses the start', async (t) => {
  const dir = await lab(t);
  const held = await holdTcpPort(t);
  const rig = await startRig(t, dir, { ports: [{ port: held.port, isExplicit: false }, { port: 0, isExplicit: false }] });
  const http = rig.appliance.status().http;
  assert.equal(http?.listen.length, 1, 'HTTP goes on with the free port');
  assert.equal(http?.skipped[0]?.port, held.port);
  assert.match(http?.skipped[0]?.reason ?? '', new RegExp(`node \\(pid ${held.pid}\\) on 127\\.0\\.0\\.1:${held.port}`));

  const dir2 = await lab(t);
  await assert.rejects(startRig(t, dir2, { ports: [{ port: held.port, isExplicit: true }] }), (err) =>
    isBenchbootError(err, 'BB_PORT_IN_USE') && err.message.includes(`TCP port ${held.port}`) && err.message.includes(`node (pid ${held.pid})`),
  );
});
