/**
 * Scope files on disk: the shipped examples, a directory with the rules across
 * files (overlap names both files), errors with codes, and `formatScope` output that
 * reads back as the same scope.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkScopeCandidate, loadScopeFile, loadScopes, readScopeDir, ScopeIssuesError } from '../../../src/config/load.js';
import { formatScope, scopeToPlain } from '../../../src/config/format.js';
import { validateScopeText } from '../../../src/config/validate.js';
import { isBenchbootError } from '../../../src/errors.js';

const EXAMPLES = fileURLToPath(new URL('../../../../scopes/', import.meta.url));

async function tempDir(t: { after: (fn: () => Promise<void>) => void }, files: Record<string, string>): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'benchboot-scopes-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  return dir;
}

const scopeText = (name: string, iface: string, subnet: string, extra = ''): string =>
  `name: ${name}\ninterface: ${iface}\nsubnet: ${subnet}\n${extra}`;

test('the three shipped examples load, and say what each bench needs', async () => {
  const scopes = await loadScopes(EXAMPLES);
  const byName = new Map(scopes.map((s) => [s.name, s]));
  assert.deepEqual([...byName.keys()].sort(), ['phone-bench', 'pxe-lab', 'switch-bench']);

  const phone = byName.get('phone-bench');
  // A mixed phone bench: the vendor profiles decide 66 and 150 per phone (a Cisco phone
  // gets 150 and no 66, a Yealink 66), so both stay defaults the profiles may replace.
  assert.deepEqual(phone?.profiles, ['cisco-phone', 'yealink', 'polycom']);
  assert.deepEqual(phone?.boot.tftpServers, ['10.10.0.1']);
  assert.deepEqual([...(phone?.defaultedOptions ?? [])].sort(), [150, 66], 'options 66 and 150 are defaults, not set for every phone');
  assert.equal(phone?.boot.file, undefined);

  const sw = byName.get('switch-bench');
  assert.equal(sw?.boot.tftpServerName, '10.20.0.1', 'switches get option 66');
  assert.equal(sw?.boot.file, 'network-confg');
  assert.deepEqual(sw?.profiles, ['cisco-ios']);

  const pxe = byName.get('pxe-lab');
  assert.equal(pxe?.boot.file, 'undionly.kpxe', 'BIOS default');
  assert.deepEqual(
    pxe?.classes.map((c) => [c.name, c.match, c.boot.file]),
    [
      ['ipxe', { userClass: 'iPXE' }, 'boot.ipxe'],
      ['uefi-x64', { vendorClass: 'PXEClient', arch: [7, 9] }, 'ipxe.efi'],
    ],
  );
});

test('formatScope prints every default and reads back as the same scope (examples)', async () => {
  for (const name of ['phone-bench', 'switch-bench', 'pxe-lab']) {
    const scope = await loadScopeFile(join(EXAMPLES, `${name}.yaml`));
    const text = formatScope(scope);
    assert.match(text, /^# effective scope from .*\n/);
    assert.match(text, /\nleaseTime: /);
    assert.match(text, /\ndeclineTime: 10m\n/);
    if (name === 'phone-bench') {
      assert.match(text, /\nprofiles:\n {2}- cisco-phone\n {2}- yealink\n {2}- polycom\n/);
      assert.match(text, /\n {2}# default: a vendor profile may replace or withhold it .*\n {2}tftpServerName: 10\.10\.0\.1\n/);
    }
    const again = validateScopeText(text, `elsewhere/${name}.yaml`);
    assert.ok(again.ok, again.ok ? '' : again.issues.map((i) => i.message).join('\n'));
    assert.deepEqual(scopeToPlain(again.scope), scopeToPlain(scope));
  }
});

test('two scopes on one interface with overlapping subnets: BB_SCOPE_OVERLAP naming both files and lines', async (t) => {
  const dir = await tempDir(t, {
    'a.yaml': scopeText('a', 'eth1', '10.0.0.0/24'),
    'b.yaml': '# second\n' + scopeText('b', 'eth1', '10.0.0.128/25'),
    'c.yaml': scopeText('c', 'eth2', '10.0.0.0/24'),
  });
  await assert.rejects(loadScopes(dir), (e: unknown) => {
    assert.ok(e instanceof ScopeIssuesError && isBenchbootError(e, 'BB_SCOPE_OVERLAP'));
    assert.equal(e.issues.length, 1, 'eth2 may reuse the subnet: it is another wire');
    assert.equal(
      e.message.split('\n')[1],
      `${join(dir, 'b.yaml')}:4: subnet: subnet 10.0.0.128/25 overlaps scope "a" (${join(dir, 'a.yaml')}:3, subnet 10.0.0.0/24) on interface eth1`,
    );
    return true;
  });
});

test('an invalid file makes loadScopes fail with BB_SCOPE_INVALID listing the issues of every file', async (t) => {
  const dir = await tempDir(t, {
    'a.yaml': scopeText('a', 'eth1', '10.0.0.0/24', 'router: 10.0.1.1\n'),
    'b.yaml': scopeText('b', 'eth2', '10.0.0.1/24'),
    'ok.yaml': scopeText('ok', 'eth3', '10.3.0.0/24'),
    'old.yml': scopeText('old', 'eth4', '10.4.0.0/24'),
    'notes.txt': 'not a scope',
  });
  await assert.rejects(loadScopes(dir), (e: unknown) => {
    assert.ok(e instanceof ScopeIssuesError && isBenchbootError(e, 'BB_SCOPE_INVALID'));
    assert.deepEqual(
      e.issues.map((i) => [i.file.slice(dir.length + 1), i.line, i.field]),
      [
        ['a.yaml', 4, 'router'],
        ['b.yaml', 3, 'subnet'],
        ['old.yml', 0, ''],
      ],
    );
    assert.match(e.message, /^3 issues in 3 scope files:\n/);
    assert.match(e.message, /old\.yml: scope files end in \.yaml; rename it to old\.yaml/);
    return true;
  });
});

test('loadScopeFile: missing file, unreadable directory, invalid file', async (t) => {
  const dir = await tempDir(t, { 'x.yaml': scopeText('x', 'eth1', '10.0.0.0/24', 'range: 10.0.0.9-10.0.0.2\nleaseTime: soon\n') });
  await assert.rejects(loadScopeFile(join(dir, 'nope.yaml')), (e: unknown) => isBenchbootError(e, 'BB_SCOPE_NOT_FOUND'));
  await assert.rejects(loadScopes(join(dir, 'missing-dir')), (e: unknown) => isBenchbootError(e, 'BB_SCOPE_IO') && /no such directory/.test(e.message));
  await assert.rejects(loadScopeFile(join(dir, 'x.yaml')), (e: unknown) => {
    assert.ok(isBenchbootError(e, 'BB_SCOPE_INVALID'));
    assert.match(e.message, /x\.yaml:4: range: range start 10\.0\.0\.9 is after range end 10\.0\.0\.2/);
    assert.match(e.message, /x\.yaml:5: leaseTime: "soon" is not a duration/);
    return true;
  });
});

test('readScopeDir with names reports only those, and an unknown name is BB_SCOPE_NOT_FOUND', async (t) => {
  const dir = await tempDir(t, {
    'a.yaml': scopeText('a', 'eth1', '10.0.0.0/24'),
    'b.yaml': scopeText('b', 'eth1', '10.1.0.0/24', 'router: 10.9.9.9\n'),
  });
  const onlyA = await readScopeDir(dir, ['a']);
  assert.deepEqual(onlyA.entries.map((e) => e.name), ['a']);
  assert.deepEqual(onlyA.issues, []);
  const onlyB = await readScopeDir(dir, ['b']);
  assert.equal(onlyB.issues.length, 1);
  await assert.rejects(readScopeDir(dir, ['c']), (e: unknown) => isBenchbootError(e, 'BB_SCOPE_NOT_FOUND'));
});

test('checkScopeCandidate judges new text against the other files of the directory', async (t) => {
  const dir = await tempDir(t, { 'a.yaml': scopeText('a', 'eth1', '10.0.0.0/24') });
  const file = join(dir, 'b.yaml');
  const ok = await checkScopeCandidate(dir, file, scopeText('b', 'eth1', '10.1.0.0/24'));
  assert.equal(ok.name, 'b');
  await assert.rejects(checkScopeCandidate(dir, file, scopeText('b', 'eth1', '10.0.0.0/16')), (e: unknown) => isBenchbootError(e, 'BB_SCOPE_OVERLAP'));
  await assert.rejects(checkScopeCandidate(dir, file, scopeText('b', 'eth1', '10.1.0.0/33')), (e: unknown) => isBenchbootError(e, 'BB_SCOPE_INVALID'));
  // The file being edited does not overlap with its own old version.
  const same = await checkScopeCandidate(dir, join(dir, 'a.yaml'), scopeText('a', 'eth1', '10.0.0.0/23'));
  assert.equal(same.subnet.prefix, 23);
});
