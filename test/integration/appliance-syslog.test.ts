/**
 * Device logs in the timeline (issue 13 part 6) on a loopback appliance: a syslog
 * datagram from a leased address is filed under that device (facility, severity,
 * text; control characters escaped where the timeline is printed); one from an
 * address without a lease and an empty one are counted and dropped, and the
 * receiver goes on; the default port taken by another program leaves serve running
 * without syslog and says so in status, a port asked for is fatal.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles, type Appliance, type ApplianceSyslogConfig } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { formatEventLine } from '../../src/devices/timeline-text.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { isBenchbootError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { bindUdp } from '../../src/net/udp.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { freeUdpPort } from '../helpers/cli.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.79.0.0/24', 'range: 127.79.0.100-127.79.0.150', 'boot:', '  nextServer: 127.79.0.1', ''];

interface Rig {
  readonly appliance: Appliance;
  readonly dhcpPort: number;
}

async function lab(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-syslog-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE.join('\n'));
  return dir;
}

async function startRig(dir: string, syslog: ApplianceSyslogConfig): Promise<Rig> {
  const dhcpPort = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: await freeUdpPort(), maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('127.79.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    control: false,
    syslog,
  });
  await appliance.start();
  return { appliance, dhcpPort };
}

async function lease(rig: Rig, mac: string): Promise<string> {
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  try {
    const got = await new DhcpTestClient(new DhcpTestPort(endpoint, { address: '127.0.0.1', port: rig.dhcpPort }), { mac: parseMac(mac) }, { timeoutMs: 1000 }).obtain();
    assert.ok(got, `no lease for ${mac}`);
    return got.ip;
  } finally {
    await endpoint.close();
  }
}

/** Sends one datagram from `from` (loopback holds all of 127/8) to the receiver. */
async function send(port: number, from: string, text: string | Uint8Array): Promise<void> {
  const ep = await bindUdp({ address: from, port: 0 });
  try {
    await ep.send(typeof text === 'string' ? Buffer.from(text) : text, { address: '127.0.0.1', port });
  } finally {
    await ep.close();
  }
}

async function until(predicate: () => boolean, timeoutMs = 5000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!predicate() && Date.now() < end) await new Promise((r) => setTimeout(r, 20));
}

function counters(rig: Rig): { received: number; filed: number; unattributed: number; empty: number } {
  const s = rig.appliance.status().syslog;
  assert.ok(s && 'counters' in s, `syslog is not running: ${JSON.stringify(s)}`);
  return s.counters;
}

test('a leased device\'s syslog lines land in its timeline; strangers and empty datagrams are counted and dropped', async (t) => {
  const dir = await lab(t);
  const port = await freeUdpPort();
  const rig = await startRig(dir, { port, explicit: true });
  t.after(() => rig.appliance.stop(0));
  const ip = await lease(rig, '00:1b:d4:00:00:07');
  const syslog = rig.appliance.status().syslog;
  assert.deepEqual(syslog && 'listen' in syslog ? syslog.listen : syslog, [`127.0.0.1:${port}`]);

  await send(port, '127.79.0.9', '<134>Dec  5 03:00:00 stranger cfg: hello');
  await send(port, ip, new Uint8Array(0));
  await send(port, ip, '<134>Dec  5 03:00:01 SEP001BD4000007 cfg: resync failed: \x1b[31mXML error line 4\n');
  await until(() => counters(rig).received >= 3);
  assert.deepEqual(counters(rig), { received: 3, filed: 1, unattributed: 1, empty: 1, failed: 0 });

  const detail = rig.appliance.devices()?.detail('001bd4000007');
  assert.ok(detail, 'no device record');
  const logs = detail.record.timeline.filter((e) => e.kind === 'syslog');
  assert.equal(logs.length, 1);
  const entry = logs[0];
  assert.ok(entry?.kind === 'syslog');
  assert.deepEqual([entry.facility, entry.severity], [16, 6], 'PRI 134 is local0.info');
  assert.match(entry.text, /resync failed/);
  const printed = formatEventLine(entry);
  assert.ok(!printed.includes('\u001b'), `the escape character never reaches a terminal: ${JSON.stringify(printed)}`);
  assert.match(printed, /syslog <16\.6> .*resync failed: .*XML error line 4/);
  assert.equal(detail.status.status, 'leased', 'a log line does not change the status');
});

test('the default syslog port taken by another program: serve goes on without syslog and says why; an asked-for port is fatal', async (t) => {
  const dir = await lab(t);
  const holder = await bindUdp({ address: '127.0.0.1', port: 0 });
  t.after(() => holder.close());
  const port = holder.local().port;

  const rig = await startRig(dir, { port, explicit: false });
  const off = rig.appliance.status().syslog;
  assert.ok(off && 'off' in off, JSON.stringify(off));
  assert.match(off.off, new RegExp(`UDP ${port} is taken`));
  assert.ok(rig.appliance.status().dhcp, 'DHCP serves without syslog');
  assert.ok(await lease(rig, '00:1b:d4:00:00:08'));
  await rig.appliance.stop(0);

  await assert.rejects(startRig(dir, { port, explicit: true }), (err: unknown) => isBenchbootError(err, 'BB_PORT_IN_USE') && new RegExp(`UDP port ${port} \\(syslog\\)`).test(err.message));
});
