/**
 * Bench provisioning end to end (issue 12), with the examples the README runs: the
 * scope files of scopes/ (only their `interface` line changed to the lab's bridge),
 * the inventories and template trees of examples/, `benchboot serve` as a user starts
 * it, and real clients in network namespaces.
 *
 *   phone bench  srv ─ bridge 10.10.0.1/24 ─┬─ phone1  udhcpc, Cisco CP-8841, MAC of an inventory row with an ip
 *                                           ├─ stray   udhcpc, Cisco CP-8841, a MAC the inventory does not list
 *                                           └─ yealink udhcpc, vendor class yealink, a row without an ip
 *   switch bench srv ─ bridge 10.20.0.1/24 ─┬─ r1      dhclient sending the client-id IOS sends (a row with an ip)
 *                                           └─ sw2     dhclient, a row by MAC without an ip
 *
 * Each device gets the DHCP options its vendor profile decides, then fetches its own
 * file over TFTP with tftp-hpa from the address it leased, rendered from the example's
 * templates with its inventory row.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, cp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, collectOutput, exitOf, waitFor, type Netns } from './netns.js';
import { parseEnvDump, readDump, runUdhcpcOnce } from '../helpers/dhcp-e2e.js';

const REPO = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = join(REPO, 'bin', 'benchboot.js');
const skip = e2eSkip({ programs: ['udhcpc', 'dhclient', 'tftp', 'curl'] });

const CISCO_8841 = 'Cisco Systems, Inc. IP Phone CP-8841';

interface Client {
  readonly ns: Netns;
  readonly ifname: string;
}

interface Bench {
  readonly srv: Netns;
  readonly bridge: string;
  readonly clients: Map<string, Client>;
  /** The example's copy: `<work>/<example>/` (inventory.csv, tftp/) and `<work>/scopes/`. */
  readonly dir: string;
  readonly scopes: string;
  readonly state: string;
  readonly work: string;
}

/**
 * A lab for one example: the server namespace with a bridge on `serverCidr`, one
 * namespace per client (with the MAC given, if any), and a copy of the example and of
 * its scope file, whose interface is the bridge.
 */
async function openBench(t: { after(fn: () => Promise<void>): void }, example: string, serverCidr: string, clients: Record<string, string | undefined>): Promise<Bench> {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const bridge = await lab.bridge(srv, serverCidr);
  const map = new Map<string, Client>();
  for (const [name, mac] of Object.entries(clients)) {
    const ns = await lab.addNamespace(name);
    const [a, b] = await lab.link(srv, ns);
    await lab.enslave(srv, a.ifname, bridge);
    if (mac !== undefined) await ns.execOk('ip', ['link', 'set', b.ifname, 'address', mac]);
    map.set(name, { ns, ifname: b.ifname });
  }
  const dir = join(work, example);
  await cp(join(REPO, 'examples', example), dir, { recursive: true });
  // All of scopes/, as the README's command reads it; only this bench's interface changes.
  const scopes = join(work, 'scopes');
  await cp(join(REPO, 'scopes'), scopes, { recursive: true });
  const file = join(scopes, `${example}.yaml`);
  const text = await readFile(file, 'utf8');
  assert.match(text, /^interface: eth\d\n/m);
  await writeFile(file, text.replace(/^interface: eth\d\n/m, `interface: ${bridge}\n`));
  return { srv, bridge, clients: map, dir, scopes, state: join(work, 'state'), work };
}

function client(bench: Bench, name: string): Client {
  const c = bench.clients.get(name);
  assert.ok(c, name);
  return c;
}

interface Served {
  readonly log: () => string;
  stop(): Promise<void>;
}

/** `benchboot serve --json` in the server namespace, from `cwd`; resolves once it serves. */
async function startServe(ns: Netns, cwd: string, args: readonly string[]): Promise<Served> {
  const child = ns.spawn(process.execPath, [BIN, 'serve', '--json', '--no-live', '--probe-timeout', '1', ...args], { cwd, maxMs: 240_000 });
  const log = collectOutput(child);
  const up = await waitFor(() => log().includes('benchboot is serving') || child.exitCode !== null, 30_000);
  assert.ok(up && child.exitCode === null, `serve did not start:\n${log()}`);
  return {
    log,
    stop: async () => {
      child.kill('SIGTERM');
      assert.equal(await exitOf(child, 20_000), 0, log());
    },
  };
}

