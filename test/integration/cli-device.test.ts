/**
 * `benchboot device …` through `main` on temporary inventories: add/set/rm/import/
 * adopt round trips that keep comments and columns, refusals listing every problem
 * at file:line:column with nothing written, validate against scope subnets, and
 * secrets never printed in the table, `show` or JSON.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliRun } from '../helpers/cli.js';

const CSV = ['mac,hostname,ip,ext,sip_password', '# desk phones, left bench', '001BD4AABBCC,phone1,10.10.0.50,1001,s3cret-one', ''].join('\n');
const YAML = ['# bench 2 phones', 'devices:', '  - mac: 00:1b:d4:aa:bb:cc # the first one', '    hostname: phone1', '    sip_password: s3cret-one', ''].join('\n');

async function tempDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'benchboot-dev-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function ok(r: CliRun): CliRun {
  assert.equal(r.code, 0, r.stderr);
  return r;
}

test('device add, set, rm keep the comment and columns; MACs are written the way the file writes them', async (t) => {
  const inv = join(await tempDir(t), 'inventory.csv');
  await writeFile(inv, CSV);
  ok(await runCli(['device', 'add', '--inventory', inv, '--mac', '00:1b:d4:aa:bb:cd', '--hostname', 'phone2', '--set', 'ext=1002', '--set', 'sip_password=s3cret-two']));
  ok(await runCli(['device', 'set', 'phone1', '--inventory', inv, '--set', 'ext=1009', '--set', 'vlan=20']));
  assert.equal(
    await readFile(inv, 'utf8'),
    ['mac,hostname,ip,ext,sip_password,vlan', '# desk phones, left bench', '001BD4AABBCC,phone1,10.10.0.50,1009,s3cret-one,20', '001BD4AABBCD,phone2,,1002,s3cret-two,', ''].join('\n'),
  );
  ok(await runCli(['device', 'rm', '001b.d4aa.bbcd', '--inventory', inv]));
  assert.equal(await readFile(inv, 'utf8'), ['mac,hostname,ip,ext,sip_password,vlan', '# desk phones, left bench', '001BD4AABBCC,phone1,10.10.0.50,1009,s3cret-one,20', ''].join('\n'));
});

test('an invalid add exits 1 with BB_INVENTORY, every problem at file:line:column, and writes nothing', async (t) => {
  const inv = join(await tempDir(t), 'inventory.csv');
  await writeFile(inv, CSV);
  const r = await runCli(['device', 'add', '--inventory', inv, '--mac', 'zz:11', '--hostname', 'PHONE1', '--ip', '10.10.0.50']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^benchboot: nothing written: 3 issues in .*inventory\.csv: \[BB_INVENTORY\]\n/);
  assert.ok(r.stderr.includes(`${inv}:4:1: mac: "zz:11" is not a MAC address`), r.stderr);
  assert.ok(r.stderr.includes(`${inv}:4:2: hostname: duplicate host name phone1 (also on line 3)`), r.stderr);
  assert.ok(r.stderr.includes(`${inv}:4:3: ip: duplicate address 10.10.0.50 (also on line 3)`), r.stderr);
  assert.equal(await readFile(inv, 'utf8'), CSV);
  const json = await runCli(['device', 'add', '--inventory', inv, '--mac', 'zz:11', '--json']);
  assert.equal(json.code, 1);
  const parsed = JSON.parse(json.stderr) as { error: { code: string; issues: { line: number; column: number; field: string }[] } };
  assert.equal(parsed.error.code, 'BB_INVENTORY');
  assert.deepEqual(parsed.error.issues.map((i) => [i.line, i.column, i.field]), [[4, 1, 'mac']]);
});

test('an unknown device is BB_DEVICE_NOT_FOUND for show, set and rm; bad flags are usage errors', async (t) => {
  const inv = join(await tempDir(t), 'inventory.csv');
  await writeFile(inv, CSV);
  for (const args of [['show', 'phone9'], ['set', 'phone9', '--set', 'ext=1'], ['rm', 'phone9']]) {
    const r = await runCli(['device', ...args, '--inventory', inv]);
    assert.equal(r.code, 1, args.join(' '));
    assert.match(r.stderr, /phone9.*\[BB_DEVICE_NOT_FOUND\]|\[BB_DEVICE_NOT_FOUND\][\s\S]*phone9/, r.stderr);
  }
  assert.equal((await runCli(['device', 'set', 'phone1', '--inventory', inv])).code, 2, 'nothing to set');
  assert.equal((await runCli(['device', 'set', 'phone1', '--inventory', inv, '--set', 'novalue'])).code, 2);
  assert.equal((await runCli(['device', 'adopt', 'not-a-mac', '--inventory', inv])).code, 2);
  assert.equal(await readFile(inv, 'utf8'), CSV);
});

test('secrets are masked in list, list --json and show; never printed', async (t) => {
  const inv = join(await tempDir(t), 'inventory.csv');
  await writeFile(inv, CSV);
  const list = ok(await runCli(['device', 'list', '--inventory', inv]));
  assert.match(list.stdout, /^MAC +HOSTNAME +IP +EXT +SIP_PASSWORD\n001BD4AABBCC +phone1 +10\.10\.0\.50 +1001 +\*{8}\n$/);
  const json = ok(await runCli(['device', 'list', '--inventory', inv, '--json']));
  assert.deepEqual(JSON.parse(json.stdout), [{ line: 3, mac: '00:1b:d4:aa:bb:cc', ip: '10.10.0.50', hostname: 'phone1', cells: { mac: '001BD4AABBCC', hostname: 'phone1', ip: '10.10.0.50', ext: '1001', sip_password: '********' } }]);
  const show = ok(await runCli(['device', 'show', '00-1B-D4-AA-BB-CC', '--inventory', inv]));
  assert.match(show.stdout, /sip_password: \*{8}/);
  const set = ok(await runCli(['device', 'set', 'phone1', '--inventory', inv, '--set', 'sip_password=n3w-secret', '--json']));
  for (const out of [list, json, show, set]) assert.ok(!/s3cret|n3w-secret/.test(out.stdout + out.stderr), out.stdout);
});

test('YAML inventory: add and set keep its comments', async (t) => {
  const inv = join(await tempDir(t), 'inventory.yaml');
  await writeFile(inv, YAML);
  ok(await runCli(['device', 'add', '--inventory', inv, '--mac', '00:1b:d4:aa:bb:cd', '--hostname', 'phone2']));
  ok(await runCli(['device', 'set', 'phone1', '--inventory', inv, '--hostname', 'desk1']));
  const text = await readFile(inv, 'utf8');
  assert.match(text, /^# bench 2 phones\ndevices:\n {2}- mac: 00:1b:d4:aa:bb:cc # the first one\n {4}hostname: desk1\n/);
  assert.match(text, /mac: 00:1b:d4:aa:bb:cd\n {4}hostname: phone2\n/);
  const list = ok(await runCli(['device', 'list', '--inventory', inv]));
  assert.match(list.stdout, /desk1/);
  assert.ok(!list.stdout.includes('s3cret-one'));
});

test('import merges another file: known identities are updated, new rows appended, the comment kept', async (t) => {
  const dir = await tempDir(t);
  const inv = join(dir, 'inventory.csv');
  const more = join(dir, 'more.yaml');
  await writeFile(inv, CSV);
  await writeFile(more, 'devices:\n  - { mac: 001b.d4aa.bbcc, ext: "2001" }\n  - { mac: 00:1b:d4:aa:bb:cf, hostname: phone4, ext: "2004" }\n');
  const r = ok(await runCli(['device', 'import', more, '--inventory', inv]));
  assert.match(r.stdout, /imported 2 rows from/);
  const text = await readFile(inv, 'utf8');
  assert.ok(text.startsWith('mac,hostname,ip,ext,sip_password\n# desk phones, left bench\n001BD4AABBCC,phone1,10.10.0.50,2001,s3cret-one\n'), text);
  assert.match(text, /\n001BD4AABBCF,phone4,,2004,\n$/, 'new rows take the file MAC style too');
  await writeFile(more, 'devices:\n  - { hostname: nobody }\n');
  const bad = await runCli(['device', 'import', more, '--inventory', inv]);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /nothing imported: 1 issue .*\[BB_INVENTORY\]\n.*more\.yaml:2:\d+: the row has no identity/);
});

test('adopt writes the MAC in the file style; a second adopt of the same MAC is refused', async (t) => {
  const inv = join(await tempDir(t), 'inventory.csv');
  await writeFile(inv, CSV);
  ok(await runCli(['device', 'adopt', '00:1b:d4:aa:bb:ce', '--inventory', inv, '--set', 'hostname=phone3']));
  assert.match(await readFile(inv, 'utf8'), /\n001BD4AABBCE,phone3,,,\n$/);
  const again = await runCli(['device', 'adopt', '001bd4aabbce', '--inventory', inv]);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /:5:1: mac: duplicate MAC 00:1b:d4:aa:bb:ce \(also on line 4\)/);
  const fresh = join(await tempDir(t), 'new.csv');
  ok(await runCli(['device', 'adopt', '00:1b:d4:aa:bb:ce', '--inventory', fresh, '--hostname', 'phone3']));
  assert.equal(await readFile(fresh, 'utf8'), 'mac,hostname\n00:1b:d4:aa:bb:ce,phone3\n');
});

test('validate: ok, then addresses outside the scopes named at file:line:column, exit 1', async (t) => {
  const dir = await tempDir(t);
  const inv = join(dir, 'inventory.csv');
  const scopes = join(dir, 'scopes');
  await writeFile(inv, `${CSV}001BD4AABBCD,phone2,10.20.0.5,1002,\n`);
  const plain = ok(await runCli(['device', 'validate', '--inventory', inv]));
  assert.match(plain.stdout, /inventory\.csv: 2 devices, ok\n$/);
  ok(await runCli(['scope', 'add', 'bench1', '--scopes', scopes, '--interface', 'eth1', '--subnet', '10.10.0.0/24']));
  const r = await runCli(['device', 'validate', '--inventory', inv, '--scopes', scopes]);
  assert.equal(r.code, 1);
  assert.ok(r.stdout.includes(`${inv}:4:3: ip: 10.20.0.5 is in no scope (bench1 10.10.0.0/24)`), r.stdout);
  assert.match(r.stdout, /2 devices, 1 issue\n$/);
  await writeFile(inv, 'mac,hostname\nzz,phone1\n');
  const bad = await runCli(['device', 'validate', '--inventory', inv, '--json']);
  assert.equal(bad.code, 1);
  assert.equal((JSON.parse(bad.stdout) as { valid: boolean }).valid, false);
  const missing = await runCli(['device', 'list', '--inventory', join(dir, 'none.csv')]);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /none\.csv: cannot read: no such file/);
  assert.match(missing.stderr, /\[BB_INVENTORY\]/);
});
