/** Inventory rows as the rest of benchboot uses them: lookup by identity, secret columns, display, address checks, MAC forms. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  checkAddresses,
  formatInventoryIssue,
  formatMac,
  InventoryIndex,
  isSecretColumn,
  loadInventory,
  macForms,
  redactCells,
  redactRow,
  styleOfMac,
} from '../../../src/inventory/index.js';
import { cidrContains, parseCidr, parseIpv4, parseMac } from '../../../src/net/ipv4.js';

const INV = loadInventory('mac,client-id,serial,ip,hostname,sip_password,voicemailPin,keypad\n001bd4aabbcc,,,10.0.0.5,phone1,s3,1234,big\n,01aabbccddeeff,,,,,,\n,,FOC123X,10.9.0.1,sw1,,,\n', { file: 'inv.csv' });

test('lookup by MAC, client-id (bytes or hex), serial, host name, and what a technician types', () => {
  const idx = new InventoryIndex(INV);
  const cases: [string | undefined, string | undefined, string][] = [
    [idx.byMac(parseMac('00:1B:D4:AA:BB:CC'))?.hostname, 'phone1', 'by chaddr MAC'],
    [idx.byClientId(Uint8Array.of(0x01, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff))?.clientId, '01aabbccddeeff', 'by option 61 bytes'],
    [idx.byClientId('01:AA:BB:CC:DD:EE:FF')?.clientId, '01aabbccddeeff', 'by client-id typed with colons'],
    [idx.bySerial('foc123x')?.hostname, 'sw1', 'serial ignoring case'],
    [idx.find('001b.d4aa.bbcc')?.hostname, 'phone1', 'CLI key: dotted MAC'],
    [idx.find('SW1')?.serial, 'FOC123X', 'CLI key: host name ignoring case'],
    [idx.find('nobody')?.hostname, undefined, 'CLI key: unknown'],
    [idx.lookup({ clientId: '01aabbccddeeff', mac: parseMac('001bd4aabbcc') })?.clientId, '01aabbccddeeff', 'client-id wins over MAC when both match rows'],
    [idx.lookup({ clientId: '01ffff', mac: parseMac('001bd4aabbcc') })?.hostname, 'phone1', 'unknown client-id falls back to MAC'],
  ];
  for (const [got, want, edge] of cases) assert.equal(got, want, edge);
});

test('the secret-column rule, table cases', () => {
  const cases: [string, boolean, string][] = [
    ['sip_password', true, 'password fragment'],
    ['SIPPassword', true, 'fragment inside a camel-case name'],
    ['line1Passwd', true, 'passwd fragment'],
    ['api-secret', true, 'secret fragment'],
    ['voicemailPin', true, 'pin as a camel-case word'],
    ['vm_pin', true, 'pin as a word'],
    ['apiKey', true, 'key as a word'],
    ['wifi-psk', true, 'psk'],
    ['admin pass', true, 'pass as a word'],
    ['token', true, 'token'],
    ['keypad', false, 'key inside a longer word'],
    ['spinner', false, 'pin inside a word'],
    ['passenger', false, 'pass inside a word'],
    ['hostname', false, 'plain'],
    ['extension', false, 'plain'],
  ];
  for (const [name, want, edge] of cases) assert.equal(isSecretColumn(name), want, `${name}: ${edge}`);
});

test('redactRow masks secrets (not empty ones) and keeps everything else', () => {
  const row = INV.rows[0];
  assert.ok(row);
  assert.deepEqual(redactRow(row), { mac: '001bd4aabbcc', 'client-id': '', serial: '', ip: '10.0.0.5', hostname: 'phone1', sip_password: '********', voicemailPin: '********', keypad: 'big' });
  assert.equal(row.cells['sip_password'], 's3', 'the row itself still has the secret for templates');
  assert.deepEqual(redactRow(row, ['hostname', 'sip_password']), { hostname: 'phone1', sip_password: '********' });
  assert.deepEqual(redactCells({ sip_password: 'x', hostname: 'p', vm_pin: null }), { sip_password: '********', hostname: 'p', vm_pin: null });
});

test('checkAddresses names rows whose ip is in no scope, at the ip cell', () => {
  const bench = parseCidr('10.0.0.0/24');
  const issues = checkAddresses(INV, [{ name: 'bench1 10.0.0.0/24', contains: (ip) => cidrContains(bench, ip) }]);
  assert.deepEqual(issues.map(formatInventoryIssue), ['inv.csv:4:4: ip: 10.9.0.1 is in no scope (bench1 10.0.0.0/24)']);
  assert.equal(checkAddresses(INV, []).length, 2, 'no scope at all');
  assert.equal(parseIpv4('10.0.0.5'), INV.rows[0]?.ip);
});

test('MAC forms for file names and templates', () => {
  const mac = parseMac('00:1b:d4:aa:bb:cc');
  assert.deepEqual(macForms(mac), { mac: '001bd4aabbcc', MAC: '001BD4AABBCC', mac_colon: '00:1b:d4:aa:bb:cc', mac_dash: '00-1b-d4-aa-bb-cc', mac_dot: '001b.d4aa.bbcc' });
  const styles: [string, string][] = [
    ['001BD4AABBCC', '001BD4000001'],
    ['00-1B-D4-AA-BB-CC', '00-1B-D4-00-00-01'],
    ['001b.d4aa.bbcc', '001b.d400.0001'],
    ['00:1b:d4:aa:bb:cc', '00:1b:d4:00:00:01'],
  ];
  for (const [typed, want] of styles) assert.equal(formatMac(parseMac('00:1b:d4:00:00:01'), styleOfMac(typed)), want, typed);
});
