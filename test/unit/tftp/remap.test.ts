/**
 * Remap rules in the manner of tftpd-hpa's --map-file: parsing (with line numbers in
 * errors) and applying (r, g, i, e, s, a, G, P, backrefs, \i and \x).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { applyRemap, expandReplacement, ipToHex, parseRemapRules, remapRequest, splitRuleFields, type RequestRemap } from '../../../src/tftp/remap.js';
import { MAX_NAME_LENGTH } from '../../../src/tftp/resolve-path.js';
import { isTftpError } from '../../../src/tftp/tftp-error.js';

const READ = { op: 'read', clientIp: '10.77.0.23' } as const;
const WRITE = { op: 'write', clientIp: '10.77.0.23' } as const;

function mapped(rules: string, name: string, req: { op: 'read' | 'write'; clientIp: string } = READ): string {
  const r = applyRemap(parseRemapRules(rules), name, req);
  assert.equal(r.kind, 'mapped');
  return r.kind === 'mapped' ? r.name : '';
}

test('splitRuleFields: whitespace separates, # starts a comment, a backslash keeps the next character', () => {
  assert.deepEqual(splitRuleFields('rg  \\\\   /  # comment'), ['rg', '\\\\', '/']);
  assert.deepEqual(splitRuleFields('r a\\ b c'), ['r', 'a\\ b', 'c']);
  assert.deepEqual(splitRuleFields('   # only a comment'), []);
  assert.deepEqual(splitRuleFields('r x#y z'), ['r', 'x#y', 'z']);
});

test('r replaces the first match, rg every match', () => {
  assert.equal(mapped('r \\\\ /', 'a\\b\\c'), 'a/b\\c');
  assert.equal(mapped('rg \\\\ /', 'a\\b\\c'), 'a/b/c');
});

test('ri matches ignoring case and backrefs \\1 and \\0 expand', () => {
  assert.equal(mapped('ri ^/?tftpboot/(.*)$ \\1', '/TFTPBOOT/pxelinux.0'), 'pxelinux.0');
  assert.equal(mapped('r ^SEP(.*)\\.cnf\\.xml$ phones/\\0', 'SEPAB.cnf.xml'), 'phones/SEPAB.cnf.xml');
  assert.equal(mapped('r ^SEP(.*)\\.cnf\\.xml$ phones/SEP\\1.xml', 'SEPAB.cnf.xml'), 'phones/SEPAB.xml');
});

test('rules apply in order, each to the result of the previous one', () => {
  const rules = ['rg \\\\ /', 'r ^/+(.*) \\1', 'r ^boot/ images/'].join('\n');
  assert.equal(mapped(rules, '\\boot\\x.bin'), 'images/x.bin');
});

test('an r rule without a replacement is refused (an empty replacement cannot be written)', () => {
  assert.throws(() => parseRemapRules('rg x y\nr ^/'), /map file:2: an r rule needs a replacement/);
});

test('e stops after a matching rule; a non-matching e rule does not', () => {
  const rules = ['re ^a$ b', 'r ^b$ c'].join('\n');
  assert.equal(mapped(rules, 'a'), 'b');
  assert.equal(mapped(rules, 'b'), 'c');
});

test('s starts again from the first rule; a loop is refused after the restart limit', () => {
  assert.equal(mapped(['r ^x(.*)$ \\1', 'rs ^y(.*)$ \\1'].join('\n'), 'yyxxz'), 'xz');
  const loop = applyRemap(parseRemapRules('rs ^(.*)$ \\1'), 'a', READ);
  assert.deepEqual(loop, { kind: 'refused', line: 1 });
});

test('a refuses a matching request and reports the rule line', () => {
  const rules = parseRemapRules('# refuse executables\n\na \\.exe$');
  assert.deepEqual(applyRemap(rules, 'setup.exe', READ), { kind: 'refused', line: 3 });
  assert.equal(applyRemap(rules, 'setup.bin', READ).kind, 'mapped');
});

test('G rules apply to reads only, P rules to uploads only', () => {
  const rules = ['Gr ^(.*)$ get/\\1', 'Pr ^(.*)$ put/\\1'].join('\n');
  assert.equal(mapped(rules, 'f', READ), 'get/f');
  assert.equal(mapped(rules, 'f', WRITE), 'put/f');
});

test('\\i and \\x expand to the client address and its hex form (per-host PXE files)', () => {
  assert.equal(mapped('r ^pxelinux.cfg/default$ pxelinux.cfg/\\x', 'pxelinux.cfg/default'), 'pxelinux.cfg/0A4D0017');
  assert.equal(mapped('r ^(.*)$ \\i/\\1', 'cfg'), '10.77.0.23/cfg');
  assert.equal(ipToHex('192.168.0.1'), 'C0A80001');
  assert.equal(ipToHex('nonsense'), '');
});

test('expandReplacement: \\\\ is a backslash, a missing group expands to nothing', () => {
  assert.equal(expandReplacement('a\\\\b\\2', 'm', ['g1', undefined], READ), 'a\\b');
});

test('the result reports which lines matched and whether the name changed', () => {
  const r = applyRemap(parseRemapRules('r ^x$ y\nr ^q$ z\nr ^y$ w'), 'x', READ);
  assert.deepEqual(r, { kind: 'mapped', name: 'w', changed: true, lines: [1, 3] });
});

const BAD_FILES: readonly { text: string; error: RegExp }[] = [
  { text: 'r ^a$ b\nrz ^a$ b', error: /^tftp\.map:2: unknown flag "z"/ },
  { text: '\n\nr', error: /^tftp\.map:3: a rule needs flags and a regex/ },
  { text: 'r (unclosed x', error: /^tftp\.map:1: invalid regex "\(unclosed"/ },
  { text: 'r ^(a)$ \\2', error: /^tftp\.map:1: replacement uses \\2 but the regex has 1 group/ },
  { text: 'a \\.exe$ x', error: /^tftp\.map:1: a replacement is given but the flags "a" have no r/ },
  { text: 'r a b c', error: /^tftp\.map:1: unexpected text after the replacement/ },
  { text: 'g a', error: /^tftp\.map:1: flag g only makes sense with r/ },
  { text: 'r a b\\', error: /^tftp\.map:1: replacement ends with a lone backslash/ },
];

for (const c of BAD_FILES) {
  test(`parseRemapRules refuses ${JSON.stringify(c.text)} with file and line`, () => {
    assert.throws(
      () => parseRemapRules(c.text, 'tftp.map'),
      (err: unknown) => isTftpError(err, 'config') && c.error.test(err.message),
    );
  });
}

test('parseRemapRules: comments and blank lines are skipped, CRLF files work', () => {
  const rules = parseRemapRules('# header\r\n\r\nr ^a$ b\r\n   # indented comment\r\nrg x y\r\n');
  assert.deepEqual(
    rules.map((r) => r.line),
    [3, 5],
  );
});

/** Rules see the normalised name (issue 11 point 7): one case per spelling a client may use. */
const NORMALISED_CASES: { name: string; rules: string; requested: string; want: RequestRemap; op?: 'read' | 'write' }[] = [
  { name: 'a ^private/ refuses private/x', rules: 'a ^private/', requested: 'private/x', want: { kind: 'refused', reason: 'remap-abort' } },
  { name: 'a ^private/ refuses /private/x (leading slash)', rules: 'a ^private/', requested: '/private/x', want: { kind: 'refused', reason: 'remap-abort' } },
  { name: 'a ^private/ refuses private\\x (backslash separator)', rules: 'a ^private/', requested: 'private\\x', want: { kind: 'refused', reason: 'remap-abort' } },
  { name: 'a ^private/ refuses C:\\private\\x (drive letter)', rules: 'a ^private/', requested: 'C:\\private\\x', want: { kind: 'refused', reason: 'remap-abort' } },
  { name: 'a ^private/ refuses ./private//x (dot and empty segments)', rules: 'a ^private/', requested: './private//x', want: { kind: 'refused', reason: 'remap-abort' } },
  { name: 'a ^private/ refuses //private/x on an upload too', rules: 'a ^private/', requested: '//private/x', op: 'write', want: { kind: 'refused', reason: 'remap-abort' } },
  { name: 'a ^private/ leaves public/private/x alone', rules: 'a ^private/', requested: 'public/private/x', want: { kind: 'mapped', name: 'public/private/x' } },
  { name: 'a rewrite sees the name without its leading slash', rules: 'r ^boot/(.*)$ images/\\1', requested: '\\boot\\x.bin', want: { kind: 'mapped', name: 'images/x.bin' } },
  {
    name: 'the length limit applies before remapping: a rule cannot shorten an over-long name into an accepted one',
    rules: 'r ^(a{4}).*$ \\1',
    requested: 'a'.repeat(MAX_NAME_LENGTH + 1),
    want: { kind: 'refused', reason: 'too-long' },
  },
  { name: 'a control character is refused before any rule runs', rules: 'r \\x1b x', requested: 'a\x1bb', want: { kind: 'refused', reason: 'control-character' } },
  { name: 'a .. segment is refused before any rule runs (a rule cannot hide it)', rules: 'r ^\\.\\./ x/', requested: '../etc/passwd', want: { kind: 'refused', reason: 'parent-segment' } },
  { name: 'no rules: the normalised name', rules: '', requested: '/a\\b', want: { kind: 'mapped', name: 'a/b' } },
];

