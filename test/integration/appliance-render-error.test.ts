/**
 * A failed render in the device record (issue 12): a leased phone whose row lacks a
 * variable its template needs gets TFTP error 1 (HTTP 404, as for any file the
 * lookup does not give), and its record files the request as a render error naming
 * the template, the line and the missing variable, never as "not found" and never
 * with a value of the row; the status diagnosis says the same.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createAppliance, scopeFiles } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createLogger } from '../../src/log.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { tftpGet } from '../../src/tftp/client.js';
import { TftpClientError } from '../../src/tftp/tftp-error.js';
import { freeUdpPort } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { httpRaw } from '../helpers/http-client.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.80.0.0/24', 'range: 127.80.0.100-127.80.0.150', 'profiles: [cisco-phone]', 'boot:', '  nextServer: 127.80.0.1', ''].join('\n');
const MAC = '00:1b:d4:0c:0d:01';
const FILE = 'SEP001BD40C0D01.cnf.xml';
const SECRET = 'hunter2-do-not-show';
const WANT = 'template SEP{MAC}.cnf.xml.liquid line 4: missing variable device.extension';

test('a render error is its own result in the device record, with template, line and variable, and no secret', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-render-error-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'tftp'), { recursive: true });
  await mkdir(join(dir, 'scopes'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  await writeFile(join(dir, 'inventory.csv'), `mac,hostname,sip_password\n${MAC},desk-9,${SECRET}\n`);
  await writeFile(join(dir, 'tftp', 'SEP{MAC}.cnf.xml.liquid'), '<phone>\n  <name>{{ device.hostname }}</name>\n  <pw>{{ device.sip_password }}</pw>\n  <ext>{{ device.extension }}</ext>\n</phone>\n');
  const tftpPort = await freeUdpPort();
  const dhcpPort = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    inventory: join(dir, 'inventory.csv'),
    tftp: { root: join(dir, 'tftp'), port: tftpPort, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    http: { ports: [{ port: 0, isExplicit: true }] },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('127.80.0.1') }),
    logger: createLogger({ json: true, stream: new PassThrough(), level: 'error' }),
    clock: systemClock,
    control: false,
  });
  await appliance.start();
  t.after(() => appliance.stop(0));

  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  const got = await new DhcpTestClient(new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort }), { mac: parseMac(MAC), vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' }, { timeoutMs: 1000 }).obtain();
  await endpoint.close();
  assert.ok(got, 'no lease');

  await assert.rejects(tftpGet({ host: '127.0.0.1', port: tftpPort, file: FILE, retries: 1, localAddress: got.ip }), (err: unknown) => err instanceof TftpClientError && err.tftpCode === 1, 'TFTP error 1');
  const recorded = (): string | undefined => appliance.devices()?.detail(MAC)?.record.progress.files.find((f) => f.name === FILE)?.result;
  for (let i = 0; i < 100 && recorded() === undefined; i++) await new Promise((r) => setTimeout(r, 20));
  const tftpSeen = appliance.devices()?.detail(MAC);
  assert.ok(tftpSeen, 'the phone has a record');
  const outcome = tftpSeen.record.progress.files.find((f) => f.name === FILE);
  assert.equal(outcome?.result, 'render-error', JSON.stringify(outcome));
  assert.equal(outcome.detail, WANT);
  assert.equal(outcome.origin, 'template');
  assert.equal(tftpSeen.status.status, 'stuck');
  assert.equal(tftpSeen.status.diagnosis, `template render failed for ${FILE}: ${WANT}`);
  const row = appliance.devices()?.list().find((d) => d.mac === MAC);
  assert.equal(row?.diagnosis, tftpSeen.status.diagnosis, 'the `devices` list says the same');

  const httpPort = Number(appliance.status().http?.listen[0]?.split(':')[1]);
  const r = await httpRaw({ host: '127.0.0.1', port: httpPort, path: `/${FILE}`, localAddress: got.ip });
  assert.equal(r.status, 404, 'HTTP answers a failed render as a file it cannot give');
  assert.ok(!r.body.toString('utf8').includes(SECRET));
  const timeline = (): { kind: string; protocol?: string; result?: string; detail?: string }[] => (appliance.devices()?.detail(MAC)?.record.timeline ?? []) as never;
  for (let i = 0; i < 100 && !timeline().some((e) => e.protocol === 'http'); i++) await new Promise((r) => setTimeout(r, 20));
  const overHttp = timeline().find((e) => e.kind === 'file' && e.protocol === 'http');
  assert.equal(overHttp?.result, 'render-error', JSON.stringify(overHttp));
  assert.equal(overHttp.detail, WANT);
  assert.ok(!JSON.stringify(appliance.devices()?.detail(MAC)).includes(SECRET), 'no value of the row in the record');
});
