/** Editing a scope file through the YAML document keeps the technician's comments and key order. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applyScopeEdits, newScopeDocument, parseScopeDocument, scopeDocumentText } from '../../../src/config/edit.js';
import { validateScopeText } from '../../../src/config/validate.js';

const COMMENTED = `# Bench 1: Cisco phones on the blue switch.
name: bench1
interface: eth1   # USB adapter
subnet: 10.10.0.0/24
# only the upper half; the lower half is for printers
range: 10.10.0.100-10.10.0.199
boot:
  # phones look for option 150 first
  tftpServers: [10.10.0.1]
  file: SEPDefault.cnf.xml # the default config
options:
  - { name: ntp-servers, value: [10.10.0.1] } # chrony on the laptop
reservations:
  - mac: 00:1b:d4:aa:bb:cc   # desk phone
    ip: 10.10.0.50
`;

function keys(text: string): string[] {
  return text.split('\n').filter((l) => /^[a-zA-Z]/.test(l)).map((l) => l.split(':')[0] ?? '');
}

test('set changes one value and keeps every comment and the key order', () => {
  const doc = parseScopeDocument(COMMENTED);
  applyScopeEdits(doc, [{ kind: 'set', path: ['boot', 'file'], value: 'SEP001BD4AABBCC.cnf.xml' }]);
  const out = scopeDocumentText(doc);
  assert.match(out, /file: SEP001BD4AABBCC\.cnf\.xml # the default config/);
  for (const comment of ['# Bench 1: Cisco phones on the blue switch.', '# USB adapter', '# only the upper half', '# phones look for option 150 first', '# chrony on the laptop', '# desk phone']) {
    assert.ok(out.includes(comment), `lost "${comment}"`);
  }
  assert.deepEqual(keys(out), keys(COMMENTED));
  // yaml re-spaces comments to one space before '#' and writes flow maps as {a: b};
  // everything else is as typed.
  const spaced = (t: string): string => t.replace(/ +#/g, ' #').replace(/\{ /g, '{').replace(/ \}/g, '}');
  assert.equal(spaced(out.replace('SEP001BD4AABBCC.cnf.xml', 'SEPDefault.cnf.xml')), spaced(COMMENTED), 'nothing else changed');
  assert.ok(validateScopeText(out, 'scopes/bench1.yaml').ok);
});

test('new fields go at the end; unset removes a field and an emptied parent', () => {
  const doc = parseScopeDocument(COMMENTED);
  const noop = applyScopeEdits(doc, [
    { kind: 'set', path: ['domain'], value: 'bench.lab' },
    { kind: 'unset', path: ['boot', 'tftpServers'] },
    { kind: 'unset', path: ['boot', 'file'] },
    { kind: 'unset', path: ['router'] },
  ]);
  const out = scopeDocumentText(doc);
  assert.deepEqual(keys(out), ['name', 'interface', 'subnet', 'range', 'options', 'reservations', 'domain']);
  assert.deepEqual(noop, [{ kind: 'unset', path: ['router'] }], 'unsetting an absent field is reported');
  assert.ok(out.includes('# desk phone'));
});

test('options: replace by code or name in list form, add in map form, remove', () => {
  const doc = parseScopeDocument(COMMENTED);
  applyScopeEdits(doc, [
    { kind: 'option', key: '42', value: ['10.10.0.2'] },
    { kind: 'option', key: 'interface-mtu', value: 1400 },
  ]);
  const r = validateScopeText(scopeDocumentText(doc), 'scopes/bench1.yaml');
  assert.ok(r.ok);
  assert.deepEqual(r.scope.options.map((o) => [o.code, Array.from(o.data)]), [
    [42, [10, 10, 0, 2]],
    [26, [5, 120]],
  ]);
  assert.ok(scopeDocumentText(doc).includes('# chrony on the laptop'), 'the edited entry keeps its comment');

  const map = parseScopeDocument('name: a\ninterface: eth1\nsubnet: 10.0.0.0/24\noptions:\n  ntp-servers: 10.0.0.1 # keep\n');
  applyScopeEdits(map, [{ kind: 'option', key: 'ntp-servers', value: '10.0.0.9' }, { kind: 'option', key: '26', value: 1500 }]);
  assert.match(scopeDocumentText(map), /ntp-servers: 10\.0\.0\.9 # keep\n {2}"26": 1500\n$/);
  const removed = applyScopeEdits(map, [{ kind: 'unset-option', key: 'option-42' }, { kind: 'unset-option', key: 'ntp-servers' }]);
  assert.deepEqual(removed, [{ kind: 'unset-option', key: 'ntp-servers' }], 'second removal found nothing');
  assert.doesNotMatch(scopeDocumentText(map), /ntp-servers/);
});

test('reservations: same MAC in another notation replaces, new MAC appends, unreserve removes', () => {
  const doc = parseScopeDocument(COMMENTED);
  applyScopeEdits(doc, [
    { kind: 'reserve', mac: '001B.D4AA.BBCC', ip: '10.10.0.60', hostname: 'desk' },
    { kind: 'reserve', mac: '00:1b:d4:aa:bb:dd', ip: '10.10.0.61' },
  ]);
  let r = validateScopeText(scopeDocumentText(doc), 'scopes/bench1.yaml');
  assert.ok(r.ok);
  assert.deepEqual(r.scope.reservations, [
    { mac: '00:1b:d4:aa:bb:cc', ip: '10.10.0.60', hostname: 'desk' },
    { mac: '00:1b:d4:aa:bb:dd', ip: '10.10.0.61' },
  ]);
  applyScopeEdits(doc, [{ kind: 'unreserve', mac: '00:1b:d4:aa:bb:cc' }, { kind: 'unreserve', mac: '00:1b:d4:aa:bb:dd' }]);
  r = validateScopeText(scopeDocumentText(doc), 'scopes/bench1.yaml');
  assert.ok(r.ok);
  assert.deepEqual(r.scope.reservations, []);
  assert.doesNotMatch(scopeDocumentText(doc), /reservations/);
});

test('a new document starts with its comment and the name', () => {
  const doc = newScopeDocument('lab', 'made by a test');
  applyScopeEdits(doc, [{ kind: 'set', path: ['interface'], value: 'eth1' }, { kind: 'set', path: ['subnet'], value: '10.0.0.0/24' }]);
  assert.equal(scopeDocumentText(doc), '# made by a test\n\nname: lab\ninterface: eth1\nsubnet: 10.0.0.0/24\n');
});
