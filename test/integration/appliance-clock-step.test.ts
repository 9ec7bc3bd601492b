/**
 * Issue 16 point 7 on the whole appliance (loopback DHCP, the control socket, the
 * dashboard): on the steady clock `serve` uses, a +1 day step of the wall clock leaves a
 * fresh lease bound, and what a person reads — `benchboot leases` over the control
 * socket, the dashboard's lease panel — shows its end on the new wall clock. The
 * monotonic time is a FakeClock; the wall clock is stepped by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readLeases, formatLeaseTable } from '../../src/cli/leases.js';
import { formatStatus } from '../../src/cli/status.js';
import { FakeClock } from '../../src/clock.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseMac } from '../../src/net/ipv4.js';
import { SteadyClock, type ClockStep } from '../../src/steady-clock.js';
import { startLoopbackAppliance } from '../helpers/loopback-appliance.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { httpRequest } from '../helpers/http.js';

const DAY = 24 * 3600 * 1000;
const HOUR = 3600_000;
const START = Date.UTC(2026, 11, 5, 8, 0, 0);
const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', 'leaseTime: 1h', 'boot:', '  tftpServers: [10.9.0.1]', ''].join('\n');

/** `2026-12-06 09:00:00`: how the lease table and the dashboard write a time. */
function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

test('after a +1 day wall step the appliance keeps the lease, and benchboot leases and the dashboard show its end in the new wall time; status shows the true uptime', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-clock-step-app-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const monotonic = new FakeClock(0);
  let wallLead = START;
  const wallNow = (): number => monotonic.now() + wallLead;
  const steps: ClockStep[] = [];
  const clock = new SteadyClock({ wall: wallNow, monotonic, onStep: (s) => steps.push(s) });
  const { appliance, stateDir, dhcpPort } = await startLoopbackAppliance(dir, '10.9.0.1', { clock, web: { address: '127.0.0.1', port: 0, explicit: true } });
  t.after(() => appliance.stop(0));
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  const got = await new DhcpTestClient(new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort }), { mac: parseMac('00:1b:d4:00:00:01') }, { timeoutMs: 1000 }).obtain();
  await endpoint.close();
  assert.ok(got, 'no lease');

  monotonic.advance(1000);
  wallLead += DAY;
  monotonic.advance(10_000);
  const { from, leases } = await readLeases(stateDir, wallNow());
  assert.equal(from, 'running server');
  assert.deepEqual(leases.map((l) => [l.ip, l.state, l.expiresAt]), [[got.ip, 'bound', START + HOUR + DAY]]);
  assert.match(formatLeaseTable(leases), new RegExp(utc(START + HOUR + DAY)));
  const status = appliance.status();
  assert.equal(status.leases.bound, 1);
  assert.match(formatStatus(status, wallNow())[0] ?? '', / up 11s,/, 'benchboot status: up 11 s, not a day');

  const url = status.web && 'url' in status.web ? status.web.url : '';
  const page = await httpRequest(Number(/:(\d+)\/$/.exec(url)?.[1]), '/');
  assert.equal(page.status, 200);
  assert.ok(page.body.includes(`<td>${got.ip}</td>`), 'the lease is in the dashboard');
  assert.ok(page.body.includes(utc(START + HOUR + DAY)), 'its end in the new wall time');
  assert.deepEqual(steps.map((s) => s.stepMs), [DAY]);
});
