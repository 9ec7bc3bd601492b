/** The status rules as named table cases: one line per edge each case covers. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveStatus, deriveStatusName, NO_EXPECTATIONS, type Expectations } from '../../../src/devices/status.js';
import type { DeviceEvent } from '../../../src/devices/event.js';
import type { DeviceFacts } from '../../../src/devices/identity.js';
import type { DeviceStatusName } from '../../../src/devices/status-reason.js';
import { ack, at, dhcp, file, recordOf } from './fixtures.js';

const CISCO: Expectations = { expectedFiles: ['SEP{MAC}.cnf.xml'], normalMisses: ['CTLSEP{MAC}.tlv', 'ITLSEP{MAC}.tlv'] };
const IOS: Expectations = { expectedFiles: ['{hostname}-confg'], normalMisses: ['network-confg', 'cisconet.cfg'] };
const PXE: Expectations = { expectedFiles: [], normalMisses: [], acceptsDefault: true };
const ROW: DeviceFacts = { inventoryKey: 'row-3' };
const DORA = [dhcp('discover', at(0)), dhcp('offer', at(0)), dhcp('request', at(1)), ack(at(1))];

interface Case {
  readonly name: string;
  readonly events: readonly DeviceEvent[];
  readonly facts?: DeviceFacts;
  readonly exp?: Expectations;
  readonly now: number;
  readonly status: DeviceStatusName;
  readonly diagnosis?: RegExp;
  readonly isSilent?: boolean;
}

const CASES: readonly Case[] = [
  { name: 'only a DISCOVER: discovered', events: [dhcp('discover', at(0))], now: at(5), status: 'discovered', diagnosis: /no lease yet/ },
  { name: 'a NAK: discovered again (it starts over)', events: [...DORA, dhcp('nak', at(3))], now: at(4), status: 'discovered', diagnosis: /last NAK/ },
  { name: 'an ACK, no file within the threshold: leased', events: DORA, now: at(30), status: 'leased', diagnosis: /10\.0\.0\.10/ },
  { name: 'an ACK and no file for 60 s: stuck, points at probe', events: DORA, now: at(62), status: 'stuck', diagnosis: /asked for no file in 61 s: check the boot fields with `benchboot probe`/ },
  { name: 'DECLINE after an ACK: stuck', events: [...DORA, dhcp('decline', at(2), { ip: '10.0.0.10' })], now: at(3), status: 'stuck', diagnosis: /declined its address 10\.0\.0\.10/ },
  { name: 'expected file delivered, upper-case MAC: provisioned at once', events: [...DORA, file('SEP001BD4AABBCC.cnf.xml', at(2))], facts: ROW, exp: CISCO, now: at(3), status: 'provisioned', diagnosis: /every expected file delivered: SEP001BD4AABBCC/ },
  { name: 'expected file asked lower-case: matches anyway', events: [...DORA, file('SEP001bd4aabbcc.cnf.xml', at(2))], facts: ROW, exp: CISCO, now: at(3), status: 'provisioned' },
  { name: 'CTLSEP/ITLSEP not found are normal misses, then the config: provisioned', events: [...DORA, file('CTLSEP001BD4AABBCC.tlv', at(2), 'not-found'), file('ITLSEP001BD4AABBCC.tlv', at(2), 'not-found'), file('SEP001BD4AABBCC.cnf.xml', at(3))], facts: ROW, exp: CISCO, now: at(4), status: 'provisioned' },
  { name: 'normal misses only so far: fetching, waiting for the config', events: [...DORA, file('CTLSEP001BD4AABBCC.tlv', at(2), 'not-found')], facts: ROW, exp: CISCO, now: at(3), status: 'fetching', diagnosis: /waiting for SEP001BD4AABBCC\.cnf\.xml/ },
  { name: 'expected config not found: stuck, names the file', events: [...DORA, file('SEP001BD4AABBCC.cnf.xml', at(2), 'not-found')], facts: ROW, exp: CISCO, now: at(3), status: 'stuck', diagnosis: /^asked for SEP001BD4AABBCC\.cnf\.xml: not found$/ },
  { name: 'a not-found that is no normal miss, without expectations: stuck', events: [...DORA, file('pxelinux.0', at(2), 'not-found')], now: at(3), status: 'stuck', diagnosis: /asked for pxelinux\.0: not found/ },
  { name: 'access denied: stuck', events: [...DORA, file('boot.ini', at(2), 'access-denied')], now: at(3), status: 'stuck', diagnosis: /access denied/ },
  { name: 'default config to a device without inventory row: stuck', events: [...DORA, file('XMLDefault.cnf.xml', at(2), 'delivered', 'default')], exp: CISCO, now: at(3), status: 'stuck', diagnosis: /got the default config XMLDefault\.cnf\.xml: no inventory row/ },
  { name: 'default answer for an expected name, no row: still the default-config rule', events: [...DORA, file('SEP001BD4AABBCC.cnf.xml', at(2), 'delivered', 'default')], exp: CISCO, now: at(3), status: 'stuck', diagnosis: /default config/ },
  { name: 'default accepted by the profile (PXE), quiet: provisioned', events: [...DORA, file('undionly.kpxe', at(2), 'delivered', 'default')], exp: PXE, now: at(30), status: 'provisioned', diagnosis: /delivered everything it asked for: undionly\.kpxe/ },
  { name: 'default with an inventory row: not the default-config rule', events: [...DORA, file('XMLDefault.cnf.xml', at(2), 'delivered', 'default')], facts: ROW, now: at(30), status: 'provisioned' },
  { name: 'render error: stuck with the detail', events: [...DORA, file('SEP001BD4AABBCC.cnf.xml', at(2), 'render-error', 'template', 'missing variable device.extension (line 4)')], facts: ROW, exp: CISCO, now: at(3), status: 'stuck', diagnosis: /template render failed for SEP001BD4AABBCC\.cnf\.xml: missing variable device\.extension \(line 4\)/ },
  { name: 'failed after retries: stuck', events: [...DORA, file('big.bin', at(2), 'failed-after-retries')], now: at(3), status: 'stuck', diagnosis: /transfer of big\.bin failed after retries/ },
  { name: 'not found, fixed, asked again and delivered: provisioned', events: [...DORA, file('SEP001BD4AABBCC.cnf.xml', at(2), 'not-found'), file('SEP001BD4AABBCC.cnf.xml', at(40))], facts: ROW, exp: CISCO, now: at(41), status: 'provisioned' },
  { name: 'no expectations, all delivered, quiet for settleMs: provisioned', events: [...DORA, file('a.cfg', at(2)), file('b.bin', at(3))], now: at(23), status: 'provisioned', diagnosis: /delivered everything it asked for: a\.cfg, b\.bin/ },
  { name: 'no expectations, last file just delivered: fetching', events: [...DORA, file('a.cfg', at(2))], now: at(5), status: 'fetching' },
  { name: 'busy is transient: fetching, not stuck', events: [...DORA, file('SEP001BD4AABBCC.cnf.xml', at(2), 'busy')], facts: ROW, exp: CISCO, now: at(3), status: 'fetching' },
  { name: 'aborted, no expectations, quiet: not provisioned (not settled)', events: [...DORA, file('a.cfg', at(2), 'aborted')], now: at(60), status: 'fetching' },
  { name: 'expected file never asked for 120 s after the last file: stuck (stalled)', events: [...DORA, file('CTLSEP001BD4AABBCC.tlv', at(2), 'not-found')], facts: ROW, exp: CISCO, now: at(125), status: 'stuck', diagnosis: /stopped asking for 123 s without SEP001BD4AABBCC\.cnf\.xml/ },
  { name: 'IOS: {hostname}-confg matches the lower-cased request', events: [...DORA, file('network-confg', at(2), 'not-found'), file('router1-confg', at(3))], facts: { ...ROW, hostname: 'Router1' }, exp: IOS, now: at(4), status: 'provisioned' },
  { name: '{hostname} pattern before the hostname is known: never met', events: [...DORA, file('router1-confg', at(3))], facts: ROW, exp: IOS, now: at(4), status: 'fetching', diagnosis: /waiting for \{hostname\}-confg/ },
  { name: 'leased, silent past T2 (0.875 x lease) + margin: gone', events: [...DORA, file('a.cfg', at(2), 'not-found')], now: at(1 + 3150 + 61), status: 'gone', diagnosis: /no packet for .* when one was due \(last: asked for a\.cfg: not found\)/, isSilent: true },
  { name: 'leased, silent just before T2 + margin: not yet gone', events: [...DORA, file('a.cfg', at(2), 'not-found')], now: at(1 + 3150 + 59), status: 'stuck' },
  { name: 'explicit T2 (option 59) is used instead of 0.875 x lease', events: [...DORA.slice(0, 3), dhcp('ack', at(1), { leaseSeconds: 3600, rebindingSeconds: 600 })], now: at(1 + 600 + 61), status: 'gone' },
  { name: 'only renews (REQUEST/ACK at T1) long after provisioning: not gone, stays provisioned', events: [...DORA, file('SEP001BD4AABBCC.cnf.xml', at(2)), dhcp('request', at(1801)), ack(at(1801)), dhcp('request', at(3601)), ack(at(3601))], facts: ROW, exp: CISCO, now: at(4000), status: 'provisioned', isSilent: false },
  { name: 'provisioned device whose lease ran out: stays provisioned (no zombie), flagged silent', events: [...DORA, file('SEP001BD4AABBCC.cnf.xml', at(2))], facts: ROW, exp: CISCO, now: at(90_000), status: 'provisioned', isSilent: true },
  { name: 'RELEASE then silence: nothing was due, not gone', events: [...DORA, file('a.cfg', at(2), 'not-found'), dhcp('release', at(10))], now: at(90_000), status: 'stuck' },
  { name: 'infinite lease (0xffffffff): never falls due', events: [...DORA.slice(0, 3), ack(at(1), 0xffffffff)], now: at(1e7), status: 'stuck', diagnosis: /asked for no file/ },
  { name: 'DISCOVER only, silent 5 min: gone', events: [dhcp('discover', at(0))], now: at(301), status: 'gone', diagnosis: /\(last: seen \(last DISCOVER\), no lease yet\)/ },
  { name: 'DISCOVER only, silent 4 min: still discovered', events: [dhcp('discover', at(0))], now: at(240), status: 'discovered' },
  { name: 'a syslog line after the due time is a packet: not gone', events: [...DORA, file('a.cfg', at(2)), { kind: 'syslog', atMs: at(3400), facility: 16, severity: 6, text: 'alive' }], now: at(3500), status: 'provisioned', isSilent: false },
  { name: 'no expectations given at all (NO_EXPECTATIONS): leased is leased', events: DORA, exp: NO_EXPECTATIONS, now: at(2), status: 'leased' },
];

for (const c of CASES) {
  test(`status: ${c.name}`, () => {
    const got = deriveStatus(recordOf(c.events, c.facts), c.exp ?? NO_EXPECTATIONS, c.now);
    assert.equal(got.status, c.status, got.diagnosis);
    assert.equal(deriveStatusName(recordOf(c.events, c.facts), c.exp ?? NO_EXPECTATIONS, c.now), c.status, 'the name alone (eviction ranks by it) is the same');
    if (c.diagnosis) assert.match(got.diagnosis, c.diagnosis);
    if (c.isSilent !== undefined) assert.equal(got.isSilent, c.isSilent);
  });
}

test('status: thresholds are parameters (a shorter noFileAfterLeaseMs makes a leased device stuck sooner)', () => {
  const record = recordOf(DORA);
  const thresholds = { noFileAfterLeaseMs: 5_000, settleMs: 20_000, stalledAfterMs: 120_000, goneMarginMs: 60_000, unleasedSilenceMs: 300_000 };
  assert.equal(deriveStatus(record, NO_EXPECTATIONS, at(7), thresholds).status, 'stuck');
  assert.equal(deriveStatus(record, NO_EXPECTATIONS, at(7)).status, 'leased');
});

test('status: deriveStatus is pure (same inputs, same answer; the record is not changed)', () => {
  const record = recordOf([...DORA, file('a.cfg', at(2))]);
  const before = JSON.stringify(record);
  assert.deepEqual(deriveStatus(record, CISCO, at(9)), deriveStatus(record, CISCO, at(9)));
  assert.equal(JSON.stringify(record), before);
});
