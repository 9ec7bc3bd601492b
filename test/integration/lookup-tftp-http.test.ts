/**
 * One lookup, two protocols (issue 14): every lookup case runs through TFTP (the
 * built-in client) and HTTP (a raw GET) against one loopback appliance, and both must
 * give the same answer: the same bytes, or "not found" (TFTP 1 / HTTP 404), or
 * "access violation" (TFTP 2 / HTTP 403). Root, subdirectories, alternates, default
 * files, remap rules, templates rendered for the requester (byte-equal over both),
 * backslashes, leading slashes, `..`, a symlink out of the tree, upload temp files.
 * Then vendor profile defaults, asked from leased addresses (the device is known by
 * its lease): a phone its profile matched that asks for its own per-device file with
 * nothing to answer it gets the profile's default file (static or a template), after
 * the `--default-file` rules, and never for a normal miss.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, symlink, writeFile } from 'node:fs/promises';
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

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', 'boot:', '  nextServer: 10.9.0.1', ''].join('\n');

/** What a lookup gives, in words both protocols share. */
type Outcome = { readonly kind: 'file'; readonly text: string } | { readonly kind: 'not-found' } | { readonly kind: 'denied' };

/** Each case: the name as TFTP asks it, the same request target over HTTP, and the expected outcome. */
const CASES: readonly { readonly what: string; readonly tftp: string; readonly http: string; readonly want: Outcome }[] = [
  { what: 'a file in the root', tftp: 'a.txt', http: '/a.txt', want: { kind: 'file', text: 'root a\n' } },
  { what: 'a file in a subdirectory', tftp: 'sub/b.txt', http: '/sub/b.txt', want: { kind: 'file', text: 'sub b\n' } },
  { what: 'a backslash is a separator', tftp: 'sub\\b.txt', http: '/sub%5Cb.txt', want: { kind: 'file', text: 'sub b\n' } },
  { what: 'a leading slash is stripped', tftp: '/a.txt', http: '//a.txt', want: { kind: 'file', text: 'root a\n' } },
  { what: 'only in the alternate location', tftp: 'alt.txt', http: '/alt.txt', want: { kind: 'file', text: 'alternate\n' } },
  { what: 'the root wins over the alternate', tftp: 'both.txt', http: '/both.txt', want: { kind: 'file', text: 'root both\n' } },
  { what: 'a default rule answers an unknown phone', tftp: 'SEP001122334455.cnf.xml', http: '/SEP001122334455.cnf.xml', want: { kind: 'file', text: '<default/>\n' } },
  { what: 'a remap rule rewrites the name', tftp: 'old/a.txt', http: '/old/a.txt', want: { kind: 'file', text: 'root a\n' } },
  { what: 'a remap rule refuses', tftp: 'x.exe', http: '/x.exe', want: { kind: 'denied' } },
  { what: 'a template renders for the requester', tftp: 'network-confg', http: '/network-confg', want: { kind: 'file', text: 'ip host tftp 10.9.0.1\n! 10.9.0.0/24\n' } },
  { what: 'a static file wins over its template', tftp: 'pinned.cfg', http: '/pinned.cfg', want: { kind: 'file', text: 'hand-written\n' } },
  { what: 'a template is never sent raw', tftp: 'network-confg.liquid', http: '/network-confg.liquid', want: { kind: 'not-found' } },
  { what: 'a missing file', tftp: 'nope.txt', http: '/nope.txt', want: { kind: 'not-found' } },
  { what: 'a parent segment', tftp: '../secret.txt', http: '/../secret.txt', want: { kind: 'denied' } },
  { what: 'a parent segment with backslashes', tftp: '..\\secret.txt', http: '/..%5Csecret.txt', want: { kind: 'denied' } },
  { what: 'a symlink out of the tree', tftp: 'escape.txt', http: '/escape.txt', want: { kind: 'denied' } },
  { what: 'an upload temp file', tftp: '.benchboot-upload-1234', http: '/.benchboot-upload-1234', want: { kind: 'not-found' } },
];

async function viaTftp(port: number, name: string, localAddress?: string): Promise<Outcome> {
  try {
    const r = await tftpGet({ host: '127.0.0.1', port, file: name, retries: 1, ...(localAddress === undefined ? {} : { localAddress }) });
    return { kind: 'file', text: Buffer.from(r.data ?? new Uint8Array()).toString('utf8') };
  } catch (err) {
    if (err instanceof TftpClientError && err.tftpCode === 1) return { kind: 'not-found' };
    if (err instanceof TftpClientError && err.tftpCode === 2) return { kind: 'denied' };
    throw err;
  }
}

