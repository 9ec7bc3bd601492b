/**
 * The pure TFTP path decision: every name rule as a table case, the search order
 * (root, alternates, default files), upload names, case-insensitive entry choice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  compileDefaultRules,
  compileGlob,
  displayName,
  hasControlCharacter,
  isInside,
  normalizeRequestName,
  pickEntry,
  planRead,
  planUpload,
  type ReadPlanConfig,
} from '../../../src/tftp/resolve-path.js';
import { TFTP_ERROR } from '../../../src/tftp/error-codes.js';

const NAME_CASES: readonly { name: string; input: string; expect: string | { refused: string } }[] = [
  { name: 'plain name', input: 'SEP001122334455.cnf.xml', expect: 'SEP001122334455.cnf.xml' },
  { name: 'subdirectory kept', input: 'pxelinux.cfg/default', expect: 'pxelinux.cfg/default' },
  { name: 'leading slash stripped', input: '/etc/passwd', expect: 'etc/passwd' },
  { name: 'several leading slashes stripped', input: '///tftpboot//x.bin', expect: 'tftpboot/x.bin' },
  { name: 'backslash is a separator', input: 'boot\\x64\\wdsnbp.com', expect: 'boot/x64/wdsnbp.com' },
  { name: 'drive letter stripped', input: 'C:\\boot\\x', expect: 'boot/x' },
  { name: 'lower-case drive letter stripped', input: 'd:/firmware.bin', expect: 'firmware.bin' },
  { name: 'dot segments vanish', input: './a/./b', expect: 'a/b' },
  { name: 'traversal refused', input: '../../etc/passwd', expect: { refused: 'parent-segment' } },
  { name: 'backslash traversal refused', input: '..\\..\\etc\\passwd', expect: { refused: 'parent-segment' } },
  { name: 'traversal in the middle refused', input: 'a/../../b', expect: { refused: 'parent-segment' } },
  { name: 'harmless-looking .. still refused', input: 'a/../b', expect: { refused: 'parent-segment' } },
  { name: 'drive plus traversal refused', input: 'C:..\\x', expect: { refused: 'parent-segment' } },
  { name: 'NUL refused', input: 'config.xml\u0000.png', expect: { refused: 'control-character' } },
  { name: 'newline refused', input: 'a\nb', expect: { refused: 'control-character' } },
  { name: 'DEL refused', input: 'a\u007fb', expect: { refused: 'control-character' } },
  { name: 'empty refused', input: '', expect: { refused: 'empty' } },
  { name: 'only slashes refused', input: '///', expect: { refused: 'empty' } },
  { name: 'only a drive refused', input: 'C:\\', expect: { refused: 'empty' } },
  { name: 'a dot alone is empty', input: '.', expect: { refused: 'empty' } },
  { name: 'over-long segment refused', input: 'x'.repeat(256), expect: { refused: 'too-long' } },
  { name: 'over-long name refused', input: 'a/'.repeat(600), expect: { refused: 'too-long' } },
  { name: 'three dots are a name, not traversal', input: '.../x', expect: '.../x' },
  { name: 'dotfile allowed', input: '.profile', expect: '.profile' },
];

for (const c of NAME_CASES) {
  test(`normalizeRequestName: ${c.name} (${JSON.stringify(c.input).slice(0, 40)})`, () => {
    const r = normalizeRequestName(c.input);
    if (typeof c.expect === 'string') {
      assert.equal(r.kind, 'ok');
      if (r.kind === 'ok') assert.equal(r.relative, c.expect);
    } else {
      assert.deepEqual(r, { kind: 'refused', reason: c.expect.refused });
    }
  });
}

function config(alternateCount: number, defaults: { pattern: string; file: string }[] = [], caseInsensitive = false): ReadPlanConfig {
  const compiled = compileDefaultRules(defaults, caseInsensitive);
  assert.equal(compiled.kind, 'ok');
  return { alternateCount, defaults: compiled.kind === 'ok' ? compiled.rules : [], caseInsensitive };
}

test('planRead searches the root, then each alternate in order', () => {
  const plan = planRead('/phones/SEP1.cnf.xml', config(3));
  assert.equal(plan.kind, 'search');
  if (plan.kind !== 'search') return;
  assert.deepEqual(
    plan.attempts.map((a) => [a.location, a.segments.join('/'), a.origin]),
    [
      [0, 'phones/SEP1.cnf.xml', 'root'],
      [1, 'phones/SEP1.cnf.xml', 'alternate 1'],
      [2, 'phones/SEP1.cnf.xml', 'alternate 2'],
      [3, 'phones/SEP1.cnf.xml', 'alternate 3'],
    ],
  );
});

test('planRead appends the first matching default file, searched in root and alternates', () => {
  const cfg = config(1, [
    { pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' },
    { pattern: '*.cnf.xml', file: 'other.xml' },
  ]);
  const plan = planRead('SEP00112233AABB.cnf.xml', cfg);
  assert.equal(plan.kind, 'search');
  if (plan.kind !== 'search') return;
  assert.deepEqual(
    plan.attempts.map((a) => `${a.location}:${a.segments.join('/')}`),
    ['0:SEP00112233AABB.cnf.xml', '1:SEP00112233AABB.cnf.xml', '0:XMLDefault.cnf.xml', '1:XMLDefault.cnf.xml'],
  );
  assert.equal(plan.attempts[2]?.origin, 'default for SEP*.cnf.xml (root)');
});

test('planRead: a default pattern does not match across directories or other names', () => {
  const cfg = config(0, [{ pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' }]);
  for (const name of ['x/SEP1.cnf.xml', 'SEP1.cnf.xml.bak', 'sep1.cnf.xml', 'SEP1xcnf.xml']) {
    const plan = planRead(name, cfg);
    assert.equal(plan.kind === 'search' ? plan.attempts.length : -1, 1, name);
  }
});

test('planRead: case-insensitive defaults match any case', () => {
  const plan = planRead('sep1.CNF.xml', config(0, [{ pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' }], true));
  assert.equal(plan.kind === 'search' ? plan.attempts.length : -1, 2);
});

test('planRead refuses traversal with access violation, naming only the requested file', () => {
  const plan = planRead('../../etc/passwd', config(0));
  assert.equal(plan.kind, 'refused');
  if (plan.kind !== 'refused') return;
  assert.equal(plan.code, TFTP_ERROR.accessViolation);
  assert.equal(plan.message, 'Access violation: ../../etc/passwd leaves the TFTP root');
});

test('planRead never serves upload temp files', () => {
  const plan = planRead('backups/.benchboot-upload-0123abcd', config(0));
  assert.equal(plan.kind, 'refused');
  if (plan.kind === 'refused') assert.equal(plan.code, TFTP_ERROR.fileNotFound);
});

test('planRead uses the original name in messages when a remap changed it', () => {
  const plan = planRead('../x', config(0), 'firmware.bin');
  assert.equal(plan.kind === 'refused' ? plan.message : '', 'Access violation: firmware.bin leaves the TFTP root');
});

const UPLOAD_CASES: readonly { input: string; expect: string | { refused: string } }[] = [
  { input: 'router1-confg', expect: 'router1-confg' },
  { input: '/router1-confg', expect: 'router1-confg' },
  { input: 'C:\\router1-confg', expect: 'router1-confg' },
  { input: 'backups/router1-confg', expect: { refused: 'subdirectory' } },
  { input: '..\\router1-confg', expect: { refused: 'parent-segment' } },
  { input: '.benchboot-upload-x', expect: { refused: 'temp-file' } },
  { input: 'a\u0000b', expect: { refused: 'control-character' } },
  { input: 'a\u001b[2Jb', expect: { refused: 'control-character' } },
  // Issue 11 point 6: what an upload may be called (upload-name-rules.ts).
  { input: 'rtr\u009b31m-confg', expect: { refused: 'unsafe-character' } },
  { input: 'rtr\u0085-confg', expect: { refused: 'unsafe-character' } },
  { input: 'gifnoc\u202e.exe', expect: { refused: 'unsafe-character' } },
  { input: 'rtr\u2066x\u2069-confg', expect: { refused: 'unsafe-character' } },
  { input: 'rtr\u200f-confg', expect: { refused: 'unsafe-character' } },
  { input: 'not-utf8-\ufffd-confg', expect: { refused: 'unsafe-character' } },
  { input: 'line\u2028break', expect: { refused: 'unsafe-character' } },
  { input: '-rf', expect: { refused: 'leading-dot-or-dash' } },
  { input: '.bashrc', expect: { refused: 'leading-dot-or-dash' } },
  { input: '/.hidden-confg', expect: { refused: 'leading-dot-or-dash' } },
  { input: 'rtr-1.confg', expect: 'rtr-1.confg' },
  { input: 'routeur-\u00e9t\u00e9-confg', expect: 'routeur-\u00e9t\u00e9-confg' },
  { input: 'x'.repeat(255), expect: 'x'.repeat(255) },
  { input: '\u00e9'.repeat(127), expect: '\u00e9'.repeat(127) },
  { input: '\u00e9'.repeat(128), expect: { refused: 'too-long' } },
];

test('an unsafe upload name is refused with error 2, and its message masks the characters', () => {
  const r = planUpload('gifnoc\u202e.exe');
  assert.ok(r.kind === 'refused');
  assert.equal(r.code, TFTP_ERROR.accessViolation);
  assert.equal(r.message, 'Access violation: control, bidi or non-UTF-8 character in upload name gifnoc?.exe');
});

for (const c of UPLOAD_CASES) {
  test(`planUpload: ${JSON.stringify(c.input)}`, () => {
    const r = planUpload(c.input);
    if (typeof c.expect === 'string') assert.deepEqual(r, { kind: 'upload', fileName: c.expect });
    else assert.equal(r.kind === 'refused' ? r.reason : r.kind, c.expect.refused);
  });
}

test('compileDefaultRules refuses a default file that would leave the root', () => {
  const r = compileDefaultRules([{ pattern: 'SEP*', file: '../XMLDefault.cnf.xml' }], false);
  assert.equal(r.kind, 'invalid');
  if (r.kind === 'invalid') assert.match(r.message, /default rule 1/);
});

test('compileGlob: * and ? are wildcards, regex characters are literal', () => {
  const re = compileGlob('SEP?(x)*.cnf.xml', false);
  assert.ok(re.test('SEP1(x)abc.cnf.xml'));
  assert.ok(!re.test('SEP1xabc.cnf.xml'));
  assert.ok(!re.test('SEP12(x).cnf.xml'));
  assert.ok(!re.test('SEP1(x)a/b.cnf.xml'));
});

test('pickEntry prefers the exact name, then a case-insensitive match, deterministically', () => {
  assert.equal(pickEntry(['Config.XML', 'config.xml'], 'config.xml', true), 'config.xml');
  assert.equal(pickEntry(['b.txt', 'CONFIG.XML', 'Config.xml'], 'config.xml', true), 'CONFIG.XML');
  assert.equal(pickEntry(['CONFIG.XML'], 'config.xml', false), undefined);
  assert.equal(pickEntry(['other'], 'config.xml', true), undefined);
});

test('isInside: a sibling with a common prefix is outside', () => {
  assert.ok(isInside('/srv/tftp', '/srv/tftp'));
  assert.ok(isInside('/srv/tftp', '/srv/tftp/a/b'));
  assert.ok(!isInside('/srv/tftp', '/srv/tftp2/a'));
  assert.ok(!isInside('/srv/tftp', '/etc/passwd'));
  assert.ok(isInside('/', '/etc/passwd'));
});

test('displayName replaces control characters and shortens long names', () => {
  assert.equal(displayName('a\u0000b\nc'), 'a?b?c');
  assert.equal(displayName('x'.repeat(300)).length, 203);
});

test('property: a normalized name never has .., empty segments, separators or control characters', () => {
  const alphabet = fc.constantFrom('a', 'B', '.', '..', '/', '\\', ':', 'C:', '\u0000', '\n', ' ', 'é', '*');
  fc.assert(
    fc.property(fc.array(alphabet, { maxLength: 30 }).map((parts) => parts.join('')), (name) => {
      const r = normalizeRequestName(name);
      if (r.kind === 'refused') return true;
      return r.segments.every((s) => s !== '' && s !== '.' && s !== '..' && !s.includes('/') && !s.includes('\\') && !hasControlCharacter(s));
    }),
    { numRuns: 2000 },
  );
});