/** udhcpc once with a vendor class, asking for 12, 66 and 150 too; the env its script got at `bound`. */
async function udhcpc(bench: Bench, name: string, vendorClass: string): Promise<Record<string, string>> {
  const c = client(bench, name);
  const dir = join(bench.work, `udhcpc-${name}`);
  const r = await runUdhcpcOnce(c.ns, c.ifname, dir, name, ['-V', vendorClass, '-O', '12']);
  assert.equal(r.code, 0, r.stderr);
  const env = await readDump(dir, name, 'bound');
  assert.ok(env, `udhcpc ${name} ran its bound hook:\n${r.stderr}`);
  return env;
}

/** A file fetched with tftp-hpa from `c`: its text, or the client's error output. */
async function tftpGet(bench: Bench, c: Client, server: string, name: string): Promise<{ ok: boolean; text: string; output: string }> {
  const out = join(bench.work, `got-${Math.random().toString(16).slice(2)}`);
  const r = await c.ns.exec('tftp', [server, '-m', 'binary', '-c', 'get', name, out], 20_000);
  const text = await readFile(out, 'utf8').catch(() => '');
  await rm(out, { force: true });
  const output = r.stdout + r.stderr;
  return { ok: r.code === 0 && !/Error code/.test(output), text, output };
}

/** The fields of a device record the technician reads first. */
function pick(d: { status: string; profile?: string; inventoryKey?: string; ip?: string } | undefined): Record<string, string | undefined> {
  return { status: d?.status, profile: d?.profile, inventoryKey: d?.inventoryKey, ip: d?.ip };
}

async function mustGet(bench: Bench, c: Client, server: string, name: string): Promise<string> {
  const got = await tftpGet(bench, c, server, name);
  assert.ok(got.ok, `tftp get ${name}: ${got.output}`);
  return got.text;
}

