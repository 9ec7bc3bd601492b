/**
 * Scope-file validation: one bad file per rule, each checked for the file, the line
 * and the field the technician has to look at, plus the effective scope of good files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { validateScopeText } from '../../../src/config/validate.js';
import { formatIssue, type ScopeIssue } from '../../../src/config/issues.js';
import { toHex } from '../../../src/net/bytes.js';

const FILE = 'scopes/bench1.yaml';
const HEAD = ['name: bench1', 'interface: eth1', 'subnet: 10.0.0.0/24'];

function issuesOf(lines: readonly string[], file = FILE): ScopeIssue[] {
  const r = validateScopeText(lines.join('\n') + '\n', file);
  assert.equal(r.ok, false, 'expected the file to be refused');
  return r.ok ? [] : [...r.issues];
}

interface RuleCase {
  /** The edge this case covers. */
  readonly rule: string;
  readonly lines: readonly string[];
  readonly line: number;
  readonly field: string;
  readonly message: RegExp;
  readonly file?: string;
}

const CASES: readonly RuleCase[] = [
  { rule: 'address with a leading zero is not a strict dotted quad', lines: [...HEAD, 'router: 10.0.0.01'], line: 4, field: 'router', message: /"10\.0\.0\.01" is not an IPv4 address/ },
  { rule: 'hex address forms are refused', lines: [...HEAD, 'dns: [0xa.0.0.1]'], line: 4, field: 'dns[0]', message: /not an IPv4 address/ },
  { rule: 'subnet with host bits set', lines: ['name: bench1', 'interface: eth1', 'subnet: 10.0.0.1/24'], line: 3, field: 'subnet', message: /host bits set; the subnet is 10\.0\.0\.0\/24/ },
  { rule: 'subnet too small to serve', lines: ['name: bench1', 'interface: eth1', 'subnet: 10.0.0.0/31'], line: 3, field: 'subnet', message: /a \/31 subnet cannot be served/ },
  { rule: 'range end outside the subnet', lines: [...HEAD, 'range: 10.0.0.100-10.0.1.5'], line: 4, field: 'range', message: /^range end 10\.0\.1\.5 is outside subnet 10\.0\.0\.0\/24$/ },
  { rule: 'range start after range end', lines: [...HEAD, 'range: 10.0.0.200-10.0.0.100'], line: 4, field: 'range', message: /range start 10\.0\.0\.200 is after range end 10\.0\.0\.100/ },
  { rule: 'range that includes the broadcast address', lines: [...HEAD, 'range: 10.0.0.200-10.0.0.255'], line: 4, field: 'range', message: /includes the broadcast address 10\.0\.0\.255/ },
  { rule: 'range text that is not start-end', lines: [...HEAD, 'range: 10.0.0.5 to 10.0.0.9'], line: 4, field: 'range', message: /range start "10\.0\.0\.5 to 10\.0\.0\.9" is not an IPv4 address/ },
  { rule: 'range object missing its end', lines: [...HEAD, 'range:', '  - start: 10.0.0.5'], line: 5, field: 'range[0]', message: /range end is missing/ },
  { rule: 'two ranges overlap', lines: [...HEAD, 'range:', '  - 10.0.0.10-10.0.0.50', '  - { start: 10.0.0.40, end: 10.0.0.60 }'], line: 6, field: 'range[1]', message: /range 10\.0\.0\.40-10\.0\.0\.60 overlaps range 10\.0\.0\.10-10\.0\.0\.50/ },
  { rule: 'range contains the (default) router', lines: [...HEAD, 'range: 10.0.0.1-10.0.0.50'], line: 4, field: 'range', message: /contains the router address 10\.0\.0\.1/ },
  { rule: 'range contains the TFTP server', lines: [...HEAD, 'range: 10.0.0.2-10.0.0.50', 'boot:', '  nextServer: 10.0.0.9'], line: 4, field: 'range', message: /contains the TFTP server \(boot\.nextServer\) address 10\.0\.0\.9/ },
  { rule: 'router outside the subnet', lines: [...HEAD, 'router: 10.0.1.1'], line: 4, field: 'router', message: /router 10\.0\.1\.1 is outside subnet 10\.0\.0\.0\/24/ },
  { rule: 'router on the broadcast address', lines: [...HEAD, 'router: 10.0.0.255'], line: 4, field: 'router', message: /network or broadcast address/ },
  { rule: 'reservation outside the subnet', lines: [...HEAD, 'reservations:', '  - mac: 00:11:22:33:44:55', '    ip: 10.0.9.9'], line: 6, field: 'reservations[0].ip', message: /reserved address 10\.0\.9\.9 is outside subnet/ },
  { rule: 'reservation on the network address', lines: [...HEAD, 'reservations:', '  - { mac: 00:11:22:33:44:55, ip: 10.0.0.0 }'], line: 5, field: 'reservations[0].ip', message: /network or broadcast address/ },
  { rule: 'reservation on the router address', lines: [...HEAD, 'reservations:', '  - { mac: 00:11:22:33:44:55, ip: 10.0.0.1 }'], line: 5, field: 'reservations[0].ip', message: /router's address/ },
  { rule: 'duplicate MAC, written in two notations', lines: [...HEAD, 'reservations:', '  - { mac: 00:11:22:33:44:55, ip: 10.0.0.10 }', '  - { mac: 0011.2233.4455, ip: 10.0.0.11 }'], line: 6, field: 'reservations[1].mac', message: /MAC 00:11:22:33:44:55 is already reserved by reservations\[0\]/ },
  { rule: 'duplicate client identifier', lines: [...HEAD, 'reservations:', '  - { clientId: "01:00:11:22:33:44:55", ip: 10.0.0.10 }', '  - { clientId: "01001122334455", ip: 10.0.0.11 }'], line: 6, field: 'reservations[1].clientId', message: /client identifier is already reserved/ },
  { rule: 'duplicate reserved address', lines: [...HEAD, 'reservations:', '  - { mac: 00:11:22:33:44:55, ip: 10.0.0.10 }', '  - { mac: 00:11:22:33:44:56, ip: 10.0.0.10 }'], line: 6, field: 'reservations[1].ip', message: /address 10\.0\.0\.10 is already reserved/ },
  { rule: 'reservation with neither mac nor clientId', lines: [...HEAD, 'reservations:', '  - ip: 10.0.0.10'], line: 5, field: 'reservations[0]', message: /exactly one of mac or clientId/ },
  { rule: 'reservation with a bad MAC', lines: [...HEAD, 'reservations:', '  - mac: 00:11:22:33:44', '    ip: 10.0.0.10'], line: 5, field: 'reservations[0].mac', message: /not a MAC address/ },
  { rule: 'client identifier that is not hex', lines: [...HEAD, 'reservations:', '  - { clientId: "01zz", ip: 10.0.0.10 }'], line: 5, field: 'reservations[0].clientId', message: /not a hex string/ },
  { rule: 'name differs from the file name', lines: ['name: bench2', 'interface: eth1', 'subnet: 10.0.0.0/24'], line: 1, field: 'name', message: /name "bench2" differs from the file name; rename the file to bench2\.yaml or set name: bench1/ },
  { rule: 'unknown top-level field, with a suggestion', lines: [...HEAD, 'leasetime: 2h'], line: 4, field: 'leasetime', message: /unknown field "leasetime" \(did you mean "leaseTime"\?\)/ },
  { rule: 'unknown field inside boot, with a suggestion', lines: [...HEAD, 'boot:', '  fiel: a.cfg'], line: 5, field: 'boot.fiel', message: /unknown field "fiel" \(did you mean "file"\?\)/ },
  { rule: 'option value invalid for its type', lines: [...HEAD, 'options:', '  - { name: interface-mtu, value: 99999 }'], line: 5, field: 'options[0].value', message: /option 26 \(interface-mtu\): 99999 is not an integer from 0 to 65535/ },
  { rule: 'option address list with a bad address (map form)', lines: [...HEAD, 'options:', '  ntp-servers: [10.0.0.1, 10.0.0.300]'], line: 5, field: 'options.ntp-servers', message: /option 42 \(ntp-servers\): "10\.0\.0\.300" is not an IPv4 address/ },
  { rule: 'unknown option name, with a suggestion', lines: [...HEAD, 'options:', '  - { name: ntp-server, value: 10.0.0.1 }'], line: 5, field: 'options[0].name', message: /unknown DHCP option "ntp-server" \(did you mean "ntp-servers"\?\)/ },
  { rule: 'option code out of range', lines: [...HEAD, 'options:', '  - { code: 255, hex: "00" }'], line: 5, field: 'options[0].code', message: /option code 255 is not between 1 and 254/ },
  { rule: 'option that has its own field', lines: [...HEAD, 'options:', '  - { code: 150, value: 10.0.0.1 }'], line: 5, field: 'options[0].code', message: /option 150 \(tftp-servers\) has its own field: set boot\.tftpServers instead/ },
  { rule: 'option the engine sets itself', lines: [...HEAD, 'options:', '  - { name: lease-time, value: 60 }'], line: 5, field: 'options[0].name', message: /option 51 \(lease-time\) is set by benchboot itself/ },
  { rule: 'the same option twice', lines: [...HEAD, 'options:', '  - { name: ntp-servers, value: 10.0.0.1 }', '  - { code: 42, value: 10.0.0.2 }'], line: 6, field: 'options[1].code', message: /given twice/ },
  { rule: 'duration that is not a duration', lines: [...HEAD, 'leaseTime: 12 hours'], line: 4, field: 'leaseTime', message: /"12 hours" is not a duration/ },
  { rule: 'duration of the wrong type', lines: [...HEAD, 'declineTime: true'], line: 4, field: 'declineTime', message: /^expected seconds or a duration such as 30m, 12h, 7d$/ },
  { rule: 'lease too short', lines: [...HEAD, 'leaseTime: 5'], line: 4, field: 'leaseTime', message: /5 seconds is out of range/ },
  { rule: 'sname longer than its BOOTP field', lines: [...HEAD, 'boot:', `  serverName: ${'s'.repeat(64)}`], line: 5, field: 'boot.serverName', message: /longer than 63 characters/ },
  { rule: 'boot file longer than its BOOTP field', lines: [...HEAD, 'boot:', `  file: ${'f'.repeat(128)}`], line: 5, field: 'boot.file', message: /longer than 127 characters/ },
  { rule: 'interface name that Linux cannot have', lines: ['name: bench1', 'interface: eth1/2', 'subnet: 10.0.0.0/24'], line: 2, field: 'interface', message: /not a network interface name/ },
  { rule: 'required field missing', lines: ['name: bench1', 'subnet: 10.0.0.0/24'], line: 1, field: 'interface', message: /^is required$/ },
  { rule: 'field of the wrong type', lines: [...HEAD, 'authoritative: maybe'], line: 4, field: 'authoritative', message: /expected true or false, found "maybe"/ },
  { rule: 'class with no matcher', lines: [...HEAD, 'classes:', '  - name: uefi', '    match: {}'], line: 6, field: 'classes[0].match', message: /at least one of vendorClass, userClass or arch/ },
  { rule: 'two classes with one name', lines: [...HEAD, 'classes:', '  - { name: uefi, match: { arch: 7 } }', '  - { name: uefi, match: { arch: 9 } }'], line: 6, field: 'classes[1].name', message: /class "uefi" is already defined/ },
  { rule: 'class option that belongs in the class boot block', lines: [...HEAD, 'classes:', '  - name: uefi', '    match: { arch: 7 }', '    options: { bootfile-name: ipxe.efi }'], line: 7, field: 'classes[0].options.bootfile-name', message: /set boot\.file in this class instead/ },
  { rule: 'a key given twice (YAML)', lines: [...HEAD, 'router: 10.0.0.1', 'router: 10.0.0.2'], line: 5, field: '', message: /YAML: Map keys must be unique/ },
];

for (const c of CASES) {
  test(`rule: ${c.rule}`, () => {
    const issues = issuesOf(c.lines, c.file);
    const hit = issues.find((i) => i.field === c.field && c.message.test(i.message));
    assert.ok(hit, `no issue on field "${c.field}" matching ${String(c.message)}; got:\n${issues.map(formatIssue).join('\n')}`);
    assert.equal(hit.file, c.file ?? FILE);
    assert.equal(hit.line, c.line, formatIssue(hit));
    const text = formatIssue(hit);
    const prefix = c.field ? `${c.file ?? FILE}:${c.line}: ${c.field}: ` : `${c.file ?? FILE}:${c.line}: `;
    assert.ok(text.startsWith(prefix), `"${text}" should start with "${prefix}"`);
  });
}

test('the message reads file:line: field: sentence, as in the README example', () => {
  const issues = issuesOf(['name: bench1', 'interface: eth1', 'subnet: 10.0.0.0/24', 'router: 10.0.0.1', '', '# pool', 'range: 10.0.0.100-10.0.1.5']);
  assert.deepEqual(issues.map(formatIssue), ['scopes/bench1.yaml:7: range: range end 10.0.1.5 is outside subnet 10.0.0.0/24']);
});

test('every issue of a file is returned, not just the first, in line order', () => {
  const issues = issuesOf([
    'name: bench1',
    'interface: eth1',
    'subnet: 10.0.0.0/24',
    'router: 10.0.0.300',
    'range: 10.0.0.100-10.0.1.5',
    'leasetime: 1h',
    'reservations:',
    '  - { mac: nope, ip: 10.0.0.10 }',
    'options:',
    '  - { name: interface-mtu, value: 99999 }',
  ]);
  assert.deepEqual(
    issues.map((i) => [i.line, i.field]),
    [
      [4, 'router'],
      [5, 'range'],
      [6, 'leasetime'],
      [8, 'reservations[0].mac'],
      [10, 'options[0].value'],
    ],
  );
});

test('a minimal file gets the defaults derived from the subnet', () => {
  const r = validateScopeText(HEAD.join('\n'), FILE);
  assert.ok(r.ok);
  const s = r.scope;
  assert.equal(s.source, FILE);
  assert.equal(s.router, '10.0.0.1');
  assert.deepEqual(s.dns, ['10.0.0.1']);
  assert.deepEqual(s.ranges, [{ start: '10.0.0.2', end: '10.0.0.254' }]);
  assert.deepEqual(s.boot, { nextServer: '10.0.0.1', tftpServerName: '10.0.0.1', tftpServers: ['10.0.0.1'] });
  assert.equal(s.leaseSeconds, 3600);
  assert.equal(s.declineSeconds, 600);
  assert.equal(s.authoritative, true);
  assert.ok(Object.isFrozen(s) && Object.isFrozen(s.ranges), 'the effective scope is frozen');
});

test('a router that is not the first host is kept out of the default pool, and TFTP follows nextServer', () => {
  const r = validateScopeText([...HEAD, 'router: 10.0.0.254', 'boot:', '  nextServer: 10.0.0.10'].join('\n'), FILE);
  assert.ok(r.ok);
  assert.deepEqual(r.scope.ranges, [
    { start: '10.0.0.1', end: '10.0.0.9' },
    { start: '10.0.0.11', end: '10.0.0.253' },
  ]);
  assert.deepEqual(r.scope.boot, { nextServer: '10.0.0.10', tftpServerName: '10.0.0.10', tftpServers: ['10.0.0.10'] });
});

test('null / [] in boot switch a TFTP field off instead of defaulting it', () => {
  const r = validateScopeText([...HEAD, 'boot:', '  tftpServerName: null', '  tftpServers: []', '  file: a.cfg'].join('\n'), FILE);
  assert.ok(r.ok);
  assert.deepEqual(r.scope.boot, { nextServer: '10.0.0.1', tftpServers: [], file: 'a.cfg' });
});

test('every field of a full file lands in the effective scope', () => {
  const r = validateScopeText(
    [
      ...HEAD,
      'range: [10.0.0.100-10.0.0.149, { start: 10.0.0.200, end: 10.0.0.210 }]',
      'dns: 10.0.0.53',
      'domain: bench.lab',
      'leaseTime: 1h30m',
      'declineTime: 90s',
      'authoritative: false',
      'boot: { serverName: laptop, file: undionly.kpxe }',
      'reservations:',
      '  - { mac: 00-1B-D4-AA-BB-CC, ip: 10.0.0.50, hostname: phone1 }',
      '  - { clientId: "01:00:1b:d4:aa:bb:cd", ip: 10.0.0.51 }',
      'options:',
      '  - { code: 42, value: [10.0.0.1, 10.0.0.2], always: true }',
      '  - { code: 200, hex: "deadbeef" }',
      'classes:',
      '  - name: uefi',
      '    match: { vendorClass: PXEClient, arch: [7, 9] }',
      '    boot: { file: ipxe.efi }',
      '    options: [{ name: interface-mtu, value: 1400 }]',
    ].join('\n'),
    FILE,
  );
  assert.ok(r.ok, r.ok ? '' : r.issues.map(formatIssue).join('\n'));
  const s = r.scope;
  assert.equal(s.ranges.length, 2);
  assert.deepEqual(s.dns, ['10.0.0.53']);
  assert.equal(s.domain, 'bench.lab');
  assert.equal(s.leaseSeconds, 5400);
  assert.equal(s.declineSeconds, 90);
  assert.equal(s.authoritative, false);
  assert.equal(s.boot.serverName, 'laptop');
  assert.equal(s.reservations[0]?.mac, '00:1b:d4:aa:bb:cc');
  assert.equal(toHex(s.reservations[1]?.clientId ?? new Uint8Array()), '01001bd4aabbcd');
  assert.deepEqual(
    s.options.map((o) => [o.code, toHex(o.data), o.always]),
    [
      [42, '0a0000010a000002', true],
      [200, 'deadbeef', false],
    ],
  );
  const cls = s.classes[0];
  assert.deepEqual(cls?.match, { vendorClass: 'PXEClient', arch: [7, 9] });
  assert.deepEqual(cls?.boot, { file: 'ipxe.efi' });
  assert.deepEqual(cls?.options.map((o) => [o.code, toHex(o.data)]), [[26, '0578']]);
});

test('an empty file and a file that is not a map are refused with one clear issue', () => {
  const empty = validateScopeText('# nothing yet\n', FILE);
  assert.ok(!empty.ok);
  assert.match(formatIssue(empty.issues[0] ?? { file: '', line: 0, field: '', message: '' }), /^scopes\/bench1\.yaml: the file is empty/);
  const list = validateScopeText('- a\n- b\n', FILE);
  assert.ok(!list.ok);
  assert.match(list.issues[0]?.message ?? '', /expected a map of fields/);
});

test('a file saved on Windows (BOM, CRLF) gets the same line numbers', () => {
  const r = validateScopeText('\ufeffname: bench1\r\ninterface: eth1\r\nsubnet: 10.0.0.0/24\r\nrouter: 10.0.1.1\r\n', FILE);
  assert.ok(!r.ok);
  assert.deepEqual(r.issues.map(formatIssue), ['scopes/bench1.yaml:4: router: router 10.0.1.1 is outside subnet 10.0.0.0/24']);
});

test('tabs used as indentation are a YAML issue on their line', () => {
  const issues = issuesOf([...HEAD, 'boot:', '\tfile: x']);
  assert.deepEqual(issues.map((i) => [i.line, i.field]), [[5, '']]);
  assert.match(issues[0]?.message ?? '', /^YAML: Tabs are not allowed as indentation/);
});

test('profiles on a scope and a class: known ids kept, defaults marked; an unknown id is an issue at file:line with a did-you-mean', () => {
  const r = validateScopeText([...HEAD, 'profiles: [cisco-phone, yealink]', 'classes:', '  - name: pc', '    match: { vendorClass: PXEClient }', '    profiles: [pxe-uefi]'].join('\n'), FILE);
  assert.ok(r.ok);
  assert.deepEqual(r.scope.profiles, ['cisco-phone', 'yealink']);
  assert.deepEqual(r.scope.classes[0]?.profiles, ['pxe-uefi']);
  assert.deepEqual(r.scope.defaultedOptions, [66, 150]);
  const issues = issuesOf([...HEAD, 'profiles: [cisco-phone, cisco-phon]']);
  assert.equal(issues.length, 1);
  const text = formatIssue(issues[0] as ScopeIssue);
  assert.match(text, /bench1\.yaml:4: profiles\[1\]: unknown profile "cisco-phon"; did you mean "cisco-phone"\?/);
});
