/**
 * `benchboot probe` against a real foreign DHCP server: dnsmasq in one namespace,
 * benchboot probe in another on the same link. The probe must name dnsmasq's
 * server id, the offered subnet and its TFTP settings, and take no lease.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, waitFor } from './netns.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = e2eSkip({ programs: ['dnsmasq'] });

test('probe lists a dnsmasq server with its offer and takes no lease', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const rogue = await lab.addNamespace('rogue');
  const laptop = await lab.addNamespace('lap');
  const [rogueEnd, lapEnd] = await lab.link(rogue, laptop, { aAddress: '10.66.0.1/24' });
  const dnsmasq = rogue.spawn('dnsmasq', [
    '--no-daemon', '--conf-file=/dev/null', `--interface=${rogueEnd.ifname}`, '--bind-interfaces', '--port=0',
    '--dhcp-range=10.66.0.50,10.66.0.99,255.255.255.0,1h', '--dhcp-option=66,10.66.0.1', '--dhcp-option=150,10.66.0.1',
    '--dhcp-boot=rogue.cfg', `--dhcp-leasefile=${join(work, 'dnsmasq.leases')}`, `--pid-file=${join(work, 'dnsmasq.pid')}`,
  ], { maxMs: 60_000 });
  let log = '';
  dnsmasq.stderr?.on('data', (d: Buffer) => (log += d.toString()));
  assert.ok(await waitFor(() => /started|DHCP, IP range/.test(log), 10_000), log);

  const r = await laptop.exec(process.execPath, [BIN, 'probe', '--interface', lapEnd.ifname, '--timeout', '4', '--json'], 20_000);
  assert.equal(r.code, 0, r.stderr);
  const out = JSON.parse(r.stdout) as { servers: { serverId: string; offeredIp: string; subnet: string; siaddr: string; sname: string; file: string; tftpServerName: string; tftpServers: string[] }[] };
  assert.equal(out.servers.length, 1, r.stdout);
  const s = out.servers[0];
  assert.ok(s);
  assert.equal(s.serverId, '10.66.0.1');
  assert.equal(s.subnet, '10.66.0.0/24');
  assert.match(s.offeredIp, /^10\.66\.0\.\d+$/);
  assert.equal(s.siaddr, '10.66.0.1');
  assert.equal(s.file, 'rogue.cfg');
  assert.equal(s.tftpServerName, '10.66.0.1');
  assert.deepEqual(s.tftpServers, ['10.66.0.1']);
  // dnsmasq logs DHCPDISCOVER/DHCPOFFER but never a DHCPREQUEST/ACK: no lease was taken.
  assert.match(log, /DHCPOFFER/);
  assert.doesNotMatch(log, /DHCPREQUEST|DHCPACK/);

  const text = await laptop.exec(process.execPath, [BIN, 'probe', '--interface', lapEnd.ifname, '--timeout', '4'], 20_000);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /1 DHCP server\(s\) answered/);
  assert.match(text.stdout, /10\.66\.0\.1 .*OFFER .*10\.66\.0\.0\/24/);
});