test('phone bench example: Cisco and Yealink phones get their profile options, then their own rendered files; reload re-reads the inventory', { skip, timeout: 240_000 }, async (t) => {
  const bench = await openBench(t, 'phone-bench', '10.10.0.1/24', { phone1: '00:1b:d4:aa:bb:cc', stray: '00:1b:d4:99:00:01', yealink: '80:5e:c0:11:22:33' });
  // A template with a typo in a variable name, for the render-error case.
  await writeFile(join(bench.dir, 'tftp', 'typo.cfg.liquid'), 'account.1.label = {{ device.display_nmae }}\n');
  const inventory = join(bench.dir, 'inventory.csv');
  // As the README runs it (from the checkout, with the example's paths).
  const served = await startServe(bench.srv, bench.work, [
    '--scopes', bench.scopes,
    '--interface', bench.bridge,
    '--tftp-root', join(bench.dir, 'tftp'),
    '--inventory', inventory,
    '--default-file', 'SEP*.cnf.xml=XMLDefault.cnf.xml',
    '--leases', bench.state,
  ]);

  await t.test('a Cisco CP-8841 with an inventory row gets its reserved address, host name, option 150 and no option 66', async () => {
    const env = await udhcpc(bench, 'phone1', CISCO_8841);
    assert.equal(env.ip, '10.10.0.50', 'the row ip is a reservation');
    assert.equal(env.hostname, 'phone1', 'option 12 from the row');
    assert.equal(env.opt150, '0a0a0001', 'option 150 = 10.10.0.1');
    assert.equal(env.tftp, undefined, 'no option 66 next to 150 (Cisco), although udhcpc asked for it');
    assert.equal(env.siaddr, '10.10.0.1');
  });

  await t.test('it fetches SEP<its MAC>.cnf.xml rendered from its row, whatever the case of the name', async () => {
    const phone1 = client(bench, 'phone1');
    const xml = await mustGet(bench, phone1, '10.10.0.1', 'SEP001BD4AABBCC.cnf.xml');
    assert.match(xml, /<phoneLabel>phone1<\/phoneLabel>/);
    assert.match(xml, /<name>1001<\/name>/);
    assert.match(xml, /<featureLabel>Reception<\/featureLabel>/);
    assert.match(xml, /<authPassword>s3cret1<\/authPassword>/);
    assert.match(xml, /<processNodeName>10\.10\.0\.1<\/processNodeName>/);
    assert.doesNotMatch(xml, /\{\{|\{%/);
    assert.equal(await mustGet(bench, phone1, '10.10.0.1', 'SEP001bd4aabbcc.cnf.xml'), xml);
    // Its security files are normal misses; the template itself is never sent.
    assert.match((await tftpGet(bench, phone1, '10.10.0.1', 'CTLSEP001BD4AABBCC.tlv')).output, /Error code 1/);
    assert.match((await tftpGet(bench, phone1, '10.10.0.1', 'XMLDefault.cnf.xml.liquid')).output, /Error code 1/);
  });

  await t.test('a phone the inventory does not list gets a pool address and the rendered XMLDefault.cnf.xml', async () => {
    const env = await udhcpc(bench, 'stray', CISCO_8841);
    assert.match(env.ip ?? '', /^10\.10\.0\.(1\d\d)$/);
    assert.equal(env.opt150, '0a0a0001');
    assert.equal(env.tftp, undefined);
    const stray = client(bench, 'stray');
    const own = await mustGet(bench, stray, '10.10.0.1', 'SEP001BD4990001.cnf.xml');
    assert.match(own, /<Default>/);
    assert.match(own, /no inventory row/);
    assert.match(own, /<processNodeName>10\.10\.0\.1<\/processNodeName>/);
    assert.equal(await mustGet(bench, stray, '10.10.0.1', 'XMLDefault.cnf.xml'), own);
    // The known phone asking for the default gets it rendered for itself.
    assert.match(await mustGet(bench, client(bench, 'phone1'), '10.10.0.1', 'XMLDefault.cnf.xml'), /Sent to phone1\./);
  });

  await t.test('a Yealink on the same scope gets option 66 naming the HTTP server, then <mac>.cfg rendered from its row, over HTTP from that URL and over TFTP alike', async () => {
    // dhclient, not udhcpc: busybox checks option 66 as a host name and hands its script "bad" for a URL.
    const env = await dhclient(bench, 'yealink', undefined, 'yealink');
    assert.match(env.new_ip_address ?? '', /^10\.10\.0\.(1\d\d)$/);
    assert.equal(env.new_tftp66, 'http://10.10.0.1/', 'option 66: serve runs HTTP on port 80, so the URL of its root');
    assert.equal(env.new_host_name, 'phone4', 'option 12 from its row, reservation or not');
    const yealink = client(bench, 'yealink');
    const got = await yealink.ns.exec('curl', ['--silent', '--show-error', '--fail', '--max-time', '20', `${env.new_tftp66}805ec0112233.cfg`], 30_000);
    assert.equal(got.code, 0, got.stderr);
    const cfg = got.stdout;
    assert.match(cfg, /^## phone4 \(80:5e:c0:11:22:33\)/m);
    assert.match(cfg, /^account\.1\.user_name = 1004$/m);
    assert.match(cfg, /^account\.1\.sip_server\.1\.address = 10\.10\.0\.1$/m);
    assert.equal(await mustGet(bench, yealink, '10.10.0.1', '805ec0112233.cfg'), cfg, 'the same render over TFTP');
  });

  await t.test('a template with a missing variable gives TFTP error 1, and the log names the device, template and variable', async () => {
    const got = await tftpGet(bench, client(bench, 'yealink'), '10.10.0.1', 'typo.cfg');
    assert.match(got.output, /Error code 1/);
    assert.equal(got.text, '', 'never a half-rendered file');
    assert.ok(await waitFor(() => /template render failed/.test(served.log()), 5000), served.log());
    const line = served.log().split('\n').find((l) => l.includes('template render failed')) ?? '';
    const entry = JSON.parse(line) as Record<string, unknown>;
    assert.equal(entry.code, 'BB_TEMPLATE');
    assert.match(String(entry.variable), /display_nmae/);
    assert.match(String(entry.template), /typo\.cfg\.liquid$/);
    assert.equal(entry.device, 'phone4');
    assert.equal(entry.line, 1);
    // The phone is not cut off: its own file still comes.
    await mustGet(bench, client(bench, 'yealink'), '10.10.0.1', '805ec0112233.cfg');
  });

  await t.test('benchboot reload after editing the inventory changes the next render; a bad inventory is refused naming file:line:column', async () => {
    const phone1 = client(bench, 'phone1');
    const text = await readFile(inventory, 'utf8');
    await writeFile(inventory, text.replace(',1001,Reception,', ',1001,Front desk,'));
    const ok = await bench.srv.exec(process.execPath, [BIN, 'reload', '--leases', bench.state], 15_000);
    assert.equal(ok.code, 0, ok.stderr);
    const xml = await mustGet(bench, phone1, '10.10.0.1', 'SEP001BD4AABBCC.cnf.xml');
    assert.match(xml, /<featureLabel>Front desk<\/featureLabel>/);

    await writeFile(inventory, `${await readFile(inventory, 'utf8')}zz:11,phone9,,1009,Nowhere,x\n`);
    const bad = await bench.srv.exec(process.execPath, [BIN, 'reload', '--leases', bench.state], 15_000);
    assert.equal(bad.code, 1);
    assert.match(bad.stderr, /inventory\.csv:\d+:1: mac: "zz:11" is not a MAC address/);
    assert.match(await mustGet(bench, phone1, '10.10.0.1', 'SEP001BD4AABBCC.cnf.xml'), /<featureLabel>Front desk<\/featureLabel>/);
    await writeFile(inventory, text.replace(',1001,Reception,', ',1001,Front desk,'));
  });

  await t.test('benchboot devices: each phone under its profile and inventory row; the stray one stuck on the default config', async () => {
    const r = await bench.srv.exec(process.execPath, [BIN, 'devices', '--json', '--leases', bench.state], 15_000);
    assert.equal(r.code, 0, r.stderr);
    const body = JSON.parse(r.stdout) as { devices: { mac: string; status: string; diagnosis?: string; profile?: string; inventoryKey?: string; ip?: string }[] };
    const by = new Map(body.devices.map((d) => [d.mac, d]));
    assert.deepEqual(pick(by.get('00:1b:d4:aa:bb:cc')), { status: 'provisioned', profile: 'cisco-phone', inventoryKey: 'phone1', ip: '10.10.0.50' });
    assert.deepEqual(pick(by.get('80:5e:c0:11:22:33')), { status: 'provisioned', profile: 'yealink', inventoryKey: 'phone4', ip: by.get('80:5e:c0:11:22:33')?.ip });
    const stray = by.get('00:1b:d4:99:00:01');
    assert.equal(stray?.status, 'stuck');
    assert.match(stray?.diagnosis ?? '', /default config .*no inventory row/);
  });

  await t.test('the stray phone adopted into the inventory with an address: after reload it gets that address, its host name and its own file', async () => {
    const adopt = await bench.srv.exec(process.execPath, [BIN, 'device', 'adopt', '00:1b:d4:99:00:01', '--inventory', inventory, '--hostname', 'phone9', '--ip', '10.10.0.59', '--set', 'ext=1009', '--set', 'display_name=Adopted', '--set', 'sip_password=s3cret9'], 15_000);
    assert.equal(adopt.code, 0, adopt.stderr);
    const reload = await bench.srv.exec(process.execPath, [BIN, 'reload', '--leases', bench.state], 15_000);
    assert.equal(reload.code, 0, reload.stderr);
    const env = await udhcpc(bench, 'stray', CISCO_8841);
    assert.equal(env.ip, '10.10.0.59', 'the new reservation wins over the address it held');
    assert.equal(env.hostname, 'phone9');
    const xml = await mustGet(bench, client(bench, 'stray'), '10.10.0.1', 'SEP001BD4990001.cnf.xml');
    assert.match(xml, /<phoneLabel>phone9<\/phoneLabel>/);
    assert.match(xml, /<name>1009<\/name>/);
  });

  await served.stop();
});

// dhclient asks for 12, 66, 67 and 150, sends the client-id and vendor class given (if
// any) and runs a script that records the environment and configures the address.
function dhclientConf(clientId: string | undefined, vendorClass: string | undefined): string {
  const id = clientId === undefined ? '' : `send dhcp-client-identifier ${clientId.match(/../g)?.join(':')};\n`;
  const send = id + (vendorClass === undefined ? '' : `send vendor-class-identifier "${vendorClass}";\n`);
  return `option tftp150 code 150 = array of ip-address;
option tftp66 code 66 = text;
${send}request subnet-mask, routers, domain-name, domain-name-servers, host-name, tftp66, tftp150, bootfile-name;
`;
}

const DHCLIENT_SCRIPT = `#!/bin/sh
env | sort > "$BB_ENV_DIR/$reason.env"
case "$reason" in
  BOUND|RENEW|REBOOT) ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;
esac
exit 0
`;

async function dhclient(bench: Bench, name: string, clientId?: string, vendorClass?: string): Promise<Record<string, string>> {
  const c = client(bench, name);
  const dir = join(bench.work, `dhclient-${name}`);
  await mkdir(dir, { recursive: true });
  const script = join(dir, 'script.sh');
  await writeFile(script, DHCLIENT_SCRIPT.replace('$BB_ENV_DIR', dir));
  await chmod(script, 0o755);
  await writeFile(join(dir, 'dhclient.conf'), dhclientConf(clientId, vendorClass));
  const pidFile = join(dir, 'dhclient.pid');
  const r = await c.ns.exec('dhclient', ['-4', '-1', '-v', '-cf', join(dir, 'dhclient.conf'), '-sf', script, '-lf', join(dir, 'leases'), '-pf', pidFile, c.ifname], 30_000);
  assert.equal(r.code, 0, `dhclient failed:\n${r.stderr}`);
  // dhclient -1 leaves a daemon behind to renew; stop it by the pid it wrote (ours).
  const readPid = async (): Promise<number> => Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  assert.ok(await waitFor(async () => (await readPid()) > 0, 5000), 'dhclient wrote no pid file');
  process.kill(await readPid(), 'SIGKILL');
  return parseEnvDump(await readFile(join(dir, 'BOUND.env'), 'utf8'));
}

test('switch bench example: routers and switches fetch network-confg, then <hostname>-confg, rendered for each', { skip, timeout: 240_000 }, async (t) => {
  const bench = await openBench(t, 'switch-bench', '10.20.0.1/24', { r1: undefined, sw2: '0c:1e:2a:3b:5d:02' });
  // An inventory row whose ip is the scope's router: the start is refused, naming file:line:column.
  const inventory = join(bench.dir, 'inventory.csv');
  const good = await readFile(inventory, 'utf8');
  await writeFile(inventory, good.replace(',r1,10.20.0.10,', ',r1,10.20.0.1,'));
  const refused = await bench.srv.exec(process.execPath, [BIN, 'serve', '--no-live', '--probe-timeout', '1', '--scopes', bench.scopes, '--interface', bench.bridge, '--tftp-root', join(bench.dir, 'tftp'), '--inventory', inventory, '--leases', bench.state], 30_000);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /inventory\.csv:4:4: ip: 10\.20\.0\.1 is the router of scope switch-bench/);
  assert.match(refused.stderr, /BB_INVENTORY/);
  await writeFile(inventory, good);

  // No --inventory and a relative --tftp-root: run from the example's directory,
  // serve reads ./inventory.csv.
  const served = await startServe(bench.srv, bench.dir, ['--scopes', bench.scopes, '--interface', bench.bridge, '--tftp-root', 'tftp', '--leases', bench.state]);
  assert.match(served.log(), /"inventory":"[^"]*switch-bench\/inventory\.csv"/);

  await t.test('a router sending the client-id of its inventory row gets its reserved address, host name, 66 and network-confg', async () => {
    const env = await dhclient(bench, 'r1', '00636973636f2d306331652e326133622e346330312d4769302f30');
    assert.equal(env.new_ip_address, '10.20.0.10');
    assert.equal(env.new_host_name, 'r1');
    assert.equal(env.new_tftp66, '10.20.0.1');
    assert.equal(env.new_filename, 'network-confg');
    assert.equal(env.new_next_server, '10.20.0.1');
  });

  await t.test('it fetches network-confg naming its host, then r1-confg rendered from its row', async () => {
    const r1 = client(bench, 'r1');
    const net = await mustGet(bench, r1, '10.20.0.1', 'network-confg');
    assert.match(net, /^ip host r1 10\.20\.0\.10$/m);
    assert.doesNotMatch(net, /no inventory row/);
    const confg = await mustGet(bench, r1, '10.20.0.1', 'r1-confg');
    assert.match(confg, /^hostname r1$/m);
    assert.match(confg, /^ip domain-name bench\.lab$/m);
    assert.match(confg, /^ ip address 10\.20\.0\.10 255\.255\.255\.0$/m);
    assert.match(confg, /^ip route 0\.0\.0\.0 0\.0\.0\.0 10\.20\.0\.1$/m);
    assert.match(confg, /^enable secret Bench-r1$/m);
  });

  await t.test('a switch listed by MAC, without an ip, is found through its lease; IOS upper-case names match', async () => {
    const env = await dhclient(bench, 'sw2');
    assert.match(env.new_ip_address ?? '', /^10\.20\.0\.\d+$/);
    assert.equal(env.new_host_name, 'sw2', 'option 12 from its row, reservation or not');
    const sw2 = client(bench, 'sw2');
    const net = await mustGet(bench, sw2, '10.20.0.1', 'network-confg');
    assert.match(net, new RegExp(`^ip host sw2 ${(env.new_ip_address ?? '').replace(/\./g, '\\.')}$`, 'm'));
    const confg = await mustGet(bench, sw2, '10.20.0.1', 'SW2-confg');
    assert.match(confg, /^hostname sw2$/m);
    assert.match(confg, /^interface Vlan10$/m);
    // A host name no row has: the token template answers nobody, and there is no default.
    assert.match((await tftpGet(bench, sw2, '10.20.0.1', 'sw9-confg')).output, /Error code 1/);
  });

  await served.stop();
});
