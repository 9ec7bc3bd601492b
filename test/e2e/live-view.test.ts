/**
 * The live view as a person sees it: `benchboot serve` runs in a tmux pane (a real
 * terminal, 160x40, private tmux socket), a dhclient in another namespace takes a
 * lease and downloads a large file with tftp-hpa, and the captured pane shows the
 * device row (MAC, vendor class, IP, bound, status, last file) and a progress bar with
 * percent, rate and ETA while the transfer runs; asking for a missing file makes the
 * row stuck with its diagnosis under it. Ctrl-C then stops serve.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, run, runOk, waitFor } from './netns.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = e2eSkip({ programs: ['tmux', 'dhclient', 'tftp'] });

const DHCLIENT_CONF = 'send vendor-class-identifier "BenchPhone 7965";\nrequest subnet-mask, routers, tftp-server-name;\n';
const SCRIPT = `#!/bin/sh
case "$reason" in
  BOUND|RENEW|REBOOT) ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" 2>/dev/null || true; echo "$new_ip_address" > "$BB_OUT" ;;
esac
exit 0
`;

test('the live view shows the device row and a progress bar while a transfer runs', { skip }, async (t) => {
  const { lab, work } = await openLab(t);
  const tmux = (...args: string[]): Promise<string> => runOk('tmux', ['-L', lab.prefix, ...args]);
  t.after(async () => {
    await run('tmux', ['-L', lab.prefix, 'kill-server']);
  });
  const srv = await lab.addNamespace('srv');
  const cli = await lab.addNamespace('phone');
  const [s, c] = await lab.link(srv, cli, { aAddress: '10.81.0.1/24' });
  const root = join(work, 'tftp');
  await mkdir(root);
  await writeFile(join(root, 'firmware.bin'), Buffer.alloc(48 * 1024 * 1024, 0x5a));

  const serveCmd = ['ip', 'netns', 'exec', srv.name, process.execPath, BIN, 'serve', '--interface', s.ifname, '--tftp-root', root, '--leases', join(work, 'state'), '--probe-timeout', '1', '--log-file', join(work, 'serve.log')];
  await tmux('new-session', '-d', '-x', '160', '-y', '40', '-s', 'bb', serveCmd.map((a) => `'${a}'`).join(' '));
  const pane = (): Promise<string> => tmux('capture-pane', '-p', '-t', 'bb');
  assert.ok(await waitFor(async () => (await pane()).includes('(no device yet)'), 20_000), await pane());
  const header = await pane();
  assert.match(header, new RegExp(`benchboot serving ${s.ifname} 10\\.81\\.0\\.0/24`));

  const script = join(work, 'script.sh');
  const ipFile = join(work, 'ip');
  await writeFile(script, SCRIPT.replace('$BB_OUT', ipFile));
  await chmod(script, 0o755);
  await writeFile(join(work, 'dhclient.conf'), DHCLIENT_CONF);
  const dh = await cli.exec('dhclient', ['-1', '-cf', join(work, 'dhclient.conf'), '-sf', script, '-lf', join(work, 'lease'), '-pf', join(work, 'dh.pid'), c.ifname], 30_000);
  assert.equal(dh.code, 0, dh.stderr);
  const ip = (await readFile(ipFile, 'utf8')).trim();
  const mac = (await cli.execOk('cat', [`/sys/class/net/${c.ifname}/address`])).trim();

  const get = cli.spawn('tftp', ['10.81.0.1', '-m', 'binary', '-c', 'get', 'firmware.bin', join(work, 'fw.out')], { maxMs: 120_000 });
  t.after(() => {
    get.kill('SIGKILL');
  });
  let seen = '';
  const barShown = await waitFor(async () => {
    seen = await pane();
    return /^-> .*firmware\.bin .*\[#*\.+\] +\d+% .*\/48\.0 MiB .*\/s {2}ETA \d/m.test(seen);
  }, 30_000, 200);
  assert.ok(barShown, `no progress bar in the pane:\n${seen}`);
  const row = seen.split('\n').find((l) => l.startsWith(mac));
  assert.ok(row, `no row for ${mac}:\n${seen}`);
  // The device book files a transfer when it ends: while it runs the device is leased.
  assert.match(row, new RegExp(`^${mac} BenchPhone 7965 +${ip.replace(/\./g, '\\.')} +bound +leased +firmware\\.bin`));
  assert.match(seen, /leases 1 {2}transfers 0 done, 1 running/);
  assert.match(seen, /^1 device: 1 leased$/m);
  t.diagnostic(`pane while the transfer runs:\n${seen}`);

  // It asks for a file that is not there: its row says stuck, with the diagnosis under it.
  await cli.exec('tftp', ['10.81.0.1', '-m', 'binary', '-c', 'get', 'missing.cfg', join(work, 'missing.out')], 20_000);
  const stuckShown = await waitFor(async () => {
    seen = await pane();
    return /^ +stuck: asked for missing\.cfg: not found/m.test(seen);
  }, 20_000, 200);
  assert.ok(stuckShown, `no diagnosis in the pane:\n${seen}`);
  assert.match(seen.split('\n').find((l) => l.startsWith(mac)) ?? '', / bound +stuck +missing\.cfg/);
  assert.match(seen, /^1 device: 1 stuck$/m);
  t.diagnostic(`pane after the missing file:\n${seen}`);

  await tmux('send-keys', '-t', 'bb', 'C-c');
  const dhPid = Number((await readFile(join(work, 'dh.pid'), 'utf8').catch(() => '0')).trim());
  if (dhPid > 0) process.kill(dhPid, 'SIGKILL');
  // Serve stops after the transfer (grace 5 s) or aborts it; either way it leaves the pane.
  assert.ok(await waitFor(async () => (await run('tmux', ['-L', lab.prefix, 'has-session', '-t', 'bb'])).code !== 0, 20_000), 'serve did not exit on Ctrl-C');
});
