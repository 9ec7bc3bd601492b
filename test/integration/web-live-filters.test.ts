/**
 * The dashboard's live device table with pages showing different filters, over real
 * HTTP on loopback: each page gets the table of its own filter, and one push builds the
 * device list once (every device's status, sorted) however many filters are shown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { systemClock } from '../../src/clock.js';
import { createSilentLogger } from '../../src/log.js';
import { startDashboard } from '../../src/web/server.js';
import type { DashboardChange, DashboardDevice } from '../../src/web/source.js';
import { fakeDashboardSource } from '../helpers/dashboard-source.js';
import { openSse } from '../helpers/http.js';

const DEVICES: DashboardDevice[] = [
  { mac: '02:00:00:00:00:01', hostname: 'phone-stuck', files: [], status: 'stuck', diagnosis: 'asked for a.cfg: not found', firstSeenMs: 0, lastSeenMs: 0 },
  { mac: '02:00:00:00:00:02', hostname: 'phone-done', files: [], status: 'provisioned', diagnosis: 'delivered everything', firstSeenMs: 0, lastSeenMs: 0 },
];

/** The data of every SSE event named `name` in a stream's text. */
function tables(text: string): string[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('event: devices\n'))
    .map((block) => block.split('\n').slice(1).join('\n'));
}

async function until(predicate: () => boolean, what: string): Promise<void> {
  for (const end = Date.now() + 10_000; !predicate(); ) {
    if (Date.now() > end) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

test('pages with different filters each get their own table; a push lists the devices once for all of them', async (t) => {
  let listed = 0;
  let notify: ((change: DashboardChange) => void) | undefined;
  const source = fakeDashboardSource({
    devices: () => (listed++, DEVICES),
    subscribe: (listener) => {
      notify = listener;
      return () => undefined;
    },
  });
  const dashboard = await startDashboard({ address: '127.0.0.1', port: 0, source, clock: systemClock, logger: createSilentLogger() });
  t.after(() => dashboard.close());
  const all = await openSse(dashboard.port, '/events');
  const stuck = await openSse(dashboard.port, '/events?status=stuck');
  const done = await openSse(dashboard.port, '/events?q=PHONE-DONE');
  t.after(() => [all, stuck, done].forEach((s) => s.close()));
  await until(() => [all, stuck, done].every((s) => tables(s.text()).length === 1), 'each page its table at once');

  listed = 0;
  notify?.({ kind: 'device', change: { kind: 'reset', mac: '020000000001', atMs: Date.now() } });
  await until(() => [all, stuck, done].every((s) => tables(s.text()).length === 2), 'a pushed table on each page');
  assert.equal(listed, 1, 'the device list was built once for the three filters');
  const pushed = (s: { text(): string }): string => tables(s.text())[1] ?? '';
  assert.match(pushed(all), /phone-stuck[^]*phone-done/);
  assert.match(pushed(stuck), /phone-stuck/);
  assert.doesNotMatch(pushed(stuck), /phone-done/);
  assert.match(pushed(done), /phone-done/);
  assert.doesNotMatch(pushed(done), /phone-stuck/);
});
