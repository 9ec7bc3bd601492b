/** Inventory edits: only the affected lines change, columns and comments are kept, an invalid result is refused. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adoptEdit, editInventoryText, loadInventory, formatInventoryIssue, type EditResult } from '../../../src/inventory/index.js';
import { parseMac } from '../../../src/net/ipv4.js';

const CSV = [
  '\uFEFFmac,hostname,ext,note',
  '# first desk',
  '001BD4AABBCC,phone1,1001,"desk, left"',
  '001BD4AABBCD,phone2,1002,"two',
  'lines"',
  '',
  '# spare',
  '001BD4AABBCE,phone3,1003,',
  '',
].join('\r\n');

function ok(r: EditResult): string {
  if (r.kind !== 'ok') assert.fail(r.issues.map(formatInventoryIssue).join('\n'));
  return r.text;
}

function refused(r: EditResult): string[] {
  assert.equal(r.kind, 'refused');
  return r.kind === 'refused' ? r.issues.map(formatInventoryIssue) : [];
}

test('CSV set rewrites only the row it changes; BOM, CRLF, comments, blank lines and other quoting stay', () => {
  const out = ok(editInventoryText(CSV, [{ kind: 'set', key: '00:1b:d4:aa:bb:ce', cells: { hostname: 'phone9' } }], { file: 'inv.csv' }));
  assert.equal(out, CSV.replace('001BD4AABBCE,phone3,1003,', '001BD4AABBCE,phone9,1003,'));
});

test('CSV set on a multi-line row, rm, and add at the end', () => {
  const set = ok(editInventoryText(CSV, [{ kind: 'set', key: 'phone2', cells: { note: null } }], { file: 'inv.csv' }));
  assert.equal(set, CSV.replace('001BD4AABBCD,phone2,1002,"two\r\nlines"', '001BD4AABBCD,phone2,1002,'), 'found by host name; the two lines become one');
  const rm = ok(editInventoryText(CSV, [{ kind: 'rm', key: '001b.d4aa.bbcc' }], { file: 'inv.csv' }));
  assert.equal(rm, CSV.replace('001BD4AABBCC,phone1,1001,"desk, left"\r\n', ''));
  const add = ok(editInventoryText(CSV, [{ kind: 'add', cells: { mac: '00:1b:d4:aa:bb:cf', hostname: 'phone4', note: 'a "quote"' } }], { file: 'inv.csv' }));
  assert.equal(add, `${CSV}00:1b:d4:aa:bb:cf,phone4,,"a ""quote"""\r\n`);
});

test('CSV: a new column goes to the end of the header and every row gets an empty cell', () => {
  const out = ok(editInventoryText(CSV, [{ kind: 'set', key: 'phone1', cells: { sip_password: 's3cret', HOSTNAME: 'desk1' } }], { file: 'inv.csv' }));
  const lines = out.split('\r\n');
  assert.equal(lines[0], '\uFEFFmac,hostname,ext,note,sip_password');
  assert.equal(lines[2], '001BD4AABBCC,desk1,1001,"desk, left",s3cret', 'HOSTNAME means the existing hostname column');
  assert.equal(lines[4], 'lines",', 'the multi-line row gets its empty cell on its last line');
  assert.equal(lines[7], '001BD4AABBCE,phone3,1003,,');
  assert.equal(loadInventory(out, { file: 'inv.csv' }).rows.length, 3);
});

test('edits that would make the file invalid are refused with every issue, and nothing else', () => {
  const cases: { edits: Parameters<typeof editInventoryText>[1]; want: string[]; edge: string }[] = [
    { edits: [{ kind: 'add', cells: { mac: '001bd4aabbcc' } }], want: ['inv.csv:9:1: mac: duplicate MAC 00:1b:d4:aa:bb:cc (also on line 3)'], edge: 'a MAC already there, other spelling' },
    { edits: [{ kind: 'set', key: 'phone3', cells: { hostname: 'PHONE1' } }], want: ['inv.csv:8:2: hostname: duplicate host name phone1 (also on line 3)'], edge: 'a host name already there, other case' },
    { edits: [{ kind: 'set', key: 'phone3', cells: { mac: '' } }], want: ['inv.csv:8:1: the row has no identity: give a mac, a client-id or a serial'], edge: 'removing the only identity' },
    { edits: [{ kind: 'rm', key: 'nobody' }], want: ['inv.csv: no device "nobody" in the inventory'], edge: 'rm of an unknown device' },
    { edits: [{ kind: 'set', key: 'phone1', cells: { profile: 'nope' } }], want: ['inv.csv:3:5: profile: unknown profile "nope" (known: cisco-phone)'], edge: 'an unknown profile' },
  ];
  for (const c of cases) assert.deepEqual(refused(editInventoryText(CSV, c.edits, { file: 'inv.csv', profileIds: new Set(['cisco-phone']) })), c.want, c.edge);
});

test('import adds new devices and updates known ones by identity, in one checked batch', () => {
  const out = ok(
    editInventoryText(CSV, [{ kind: 'import', rows: [{ mac: '00-1B-D4-AA-BB-CC', ext: '2001' }, { mac: '001bd4aabbd0', hostname: 'phone5', ext: '1005' }] }], { file: 'inv.csv' }),
  );
  const inv = loadInventory(out, { file: 'inv.csv' });
  assert.deepEqual(inv.rows.map((r) => [r.hostname, r.cells['ext']]), [['phone1', '2001'], ['phone2', '1002'], ['phone3', '1003'], ['phone5', '1005']]);
});

test('the first add creates a CSV header; adopt writes the MAC the way the file does', () => {
  const created = ok(editInventoryText('', [{ kind: 'add', cells: { mac: '00:1b:d4:aa:bb:cc', hostname: 'p1' } }], { file: 'new.csv' }));
  assert.equal(created, 'mac,hostname\n00:1b:d4:aa:bb:cc,p1\n');
  const inv = loadInventory(CSV, { file: 'inv.csv' });
  const edit = adoptEdit(inv, parseMac('00:1b:d4:00:00:01'), { hostname: 'new1', mac: 'ignored' });
  assert.deepEqual(edit, { kind: 'add', cells: { mac: '001BD4000001', hostname: 'new1' } });
});

const YAML = `# Bench 2 switches
devices:
  # core
  - mac: 00:1b:d4:aa:bb:cc   # top of rack
    hostname: sw1
    role: core
  - { serial: FOC123, hostname: sw2 }
`;

// yaml re-spaces a comment to one space before '#'; everything else is as typed.
const spaced = (t: string): string => t.replace(/ +#/g, ' #');

test('YAML edits keep comments and row styles', () => {
  const set = ok(editInventoryText(YAML, [{ kind: 'set', key: 'sw1', cells: { role: 'edge', vlan: '20' } }], { file: 'inv.yaml' }));
  assert.equal(spaced(set), spaced(YAML.replace('role: core', 'role: edge\n    vlan: 20')), 'failsafe schema: 20 reads back as the text "20"');
  assert.equal(loadInventory(set, { file: 'inv.yaml' }).rows[0]?.cells['vlan'], '20');
  const rm = ok(editInventoryText(YAML, [{ kind: 'rm', key: 'foc123' }], { file: 'inv.yaml' }));
  assert.equal(spaced(rm), spaced(YAML).replace('  - { serial: FOC123, hostname: sw2 }\n', ''));
  const add = ok(editInventoryText(YAML, [{ kind: 'add', cells: { serial: 'FOC999', hostname: 'sw3' } }], { file: 'inv.yaml' }));
  assert.match(add, /# top of rack[\s\S]*- serial: FOC999\n {4}hostname: sw3\n$/);
  const unset = ok(editInventoryText(YAML, [{ kind: 'set', key: 'sw1', cells: { role: null } }], { file: 'inv.yaml' }));
  assert.doesNotMatch(unset, /role/);
  assert.deepEqual(refused(editInventoryText(YAML, [{ kind: 'set', key: 'sw2', cells: { hostname: 'SW1' } }], { file: 'inv.yaml' })), ['inv.yaml:7:23: hostname: duplicate host name sw1 (also on line 4)']);
  const fresh = ok(editInventoryText('', [{ kind: 'add', cells: { mac: '001bd4aabbcc' } }], { file: 'inv.yaml' }));
  assert.equal(loadInventory(fresh, { file: 'inv.yaml' }).rows[0]?.mac, '00:1b:d4:aa:bb:cc');
});
