/**
 * What "provisioned" means per device in the appliance (issue 13 part 2): the vendor
 * profile's files, replaced by an inventory row's `expects` list; a row's forced
 * profile wins over matching; the storage's origin text read as a file origin.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { expectationsOfRecord, inventoryKeyOf, profileOfRecord } from '../../../src/appliance/device-expectations.js';
import { originOf } from '../../../src/appliance/device-feed.js';
import { DeviceBook, type DeviceRecord } from '../../../src/devices/index.js';
import type { DeviceRow } from '../../../src/inventory/index.js';
import { parseMac } from '../../../src/net/ipv4.js';

function phone(vendorClass: string, mac = '00:1b:d4:aa:bb:cc'): Readonly<DeviceRecord> {
  const book = new DeviceBook();
  book.apply({ mac, facts: { vendorClass }, event: { kind: 'dhcp', atMs: 1000, message: 'ack', scope: 'bench', ip: '10.9.0.42' } });
  const record = book.get(mac);
  assert.ok(record);
  return record;
}

function row(cells: Partial<DeviceRow>): DeviceRow {
  return { line: 2, expects: [], cells: {}, positions: {}, version: 'v1', mac: parseMac('00:1b:d4:aa:bb:cc'), ...cells };
}

test('a Cisco phone expects its SEP file, and its CTL/ITL misses are normal', () => {
  const e = expectationsOfRecord(phone('Cisco Systems, Inc. IP Phone CP-8845'));
  assert.deepEqual(e.expectedFiles, ['SEP{MAC}.cnf.xml']);
  assert.deepEqual(e.normalMisses, ['CTLSEP{MAC}.tlv', 'ITLSEP{MAC}.tlv']);
});

test("an inventory row's expects replace the profile's files; the profile's normal misses stay", () => {
  const e = expectationsOfRecord(phone('Cisco Systems, Inc. IP Phone CP-8845'), row({ expects: ['SEP{MAC}.cnf.xml', 'sip88xx.loads'] }));
  assert.deepEqual(e.expectedFiles, ['SEP{MAC}.cnf.xml', 'sip88xx.loads']);
  assert.deepEqual(e.normalMisses, ['CTLSEP{MAC}.tlv', 'ITLSEP{MAC}.tlv']);
  assert.deepEqual(expectationsOfRecord(phone('udhcp 1.36', '02:00:00:00:00:01'), row({})).expectedFiles, [], 'no profile, no list: everything it asked for');
});

test("a row's profile is used even when the device's vendor class matches another", () => {
  const e = expectationsOfRecord(phone('Cisco Systems, Inc. IP Phone CP-8845'), row({ profile: 'cisco-ios' }));
  assert.ok(e.normalMisses.includes('network-confg'), JSON.stringify(e));
});

test('a row is named by host name, else MAC, else its line', () => {
  assert.equal(inventoryKeyOf(row({ hostname: 'phone1' })), 'phone1');
  assert.equal(inventoryKeyOf(row({})), '00:1b:d4:aa:bb:cc');
  assert.equal(inventoryKeyOf({ line: 7, expects: [], cells: {}, positions: {}, version: 'v', serial: 'FOC123' }), 'FOC123');
});

test('the storage origin text becomes the file origin of the timeline', () => {
  assert.equal(originOf(undefined), 'static');
  assert.equal(originOf('file'), 'static');
  assert.equal(originOf('default for SEP*.cnf.xml'), 'default');
  assert.equal(originOf('template SEP{MAC}.cnf.xml.liquid'), 'template');
  assert.equal(originOf('template XMLDefault.cnf.xml.liquid (default for SEP*.cnf.xml)'), 'default');
});

test('a device that says more about itself is matched again: the profile follows its latest vendor class', () => {
  const book = new DeviceBook();
  const mac = '02:00:00:00:00:02'; // a local MAC: no vendor OUI
  const ack = { kind: 'dhcp', atMs: 1000, message: 'ack', scope: 'bench', ip: '10.9.0.43' } as const;
  book.apply({ mac, event: ack });
  const record = book.get(mac);
  assert.ok(record);
  assert.deepEqual(expectationsOfRecord(record).expectedFiles, [], 'no vendor class: no profile files');
  book.apply({ mac, facts: { vendorClass: 'Cisco Systems, Inc. IP Phone CP-8845' }, event: { ...ack, atMs: 2000 } });
  assert.deepEqual(expectationsOfRecord(record).expectedFiles, ['SEP{MAC}.cnf.xml'], 'the Cisco vendor class now matches');
  book.apply({ mac, facts: { vendorClass: 'udhcp 1.36' }, event: { ...ack, atMs: 3000 } });
  assert.deepEqual(expectationsOfRecord(record).expectedFiles, [], 'a vendor class that matches nothing: no profile again');
});

test('profile matches are shared by devices that sent the same, never across OUIs or texts that only run together', () => {
  assert.equal(profileOfRecord(phone('udhcp 1.36', '28:99:3a:00:00:01'))?.id, 'arista-ztp', 'an Arista OUI with a vendor class no rule knows: the OUI decides');
  assert.equal(profileOfRecord(phone('udhcp 1.36', '02:00:00:00:00:02')), undefined, 'the same vendor class from another OUI is not Arista');
  assert.equal(profileOfRecord(phone('udhcp 1.36', '28:99:3a:00:00:03'))?.id, 'arista-ztp', 'a second device of that OUI gets the same');
  const book = new DeviceBook();
  const facts = [{ vendorClass: 'Arista' }, { vendorClass: 'Aris', userClass: 'ta' }];
  facts.forEach((f, i) => book.apply({ mac: `02:00:00:00:01:0${i}`, facts: f, event: { kind: 'dhcp', atMs: 1000, message: 'discover', scope: 'bench' } }));
  assert.equal(profileOfRecord(book.get('02:00:00:00:01:00') as DeviceRecord)?.id, 'arista-ztp');
  assert.equal(profileOfRecord(book.get('02:00:00:00:01:01') as DeviceRecord), undefined, 'vendor class "Aris" and user class "ta" are not "Arista"');
});
