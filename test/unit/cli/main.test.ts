/**
 * The CLI wrapper in-process: exit codes 0/1/2, output only on the injected streams,
 * the scope subcommands end to end on a temporary directory, and the logger built
 * from the global options.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../../src/cli/main.js';
import { editsFromFlags } from '../../../src/cli/scope-flags.js';
import { formatTable } from '../../../src/cli/output.js';
import { isBenchbootError } from '../../../src/errors.js';

class Capture extends Writable {
  text = '';
  override _write(chunk: Buffer | string, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    this.text += chunk.toString();
    done();
  }
}

async function run(argv: string[]): Promise<{ code: number; out: string; err: string; stderr: Capture }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const code = await main(argv, { stdout, stderr, env: {} });
  return { code, out: stdout.text, err: stderr.text, stderr };
}

async function tempScopes(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'benchboot-cli-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('--help and --version print on the given stdout and exit 0', async () => {
  const help = await run(['--help']);
  assert.equal(help.code, 0);
  assert.match(help.out, /benchboot <command>/);
  assert.match(help.out, /benchboot scope/);
  assert.match(help.out, /--log-level/);
  assert.equal(help.err, '');
  const scopeHelp = await run(['scope', 'add', '--help']);
  assert.equal(scopeHelp.code, 0);
  assert.match(scopeHelp.out, /--boot-file/);
  assert.match(scopeHelp.out, /--option150/);
  const version = await run(['--version']);
  assert.equal(version.code, 0);
  assert.match(version.out, /^\d+\.\d+\.\d+\n$/);
});

test('usage errors exit 2 with a message on stderr', async () => {
  for (const argv of [
    [],
    ['frobnicate'],
    ['scope'],
    ['scope', 'show'],
    ['scope', 'list', '--bogus'],
    ['scope', 'list', '--log-level', 'verbose'],
    ['scope', 'add', 'x', '--subnet', '10.0.0.0/24'],
    ['scope', 'add', 'x', '--interface', 'eth1', '--subnet', '10.0.0.0/24', '--option', 'no-equals-sign'],
    ['scope', 'add', 'x', '--interface', 'eth1', '--subnet', '10.0.0.0/24', '--reserve', '00:11:22:33:44:55'],
    ['scope', 'add', 'x', '--interface', 'eth1', '--interface', 'eth2', '--subnet', '10.0.0.0/24'],
    ['scope', 'set', 'x'],
    ['scope', 'set', 'x', '--unset', 'lease'],
  ]) {
    const r = await run(argv);
    assert.equal(r.code, 2, `${argv.join(' ')}: ${r.err}`);
    assert.match(r.err, /^benchboot: /, argv.join(' '));
    assert.equal(r.out, '', argv.join(' '));
  }
});

test('scope add writes a valid file; list, show, validate, set and rm work on it', async (t) => {
  const dir = await tempScopes(t);
  const add = await run([
    'scope', 'add', 'bench1', '--scopes', dir,
    '--interface', 'eth1', '--subnet', '10.10.0.0/24', '--range', '10.10.0.100-10.10.0.199',
    '--tftp-server', '10.10.0.1', '--option150', '10.10.0.1', '--boot-file', 'SEPDefault.cnf.xml',
    '--dns', '10.10.0.1', '--dns', '10.10.0.2', '--domain', 'bench.lab', '--lease-time', '12h',
    '--option', 'ntp-servers=10.10.0.1', '--reserve', '00:1b:d4:aa:bb:cc=10.10.0.50,phone1', '--no-authoritative',
  ]);
  assert.equal(add.code, 0, add.err);
  assert.match(add.out, /^created .*bench1\.yaml: pool 10\.10\.0\.100-10\.10\.0\.199 \(100 addresses\), TFTP 10\.10\.0\.1, boot file SEPDefault\.cnf\.xml\n$/);

  const show = await run(['scope', 'show', 'bench1', '--scopes', dir, '--json']);
  assert.equal(show.code, 0, show.err);
  const plain = JSON.parse(show.out) as Record<string, unknown>;
  assert.deepEqual(plain['dns'], ['10.10.0.1', '10.10.0.2']);
  assert.equal(plain['leaseTime'], '12h');
  assert.equal(plain['authoritative'], false);
  assert.deepEqual(plain['boot'], { nextServer: '10.10.0.1', tftpServerName: '10.10.0.1', tftpServers: ['10.10.0.1'], file: 'SEPDefault.cnf.xml' });
  assert.deepEqual(plain['reservations'], [{ mac: '00:1b:d4:aa:bb:cc', ip: '10.10.0.50', hostname: 'phone1' }]);
  assert.deepEqual(plain['options'], [{ name: 'ntp-servers', value: ['10.10.0.1'] }]);

  const list = await run(['scope', 'list', '--scopes', dir]);
  assert.equal(list.code, 0);
  const [header, row] = list.out.split('\n');
  assert.match(header ?? '', /^NAME\s+INTERFACE\s+SUBNET\s+POOL\s+TFTP SERVER\s+BOOT FILE\s+FILE$/);
  assert.match(row ?? '', /^bench1\s+eth1\s+10\.10\.0\.0\/24\s+100\s+10\.10\.0\.1\s+SEPDefault\.cnf\.xml\s+\S+bench1\.yaml$/);
  const listJson = await run(['scope', 'list', '--scopes', dir, '--json']);
  assert.deepEqual((JSON.parse(listJson.out) as { name: string; poolSize: number }[]).map((s) => [s.name, s.poolSize]), [['bench1', 100]]);

  const again = await run(['scope', 'add', 'bench1', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.10.0.0/24']);
  assert.equal(again.code, 1);
  assert.match(again.err, /already exists \[BB_SCOPE_EXISTS\]/);

  const set = await run(['scope', 'set', 'bench1', '--scopes', dir, '--boot-file', 'SEP001BD4AABBCC.cnf.xml', '--unset', 'domain', '--unset', 'option:ntp-servers']);
  assert.equal(set.code, 0, set.err);
  const text = await readFile(join(dir, 'bench1.yaml'), 'utf8');
  assert.match(text, /file: SEP001BD4AABBCC\.cnf\.xml/);
  assert.doesNotMatch(text, /domain|ntp-servers/);

  const validate = await run(['scope', 'validate', '--scopes', dir]);
  assert.equal(validate.code, 0);
  assert.match(validate.out, /bench1\.yaml: ok\n1 scope file checked, 0 issues\n$/);

  const rmd = await run(['scope', 'rm', 'bench1', '--scopes', dir]);
  assert.equal(rmd.code, 0);
  assert.deepEqual(await readdir(dir), []);
  const rmAgain = await run(['scope', 'rm', 'bench1', '--scopes', dir]);
  assert.equal(rmAgain.code, 1);
  assert.match(rmAgain.err, /BB_SCOPE_NOT_FOUND/);
});

test('an invalid add or set writes nothing and exits 1 listing every issue', async (t) => {
  const dir = await tempScopes(t);
  const bad = await run(['scope', 'add', 'b', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.0.0.0/24', '--range', '10.0.0.10-10.0.1.5', '--router', '10.9.9.9', '--option', 'interface-mtu=99999']);
  assert.equal(bad.code, 1);
  assert.match(bad.err, /^benchboot: nothing written: 3 issues in 1 scope file: \[BB_SCOPE_INVALID\]\n/);
  assert.match(bad.err, /b\.yaml:\d+: range: range end 10\.0\.1\.5 is outside subnet 10\.0\.0\.0\/24/);
  assert.match(bad.err, /b\.yaml:\d+: router: router 10\.9\.9\.9 is outside subnet/);
  assert.match(bad.err, /b\.yaml:\d+: options\[0\]\.value: option 26 \(interface-mtu\)/);
  assert.deepEqual(await readdir(dir), [], 'no file, no temp file left');

  assert.equal((await run(['scope', 'add', 'a', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.0.0.0/24'])).code, 0);
  const before = await readFile(join(dir, 'a.yaml'), 'utf8');
  const badSet = await run(['scope', 'set', 'a', '--scopes', dir, '--router', '10.0.0.0']);
  assert.equal(badSet.code, 1);
  assert.equal(await readFile(join(dir, 'a.yaml'), 'utf8'), before);

  const overlap = await run(['scope', 'add', 'c', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.0.0.0/25']);
  assert.equal(overlap.code, 1);
  assert.match(overlap.err, /overlaps scope "a" .*a\.yaml:\d+.* \[BB_SCOPE_OVERLAP\]|\[BB_SCOPE_OVERLAP\][\s\S]*overlaps scope "a"/);
  assert.deepEqual(await readdir(dir), ['a.yaml']);

  const badName = await run(['scope', 'add', '../escape', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.5.0.0/24']);
  assert.equal(badName.code, 1);
  assert.match(badName.err, /not a scope name/);
});

test('scope add creates a missing scope directory; set notes an --unset that found nothing', async (t) => {
  const dir = join(await tempScopes(t), 'new', 'scopes');
  const add = await run(['scope', 'add', 'a', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.0.0.0/24']);
  assert.equal(add.code, 0, add.err);
  assert.deepEqual(await readdir(dir), ['a.yaml']);
  const set = await run(['scope', 'set', 'a', '--scopes', dir, '--domain', 'bench.lab', '--unset', 'reservation:00:1b:d4:aa:bb:cc']);
  assert.equal(set.code, 0, set.err);
  assert.match(set.err, /^note: reservation 00:1b:d4:aa:bb:cc was not set in \S+a\.yaml\n$/);
  assert.match(await readFile(join(dir, 'a.yaml'), 'utf8'), /\ndomain: bench\.lab\n/);
});

test('with --json a failure is one JSON object on stderr, issues included', async (t) => {
  const dir = await tempScopes(t);
  const r = await run(['scope', 'add', 'b', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.0.0.0/24', '--router', '10.9.9.9', '--json']);
  assert.equal(r.code, 1);
  const parsed = JSON.parse(r.err) as { error: { code: string; message: string; issues: { field: string }[] } };
  assert.equal(parsed.error.code, 'BB_SCOPE_INVALID');
  assert.deepEqual(parsed.error.issues.map((i) => i.field), ['router']);
  const usage = await run(['scope', 'frob', '--json']);
  assert.equal(usage.code, 2);
  assert.equal((JSON.parse(usage.err) as { error: { code: string } }).error.code, 'BB_USAGE');
});

test('scope validate exits 1 and prints each issue as file:line: field: message', async (t) => {
  const dir = await tempScopes(t);
  await writeFile(join(dir, 'good.yaml'), 'name: good\ninterface: eth1\nsubnet: 10.0.0.0/24\n');
  await writeFile(join(dir, 'bad.yaml'), 'name: bad\ninterface: eth2\nsubnet: 10.1.0.0/24\nrange: 10.1.0.10-10.1.1.5\n');
  const all = await run(['scope', 'validate', '--scopes', dir]);
  assert.equal(all.code, 1);
  assert.ok(all.out.includes(`${join(dir, 'good.yaml')}: ok\n`));
  assert.ok(all.out.includes(`${join(dir, 'bad.yaml')}:4: range: range end 10.1.1.5 is outside subnet 10.1.0.0/24\n`));
  assert.match(all.out, /2 scope files checked, 1 issue\n$/);
  const one = await run(['scope', 'validate', 'good', '--scopes', dir]);
  assert.equal(one.code, 0);
  const json = await run(['scope', 'validate', '--scopes', dir, '--json']);
  assert.equal(json.code, 1);
  const parsed = JSON.parse(json.out) as { valid: boolean; issues: { line: number; field: string }[] };
  assert.equal(parsed.valid, false);
  assert.deepEqual(parsed.issues.map((i) => [i.line, i.field]), [[4, 'range']]);
});

test('the logger follows --log-level and --json and writes to the injected stderr', async (t) => {
  const dir = await tempScopes(t);
  const r = await run(['scope', 'add', 'a', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.0.0.0/24', '--log-level', 'debug', '--json']);
  assert.equal(r.code, 0);
  const created = JSON.parse(r.out) as { created: string };
  assert.equal(created.created, join(dir, 'a.yaml'));
  const deadline = Date.now() + 2000;
  while (!r.stderr.text.includes('\n') && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
  const line = JSON.parse(r.stderr.text.split('\n')[0] ?? '') as Record<string, unknown>;
  assert.equal(line['level'], 'debug');
  assert.equal(line['component'], 'config');
  assert.equal(line['scope'], 'a');
  const quiet = await run(['scope', 'rm', 'a', '--scopes', dir]);
  assert.equal(quiet.err, '', 'debug lines are not shown at the default level');
});

test('editsFromFlags maps flags to fields in file order and types option values', () => {
  const edits = editsFromFlags({ 'boot-file': 'x.cfg', subnet: '10.0.0.0/24', range: ['10.0.0.5-10.0.0.9,10.0.0.20-10.0.0.30'], 'lease-time': '600', option: ['interface-mtu=1400', 'ip-forwarding=off', 'ntp-servers=10.0.0.1,10.0.0.2'] });
  assert.deepEqual(edits, [
    { kind: 'set', path: ['subnet'], value: '10.0.0.0/24' },
    { kind: 'set', path: ['range'], value: ['10.0.0.5-10.0.0.9', '10.0.0.20-10.0.0.30'] },
    { kind: 'set', path: ['leaseTime'], value: 600 },
    { kind: 'set', path: ['boot', 'file'], value: 'x.cfg' },
    { kind: 'option', key: 'interface-mtu', value: 1400 },
    { kind: 'option', key: 'ip-forwarding', value: false },
    { kind: 'option', key: 'ntp-servers', value: ['10.0.0.1', '10.0.0.2'] },
  ]);
  assert.throws(() => editsFromFlags({}, ['name']), (e: unknown) => isBenchbootError(e, 'BB_USAGE') && /required/.test(e.message));
  assert.throws(() => editsFromFlags({}, ['boot-fil']), (e: unknown) => isBenchbootError(e, 'BB_USAGE') && /did you mean "boot-file"/.test(e.message));
});

test('formatTable pads columns and right-aligns numbers', () => {
  const table = formatTable(
    [
      { n: 'a', v: 5 },
      { n: 'long-name', v: 100 },
    ],
    [
      { header: 'NAME', value: (r) => r.n },
      { header: 'POOL', value: (r) => String(r.v), right: true },
    ],
  );
  assert.equal(table, 'NAME       POOL\na             5\nlong-name   100');
});
