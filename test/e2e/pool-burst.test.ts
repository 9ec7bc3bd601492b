/**
 * Pool exhaustion end to end (issue 16 point 6): `benchboot serve` with its default
 * new-client rate on a /24 bench; from one namespace a burst of 300 spoofed random MACs
 * (half DISCOVER + REQUEST, half INIT-REBOOT for pool addresses), then a real client —
 * ISC dhclient in another namespace — still gets a lease. `benchboot status` names the
 * refused clients and `benchboot leases --since` shows what the burst took.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, collectOutput, exitOf, waitFor, type Netns } from './netns.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const BURST_MAIN = fileURLToPath(new URL('../helpers/dhcp-burst-main.js', import.meta.url));
const skip = e2eSkip({ programs: ['dhclient'] });
const BURST = 300;

// Records the lease's environment, configures nothing else (never /etc/resolv.conf).
const SCRIPT = `#!/bin/sh
case "$reason" in
  BOUND) echo "$new_ip_address" > "$BB_OUT" ;;
esac
exit 0
`;

async function startServe(ns: Netns, args: string[]): Promise<{ child: ChildProcess; log: () => string }> {
  const child = ns.spawn(process.execPath, [BIN, 'serve', '--json', '--no-live', '--no-http', '--no-syslog', '--no-web', '--probe-timeout', '1', ...args], { maxMs: 120_000 });
  const log = collectOutput(child);
  const up = await waitFor(() => log().includes('benchboot is serving') || child.exitCode !== null, 20_000);
  assert.ok(up && child.exitCode === null, `serve did not start:\n${log()}`);
  return { child, log };
}

test('after a burst of 300 spoofed MACs, dhclient still gets a lease; status and leases --since show the burst', { skip, timeout: 120_000 }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const br = await lab.bridge(srv, '10.77.0.1/24');
  const spoof = await lab.addNamespace('spoof');
  const phone = await lab.addNamespace('phone');
  const [sa] = await lab.link(srv, spoof, { bAddress: '10.77.0.254/24' });
  const [pa, pb] = await lab.link(srv, phone);
  await lab.enslave(srv, sa.ifname, br);
  await lab.enslave(srv, pa.ifname, br);

  const scopes = join(work, 'scopes');
  const state = join(work, 'state');
  await mkdir(scopes);
  await mkdir(join(work, 'tftp'));
  await writeFile(join(scopes, 'bench.yaml'), ['name: bench', `interface: ${br}`, 'subnet: 10.77.0.0/24', 'range: 10.77.0.10-10.77.0.249', ''].join('\n'));
  const served = await startServe(srv, ['--scopes', scopes, '--tftp-root', join(work, 'tftp'), '--leases', state]);

  const mark = new Date().toISOString();
  const burst = await spoof.exec(process.execPath, [BURST_MAIN, '--server', '10.77.0.1', '--count', String(BURST), '--requested-from', '10.77.0.10', '--requested-count', '240', '--wait-ms', '800'], 30_000);
  assert.equal(burst.code, 0, burst.stderr);
  const tally = JSON.parse(burst.stdout) as { sent: number; acks: number };
  assert.ok(tally.acks > 0 && tally.acks < 240 - 10, `the burst got ${tally.acks} ACKs: the bucket of 64 and the rate, not the pool of 240`);

  const script = join(work, 'dhclient-script.sh');
  const out = join(work, 'phone.ip');
  await writeFile(script, SCRIPT.replace('$BB_OUT', out), { mode: 0o755 });
  const pid = join(work, 'phone.pid');
  const r = await phone.exec('dhclient', ['-1', '-v', '-sf', script, '-lf', join(work, 'phone.leases'), '-pf', pid, pb.ifname], 60_000);
  assert.equal(r.code, 0, `dhclient got no lease:\n${r.stderr}\n${served.log().slice(-3000)}`);
  // dhclient -1 leaves a daemon behind to renew; stop it by the pid it wrote (ours).
  const dhclientPid = Number((await readFile(pid, 'utf8').catch(() => '')).trim());
  if (dhclientPid > 0) process.kill(dhclientPid, 'SIGKILL');

  const status = await srv.exec(process.execPath, [BIN, 'status', '--leases', state], 15_000);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, /^DHCP counters: .* dropped \(\d+ rate-limited/m);
  const listed = await srv.exec(process.execPath, [BIN, 'leases', '--since', mark, '--leases', state, '--json'], 15_000);
  assert.equal(listed.code, 0, listed.stderr);
  assert.equal((JSON.parse(listed.stdout) as { leases: unknown[] }).leases.length, tally.acks + 1, 'the burst and the real client');

  served.child.kill('SIGTERM');
  assert.equal(await exitOf(served.child, 15_000), 0, served.log());
});
