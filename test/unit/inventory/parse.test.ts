/** Inventory parsing: every MAC spelling, CSV as spreadsheets export it, YAML, and each bad-row rule with file:line:column. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatInventoryIssue, loadInventory, parseInventory, InventoryError, type InventoryIssue } from '../../../src/inventory/index.js';

const PROFILES = new Set(['cisco-phone', 'polycom']);

function issuesOf(text: string, file = 'inv.csv'): string[] {
  return parseInventory(text, { file, profileIds: PROFILES }).issues.map(formatInventoryIssue);
}

test('every common MAC spelling reads as the one canonical form', () => {
  const cases: [string, string][] = [
    ['00:1b:d4:aa:bb:cc', 'colon, lower-case'],
    ['00:1B:D4:AA:BB:CC', 'colon, upper-case'],
    ['001BD4AABBCC', 'bare, upper-case (Cisco SEP names)'],
    ['001bd4aabbcc', 'bare, lower-case (Polycom, Yealink)'],
    ['001b.d4aa.bbcc', 'Cisco IOS dotted'],
    ['00-1B-D4-AA-BB-CC', 'dash (Windows)'],
    [' 00:1b:d4:aa:bb:cc ', 'spaces a spreadsheet left around the cell'],
  ];
  for (const [spelling, edge] of cases) {
    const inv = loadInventory(`mac,hostname\n"${spelling}",p1\n`, { file: 'inv.csv' });
    assert.equal(inv.rows[0]?.mac, '00:1b:d4:aa:bb:cc', edge);
  }
});

test('a spreadsheet export: BOM, CRLF, quoted cells with commas, quotes and line breaks, comments, blank and empty rows', () => {
  const text = '\uFEFFMAC,Hostname,Extension,Note,sip_password\r\n# desk phones\r\n001BD4AABBCC,phone1,1001,"desk, left","pa""ss"\r\n\r\n,,,,\r\n001BD4AABBCD,phone2,1002,"two\r\nlines",x\r\n';
  const { inventory, issues } = parseInventory(text, { file: 'inv.csv' });
  assert.deepEqual(issues, []);
  assert.deepEqual(inventory.columns, ['MAC', 'Hostname', 'Extension', 'Note', 'sip_password']);
  assert.equal(inventory.rows.length, 2);
  const [a, b] = inventory.rows;
  assert.equal(a?.line, 3);
  assert.equal(a?.hostname, 'phone1', 'Hostname is the hostname column whatever its case');
  assert.equal(a?.cells['Note'], 'desk, left');
  assert.equal(a?.cells['sip_password'], 'pa"ss');
  assert.equal(b?.line, 6, 'lines count comments and blank lines');
  assert.equal(b?.cells['Note'], 'two\nlines', 'a line break inside a cell reads as LF');
  assert.equal(b?.cells['Extension'], '1002', 'a number stays the text typed');
});

test('identity by client-id or serial; expects lists; a YAML list or devices: map', () => {
  const csv = loadInventory('client-id,serial,expects\n01:00:1b:d4:aa:bb:cc,,SEP1.cnf.xml; load.bin\n,FOC1234X,\n', { file: 'inv.csv' });
  assert.equal(csv.rows[0]?.clientId, '01001bd4aabbcc');
  assert.deepEqual(csv.rows[0]?.expects, ['SEP1.cnf.xml', 'load.bin']);
  assert.equal(csv.rows[1]?.serial, 'FOC1234X');
  const yamlList = loadInventory('- mac: 001122334455\n  pin: 0042\n  expects: [a.cfg, b.cfg]\n', { file: 'inv.yaml' });
  assert.equal(yamlList.rows[0]?.mac, '00:11:22:33:44:55', 'a bare-digit MAC is not read as a number');
  assert.equal(yamlList.rows[0]?.cells['pin'], '0042', 'leading zeros kept');
  assert.deepEqual(yamlList.rows[0]?.expects, ['a.cfg', 'b.cfg']);
  const yamlMap = loadInventory('# bench 2\ndevices:\n  - { mac: 00:1b:d4:aa:bb:cc, hostname: phone1 }\n', { file: 'inv.yml' });
  assert.equal(yamlMap.rows[0]?.hostname, 'phone1');
  assert.equal(yamlMap.rows[0]?.line, 3);
});

test('each bad-row rule is reported, all at once, at file:line:column with its field', () => {
  const text = [
    'mac,ip,hostname,profile,ext', // 1
    '00:1b:zz:aa:bb:cc,10.0.0.1,ok1,cisco-phone,1', // 2 bad MAC (column 1)
    '001bd4aabbcc,10.0.0.256,ok2,,2', // 3 bad ip (column 2)
    '001bd4aabbcd,10.0.0.3,bad_host,,3', // 4 bad hostname (column 3)
    '001bd4aabbce,10.0.0.4,ok4,aastra,4', // 5 unknown profile (column 4)
    ',10.0.0.5,ok5,,5', // 6 missing identity
    '001B.D4AA.BBCC,10.0.0.6,ok6,,6', // 7 duplicate MAC of line 3
    '001bd4aabbcf,10.0.0.1,OK1,,7', // 8 duplicate ip and host name (case) of line 2
    '001bd4aabbd0,10.0.0.8', // 9 ragged
  ].join('\n');
  assert.deepEqual(issuesOf(text), [
    'inv.csv:2:1: mac: "00:1b:zz:aa:bb:cc" is not a MAC address (e.g. 00:1b:d4:aa:bb:cc, 001BD4AABBCC, 001b.d4aa.bbcc)',
    'inv.csv:3:2: ip: "10.0.0.256" is not an IPv4 address (expected a dotted quad like 10.0.0.1)',
    'inv.csv:4:3: hostname: "bad_host" is not a host name (letters, digits and inner hyphens, dot-separated labels of at most 63)',
    'inv.csv:5:4: profile: unknown profile "aastra" (known: cisco-phone, polycom)',
    'inv.csv:6:1: the row has no identity: give a mac, a client-id or a serial',
    'inv.csv:7:1: mac: duplicate MAC 00:1b:d4:aa:bb:cc (also on line 3)',
    'inv.csv:8:2: ip: duplicate address 10.0.0.1 (also on line 2)',
    'inv.csv:8:3: hostname: duplicate host name ok1 (also on line 2)',
    'inv.csv:9:3: the row has 2 cells, the header has 5',
  ]);
});

test('identity, header and syntax rules, table cases', () => {
  const cases: { text: string; file?: string; want: RegExp; edge: string }[] = [
    { text: 'client-id,x\nzz,1\n', want: /inv\.csv:2:1: client-id: "zz" is not a client identifier/, edge: 'client-id not hex' },
    { text: 'client-id\n01\n', want: /inv\.csv:2:1: client-id: "01" is not a client identifier/, edge: 'client-id of one byte (RFC 2132 needs 2)' },
    { text: 'serial,mac\nFOC1,\nfoc1,\n', want: /inv\.csv:3:1: serial: duplicate serial foc1 \(also on line 2\)/, edge: 'serials compared ignoring case' },
    { text: 'client-id\n01001bd4aabbcc\n01:00:1b:d4:aa:bb:cc\n', want: /inv\.csv:3:1: client-id: duplicate client-id 01001bd4aabbcc/, edge: 'client-id duplicates in two spellings' },
    { text: 'mac,Mac\n1,2\n', want: /inv\.csv:1:2: Mac: column "Mac" appears twice/, edge: 'a column named twice in the header' },
    { text: 'mac,,x\n001bd4aabbcc,,1\n', want: /inv\.csv:1:2: column 2 has no name/, edge: 'an empty header cell' },
    { text: '# only a comment\n', want: /inv\.csv: the file has no header row/, edge: 'no header' },
    { text: 'mac,x\n001bd4aabbcc,"open\n', want: /inv\.csv:2: cannot read the row/, edge: 'an unclosed quote' },
    { text: '- mac: [1, 2]\n', file: 'inv.yaml', want: /inv\.yaml:1:3: mac: expected a single value/, edge: 'YAML list where a value belongs' },
    { text: 'mac: 1\n', file: 'inv.yaml', want: /inv\.yaml:1:1: expected a list of devices/, edge: 'YAML map without devices:' },
    { text: '- mac: 001bd4aabbcc\n  ip: 10.0.0.01\n', file: 'inv.yaml', want: /inv\.yaml:2:3: ip: "10.0.0.01" is not an IPv4 address/, edge: 'YAML column of the field; leading zero refused' },
    { text: '- [a]\n', file: 'inv.yaml', want: /inv\.yaml:1:3: each device must be a map/, edge: 'YAML row that is not a map' },
    { text: '- mac: a\n   b: [\n', file: 'inv.yaml', want: /inv\.yaml:\d+:\d+: /, edge: 'YAML syntax error' },
  ];
  for (const c of cases) {
    const got = parseInventory(c.text, { file: c.file ?? 'inv.csv' }).issues.map(formatInventoryIssue).join('\n');
    assert.match(got, c.want, c.edge);
  }
});

test('loadInventory throws one InventoryError carrying every issue in line order', () => {
  const err = (() => {
    try {
      loadInventory('mac\nbad\n\nworse\n', { file: 'inv.csv' });
    } catch (e) {
      return e;
    }
    return undefined;
  })();
  assert.ok(err instanceof InventoryError);
  assert.deepEqual(err.issues.map((i: InventoryIssue) => [i.kind, i.line]), [['bad-mac', 2], ['bad-mac', 4]]);
  assert.match(err.message, /inv\.csv:2:1: mac: "bad"[\s\S]*inv\.csv:4:1/);
});

test('an empty inventory file is an empty inventory in YAML, and a missing header in CSV', () => {
  assert.equal(loadInventory('', { file: 'inv.yaml' }).rows.length, 0);
  assert.equal(loadInventory('devices:\n', { file: 'inv.yaml' }).rows.length, 0);
  assert.equal(loadInventory('mac,hostname\n', { file: 'inv.csv' }).rows.length, 0);
});

test('row version changes when any cell does and only then', () => {
  const a = loadInventory('mac,ext\n001bd4aabbcc,1\n', { file: 'i.csv' }).rows[0]?.version;
  const b = loadInventory('# c\nmac,ext\n001bd4aabbcc,1\n', { file: 'i.csv' }).rows[0]?.version;
  const c = loadInventory('mac,ext\n001bd4aabbcc,2\n', { file: 'i.csv' }).rows[0]?.version;
  assert.equal(a, b);
  assert.notEqual(a, c);
});
