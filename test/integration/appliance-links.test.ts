/**
 * Served links that come and go (issue 16 point 1), on loopback: the appliance's DHCP
 * socket (a loopback socket standing for interface bench0) is closed when the link goes
 * away and bound again, through the same binding factory, when it comes back; `status`
 * and the events say which state the link is in; a link that comes back where another
 * DHCP server answers is not served; the derived scope follows a new address; a scope
 * file whose subnet no longer matches is not served, naming the old and new address.
 * The link itself is a table the test changes (the real watcher reads /sys/class/net;
 * the e2e test serve-links deletes and recreates a veth).
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, derivedScopes, scopeFiles, type Appliance, type ApplianceEvent, type ScopeSource } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import type { ProbeAnswer } from '../../src/dhcp/probe.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseIpv4, parseMac, type Ipv4 } from '../../src/net/ipv4.js';
import type { LinkObservation } from '../../src/net/link-watch.js';
import { freeUdpPort } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';

const ip = (s: string): Ipv4 => parseIpv4(s);
const up = (ifindex: number, address: string, prefix = 24): LinkObservation => ({ present: true, ifindex, isUp: true, addresses: [{ address: ip(address), prefix }] });

interface LinkRig {
  appliance: Appliance;
  events: ApplianceEvent[];
  dhcpPort: number;
  /** What the watcher sees next. */
  link: { now: LinkObservation; answers: ProbeAnswer[] };
}

async function startRig(t: TestContext, source: (dir: string) => Promise<ScopeSource>): Promise<LinkRig> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-links-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'tftp'));
  const dhcpPort = await freeUdpPort();
  const events: ApplianceEvent[] = [];
  const link = { now: up(5, '10.9.0.1'), answers: [] as ProbeAnswer[] };
  const appliance = createAppliance({
    scopes: await source(dir),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: ip('10.9.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    control: false,
    onEvent: (e) => events.push(e),
    links: { intervalMs: 10, observe: () => Promise.resolve(link.now), probe: () => Promise.resolve(link.answers) },
  });
  await appliance.start();
  t.after(() => appliance.stop(0));
  return { appliance, events, dhcpPort, link };
}

async function obtain(rig: LinkRig, mac: string, timeoutMs = 1000): Promise<Ipv4 | undefined> {
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  try {
    const port = new DhcpTestPort(endpoint, { address: '127.0.0.1', port: rig.dhcpPort });
    return (await new DhcpTestClient(port, { mac: parseMac(mac) }, { timeoutMs, attempts: 1 }).obtain())?.ip;
  } finally {
    await endpoint.close();
  }
}

/** The link's state as `status` reports it, once it is `state` (bounded wait: the watcher looks every 10 ms). */
async function linkState(rig: LinkRig, state: string): Promise<{ state: string; detail: string }> {
  for (let i = 0; i < 500; i++) {
    const l = rig.appliance.status().links?.[0];
    if (l?.state === state) return l;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`the link never reached ${state}: ${JSON.stringify(rig.appliance.status().links)}`);
}

const foreign: ProbeAnswer = { from: { address: '192.168.1.1', port: 67 }, messageType: 'OFFER', serverId: ip('192.168.1.1'), offeredIp: ip('192.168.1.77'), siaddr: ip('0.0.0.0'), sname: '', file: '', tftpServers: [] };

test('a link unplugged and plugged back: not served while away, served again with leases kept; another DHCP server there stops it', async (t) => {
  const rig = await startRig(t, () => Promise.resolve(derivedScopes([{ name: 'bench0', address: ip('10.9.0.1'), prefix: 24 }])));
  const mac = '00:1b:d4:00:00:01';
  const first = await obtain(rig, mac);
  assert.ok(first, 'a lease before the link goes');
  assert.equal((await linkState(rig, 'serving')).state, 'serving');

  rig.link.now = { present: false };
  const gone = await linkState(rig, 'gone');
  assert.match(gone.detail, /bench0 is gone .*not served until it comes back/);
  assert.equal(await obtain(rig, mac, 300), undefined, 'nothing answers while the link is gone');
  assert.ok(rig.events.some((e) => e.kind === 'link' && e.state === 'gone'), 'the live view is told');

  // Back with a new ifindex, but on a network where another DHCP server answers.
  rig.link.answers = [foreign];
  rig.link.now = up(9, '10.9.0.1');
  assert.match((await linkState(rig, 'other-server')).detail, /another DHCP server answers there \(.*192\.168\.1\.1/);
  assert.equal(await obtain(rig, mac, 300), undefined, 'not served next to another DHCP server');

  // Unplugged from that network and plugged back to the bench.
  rig.link.now = { present: false };
  await linkState(rig, 'gone');
  rig.link.answers = [];
  rig.link.now = up(12, '10.9.0.1');
  await linkState(rig, 'serving');
  assert.equal(await obtain(rig, mac), first, 'the device gets its address back: leases kept');
});

test('the derived scope follows a new address of a link that came back', async (t) => {
  const rig = await startRig(t, () => Promise.resolve(derivedScopes([{ name: 'bench0', address: ip('10.9.0.1'), prefix: 24 }])));
  rig.link.now = { present: false };
  await linkState(rig, 'gone');
  rig.link.now = up(7, '10.20.0.1');
  await linkState(rig, 'serving');
  assert.deepEqual(rig.appliance.status().scopes.map((s) => s.subnet), ['10.20.0.0/24']);
  assert.match(rig.appliance.status().scopeSource, /bench0 10\.20\.0\.1\/24/);
  const got = await obtain(rig, '00:1b:d4:00:00:02');
  assert.ok(got?.startsWith('10.20.0.'), `a lease in the new subnet (${got})`);
});

test('a scope file whose subnet no longer matches the address: not served, naming the old and new address', async (t) => {
  const rig = await startRig(t, async (dir) => {
    await mkdir(join(dir, 'scopes'));
    await writeFile(join(dir, 'scopes', 'bench.yaml'), ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', ''].join('\n'));
    return scopeFiles(join(dir, 'scopes'));
  });
  rig.link.now = up(5, '192.168.1.20');
  const moved = await linkState(rig, 'moved');
  assert.match(moved.detail, /bench0 came back as 192\.168\.1\.20\/24, outside scope bench \(it was 10\.9\.0\.1\)/);
  assert.equal(await obtain(rig, '00:1b:d4:00:00:03', 300), undefined, 'not served');
  rig.link.now = up(5, '10.9.0.1');
  await linkState(rig, 'serving');
  assert.ok(await obtain(rig, '00:1b:d4:00:00:03'), 'served again once the address is right');
});
