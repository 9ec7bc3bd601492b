/**
 * The web dashboard of a running appliance over real HTTP on loopback (issue 13
 * part 4): the Host header is checked (DNS rebinding), a hostile vendor class, file
 * name and upload name come out escaped, inventory secrets never appear, the CSV
 * report neutralises formulas, the live stream pushes a new device, a reset needs a
 * same-origin POST, and upload versions are listed and diffed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles, type Appliance } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { tftpGet, tftpPut } from '../../src/tftp/client.js';
import { freeUdpPort } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { httpRequest, openSse } from '../helpers/http.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.79.0.0/24', 'range: 127.79.0.100-127.79.0.150', 'leaseTime: 1h', ''].join('\n');
const HOSTILE_CLASS = '<img src=x onerror=alert(1)>';
const HOSTILE_FILE = '<script>alert(2)</script>.cfg';
const HOSTILE_UPLOAD = 'r1<svg onload=alert(3)>-confg';
const SECRET = 'hunter2-very-secret';

interface Rig {
  appliance: Appliance;
  dhcpPort: number;
  tftpPort: number;
  webPort: number;
}

async function startRig(dir: string): Promise<Rig> {
  const dhcpPort = await freeUdpPort();
  await writeFile(join(dir, 'inventory.csv'), ['mac,hostname,sip_password', `02:00:00:00:00:0a,phone-a,${SECRET}`, ''].join('\n'));
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), uploadDir: join(dir, 'uploads'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir: join(dir, 'state'),
    inventory: join(dir, 'inventory.csv'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('127.79.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    control: false,
    web: { address: '127.0.0.1', port: 0, explicit: true },
  });
  await appliance.start();
  const status = appliance.status();
  const url = status.web && 'url' in status.web ? status.web.url : '';
  return { appliance, dhcpPort, tftpPort: Number(status.tftp.listen[0]?.split(':')[1]), webPort: Number(/:(\d+)\/$/.exec(url)?.[1]) };
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

async function until(predicate: () => boolean | Promise<boolean>, what: string, timeoutMs = 10_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await predicate())) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** The data of every SSE event named `name` in a stream's text. */
function eventsNamed(text: string, name: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith(`event: ${name}\n`))
    .map((block) => block.split('\n').slice(1).join('\n'));
}

async function withRig(t: { after: (fn: () => Promise<void>) => void }): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-web-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp', 'uploads']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  await writeFile(join(dir, 'tftp', 'a.cfg'), 'config a\n');
  const rig = await startRig(dir);
  t.after(() => rig.appliance.stop(0));
  return rig;
}

test('the dashboard refuses a foreign Host header and answers its own names', async (t) => {
  const rig = await withRig(t);
  const evil = await httpRequest(rig.webPort, '/', { headers: { host: `rebind.attacker.example:${rig.webPort}` } });
  assert.equal(evil.status, 403);
  assert.match(evil.body, /Host is not allowed/);
  assert.equal((await httpRequest(rig.webPort, '/', { headers: { host: `127.0.0.1:${rig.webPort + 1}` } })).status, 403, 'another port');
  assert.equal((await httpRequest(rig.webPort, '/events', { headers: { host: 'evil.example' } })).status, 403, 'the event stream too');
  for (const host of [`127.0.0.1:${rig.webPort}`, `localhost:${rig.webPort}`]) {
    const ok = await httpRequest(rig.webPort, '/', { headers: { host } });
    assert.equal(ok.status, 200, host);
    assert.match(ok.body, /<h2>Devices<\/h2>/);
    assert.match(String(ok.headers['content-security-policy']), /default-src 'none'/);
  }
  const css = await httpRequest(rig.webPort, '/assets/dashboard.css');
  assert.equal(css.status, 200);
  assert.match(String(css.headers['content-type']), /text\/css/);
});

