/**
 * The live view reducer: devices by MAC, transfers with rate and ETA, totals.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { initialViewState, reduceView, transferEtaSeconds, transferRate, type ViewState } from '../../../src/ui/state.js';
import type { ApplianceEvent } from '../../../src/ui/events.js';
import { renderView } from '../../../src/ui/render.js';

const T0 = 1_700_000_000_000;

function run(events: ApplianceEvent[]): ViewState {
  return events.reduce(reduceView, initialViewState(['eth1 10.10.0.0/24']));
}

test('an offer then an ACK for one MAC is one device row, bound, counted as one lease', () => {
  const s = run([
    { kind: 'lease', at: T0, scope: 'lab', mac: '00:11:22:33:44:55', ip: '10.10.0.20', state: 'offered', vendorClass: 'Cisco Systems, Inc. IP Phone' },
    { kind: 'lease', at: T0 + 5, scope: 'lab', mac: '00:11:22:33:44:55', ip: '10.10.0.20', state: 'bound' },
  ]);
  assert.equal(s.devices.length, 1);
  assert.deepEqual(s.devices[0], { mac: '00:11:22:33:44:55', ip: '10.10.0.20', leaseState: 'bound', vendorClass: 'Cisco Systems, Inc. IP Phone' });
  assert.equal(s.totals.leases, 1);
});

test('a release drops the bound count but keeps the device row', () => {
  const s = run([
    { kind: 'lease', at: T0, scope: 'lab', mac: 'aa:aa:aa:aa:aa:01', ip: '10.10.0.20', state: 'bound' },
    { kind: 'lease', at: T0, scope: 'lab', mac: 'aa:aa:aa:aa:aa:02', ip: '10.10.0.21', state: 'bound' },
    { kind: 'lease', at: T0 + 1, scope: 'lab', mac: 'aa:aa:aa:aa:aa:01', ip: '10.10.0.20', state: 'released' },
  ]);
  assert.equal(s.devices.length, 2);
  assert.equal(s.totals.leases, 1);
  assert.equal(s.devices[0]?.leaseState, 'released');
});

test('a transfer from a leased IP sets that device\'s last file; progress feeds rate and ETA', () => {
  const s = run([
    { kind: 'lease', at: T0, scope: 'lab', mac: 'aa:aa:aa:aa:aa:01', ip: '10.10.0.20', state: 'bound' },
    { kind: 'transfer-started', at: T0, id: 't1', peer: '10.10.0.20', file: 'SEPAAAAAAAAAA01.cnf.xml', direction: 'read', size: 4000 },
    { kind: 'transfer-progress', at: T0 + 1000, id: 't1', bytes: 1000 },
  ]);
  assert.equal(s.devices[0]?.lastFile, 'SEPAAAAAAAAAA01.cnf.xml');
  const t = s.transfers[0];
  assert.ok(t);
  assert.equal(t.bytes, 1000);
  assert.equal(transferRate(t), 1000);
  assert.equal(transferEtaSeconds(t), 3);
});

test('finish, failure and busy move the totals and remove the transfer from flight', () => {
  const s = run([
    { kind: 'transfer-started', at: T0, id: 'a', peer: '10.10.0.20', file: 'a.bin', direction: 'read', size: 10 },
    { kind: 'transfer-started', at: T0, id: 'b', peer: '10.10.0.21', file: 'b.bin', direction: 'write' },
    { kind: 'transfer-started', at: T0, id: 'c', peer: '10.10.0.22', file: 'c.bin', direction: 'read' },
    { kind: 'transfer-finished', at: T0 + 1, id: 'a', bytes: 10 },
    { kind: 'transfer-failed', at: T0 + 2, id: 'b', reason: 'timeout' },
    { kind: 'tftp-busy', at: T0 + 3, peer: '10.10.0.23', file: 'x' },
  ]);
  assert.deepEqual(s.transfers.map((t) => t.id), ['c']);
  assert.deepEqual(s.totals, { leases: 0, transfersDone: 1, failures: 1, busyRefusals: 1 });
  assert.match(s.notices.at(-1) ?? '', /b\.bin to 10\.10\.0\.21 failed: timeout/);
});

test('rate and ETA are unknown before time passes or without a size', () => {
  const s = run([{ kind: 'transfer-started', at: T0, id: 'a', peer: 'p', file: 'f', direction: 'write' }]);
  const t = s.transfers[0];
  assert.ok(t);
  assert.equal(transferRate(t), undefined);
  assert.equal(transferEtaSeconds(t), undefined);
});

test('notices keep only the latest few, reload outcomes included', () => {
  let s = initialViewState([]);
  for (let i = 0; i < 10; i++) s = reduceView(s, { kind: 'reload', at: T0 + i, ok: i % 2 === 0, detail: `n${i}` });
  assert.equal(s.notices.length, 4);
  assert.equal(s.notices.at(-1), 'reload rejected: n9');
  assert.equal(s.notices.at(-2), 'reloaded: n8');
});

test('a refused request counts as a failure and shows on the device row', () => {
  const s = run([
    { kind: 'lease', at: T0, scope: 'lab', mac: 'aa:aa:aa:aa:aa:01', ip: '10.10.0.20', state: 'bound' },
    { kind: 'tftp-refused', at: T0 + 1, peer: '10.10.0.20', file: 'SEPAAAAAAAAAA01.cnf.xml', message: 'File not found' },
  ]);
  assert.equal(s.devices[0]?.lastFile, 'SEPAAAAAAAAAA01.cnf.xml (File not found)');
  assert.equal(s.totals.failures, 1);
  assert.match(s.notices.at(-1) ?? '', /refused to 10\.10\.0\.20: File not found/);
});

test('a served link that goes away: a NOT SERVING line under the header until it is served again', () => {
  let s = initialViewState(['eth1 10.77.0.0/24 (eth1)']);
  const detail = 'eth1 is gone (unplugged?): not served until it comes back';
  s = reduceView(s, { kind: 'link', at: 1, interface: 'eth1', state: 'gone', detail });
  assert.deepEqual(renderView(s).slice(0, 2), ['benchboot serving eth1 10.77.0.0/24 (eth1)', `NOT SERVING: ${detail}`]);
  assert.equal(s.notices.at(-1), detail);
  s = reduceView(s, { kind: 'link', at: 2, interface: 'eth1', state: 'serving', detail: 'eth1: serving' });
  assert.ok(!renderView(s).some((l) => l.includes('NOT SERVING')), 'the line goes once it is served again');
  assert.equal(s.notices.at(-1), 'eth1 is back: serving it again');
});
