/**
 * A served link deleted and made again while `benchboot serve` runs (issue 16 point 1):
 * the veth the server serves is deleted (a USB adapter unplugged) and recreated under
 * the same name (plugged back: a new ifindex, no address). Without a restart, benchboot
 * says the link is gone (log, `status`), then puts its `--address` back, probes for
 * another DHCP server, binds DHCP and TFTP again: dhclient gets a lease and tftp-hpa a file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, collectOutput, exitOf, runOk, waitFor, type Netns } from './netns.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = e2eSkip({ programs: ['dhclient', 'tftp'] });

const SCRIPT = `#!/bin/sh
case "$reason" in
  BOUND|RENEW|REBOOT) ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" 2>/dev/null || true; echo "$new_ip_address" > "$BB_OUT" ;;
esac
exit 0
`;

/** dhclient -1 on `ifname`; returns the address it was given. */
async function lease(ns: Netns, ifname: string, work: string, name: string): Promise<string> {
  const script = join(work, `${name}.sh`);
  await writeFile(script, SCRIPT.replace('$BB_OUT', join(work, `${name}.ip`)));
  await chmod(script, 0o755);
  const pid = join(work, `${name}.pid`);
  const r = await ns.exec('dhclient', ['-1', '-v', '-sf', script, '-lf', join(work, `${name}.leases`), '-pf', pid, ifname], 60_000);
  const dhclientPid = Number((await readFile(pid, 'utf8').catch(() => '')).trim());
  if (dhclientPid > 0) process.kill(dhclientPid, 'SIGKILL'); // the renewing daemon dhclient -1 leaves (ours)
  assert.equal(r.code, 0, `dhclient got no lease:\n${r.stderr}`);
  return (await readFile(join(work, `${name}.ip`), 'utf8')).trim();
}

test('a served veth deleted and recreated: status says gone, then dhclient gets a lease and tftp a file without a restart', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const phone = await lab.addNamespace('phone');
  const [a, b] = await lab.link(srv, phone);
  const root = join(work, 'tftp');
  await mkdir(root);
  await writeFile(join(root, 'SEPphone.cnf.xml'), `<device>${'x'.repeat(3000)}</device>\n`);
  const state = join(work, 'state');
  const child = srv.spawn(process.execPath, [BIN, 'serve', '--json', '--no-live', '--no-http', '--probe-timeout', '1', '--interface', a.ifname, '--address', '10.77.0.1/24', '--tftp-root', root, '--leases', state], { maxMs: 180_000 });
  const log = collectOutput(child);
  assert.ok(await waitFor(() => log().includes('benchboot is serving') || child.exitCode !== null, 20_000), `serve did not start:\n${log()}`);
  const first = await lease(phone, b.ifname, work, 'before');
  assert.match(first, /^10\.77\.0\.\d+$/);

  // The phone keeps its MAC across the replug (it is the same device).
  const mac = (await phone.execOk('cat', [`/sys/class/net/${b.ifname}/address`])).trim();
  // Unplugged: the veth pair goes away.
  await srv.execOk('ip', ['link', 'del', a.ifname]);
  assert.ok(await waitFor(() => log().includes(`${a.ifname} is gone`), 10_000), `no word of the link going:\n${log()}`);
  const status = await srv.exec(process.execPath, [BIN, 'status', '--leases', state], 15_000);
  assert.equal(status.code, 0, status.stderr);
  assert.match(status.stdout, new RegExp(`NOT SERVING ${a.ifname} \\(gone for .*\\): ${a.ifname} is gone`));

  // Plugged back: the same names, a new ifindex, no address on the server's end.
  await runOk('ip', ['link', 'add', a.ifname, 'netns', srv.name, 'type', 'veth', 'peer', 'name', b.ifname, 'address', mac, 'netns', phone.name]);
  await srv.execOk('ip', ['link', 'set', a.ifname, 'up']);
  await phone.execOk('ip', ['link', 'set', b.ifname, 'up']);
  assert.ok(await waitFor(() => log().includes('serving the interface again') || child.exitCode !== null, 20_000), `not served again:\n${log()}`);
  assert.match((await srv.exec('ip', ['-4', 'addr', 'show', 'dev', a.ifname])).stdout, /inet 10\.77\.0\.1\/24/, 'the --address is back');

  assert.equal(await lease(phone, b.ifname, work, 'after'), first, 'the same device gets its address back (leases kept)');
  const got = await phone.exec('tftp', ['10.77.0.1', '-m', 'binary', '-c', 'get', 'SEPphone.cnf.xml', join(work, 'fetched.xml')], 20_000);
  assert.equal(got.code, 0, got.stderr + got.stdout);
  assert.equal((await readFile(join(work, 'fetched.xml'), 'utf8')).length, 3000 + '<device></device>\n'.length);
  const again = await srv.exec(process.execPath, [BIN, 'status', '--leases', state], 15_000);
  assert.doesNotMatch(again.stdout, /NOT SERVING/);

  child.kill('SIGTERM');
  assert.equal(await exitOf(child, 15_000), 0, log());
  assert.doesNotMatch((await srv.exec('ip', ['-4', 'addr', 'show', 'dev', a.ifname])).stdout, /10\.77\.0\.1/, 'the --address removed on exit');
});

