/** The dashboard's device table: filtered on the server, at most a page of rows, and it says how many more match. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DEVICE_ROWS_SHOWN, deviceRows } from '../../../src/web/render-devices.js';
import { LEASE_ROWS_SHOWN, leasesPanel } from '../../../src/web/render-panels.js';
import type { DashboardDevice } from '../../../src/web/source.js';
import type { Lease } from '../../../src/dhcp/lease.js';
import type { Ipv4, MacAddress } from '../../../src/net/ipv4.js';

function device(i: number, status: DashboardDevice['status']): DashboardDevice {
  const mac = `02:00:00:00:${((i >> 8) & 0xff).toString(16).padStart(2, '0')}:${(i & 0xff).toString(16).padStart(2, '0')}`;
  return { mac, hostname: `phone-${i}`, files: [], status, diagnosis: status === 'stuck' ? 'asked for SEPx.cnf.xml: not found' : 'ok', firstSeenMs: 0, lastSeenMs: 0 };
}

const rowsOf = (html: string): number => (html.match(/<tr class="device /g) ?? []).length;

test('device table: a bench larger than a page shows the first page and says how many match', () => {
  const devices = Array.from({ length: 1000 }, (_, i) => device(i, i % 10 === 0 ? 'stuck' : 'provisioned'));
  const all = deviceRows(devices);
  assert.equal(rowsOf(all), DEVICE_ROWS_SHOWN);
  assert.match(all, new RegExp(`Showing the first ${DEVICE_ROWS_SHOWN} of 1000 matching devices \\(1000 known\\)`));
  assert.ok(all.includes('phone-0<') && !all.includes(`phone-${DEVICE_ROWS_SHOWN}<`), 'the first rows in the order given');

  const stuck = deviceRows(devices, { status: 'stuck' });
  assert.equal(rowsOf(stuck), 100, 'every stuck device fits: no note');
  assert.ok(!stuck.includes('Showing the first'));
  assert.ok(!/data-status="provisioned"/.test(stuck), 'filtered on the server, not hidden in the page');

  const one = deviceRows(devices, { q: '  PHONE-999 ' });
  assert.equal(rowsOf(one), 1, 'the search is trimmed and case-blind');
  assert.match(deviceRows(devices, { q: 'no-such-thing' }), /No device matches \(1000 known\)/);
  assert.match(deviceRows([]), /No device has sent a packet yet/);
});

test('leases panel: at most a page of rows, in address order (numeric), and the count of the rest', () => {
  const lease = (ip: string): Lease => ({ scope: 'lab', ip: ip as Ipv4, clientKey: 'mac:02:00:00:00:00:01', mac: '02:00:00:00:00:01' as MacAddress, state: 'bound', startedAt: 0, expiresAt: Date.now() + 3_600_000 });
  const leases = Array.from({ length: LEASE_ROWS_SHOWN + 50 }, (_, i) => lease(`10.0.${Math.floor(i / 200)}.${(i % 200) + 1}`));
  const html = leasesPanel([...leases].reverse(), Date.now());
  assert.equal((html.match(/<tr><td>/g) ?? []).length, LEASE_ROWS_SHOWN);
  assert.match(html, new RegExp(`Showing the first ${LEASE_ROWS_SHOWN} of ${LEASE_ROWS_SHOWN + 50} leases held`));
  assert.ok(html.indexOf('>10.0.0.2<') < html.indexOf('>10.0.0.10<'), '10.0.0.2 before 10.0.0.10');
});
