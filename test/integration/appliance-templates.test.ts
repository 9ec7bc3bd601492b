/**
 * Templates over TFTP on a loopback appliance (issue 12): a `NAME.liquid` answers
 * `NAME` rendered for the device that asks (tsize is the render's exact size), a
 * static file of the same name wins, a `--default-file` rule may name a file that
 * exists only as a template, a missing variable is TFTP error 1 with one log line
 * naming the template, line and variable, and a template that does not parse refuses
 * the start and a reload.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createAppliance, scopeFiles, type Appliance } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { isBenchbootError } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { parseIpv4 } from '../../src/net/ipv4.js';
import { tftpGet } from '../../src/tftp/client.js';
import { TftpClientError } from '../../src/tftp/tftp-error.js';
import { freeUdpPort } from '../helpers/cli.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', 'boot:', '  nextServer: 10.9.0.1', ''].join('\n');

interface Rig {
  readonly appliance: Appliance;
  readonly port: number;
  readonly log: () => string;
}

async function startRig(dir: string): Promise<Rig> {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const port = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port, maxTransfers: 10, listenAddresses: ['127.0.0.1'], defaults: [{ pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' }] },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: await freeUdpPort(), interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    logger: createLogger({ json: true, stream, level: 'info' }),
    clock: systemClock,
    control: false,
  });
  await appliance.start();
  return { appliance, port, log: () => text };
}

async function lab(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-templates-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  return dir;
}

async function get(rig: Rig, file: string): Promise<string> {
  const r = await tftpGet({ host: '127.0.0.1', port: rig.port, file, retries: 1 });
  return Buffer.from(r.data ?? new Uint8Array()).toString('utf8');
}

test('a template renders per request over TFTP; a static file of the name wins; a default may be a template', async (t) => {
  const dir = await lab(t);
  await writeFile(join(dir, 'tftp', 'network-confg.liquid'), 'ip host tftp {{ server.address }}\n! {{ scope.subnet }} mask {{ scope.mask }}\n');
  await writeFile(join(dir, 'tftp', 'XMLDefault.cnf.xml.liquid'), '<device><tftp>{{ server.address }}</tftp></device>\n');
  await writeFile(join(dir, 'tftp', 'pinned.cfg'), 'hand-written\n');
  await writeFile(join(dir, 'tftp', 'pinned.cfg.liquid'), 'rendered {{ server.address }}\n');
  const rig = await startRig(dir);
  t.after(() => rig.appliance.stop(0));

  assert.equal(await get(rig, 'network-confg'), 'ip host tftp 10.9.0.1\n! 10.9.0.0/24 mask 255.255.255.0\n');
  assert.equal(await get(rig, 'pinned.cfg'), 'hand-written\n', 'a hand-written file overrides the template beside it');
  assert.equal(await get(rig, 'SEP001BD4AABBCC.cnf.xml'), '<device><tftp>10.9.0.1</tftp></device>\n', 'the default rule names a file that exists only as a template');
  await assert.rejects(get(rig, 'network-confg.liquid'), (err: unknown) => err instanceof TftpClientError && err.tftpCode === 1, 'templates are never sent raw');
});

test('a missing variable is TFTP error 1 for the device and a log line naming template, line and variable', async (t) => {
  const dir = await lab(t);
  await writeFile(join(dir, 'tftp', 'phone.cfg.liquid'), 'line one\nextension {{ device.extension }}\n');
  const rig = await startRig(dir);
  t.after(() => rig.appliance.stop(0));

  await assert.rejects(get(rig, 'phone.cfg'), (err: unknown) => err instanceof TftpClientError && err.tftpCode === 1);
  const line = rig.log().split('\n').find((l) => l.includes('template render failed'));
  assert.ok(line, rig.log());
  const entry = JSON.parse(line) as { code: string; template: string; line: number; variable?: string; file: string };
  assert.equal(entry.code, 'BB_TEMPLATE');
  assert.match(entry.template, /phone\.cfg\.liquid$/);
  assert.equal(entry.line, 2);
  assert.match(entry.variable ?? '', /^device/);
  assert.equal(entry.file, 'phone.cfg');
});

test('a template that does not parse refuses the start, and a reload that brings one is rejected', async (t) => {
  const dir = await lab(t);
  await writeFile(join(dir, 'tftp', 'bad.cfg.liquid'), 'ok\n{% if %}\n');
  await assert.rejects(startRig(dir), (err: unknown) => isBenchbootError(err, 'BB_TEMPLATE') && /bad\.cfg\.liquid:2/.test(err.message));

  await rm(join(dir, 'tftp', 'bad.cfg.liquid'));
  await writeFile(join(dir, 'tftp', 'good.cfg.liquid'), 'v1 {{ server.address }}\n');
  const rig = await startRig(dir);
  t.after(() => rig.appliance.stop(0));
  assert.equal(await get(rig, 'good.cfg'), 'v1 10.9.0.1\n');
  await writeFile(join(dir, 'tftp', 'good.cfg.liquid'), 'v2 {% for %}\n');
  await assert.rejects(rig.appliance.reload(), (err: unknown) => isBenchbootError(err, 'BB_TEMPLATE'));
  await writeFile(join(dir, 'tftp', 'good.cfg.liquid'), 'v3 {{ scope.name }}\n');
  await rig.appliance.reload();
  assert.equal(await get(rig, 'good.cfg'), 'v3 bench\n', 'an edited template is read again at reload');
});
