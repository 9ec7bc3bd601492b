/** The device book: reducer, retention, eviction (reported), reset, notifications, memory bound by counts. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DeviceBook, type DeviceChange } from '../../../src/devices/book.js';
import { estimateMemoryBound } from '../../../src/devices/memory.js';
import { DEFAULT_RETENTION, MAX_FILES_TRACKED } from '../../../src/devices/record.js';
import { TEXT_LIMITS } from '../../../src/devices/event.js';
import type { Expectations } from '../../../src/devices/status.js';
import { ack, at, dhcp, file, MAC, obs } from './fixtures.js';

const CISCO: Expectations = { expectedFiles: ['SEP{MAC}.cnf.xml'], normalMisses: ['CTLSEP{MAC}.tlv'] };

function macN(n: number): string {
  return `02${n.toString(16).padStart(10, '0')}`;
}

test('book: an observation creates a record found by any MAC spelling; facts and last IP are learned', () => {
  const book = new DeviceBook();
  book.apply(obs(dhcp('discover', at(0)), '00:1B:D4:AA:BB:CC', { vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841', model: 'CP-8841' }));
  book.apply(obs(ack(at(1)), '001b.d4aa.bbcc'));
  const r = book.get('00-1B-D4-AA-BB-CC');
  assert.ok(r);
  assert.equal(r.mac, MAC);
  assert.equal(r.facts.vendorClass, 'Cisco Systems, Inc. IP Phone CP-8841');
  assert.equal(r.facts.lastIp, '10.0.0.10');
  assert.equal(r.timeline.length, 2);
  assert.equal(book.list().length, 1);
  assert.equal(book.status(MAC, at(2))?.status, 'leased');
});

test('book: a MAC that is not one is refused, not filed', () => {
  const book = new DeviceBook();
  assert.deepEqual(book.apply(obs(dhcp('discover', at(0)), 'zz:zz')), { kind: 'refused', reason: 'bad-mac', mac: 'zz:zz' });
  assert.equal(book.counts().devices, 0);
});

test('book: retention by count keeps the newest maxEventsPerDevice entries and counts the rest', () => {
  const book = new DeviceBook({ retention: { maxEventsPerDevice: 10 } });
  for (let i = 0; i < 25; i++) book.apply(obs({ kind: 'syslog', atMs: at(i), facility: 16, severity: 6, text: `line ${i}` }));
  const r = book.get(MAC);
  assert.equal(r?.timeline.length, 10);
  assert.equal(r?.prunedEvents, 15);
  assert.deepEqual(book.counts().events, 10);
  assert.equal(book.counts().prunedEvents, 15);
  const first = r?.timeline[0];
  assert.equal(first?.kind === 'syslog' ? first.text : '', 'line 15');
});

test('book: retention by age drops old entries on the next event and on a sweep', () => {
  const book = new DeviceBook({ retention: { maxAgeMs: 3600_000 } });
  book.apply(obs(dhcp('discover', at(0))));
  book.apply(obs(ack(at(1))));
  book.apply(obs(dhcp('request', at(3700)), MAC));
  assert.equal(book.get(MAC)?.timeline.length, 1);
  assert.equal(book.sweep(at(3700 + 3601)), 1);
  assert.equal(book.get(MAC)?.timeline.length, 0);
  assert.equal(book.counts().events, 0);
});

test('book: retention never changes the status (a provisioned phone flooding syslog stays provisioned)', () => {
  const book = new DeviceBook({ retention: { maxEventsPerDevice: 5 }, expectationsFor: () => CISCO });
  book.apply(obs(ack(at(0)), MAC, { inventoryKey: 'row-1' }));
  book.apply(obs(file('SEP001BD4AABBCC.cnf.xml', at(1))));
  for (let i = 0; i < 50; i++) book.apply(obs({ kind: 'syslog', atMs: at(2 + i), facility: 16, severity: 6, text: 'x' }));
  assert.ok(!book.get(MAC)?.timeline.some((e) => e.kind === 'file'));
  assert.equal(book.status(MAC, at(60))?.status, 'provisioned');
});

test('book: a full book evicts the longest-idle finished device first and reports it', () => {
  const changes: DeviceChange[] = [];
  const book = new DeviceBook({ retention: { maxDevices: 3 }, expectationsFor: () => CISCO });
  book.subscribe((c) => changes.push(c));
  const finished = (n: number, t: number): void => {
    book.apply(obs(ack(at(t)), macN(n), { inventoryKey: `row-${n}` }));
    book.apply(obs(file(`SEP${macN(n).toUpperCase()}.cnf.xml`, at(t + 1)), macN(n)));
  };
  finished(1, 0);
  finished(2, 10);
  book.apply(obs(file('SEPX.cnf.xml', at(5), 'not-found'), macN(3)));
  const r = book.apply(obs(dhcp('discover', at(100)), macN(4)));
  assert.equal(r.kind === 'applied' ? r.evicted?.mac : undefined, macN(1));
  assert.equal(r.kind === 'applied' ? r.evicted?.reason : undefined, 'finished');
  assert.equal(r.kind === 'applied' ? r.evicted?.idleMs : undefined, 99_000);
  assert.ok(changes.some((c) => c.kind === 'evicted' && c.eviction.mac === macN(1)));
  assert.equal(book.get(macN(1)), undefined);
  assert.equal(book.counts().evictions, 1);
});

test('book: with no finished device, a gone one goes first, then the longest-idle of all (reason says so)', () => {
  const book = new DeviceBook({ retention: { maxDevices: 2 } });
  book.apply(obs(dhcp('discover', at(0)), macN(1)));
  book.apply(obs(ack(at(500)), macN(2)));
  let r = book.apply(obs(dhcp('discover', at(600)), macN(3)));
  assert.deepEqual(r.kind === 'applied' ? r.evicted : undefined, { mac: macN(1), reason: 'gone', idleMs: 600_000, status: 'gone' });
  r = book.apply(obs(dhcp('discover', at(601)), macN(4)));
  assert.equal(r.kind === 'applied' ? r.evicted?.reason : undefined, 'idle-unfinished');
  assert.equal(r.kind === 'applied' ? r.evicted?.mac : undefined, macN(2));
});

test('book: a storm of new MACs into a full book derives statuses per scan, not per new device', () => {
  // Each status derivation asks for the record's expectations: count them.
  let derivations = 0;
  const book = new DeviceBook({
    retention: { maxDevices: 1000 },
    expectationsFor: () => {
      derivations++;
      return CISCO;
    },
  });
  for (let i = 0; i < 1000; i++) book.apply(obs(dhcp('discover', at(i / 1000)), macN(i)));
  derivations = 0;
  for (let i = 1000; i < 1500; i++) book.apply(obs(dhcp('discover', at(1 + i / 1000)), macN(i)));
  assert.equal(book.counts().devices, 1000);
  assert.equal(book.counts().evictions, 500);
  // One scan of the book per 250 evictions (or per second): a few thousand, where a scan per new device made 500,000.
  assert.ok(derivations <= 3 * 1000, `${derivations} status derivations for 500 new devices`);
  // Still the longest idle first: the first 500 devices are the ones gone.
  assert.equal(book.get(macN(499)), undefined);
  assert.ok(book.get(macN(500)));
});

test('book: a device queued for eviction but seen again since is kept; the next idlest goes', () => {
  // maxDevices 8: two devices chosen per scan.
  const book = new DeviceBook({ retention: { maxDevices: 8 } });
  for (let i = 1; i <= 8; i++) book.apply(obs(dhcp('discover', at(i)), macN(i)));
  let r = book.apply(obs(dhcp('discover', at(9)), macN(9)));
  assert.equal(r.kind === 'applied' ? r.evicted?.mac : undefined, macN(1));
  book.apply(obs(dhcp('request', at(9.5)), macN(2)));
  r = book.apply(obs(dhcp('discover', at(9.6)), macN(10)));
  assert.equal(r.kind === 'applied' ? r.evicted?.mac : undefined, macN(3), 'macN(2) was queued next but spoke again');
  assert.ok(book.get(macN(2)));
});

test('book: reset clears timeline and progress, keeps identity and facts, notifies, and the device provisions again', () => {
  const changes: DeviceChange[] = [];
  const book = new DeviceBook({ expectationsFor: () => CISCO });
  book.apply(obs(ack(at(0)), MAC, { inventoryKey: 'row-1', model: 'CP-8841' }));
  book.apply(obs(file('SEP001BD4AABBCC.cnf.xml', at(1))));
  book.subscribe((c) => changes.push(c));
  assert.equal(book.reset('00:1b:d4:aa:bb:cc', at(10)), true);
  const r = book.get(MAC);
  assert.deepEqual(r?.timeline, [{ kind: 'admin', atMs: at(10), action: 'reset' }]);
  assert.equal(r?.facts.model, 'CP-8841');
  assert.equal(book.status(MAC, at(11))?.status, 'discovered');
  assert.deepEqual(changes, [{ kind: 'reset', mac: MAC, atMs: at(10) }]);
  assert.equal(book.reset('02:00:00:00:00:99', at(10)), false);
  book.apply(obs(ack(at(20))));
  book.apply(obs(file('SEP001BD4AABBCC.cnf.xml', at(21))));
  assert.equal(book.status(MAC, at(22))?.status, 'provisioned');
});

test('book: listeners get every change in order; a throwing listener is counted and does not stop the others', () => {
  const errors: unknown[] = [];
  const book = new DeviceBook({ onListenerError: (e) => errors.push(e) });
  const seen: string[] = [];
  book.subscribe(() => {
    throw new Error('dashboard went away');
  });
  const off = book.subscribe((c) => seen.push(c.kind === 'observed' ? `${c.observation.event.kind}:${c.isNew}` : c.kind));
  book.apply(obs(dhcp('discover', at(0))));
  book.apply(obs(ack(at(1))));
  off();
  book.apply(obs(ack(at(2))));
  assert.deepEqual(seen, ['dhcp:true', 'dhcp:false']);
  assert.equal(book.counts().listenerErrors, 3);
  assert.equal(errors.length, 3);
});

test('book: wire text is clipped (a 5000-character syslog line keeps TEXT_LIMITS.syslog characters)', () => {
  const book = new DeviceBook();
  book.apply(obs({ kind: 'syslog', atMs: at(0), facility: 16, severity: 3, text: 'x'.repeat(5000) }));
  const e = book.get(MAC)?.timeline[0];
  assert.equal(e?.kind === 'syslog' ? e.text.length : 0, TEXT_LIMITS.syslog);
});

test('book: file outcomes per device are bounded (MAX_FILES_TRACKED names)', () => {
  const book = new DeviceBook();
  for (let i = 0; i < MAX_FILES_TRACKED + 30; i++) book.apply(obs(file(`f${i}`, at(i), 'not-found')));
  assert.equal(book.get(MAC)?.progress.files.length, MAX_FILES_TRACKED);
});

test('book: memory bound by counts — 10,050 devices in a default book keep 10,000, each timeline capped', () => {
  const book = new DeviceBook();
  const bound = estimateMemoryBound(book.retention);
  assert.deepEqual([bound.maxDevices, bound.maxEvents], [10_000, 10_000 * DEFAULT_RETENTION.maxEventsPerDevice]);
  for (let n = 0; n < 10_050; n++) {
    book.apply(obs(dhcp('discover', at(n)), macN(n)));
    book.apply(obs(ack(at(n)), macN(n)));
  }
  for (let i = 0; i < 3 * DEFAULT_RETENTION.maxEventsPerDevice; i++) book.apply(obs({ kind: 'syslog', atMs: at(20_000 + i), facility: 1, severity: 6, text: 'y' }, macN(10_049)));
  const c = book.counts();
  assert.equal(c.devices, 10_000);
  assert.equal(c.evictions, 50);
  assert.equal(book.get(macN(10_049))?.timeline.length, DEFAULT_RETENTION.maxEventsPerDevice);
  assert.ok(c.events <= bound.maxEvents);
  assert.equal(c.events, book.list().reduce((sum, r) => sum + r.timeline.length, 0));
  assert.ok(bound.typicalBytes < bound.worstBytes);
});

test('book: subscribers (the journal) receive the observation with its MAC canonical and its text clipped', () => {
  const book = new DeviceBook();
  const seen: DeviceChange[] = [];
  book.subscribe((c) => seen.push(c));
  book.apply(obs({ kind: 'syslog', atMs: at(0), facility: 16, severity: 3, text: 'z'.repeat(4000) }, '00:1B:D4:AA:BB:CC'));
  const c = seen[0];
  assert.equal(c?.kind, 'observed');
  if (c?.kind !== 'observed') return;
  assert.equal(c.observation.mac, MAC);
  assert.equal(c.observation.event.kind === 'syslog' ? c.observation.event.text.length : 0, TEXT_LIMITS.syslog);
});

test('book: an over-long boot file in a DHCP event is clipped for subscribers; an observation within every limit reaches them as it was filed', () => {
  const book = new DeviceBook();
  const seen: DeviceChange[] = [];
  book.subscribe((c) => seen.push(c));
  const long = dhcp('ack', at(0), { ip: '10.0.0.10', boot: { file: 'f'.repeat(1000), option150: ['10.0.0.1'] } });
  book.apply(obs(long));
  const first = seen[0];
  assert.ok(first?.kind === 'observed' && first.observation.event.kind === 'dhcp');
  assert.equal(first.observation.event.boot?.file?.length, TEXT_LIMITS.name);
  assert.deepEqual(first.observation.event.boot?.option150, ['10.0.0.1']);
  book.apply(obs(dhcp('ack', at(1), { ip: '10.0.0.10', boot: { option150: Array.from({ length: 20 }, (_, i) => `10.0.0.${i + 1}`) } })));
  const many = seen[1];
  assert.ok(many?.kind === 'observed' && many.observation.event.kind === 'dhcp');
  assert.equal(many.observation.event.boot?.option150?.length, TEXT_LIMITS.option150, 'option 150 keeps its first 16 servers');
  seen.length = 1;
  const fitting = obs(ack(at(1)));
  book.apply(fitting);
  const second = seen[1];
  assert.ok(second?.kind === 'observed');
  assert.equal(second.observation, fitting, 'not copied');
});
