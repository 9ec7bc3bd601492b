/**
 * The real `benchboot` launcher (`node bin/benchboot.js`) on a temporary scope
 * directory: add-then-validate round trip, the exit codes 0/1/2 a script sees,
 * nothing written on invalid input, and `set` keeping a commented file's comments.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const EXAMPLES = fileURLToPath(new URL('../../../scopes/', import.meta.url));

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

function benchboot(args: readonly string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BIN, ...args], { timeout: 30_000, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err && typeof err.code !== 'number') {
        reject(err);
        return;
      }
      resolve({ code: err && typeof err.code === 'number' ? err.code : 0, stdout, stderr });
    });
  });
}

async function tempScopes(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'benchboot-int-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('scope add then validate: exit 0, a valid file on disk; again exit 1; bad flag exit 2', async (t) => {
  const dir = await tempScopes(t);
  const add = await benchboot([
    'scope', 'add', 'bench1', '--scopes', dir,
    '--interface', 'eth1', '--subnet', '10.10.0.0/24', '--range', '10.10.0.100-10.10.0.199',
    '--tftp-server', '10.10.0.1', '--option150', '10.10.0.1', '--boot-file', 'SEPDefault.cnf.xml',
  ]);
  assert.equal(add.code, 0, add.stderr);
  assert.deepEqual(await readdir(dir), ['bench1.yaml']);
  const text = await readFile(join(dir, 'bench1.yaml'), 'utf8');
  assert.match(text, /^# benchboot scope "bench1"/);
  assert.match(text, /\nname: bench1\ninterface: eth1\nsubnet: 10\.10\.0\.0\/24\nrange: 10\.10\.0\.100-10\.10\.0\.199\nboot:\n {2}tftpServerName: 10\.10\.0\.1\n {2}tftpServers:\n {4}- 10\.10\.0\.1\n {2}file: SEPDefault\.cnf\.xml\n$/);

  const validate = await benchboot(['scope', 'validate', '--scopes', dir]);
  assert.equal(validate.code, 0, validate.stdout + validate.stderr);
  assert.match(validate.stdout, /bench1\.yaml: ok/);

  const show = await benchboot(['scope', 'show', 'bench1', '--scopes', dir]);
  assert.equal(show.code, 0);
  assert.match(show.stdout, /\nrouter: 10\.10\.0\.1\n/);
  assert.match(show.stdout, /\n {2}nextServer: 10\.10\.0\.1\n/);

  const again = await benchboot(['scope', 'add', 'bench1', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.10.0.0/24']);
  assert.equal(again.code, 1);
  assert.match(again.stderr, /BB_SCOPE_EXISTS/);

  const typo = await benchboot(['scope', 'add', 'bench2', '--scopes', dir, '--interface', 'eth2', '--subnet', '10.20.0.0/24', '--bootfile', 'x']);
  assert.equal(typo.code, 2);
  assert.match(typo.stderr, /Unknown argument: bootfile/);
  assert.deepEqual(await readdir(dir), ['bench1.yaml']);
});

test('an invalid scope add exits 1, names file, line and field, and writes nothing', async (t) => {
  const dir = await tempScopes(t);
  const r = await benchboot(['scope', 'add', 'bench1', '--scopes', dir, '--interface', 'eth1', '--subnet', '10.0.0.0/24', '--range', '10.0.0.100-10.0.1.5']);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /^benchboot: nothing written: 1 issue in 1 scope file: \[BB_SCOPE_INVALID\]\n/);
  // Line 6 of the file add would have written (comment, blank line, name, interface, subnet, range).
  assert.ok(r.stderr.includes(`${join(dir, 'bench1.yaml')}:6: range: range end 10.0.1.5 is outside subnet 10.0.0.0/24`), r.stderr);
  assert.deepEqual(await readdir(dir), []);
});

test('scope set on a commented example keeps its comments and key order', async (t) => {
  const dir = await tempScopes(t);
  const file = join(dir, 'switch-bench.yaml');
  await copyFile(join(EXAMPLES, 'switch-bench.yaml'), file);
  const before = await readFile(file, 'utf8');
  const r = await benchboot(['scope', 'set', 'switch-bench', '--scopes', dir, '--boot-file', 'router-confg', '--lease-time', '1d']);
  assert.equal(r.code, 0, r.stderr);
  const after = await readFile(file, 'utf8');
  const comments = (t2: string): string[] => t2.split('\n').flatMap((l) => (l.includes('#') ? [l.slice(l.indexOf('#')).trim()] : []));
  assert.deepEqual(comments(after), comments(before));
  const keys = (t2: string): string[] => t2.split('\n').filter((l) => /^[a-zA-Z]/.test(l)).map((l) => l.split(':')[0] ?? '');
  assert.deepEqual(keys(after), keys(before));
  assert.match(after, /\n {2}file: router-confg +# option 67\n/);
  assert.match(after, /\nleaseTime: 1d\n/);
  const validate = await benchboot(['scope', 'validate', '--scopes', dir]);
  assert.equal(validate.code, 0, validate.stdout);
});

test('the shipped examples validate through the CLI', async () => {
  const r = await benchboot(['scope', 'validate', '--scopes', EXAMPLES]);
  assert.equal(r.code, 0, r.stdout + r.stderr);
  assert.match(r.stdout, /3 scope files checked, 0 issues/);
});