test('plugged back into a network where another DHCP server answers: not served there, and status says why', { skip: skip || e2eSkip({ programs: ['dnsmasq'] }) }, async (t) => {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const phone = await lab.addNamespace('phone');
  const office = await lab.addNamespace('office');
  const [a] = await lab.link(srv, phone);
  await mkdir(join(work, 'tftp'));
  const state = join(work, 'state');
  // 4 s, as serve's default: dnsmasq pings an address (up to 3 s) before it offers it.
  const child = srv.spawn(process.execPath, [BIN, 'serve', '--json', '--no-live', '--no-http', '--probe-timeout', '4', '--interface', a.ifname, '--address', '10.77.0.1/24', '--tftp-root', join(work, 'tftp'), '--leases', state], { maxMs: 120_000 });
  const log = collectOutput(child);
  assert.ok(await waitFor(() => log().includes('benchboot is serving') || child.exitCode !== null, 20_000), `serve did not start:\n${log()}`);

  await srv.execOk('ip', ['link', 'del', a.ifname]);
  assert.ok(await waitFor(() => log().includes(`${a.ifname} is gone`), 10_000), log());
  // The adapter is plugged into "the office LAN": a namespace where dnsmasq serves DHCP.
  const officeIf = `${lab.prefix}o0`;
  await runOk('ip', ['link', 'add', a.ifname, 'netns', srv.name, 'type', 'veth', 'peer', 'name', officeIf, 'netns', office.name]);
  await office.execOk('ip', ['addr', 'add', '10.78.0.254/24', 'dev', officeIf]);
  await office.execOk('ip', ['link', 'set', officeIf, 'up']);
  const dnsmasq = office.spawn('dnsmasq', [
    '--no-daemon', '--conf-file=/dev/null', `--interface=${officeIf}`, '--bind-interfaces', '--port=0',
    '--dhcp-range=10.78.0.200,10.78.0.250,255.255.255.0,1h', `--dhcp-leasefile=${join(work, 'dnsmasq.leases')}`, `--pid-file=${join(work, 'dnsmasq.pid')}`,
  ], { maxMs: 90_000 });
  const dnsLog = collectOutput(dnsmasq);
  assert.ok(await waitFor(() => dnsLog().includes('DHCP, IP range'), 10_000), dnsLog());
  await srv.execOk('ip', ['link', 'set', a.ifname, 'up']);

  assert.ok(await waitFor(() => log().includes('another DHCP server answers there') || child.exitCode !== null, 20_000), `no word of the other server:\n${log()}`);
  assert.match(log(), /BB_ROGUE_DHCP.*10\.78\.0\.254|10\.78\.0\.254.*BB_ROGUE_DHCP/);
  assert.doesNotMatch(log(), /serving the interface again/);
  const status = await srv.exec(process.execPath, [BIN, 'status', '--leases', state], 15_000);
  assert.match(status.stdout, new RegExp(`NOT SERVING ${a.ifname} \\(other-server for .*DHCP server at 10\\.78\\.0\\.254`));
  assert.equal(await srv.exec('true', []).then(() => child.exitCode), null, 'serve keeps running, waiting for the bench');

  child.kill('SIGTERM');
  assert.equal(await exitOf(child, 15_000), 0, log());
});