test('wire text is escaped, secrets are masked, the CSV report is neutralised, uploads diff', async (t) => {
  const rig = await withRig(t);
  const ipA = await lease(rig, '02:00:00:00:00:0a', '=HYPERLINK("http://x")');
  await tftpGet({ host: '127.0.0.1', port: rig.tftpPort, file: 'a.cfg', localAddress: ipA });
  const ipB = await lease(rig, '02:00:00:00:00:0b', HOSTILE_CLASS);
  await assert.rejects(tftpGet({ host: '127.0.0.1', port: rig.tftpPort, file: HOSTILE_FILE, localAddress: ipB, retries: 1 }));
  await tftpPut({ host: '127.0.0.1', port: rig.tftpPort, file: HOSTILE_UPLOAD, data: Buffer.from('hostname r1\ninterface e0\n'), localAddress: ipB });
  await tftpPut({ host: '127.0.0.1', port: rig.tftpPort, file: HOSTILE_UPLOAD, data: Buffer.from('hostname r1\ninterface e1\n'), localAddress: ipB });
  await until(async () => (await httpRequest(rig.webPort, '/')).body.includes('02:00:00:00:00:0b'), 'device b on the page');

  const home = (await httpRequest(rig.webPort, '/')).body;
  const deviceB = (await httpRequest(rig.webPort, '/device/02:00:00:00:00:0b')).body;
  for (const [name, body] of [['overview', home], ['device page', deviceB]] as const) {
    assert.ok(!body.includes('<img src=x'), `${name}: raw vendor class`);
    assert.ok(!body.includes('<script>alert'), `${name}: raw file name`);
    assert.ok(!body.includes('<svg onload'), `${name}: raw upload name`);
  }
  assert.ok(home.includes('&#60;img src=x onerror=alert(1)&#62;'), 'the vendor class is shown, escaped');
  assert.ok(deviceB.includes('&#60;script&#62;alert(2)&#60;/script&#62;.cfg not-found'), 'the timeline shows the missing file, escaped');
  assert.ok(home.includes('r1&#60;svg onload=alert(3)&#62;-confg'), 'the upload is listed, escaped');

  // Secrets: the inventory row is shown on the device page with the secret masked, and nowhere in clear.
  const deviceA = (await httpRequest(rig.webPort, '/device/02:00:00:00:00:0a')).body;
  assert.match(deviceA, /<dt>sip_password<\/dt><dd>\*{8}<\/dd>/);
  for (const path of ['/', '/device/02:00:00:00:00:0a', '/report.csv', '/report.json', '/report.html']) {
    const r = await httpRequest(rig.webPort, path);
    assert.equal(r.status, 200, path);
    assert.ok(!r.body.includes(SECRET), `${path} shows the secret`);
  }
  const csv = (await httpRequest(rig.webPort, '/report.csv')).body;
  assert.match(csv, /,"'=HYPERLINK\(""http:\/\/x""\)",/, 'the formula is neutralised');

  // Both versions of the upload are listed; the diff shows the changed line.
  const diffLink = /href="(\/diff\?a=[^"]+)"/.exec(home)?.[1];
  assert.ok(diffLink, 'a diff link');
  const diff = await httpRequest(rig.webPort, diffLink.replace(/&amp;/g, '&'));
  assert.equal(diff.status, 200);
  assert.match(diff.body, /<span class="removed">- interface e0<\/span><span class="added">\+ interface e1<\/span>/);
  const download = await httpRequest(rig.webPort, `/uploads/${encodeURIComponent(HOSTILE_UPLOAD)}`);
  assert.equal(download.status, 200);
  assert.equal(download.headers['content-type'], 'application/octet-stream');
  assert.equal(download.body, 'hostname r1\ninterface e0\n');
  assert.equal((await httpRequest(rig.webPort, '/uploads/..%2Finventory.csv')).status, 404);
});

test('the live stream pushes a new device; a reset needs a same-origin POST', async (t) => {
  const rig = await withRig(t);
  const stream = await openSse(rig.webPort, '/events');
  t.after(() => stream.close());
  const elsewhere = await openSse(rig.webPort, '/events?q=no-such-device');
  t.after(() => elsewhere.close());
  assert.equal(stream.status, 200);
  await lease(rig, '02:00:00:00:00:0c', 'live-test');
  await until(() => /event: devices\ndata: [^]*02:00:00:00:00:0c/.test(stream.text()), 'a devices event naming the new device');
  assert.match(stream.text(), /event: leases\n/);
  // The table is filtered on the server: a page searching for something else never gets the row.
  await until(() => eventsNamed(elsewhere.text(), 'devices').some((d) => d.includes('No device matches (1 known)')), "the other page's table, filtered");
  assert.ok(!eventsNamed(elsewhere.text(), 'devices').some((d) => d.includes('02:00:00:00:00:0c')), 'the row is not pushed to a page whose search it does not match');
  assert.match((await httpRequest(rig.webPort, '/?q=LIVE-TEST')).body, /<tr class="device [a-z]+" data-status="[a-z]+" data-search="02:00:00:00:00:0c/);
  assert.doesNotMatch((await httpRequest(rig.webPort, '/?status=provisioned')).body, /data-search="02:00:00:00:00:0c/);
  const repeated = await httpRequest(rig.webPort, '/?q=a&q=b&status=x&status=y');
  assert.equal(repeated.status, 200, 'a repeated filter parameter is ignored, not an internal error');
  assert.equal((await httpRequest(rig.webPort, '/diff?a=x&a=y&b=z')).status, 404, 'a repeated upload name is not found, not an internal error');
  const twoDevices = await openSse(rig.webPort, '/events?device=02:00:00:00:00:0c&device=02:00:00:00:00:0d');
  t.after(() => twoDevices.close());
  assert.equal(twoDevices.status, 200, 'a repeated device is the overview stream, not an internal error');
  assert.match(repeated.body, /data-search="02:00:00:00:00:0c/);

  const path = '/device/02:00:00:00:00:0c/reset';
  assert.equal((await httpRequest(rig.webPort, path, { method: 'POST' })).status, 403, 'no Origin');
  assert.equal((await httpRequest(rig.webPort, path, { method: 'POST', headers: { origin: 'http://evil.example' } })).status, 403, 'foreign Origin');
  const before = rig.appliance.devices()?.detail('02:00:00:00:00:0c')?.record.timeline.length ?? 0;
  assert.ok(before > 0);
  const reset = await httpRequest(rig.webPort, path, { method: 'POST', headers: { origin: `http://127.0.0.1:${rig.webPort}`, 'content-type': 'application/x-www-form-urlencoded' }, body: '' });
  assert.equal(reset.status, 303);
  const after = rig.appliance.devices()?.detail('02:00:00:00:00:0c')?.record.timeline ?? [];
  assert.deepEqual(
    after.map((e) => e.kind),
    ['admin'],
    'the record is cleared (only the reset entry stays)',
  );
});
