/**
 * Device records and `leases release` across a step of the wall clock (issue 13 with
 * issue 16 point 7). The appliance runs on the steady clock `serve` uses: a device
 * heard from just before a ±1 day step was heard from seconds ago, and everything a
 * person reads — `devices --json`, `devices show`, `report`, the dashboard's device
 * page, and the device files a stopped server leaves — shows that moment on the new
 * wall clock, as `benchboot leases` shows lease times. `leases release` through the
 * running server answers wall times too, and `--since` (a wall time) finds a lease
 * bound after the step. The monotonic time is a FakeClock; the wall clock is stepped
 * by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Appliance } from '../../src/appliance/index.js';
import { FakeClock } from '../../src/clock.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseMac } from '../../src/net/ipv4.js';
import { SteadyClock } from '../../src/steady-clock.js';
import { runCli } from '../helpers/cli.js';
import { startLoopbackAppliance } from '../helpers/loopback-appliance.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { httpRequest } from '../helpers/http.js';

const DAY = 24 * 3600 * 1000;
const START = Date.UTC(2026, 11, 5, 8, 0, 0);
const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', 'leaseTime: 1h', ''].join('\n');
const MAC = '02:00:00:00:0c:01';

/** `2026-12-06 08:00:00`: how the dashboard writes a time. */
function utc(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

interface Rig {
  readonly appliance: Appliance;
  readonly stateDir: string;
  readonly monotonic: FakeClock;
  /** Steps the wall clock by `ms`. */
  step(ms: number): void;
  wallNow(): number;
  lease(mac: string): Promise<string>;
  webPort(): number;
}

async function startRig(dir: string): Promise<Rig> {
  for (const d of ['scopes', 'tftp']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const monotonic = new FakeClock(0);
  let wallLead = START;
  const wallNow = (): number => monotonic.now() + wallLead;
  const clock = new SteadyClock({ wall: wallNow, monotonic });
  const { appliance, stateDir, dhcpPort } = await startLoopbackAppliance(dir, '10.9.0.1', { clock, web: { address: '127.0.0.1', port: 0, explicit: true } });
  return {
    appliance,
    stateDir,
    monotonic,
    step: (ms) => void (wallLead += ms),
    wallNow,
    async lease(mac) {
      const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
      try {
        const got = await new DhcpTestClient(new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort }), { mac: parseMac(mac) }, { timeoutMs: 1000 }).obtain();
        assert.ok(got, 'no lease');
        return got.ip;
      } finally {
        await endpoint.close();
      }
    },
    webPort() {
      const web = appliance.status().web;
      return Number(/:(\d+)\/$/.exec(web && 'url' in web ? web.url : '')?.[1]);
    },
  };
}

interface JsonDevice {
  mac: string;
  firstSeenMs: number;
  lastSeenMs: number;
}

for (const stepMs of [DAY, -DAY]) {
  const label = stepMs > 0 ? '+1 day' : '-1 day';
  test(`after a ${label} wall step, devices, devices show, report, the dashboard and the device files show a device's times on the new wall clock`, async (t) => {
    const dir = await mkdtemp(join(tmpdir(), 'bb-clock-step-dev-'));
    t.after(() => rm(dir, { recursive: true, force: true }));
    const rig = await startRig(dir);
    let running = true;
    t.after(async () => {
      if (running) await rig.appliance.stop(0);
    });
    await rig.lease(MAC); // heard from at START on the wall clock of then
    rig.monotonic.advance(1000);
    rig.step(stepMs);
    rig.monotonic.advance(10_000);
    // 11 s ago, on the wall clock of now.
    const heard = rig.wallNow() - 11_000;
    assert.equal(heard, START + stepMs);

    const list = await runCli(['devices', '--json', '--leases', rig.stateDir]);
    assert.equal(list.code, 0, list.stderr);
    const row = (JSON.parse(list.stdout) as { devices: JsonDevice[] }).devices.find((d) => d.mac === MAC);
    assert.deepEqual(row && [row.firstSeenMs, row.lastSeenMs], [heard, heard]);

    const shown = await runCli(['devices', 'show', MAC, '--json', '--leases', rig.stateDir]);
    assert.equal(shown.code, 0, shown.stderr);
    const timeline = (JSON.parse(shown.stdout) as { record: { timeline: { atMs: number }[] } }).record.timeline;
    assert.ok(timeline.length >= 2, shown.stdout);
    assert.deepEqual(new Set(timeline.map((e) => e.atMs)), new Set([heard]));

    const report = await runCli(['report', '--format', 'json', '--leases', rig.stateDir]);
    assert.equal(report.code, 0, report.stderr);
    const reported = (JSON.parse(report.stdout) as { devices: { mac: string; lastSeen: string }[] }).devices.find((d) => d.mac === MAC);
    assert.equal(reported?.lastSeen, new Date(heard).toISOString());

    const page = await httpRequest(rig.webPort(), `/device/${MAC}`);
    assert.equal(page.status, 200);
    assert.ok(page.body.includes(`<td>${utc(heard)}</td>`) || page.body.includes(`>${utc(heard)}<`), 'first and last seen in the new wall time');
    assert.ok(!page.body.includes(utc(START)), 'not in the old wall time');

    // What the device files keep is wall time too: a stopped server's report reads them.
    await rig.appliance.stop(0);
    running = false;
    const offline = await runCli(['report', '--format', 'json', '--leases', rig.stateDir]);
    assert.equal(offline.code, 0, offline.stderr);
    const kept = (JSON.parse(offline.stdout) as { devices: { mac: string; lastSeen: string }[] }).devices.find((d) => d.mac === MAC);
    assert.equal(kept?.lastSeen, new Date(heard).toISOString());
  });
}

test('after a +1 day wall step, leases release through the running server answers wall times, and --since takes a wall time', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-clock-step-rel-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const rig = await startRig(dir);
  t.after(() => rig.appliance.stop(0));
  const first = await rig.lease('02:00:00:00:0c:02');
  rig.monotonic.advance(1000);
  rig.step(DAY);
  rig.monotonic.advance(10_000);

  const one = await runCli(['leases', 'release', first, '--json', '--leases', rig.stateDir]);
  assert.equal(one.code, 0, one.stderr);
  const released = JSON.parse(one.stdout) as { from: string; released: { ip: string; state: string; startedAt: number } };
  assert.equal(released.from, 'running server');
  assert.deepEqual([released.released.ip, released.released.state, released.released.startedAt], [first, 'released', rig.wallNow()]);

  // A lease bound after the step, and a --since just before it on the wall clock of now.
  rig.monotonic.advance(10_000);
  const mark = new Date(rig.wallNow() - 5000).toISOString();
  const second = await rig.lease('02:00:00:00:0c:03');
  const since = await runCli(['leases', 'release', '--since', mark, '--json', '--leases', rig.stateDir]);
  assert.equal(since.code, 0, since.stderr);
  const body = JSON.parse(since.stdout) as { from: string; released: { ip: string; startedAt: number }[] };
  assert.deepEqual(body.released.map((l) => [l.ip, l.startedAt]), [[second, rig.wallNow()]]);
});
