/**
 * The terminal live view fed by a real appliance on loopback, wired as `serve` wires
 * it (`onEvent` → `createLiveView().update`): the scope hands out 127.77.1.x
 * addresses so that a TFTP client bound to its leased address is found in the lease
 * table. After a lease the device's row says `leased`; after it fetches its file,
 * `fetching`; a second device asking for a missing file is `stuck` with the
 * diagnosis of `benchboot devices` under its row; the header counts both. After a
 * restart the devices restored from disk show at once with their status (in the view
 * and on the dashboard), and a device evicted from a full book loses its row in both.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { createAppliance, scopeFiles } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { tftpGet } from '../../src/tftp/client.js';
import { createLiveView, type LiveView } from '../../src/ui/live-view.js';
import { renderView } from '../../src/ui/render.js';
import { freeUdpPort } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { httpRequest } from '../helpers/http.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.77.1.0/24', 'range: 127.77.1.100-127.77.1.150', 'leaseTime: 1h', 'boot:', '  file: first.cfg', ''].join('\n');

/** A terminal that keeps what is drawn. */
class Screen extends Writable {
  text = '';
  columns = 160;
  rows = 40;
  isTTY = true;
  override _write(chunk: Buffer, _enc: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function lease(dhcpPort: number, mac: string): Promise<string> {
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  try {
    const port = new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort });
    const got = await new DhcpTestClient(port, { mac: parseMac(mac), vendorClass: 'BenchPhone 7965' }, { timeoutMs: 1000 }).obtain();
    assert.ok(got, 'no lease');
    return got.ip;
  } finally {
    await endpoint.close();
  }
}

/** The view as it is drawn at 160 columns, once `predicate` holds (or after 5 s, for the assertion's message). */
async function viewWhen(view: LiveView, predicate: (text: string) => boolean): Promise<string[]> {
  const end = Date.now() + 5000;
  let lines = renderView(view.state(), 160);
  while (!predicate(lines.join('\n')) && Date.now() < end) {
    await new Promise((r) => setTimeout(r, 20));
    lines = renderView(view.state(), 160);
  }
  return lines;
}

function rowOf(lines: readonly string[], mac: string): [string, string] {
  const i = lines.findIndex((l) => l.startsWith(mac));
  assert.ok(i >= 0, `no row for ${mac}:\n${lines.join('\n')}`);
  return [lines[i] ?? '', lines[i + 1] ?? ''];
}

test('live view: a device is leased, then fetching; one asking for a missing file is stuck with its diagnosis', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-live-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  await writeFile(join(dir, 'tftp', 'first.cfg'), Buffer.alloc(5000, 7));
  const screen = new Screen();
  const view = createLiveView({ stream: screen, serving: ['bench0 127.77.1.0/24 (bench)'], clock: systemClock });
  const dhcpPort = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('127.77.1.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    onEvent: (e) => view.update(e),
  });
  await appliance.start();
  t.after(() => appliance.stop(0));
  const tftpPort = Number(appliance.status().tftp.listen[0]?.split(':')[1]);

  const a = '02:00:00:00:01:0a';
  const ipA = await lease(dhcpPort, a);
  let lines = await viewWhen(view, (text) => text.includes('leased'));
  assert.match(rowOf(lines, a)[0], new RegExp(`^${a} BenchPhone 7965 +${ipA.replace(/\./g, '\\.')} +bound +leased +-$`));
  assert.equal(lines[2], '1 device: 1 leased');

  await tftpGet({ host: '127.0.0.1', port: tftpPort, file: 'first.cfg', localAddress: ipA });
  lines = await viewWhen(view, (text) => text.includes('fetching'));
  assert.match(rowOf(lines, a)[0], / bound +fetching +first\.cfg$/);

  const b = '02:00:00:00:01:0b';
  const ipB = await lease(dhcpPort, b);
  await assert.rejects(tftpGet({ host: '127.0.0.1', port: tftpPort, file: 'missing.cfg', localAddress: ipB, retries: 1 }));
  lines = await viewWhen(view, (text) => text.includes('stuck'));
  const [row, diagnosis] = rowOf(lines, b);
  assert.match(row, / bound +stuck +missing\.cfg \(.+\)$/);
  assert.equal(diagnosis.trim(), 'stuck: asked for missing.cfg: not found (File not found: missing.cfg)');
  assert.equal(lines[2], '2 devices: 1 fetching, 1 stuck');

  // What is left on the terminal at stop says the same.
  view.stop();
  assert.match(screen.text, /stuck: asked for missing\.cfg: not found/);
});

