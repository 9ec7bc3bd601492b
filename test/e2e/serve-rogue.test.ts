/**
 * Safety before the first lease, with a real foreign DHCP server: dnsmasq on the
 * same segment makes `serve` refuse to start and name it (server id, offered
 * subnet); `--force` starts anyway. Also: an interface without an address gets the
 * exact command to fix it, and `--address` adds one for the run and removes it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, exitOf, collectOutput, waitFor } from './netns.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = e2eSkip({ programs: ['dnsmasq'] });

test('another DHCP server on the wire: serve refuses and names it; --force starts anyway', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const rogue = await lab.addNamespace('rogue');
  const br = await lab.bridge(srv, '10.78.0.1/24');
  const [a, b] = await lab.link(srv, rogue, { bAddress: '10.78.0.254/24' });
  await lab.enslave(srv, a.ifname, br);
  const dnsmasq = rogue.spawn('dnsmasq', [
    '--no-daemon', '--conf-file=/dev/null', `--interface=${b.ifname}`, '--bind-interfaces', '--port=0',
    '--dhcp-range=10.78.0.200,10.78.0.250,255.255.255.0,1h', `--dhcp-leasefile=${join(work, 'dnsmasq.leases')}`, `--pid-file=${join(work, 'dnsmasq.pid')}`,
  ], { maxMs: 90_000 });
  const dnsLog = collectOutput(dnsmasq);
  assert.ok(await waitFor(() => dnsLog().includes('DHCP, IP range'), 10_000), dnsLog());
  await mkdir(join(work, 'tftp'));
  const common = ['serve', '--interface', br, '--tftp-root', join(work, 'tftp'), '--leases', join(work, 'state'), '--no-live'];

  const refused = await srv.exec(process.execPath, [BIN, ...common], 30_000);
  assert.equal(refused.code, 1, refused.stderr);
  assert.match(refused.stderr, /another DHCP server answers on [^:]+: DHCP server at 10\.78\.0\.254 offers 10\.78\.0\.2\d\d in 10\.78\.0\.0\/24/);
  assert.match(refused.stderr, /--force/);
  assert.match(refused.stderr, /\[BB_ROGUE_DHCP\]/);

  const forced = srv.spawn(process.execPath, [BIN, ...common, '--json', '--force'], { maxMs: 60_000 });
  const log = collectOutput(forced);
  assert.ok(await waitFor(() => log().includes('benchboot is serving') || forced.exitCode !== null, 30_000), log());
  assert.match(log(), /starting anyway because of --force/);
  assert.match(log(), /10\.78\.0\.254/);
  forced.kill('SIGTERM');
  assert.equal(await exitOf(forced, 15_000), 0, log());
});

test('no IPv4 address: serve prints the exact fix; --address adds one for the run and removes it on exit', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('cli');
  const [s] = await lab.link(srv, cli);
  await mkdir(join(work, 'tftp'));
  const common = ['serve', '--interface', s.ifname, '--tftp-root', join(work, 'tftp'), '--leases', join(work, 'state'), '--no-live', '--probe-timeout', '1'];

  const bare = await srv.exec(process.execPath, [BIN, ...common], 20_000);
  assert.equal(bare.code, 1);
  assert.ok(bare.stderr.includes(`sudo ip addr add 10.10.0.1/24 dev ${s.ifname}`), bare.stderr);
  assert.match(bare.stderr, /\[BB_INTERFACE\]/);

  const served = srv.spawn(process.execPath, [BIN, ...common, '--json', '--address', '10.79.0.1/24'], { maxMs: 60_000 });
  const log = collectOutput(served);
  assert.ok(await waitFor(() => log().includes('benchboot is serving') || served.exitCode !== null, 30_000), log());
  assert.match(await srv.execOk('ip', ['-4', 'addr', 'show', 'dev', s.ifname]), /inet 10\.79\.0\.1\/24/);
  served.kill('SIGTERM');
  assert.equal(await exitOf(served, 15_000), 0, log());
  assert.doesNotMatch(await srv.execOk('ip', ['-4', 'addr', 'show', 'dev', s.ifname]), /10\.79\.0\.1/);
  assert.match(log(), /removed the temporary address/);

  // Ctrl-C while the probe still listens: no server starts, and the address is removed too.
  const early = srv.spawn(process.execPath, [BIN, ...common.slice(0, -1), '5', '--json', '--address', '10.79.0.1/24'], { maxMs: 60_000 });
  const earlyLog = collectOutput(early);
  assert.ok(await waitFor(() => earlyLog().includes('added a temporary address'), 20_000), earlyLog());
  early.kill('SIGINT');
  assert.equal(await exitOf(early, 15_000), 0, earlyLog());
  assert.doesNotMatch(earlyLog(), /benchboot is serving/);
  assert.doesNotMatch(await srv.execOk('ip', ['-4', 'addr', 'show', 'dev', s.ifname]), /10\.79\.0\.1/);
});

test('UDP 67 held by another program in the same namespace: serve refuses and names the program', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('cli');
  const [s] = await lab.link(srv, cli, { aAddress: '10.80.0.1/24' });
  const dnsmasq = srv.spawn('dnsmasq', [
    '--no-daemon', '--conf-file=/dev/null', `--interface=${s.ifname}`, '--port=0',
    '--dhcp-range=10.80.0.200,10.80.0.250,255.255.255.0,1h', `--dhcp-leasefile=${join(work, 'dnsmasq.leases')}`, `--pid-file=${join(work, 'dnsmasq.pid')}`,
  ], { maxMs: 60_000 });
  const dnsLog = collectOutput(dnsmasq);
  assert.ok(await waitFor(() => dnsLog().includes('DHCP, IP range'), 10_000), dnsLog());
  await mkdir(join(work, 'tftp'));
  const r = await srv.exec(process.execPath, [BIN, 'serve', '--interface', s.ifname, '--tftp-root', join(work, 'tftp'), '--leases', join(work, 'state'), '--no-live'], 20_000);
  assert.equal(r.code, 1);
  assert.match(r.stderr, /UDP port 67 \(DHCP\) is already taken by dnsmasq \(pid \d+\) on 0\.0\.0\.0:67/);
  assert.match(r.stderr, /\[BB_PORT_IN_USE\]/);
});