async function viaHttp(port: number, target: string, localAddress?: string): Promise<Outcome> {
  const r = await httpRaw({ host: '127.0.0.1', port, path: target, ...(localAddress === undefined ? {} : { localAddress }) });
  if (r.status === 200) return { kind: 'file', text: r.body.toString('utf8') };
  if (r.status === 404) return { kind: 'not-found' };
  if (r.status === 403) return { kind: 'denied' };
  throw new Error(`HTTP ${r.status} for ${target}: ${r.body.toString('utf8')}`);
}

async function tree(dir: string): Promise<void> {
  const root = join(dir, 'tftp');
  await mkdir(join(root, 'sub'), { recursive: true });
  await mkdir(join(dir, 'alt'));
  await mkdir(join(dir, 'scopes'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  await writeFile(join(root, 'a.txt'), 'root a\n');
  await writeFile(join(root, 'sub', 'b.txt'), 'sub b\n');
  await writeFile(join(root, 'both.txt'), 'root both\n');
  await writeFile(join(dir, 'alt', 'both.txt'), 'alternate both\n');
  await writeFile(join(dir, 'alt', 'alt.txt'), 'alternate\n');
  await writeFile(join(root, 'XMLDefault.cnf.xml'), '<default/>\n');
  await writeFile(join(root, 'network-confg.liquid'), 'ip host tftp {{ server.address }}\n! {{ scope.subnet }}\n');
  await writeFile(join(root, 'pinned.cfg'), 'hand-written\n');
  await writeFile(join(root, 'pinned.cfg.liquid'), 'rendered {{ server.address }}\n');
  await writeFile(join(root, '.benchboot-upload-1234'), 'partial upload\n');
  await writeFile(join(dir, 'secret.txt'), 'outside the tree\n');
  await symlink(join(dir, 'secret.txt'), join(root, 'escape.txt'));
  await writeFile(join(dir, 'tftp.map'), ['r ^old/(.*) \\1', 'a \\.exe$', ''].join('\n'));
}

test('every lookup case gives the same answer over TFTP and HTTP', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-lookup-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await tree(dir);
  const tftpPort = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: {
      root: join(dir, 'tftp'),
      alternates: [join(dir, 'alt')],
      defaults: [{ pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' }],
      mapFile: join(dir, 'tftp.map'),
      port: tftpPort,
      maxTransfers: 10,
      listenAddresses: ['127.0.0.1'],
    },
    http: { ports: [{ port: 0, isExplicit: true }] },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: await freeUdpPort(), interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    logger: createLogger({ json: true, stream: new PassThrough(), level: 'error' }),
    clock: systemClock,
    control: false,
  });
  await appliance.start();
  t.after(() => appliance.stop(0));
  const httpPort = Number(appliance.status().http?.listen[0]?.split(':')[1]);
  assert.ok(httpPort > 0, 'HTTP listens on 127.0.0.1');
  for (const c of CASES) {
    assert.deepEqual(await viaTftp(tftpPort, c.tftp), c.want, `TFTP: ${c.what}`);
    assert.deepEqual(await viaHttp(httpPort, c.http), c.want, `HTTP: ${c.what}`);
  }
});

const PROFILE_SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.79.0.0/24', 'range: 127.79.0.100-127.79.0.150', 'profiles: [cisco-phone, polycom, yealink]', 'boot:', '  nextServer: 127.79.0.1', ''].join('\n');

/** The devices of the profile cases: what each sends in DHCP. */
const DEVICES = {
  cisco: { mac: '00:1b:d4:0a:0b:01', vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' },
  known: { mac: '00:1b:d4:0a:0b:02', vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' },
  polycom: { mac: '00:04:f2:0a:0b:03', vendorClass: 'Polycom-VVX410' },
  yealink: { mac: '00:15:65:0a:0b:04', vendorClass: 'yealink W60B' },
  linux: { mac: '02:00:00:0a:0b:05', vendorClass: 'udhcp 1.36.1' },
} as const;

/** Each case: who asks, the name, and the outcome over both protocols. */
const PROFILE_CASES: readonly { readonly what: string; readonly who: keyof typeof DEVICES; readonly name: string; readonly want: Outcome }[] = [
  { what: 'an unknown Cisco phone gets the profile default (static) for its SEP file', who: 'cisco', name: 'SEP001BD40A0B01.cnf.xml', want: { kind: 'file', text: '<xml-default/>\n' } },
  { what: 'the SEP name in lower case too', who: 'cisco', name: 'sep001bd40a0b01.cnf.xml', want: { kind: 'file', text: '<xml-default/>\n' } },
  { what: 'a phone with a row gets its own render, not the default', who: 'known', name: 'SEP001BD40A0B02.cnf.xml', want: { kind: 'file', text: '<phone>desk-2</phone>\n' } },
  { what: 'a normal miss stays a miss (CTL file)', who: 'cisco', name: 'CTLSEP001BD40A0B01.tlv', want: { kind: 'not-found' } },
  { what: 'another device\u2019s per-device name is not the asker\u2019s default', who: 'cisco', name: 'SEP001BD40A0B99.cnf.xml', want: { kind: 'not-found' } },
  { what: 'an unknown Polycom gets the profile default rendered from a template', who: 'polycom', name: '0004f20a0b03.cfg', want: { kind: 'file', text: 'master for 127.79.0.1\n' } },
  { what: 'a --default-file rule comes before the profile default', who: 'yealink', name: '0015650a0b04.cfg', want: { kind: 'file', text: 'rule default\n' } },
  { what: 'a device no profile matched gets no profile default', who: 'linux', name: 'SEP0200000A0B05.cnf.xml', want: { kind: 'not-found' } },
];

async function profileTree(dir: string): Promise<void> {
  const root = join(dir, 'tftp');
  await mkdir(root, { recursive: true });
  await mkdir(join(dir, 'scopes'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), PROFILE_SCOPE);
  await writeFile(join(dir, 'inventory.csv'), `mac,hostname\n${DEVICES.known.mac},desk-2\n`);
  await writeFile(join(root, 'SEP{MAC}.cnf.xml.liquid'), '<phone>{{ device.hostname }}</phone>\n');
  await writeFile(join(root, 'XMLDefault.cnf.xml'), '<xml-default/>\n');
  await writeFile(join(root, '000000000000.cfg.liquid'), 'master for {{ server.address }}\n');
  await writeFile(join(root, 'y000000000000.cfg'), 'yealink common\n');
  await writeFile(join(root, 'rule.cfg'), 'rule default\n');
}

/** Takes a lease over loopback as `who`; returns its address. */
async function lease(dhcpPort: number, who: { readonly mac: string; readonly vendorClass: string }): Promise<string> {
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  try {
    const port = new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort });
    const got = await new DhcpTestClient(port, { mac: parseMac(who.mac), vendorClass: who.vendorClass }, { timeoutMs: 1000 }).obtain();
    assert.ok(got, `no lease for ${who.mac}`);
    return got.ip;
  } finally {
    await endpoint.close();
  }
}

test('profile defaults give the same answer over TFTP and HTTP, and the record says the device got the default', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-lookup-profile-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await profileTree(dir);
  const tftpPort = await freeUdpPort();
  const dhcpPort = await freeUdpPort();
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    inventory: join(dir, 'inventory.csv'),
    tftp: { root: join(dir, 'tftp'), defaults: [{ pattern: '001565*.cfg', file: 'rule.cfg' }], port: tftpPort, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    http: { ports: [{ port: 0, isExplicit: true }] },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('127.79.0.1') }),
    logger: createLogger({ json: true, stream: new PassThrough(), level: 'error' }),
    clock: systemClock,
    control: false,
  });
  await appliance.start();
  t.after(() => appliance.stop(0));
  const httpPort = Number(appliance.status().http?.listen[0]?.split(':')[1]);
  const addressOf = new Map<string, string>();
  for (const [name, who] of Object.entries(DEVICES)) addressOf.set(name, await lease(dhcpPort, who));
  for (const c of PROFILE_CASES) {
    const from = addressOf.get(c.who);
    assert.deepEqual(await viaTftp(tftpPort, c.name, from), c.want, `TFTP: ${c.what}`);
    assert.deepEqual(await viaHttp(httpPort, `/${c.name}`, from), c.want, `HTTP: ${c.what}`);
  }
  // The record is written when each transfer's end event comes, which may follow the client's last byte: wait for it (bounded).
  const recorded = (): boolean => (appliance.devices()?.detail(DEVICES.polycom.mac)?.record.progress.files.length ?? 0) > 0;
  for (let i = 0; i < 100 && !recorded(); i++) await new Promise((r) => setTimeout(r, 20));
  const polycom = appliance.devices()?.detail(DEVICES.polycom.mac);
  assert.equal(polycom?.status.reason.kind, 'default-config', JSON.stringify(polycom?.status));
  assert.match(polycom?.status.diagnosis ?? '', /got the default config 0004f20a0b03\.cfg: no inventory row/);
});