/** The device rows of the dashboard's overview page, as its devices panel renders them. */
async function dashboardDeviceRows(appliance: ReturnType<typeof createAppliance>): Promise<string[]> {
  const web = appliance.status().web;
  const port = Number(/:(\d+)\/$/.exec(web && 'url' in web ? web.url : '')?.[1]);
  const page = await httpRequest(port, '/');
  assert.equal(page.status, 200);
  return [...page.body.matchAll(/<tr class="device [^"]*"[^>]*>.*?<\/tr>/g)].map((m) => m[0]);
}

test('live view and dashboard after a restart: the restored devices show with their status at once; a device evicted from a full book loses its row', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-live-restore-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE.replaceAll('127.77.1.', '127.77.2.'));
  await writeFile(join(dir, 'tftp', 'first.cfg'), Buffer.alloc(5000, 7));
  const dhcpPort = await freeUdpPort();
  const start = (view: LiveView): ReturnType<typeof createAppliance> =>
    createAppliance({
      scopes: scopeFiles(join(dir, 'scopes')),
      tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
      stateDir: join(dir, 'state'),
      dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('127.77.2.1') }),
      logger: createSilentLogger(),
      clock: systemClock,
      web: { address: '127.0.0.1', port: 0, explicit: true },
      deviceRetention: { maxDevices: 2 },
      onEvent: (e) => view.update(e),
    });
  const a = '02:00:00:00:02:0a';
  const b = '02:00:00:00:02:0b';
  const c = '02:00:00:00:02:0c';

  // First run: one device fetches its file, another asks for a missing one.
  const firstView = createLiveView({ stream: new Screen(), serving: ['bench0'], clock: systemClock });
  let appliance = start(firstView);
  await appliance.start();
  let running = true;
  t.after(async () => {
    if (running) await appliance.stop(0);
  });
  const tftpPort = Number(appliance.status().tftp.listen[0]?.split(':')[1]);
  const ipA = await lease(dhcpPort, a);
  await tftpGet({ host: '127.0.0.1', port: tftpPort, file: 'first.cfg', localAddress: ipA });
  const ipB = await lease(dhcpPort, b);
  await assert.rejects(tftpGet({ host: '127.0.0.1', port: tftpPort, file: 'missing.cfg', localAddress: ipB, retries: 1 }));
  await viewWhen(firstView, (text) => text.includes('stuck'));
  firstView.stop();
  await appliance.stop(0);
  running = false;

  // Second run: both show at once, before any packet, with their status.
  const view = createLiveView({ stream: new Screen(), serving: ['bench0'], clock: systemClock });
  appliance = start(view);
  await appliance.start();
  running = true;
  let lines = renderView(view.state(), 160);
  assert.match(rowOf(lines, a)[0], / +(fetching|provisioned) +-$/);
  assert.match(rowOf(lines, b)[0], / +stuck +-$/);
  assert.match(rowOf(lines, b)[1], /stuck: asked for missing\.cfg: not found/);
  const rows = await dashboardDeviceRows(appliance);
  assert.ok(rows.some((r) => r.includes(a)), rows.join('\n'));
  assert.ok(rows.some((r) => r.includes(b) && r.includes('data-status="stuck"')), rows.join('\n'));

  // A third device fills the book past its two: the longest-idle device goes, and so does its row.
  await lease(dhcpPort, c);
  lines = await viewWhen(view, (text) => text.includes(c) && !(text.includes(a) && text.includes(b)));
  const shown = [a, b, c].filter((m) => lines.some((l) => l.startsWith(m)));
  assert.equal(shown.length, 2, lines.join('\n'));
  assert.ok(shown.includes(c));
  const gone = [a, b].find((m) => !shown.includes(m));
  assert.ok(gone !== undefined);
  const after = await dashboardDeviceRows(appliance);
  assert.ok(!after.some((r) => r.includes(gone)), `the evicted ${gone} is still on the dashboard:\n${after.join('\n')}`);
  assert.ok(after.some((r) => r.includes(c)));
});