for (const c of NORMALISED_CASES) {
  test(`remapRequest: ${c.name}`, () => {
    assert.deepEqual(remapRequest(parseRemapRules(c.rules), c.requested, c.op === 'write' ? WRITE : READ), c.want);
  });
}

test('the remap example in the README does what the README says it does', async () => {
  const readme = await readFile(new URL('../../../../README.md', import.meta.url), 'utf8');
  const start = readme.indexOf('    # flags regex                    replacement\n');
  assert.ok(start >= 0, 'the README remap example is found');
  const block = readme.slice(start).split('\n\n')[0] ?? '';
  const rules = parseRemapRules(block.split('\n').map((l) => l.slice(4)).join('\n'), 'README.md');
  assert.equal(rules.length, 4);
  const from = { clientIp: '10.0.0.5' };
  assert.deepEqual(remapRequest(rules, '/TFTPBOOT/pxelinux.0', { ...from, op: 'read' }), { kind: 'mapped', name: 'pxelinux.0' });
  assert.deepEqual(remapRequest(rules, 'tftpboot\\pxelinux.0', { ...from, op: 'read' }), { kind: 'mapped', name: 'pxelinux.0' });
  assert.deepEqual(remapRequest(rules, 'pxelinux.cfg/default', { ...from, op: 'read' }), { kind: 'mapped', name: 'pxelinux.cfg/0A000005' });
  assert.deepEqual(remapRequest(rules, '/boot/setup.exe', { ...from, op: 'read' }), { kind: 'refused', reason: 'remap-abort' });
  assert.deepEqual(remapRequest(rules, 'router1-confg', { ...from, op: 'write' }), { kind: 'mapped', name: '10.0.0.5-router1-confg' });
  assert.deepEqual(remapRequest(rules, 'router1-confg', { ...from, op: 'read' }), { kind: 'mapped', name: 'router1-confg' });
});
