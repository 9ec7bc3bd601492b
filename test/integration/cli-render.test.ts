/**
 * `benchboot render` and `benchboot profile` through `main`: the exact bytes a phone
 * with an inventory row gets from `SEP{MAC}.cnf.xml.liquid`, the rendered
 * `XMLDefault.cnf.xml` of an unknown phone, a static file that wins, a missing
 * variable naming template:line and the variable, scope facts from scope files, and
 * the profiles' options as bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../helpers/cli.js';
import { PROFILES } from '../../src/profiles/index.js';

interface Bench {
  readonly dir: string;
  readonly tftp: string;
  readonly alt: string;
  readonly inventory: string;
}

async function bench(t: { after: (fn: () => Promise<void>) => void }): Promise<Bench> {
  const dir = await mkdtemp(join(tmpdir(), 'benchboot-render-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const b = { dir, tftp: join(dir, 'tftp'), alt: join(dir, 'alt'), inventory: join(dir, 'inventory.csv') };
  await mkdir(b.tftp);
  await mkdir(b.alt);
  await writeFile(b.inventory, 'mac,hostname,ip,ext,sip_password\n001BD4AABBCC,phone1,10.10.0.50,1001,s3cret\n');
  await writeFile(join(b.tftp, 'SEP{MAC}.cnf.xml.liquid'), '<device>\n  <name>SEP{{ device.MAC }}</name>\n  <line>{{ device.ext }}</line><pw>{{ device.sip_password }}</pw>\n  <tftp>{{ server.address }}</tftp>\n</device>\n');
  await writeFile(join(b.tftp, 'XMLDefault.cnf.xml.liquid'), '<default>{% if device %}{{ device.hostname }}{% else %}auto-register {{ scope.subnet }}{% endif %}</default>\n');
  await writeFile(join(b.tftp, 'vlan.cfg.liquid'), 'hostname {{ device.hostname }}\nvlan {{ device.vlan }}\n');
  await writeFile(join(b.tftp, 'network-confg'), 'ip host router1 10.10.0.60\n');
  await writeFile(join(b.tftp, 'network-confg.liquid'), 'never: the static file wins\n');
  await writeFile(join(b.alt, 'SEP00000000AAAA.cnf.xml'), 'hand-written for one phone\n');
  return b;
}

function render(b: Bench, name: string, mac: string, ...more: string[]): Promise<CliRun> {
  return runCli(['render', name, '--mac', mac, '--inventory', b.inventory, '--tftp-root', b.tftp, '--alternate', b.alt, ...more]);
}

test('render SEP{MAC}.cnf.xml for a MAC with a row prints exactly the bytes the phone would get', async (t) => {
  const b = await bench(t);
  const r = await render(b, 'SEP001bd4aabbcc.cnf.xml', '00:1b:d4:aa:bb:cc');
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, '<device>\n  <name>SEP001BD4AABBCC</name>\n  <line>1001</line><pw>s3cret</pw>\n  <tftp>10.10.0.1</tftp>\n</device>\n');
  assert.equal(r.stderr, `rendered from ${join(b.tftp, 'SEP{MAC}.cnf.xml.liquid')} for phone1 (${Buffer.byteLength(r.stdout)} bytes)\n`);
});

test('render XMLDefault.cnf.xml for an unknown MAC renders without device; a known one gets its row', async (t) => {
  const b = await bench(t);
  const unknown = await render(b, 'XMLDefault.cnf.xml', '52:54:00:12:34:56');
  assert.equal(unknown.code, 0, unknown.stderr);
  assert.equal(unknown.stdout, '<default>auto-register 10.10.0.0/24</default>\n');
  assert.match(unknown.stderr, /for unknown, no inventory row/);
  const known = await render(b, 'XMLDefault.cnf.xml', '001B.D4AA.BBCC');
  assert.equal(known.stdout, '<default>phone1</default>\n');
});

test('render: a token template without a row falls through to the alternate, then to nothing; a static file wins', async (t) => {
  const b = await bench(t);
  const alt = await render(b, 'SEP00000000AAAA.cnf.xml', '00:00:00:00:aa:aa');
  assert.equal(alt.code, 0);
  assert.equal(alt.stdout, `SEP00000000AAAA.cnf.xml: the static file ${join(b.alt, 'SEP00000000AAAA.cnf.xml')} would be sent as it is\n`);
  const none = await render(b, 'SEP00000000BBBB.cnf.xml', '00:00:00:00:bb:bb');
  assert.equal(none.code, 0);
  assert.match(none.stdout, /^SEP00000000BBBB\.cnf\.xml: no file or template answers it in .*--default-file/);
  const wins = await render(b, 'network-confg', '00:1e:7a:00:00:01', '--json');
  assert.deepEqual(JSON.parse(wins.stdout), { name: 'network-confg', kind: 'static', path: join(b.tftp, 'network-confg') });
});

test('render: a missing variable exits 1 with BB_TEMPLATE naming template:line:column and the variable', async (t) => {
  const b = await bench(t);
  const r = await render(b, 'vlan.cfg', '00:1b:d4:aa:bb:cc');
  assert.equal(r.code, 1);
  assert.equal(r.stdout, '', 'never a half-rendered file');
  assert.ok(r.stderr.includes(`benchboot: ${join(b.tftp, 'vlan.cfg.liquid')}:2:9: undefined variable: device.vlan (device phone1); nothing would be sent (TFTP error 1) [BB_TEMPLATE]`), r.stderr);
});

test('render: a template that does not parse is warned about; bad flags are usage errors', async (t) => {
  const b = await bench(t);
  await writeFile(join(b.tftp, 'broken.cfg.liquid'), 'ok\n{{ device.mac | nope }}\n');
  const r = await render(b, 'XMLDefault.cnf.xml', '52:54:00:12:34:56');
  assert.equal(r.code, 0);
  assert.ok(r.stderr.includes(`warning: ${join(b.tftp, 'broken.cfg.liquid')}:2:1: undefined filter: nope`), r.stderr);
  assert.equal((await render(b, 'x', 'not-a-mac')).code, 2);
  assert.equal((await render(b, 'x', '00:1b:d4:aa:bb:cc', '--ip', '10.1')).code, 2);
  assert.equal((await runCli(['render', 'x'])).code, 2, '--mac is required');
});

test('render --scopes: scope facts come from the scope holding the device address', async (t) => {
  const b = await bench(t);
  const scopes = join(b.dir, 'scopes');
  assert.equal((await runCli(['scope', 'add', 'bench1', '--scopes', scopes, '--interface', 'eth1', '--subnet', '10.10.0.0/24', '--domain', 'bench.lab', '--next-server', '10.10.0.2'])).code, 0);
  await writeFile(join(b.tftp, 'scope.txt.liquid'), '{{ scope.name }} {{ scope.domain }} {{ scope.mask }} {{ server.address }} {{ device.ip }}\n');
  const r = await render(b, 'scope.txt', '00:1b:d4:aa:bb:cc', '--scopes', scopes);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'bench1 bench.lab 255.255.255.0 10.10.0.2 10.10.0.50\n');
  const outside = await render(b, 'scope.txt', '00:1b:d4:aa:bb:cc', '--scopes', scopes, '--ip', '192.168.9.9');
  assert.equal(outside.code, 1);
  assert.match(outside.stderr, /no scope in .* holds 192\.168\.9\.9.*\[BB_SCOPE_NOT_FOUND\]/);
});

test('profile list names every built-in profile; profile show prints options as bytes for --server', async () => {
  const list = await runCli(['profile', 'list']);
  assert.equal(list.code, 0);
  for (const p of PROFILES) assert.match(list.stdout, new RegExp(`^${p.id} `, 'm'));
  const show = await runCli(['profile', 'show', 'cisco-phone', '--server', '192.168.1.2']);
  assert.equal(show.code, 0, show.stderr);
  assert.match(show.stdout, /^150 +tftp-servers +c0a80102 +192\.168\.1\.2$/m);
  assert.match(show.stdout, /^withholds scope defaults: 66$/m);
  assert.match(show.stdout, /^normal misses: CTLSEP\{MAC\}\.tlv, ITLSEP\{MAC\}\.tlv$/m);
  const json = await runCli(['profile', 'show', 'cisco-pnp', '--json']);
  const parsed = JSON.parse(json.stdout) as { options: { code: number; meaning: string }[] };
  assert.equal(parsed.options[0]?.code, 43);
  assert.match(parsed.options[0]?.meaning ?? '', /5A1N;B2;K4;I10\.10\.0\.1;J80/);
  const uefi = await runCli(['profile', 'show', 'pxe-uefi', '--arch', '7']);
  assert.equal(uefi.code, 0);
  const missing = await runCli(['profile', 'show', 'nope']);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /no profile named "nope" .*\[BB_PROFILE_NOT_FOUND\]/);
});
