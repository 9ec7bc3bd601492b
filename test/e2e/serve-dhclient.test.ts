/**
 * `benchboot serve --interface` end to end, with real clients in network
 * namespaces: ISC dhclient gets a lease whose siaddr and options 66/150 point at
 * the server and then fetches a file with tftp-hpa from that address; SIGHUP with a
 * changed scope file changes what the next client gets while the first keeps its
 * lease; SIGTERM during a transfer lets it finish and the server exits 0.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { chmod, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openLab, e2eSkip, collectOutput, exitOf, waitFor, type Lab, type Netns } from './netns.js';
import { parseEnvDump } from '../helpers/dhcp-e2e.js';

const BIN = fileURLToPath(new URL('../../../bin/benchboot.js', import.meta.url));
const skip = e2eSkip({ programs: ['dhclient', 'tftp', 'logger'] });

// dhclient asks for 66 and 150 (150 is not in its default table) and runs our script,
// which records the environment and configures the address (never /etc/resolv.conf).
const DHCLIENT_CONF = `option tftp150 code 150 = array of ip-address;
request subnet-mask, routers, domain-name-servers, tftp-server-name, tftp150, bootfile-name;
`;
const SCRIPT = `#!/bin/sh
env | sort > "$BB_ENV_DIR/$reason.env"
case "$reason" in
  BOUND|RENEW|REBOOT) ip addr add "$new_ip_address/$new_subnet_mask" dev "$interface" 2>/dev/null || true ;;
esac
exit 0
`;

interface Served {
  child: ChildProcess;
  log: () => string;
}

async function startServe(ns: Netns, args: string[]): Promise<Served> {
  const child = ns.spawn(process.execPath, [BIN, 'serve', '--json', '--no-live', '--probe-timeout', '1', ...args], { maxMs: 120_000 });
  const log = collectOutput(child);
  const up = await waitFor(() => log().includes('benchboot is serving') || child.exitCode !== null, 20_000);
  assert.ok(up && child.exitCode === null, `serve did not start:\n${log()}`);
  return { child, log };
}

async function dhclient(ns: Netns, ifname: string, work: string, name: string): Promise<Record<string, string>> {
  const envDir = join(work, `env-${name}`);
  await mkdir(envDir, { recursive: true });
  const script = join(work, 'dhclient-script.sh');
  await writeFile(script, SCRIPT.replace('$BB_ENV_DIR', envDir));
  await chmod(script, 0o755);
  const conf = join(work, 'dhclient.conf');
  await writeFile(conf, DHCLIENT_CONF);
  const r = await ns.exec('dhclient', ['-1', '-v', '-cf', conf, '-sf', script, '-lf', join(work, `${name}.leases`), '-pf', join(work, `${name}.pid`), ifname], 30_000);
  assert.equal(r.code, 0, `dhclient failed:\n${r.stderr}`);
  const text = await readFile(join(envDir, 'BOUND.env'), 'utf8');
  // dhclient -1 leaves a daemon behind to renew; stop it by the pid it writes (ours).
  const pidFile = join(work, `${name}.pid`);
  const readPid = async (): Promise<number> => Number((await readFile(pidFile, 'utf8').catch(() => '')).trim());
  assert.ok(await waitFor(async () => (await readPid()) > 0, 5000), 'dhclient wrote no pid file');
  process.kill(await readPid(), 'SIGKILL');
  return parseEnvDump(text);
}

async function setup(t: { after: (fn: () => Promise<void>) => void }, clients: string[]): Promise<{ lab: Lab; srv: Netns; srvIf: string; cli: Map<string, { ns: Netns; ifname: string }>; work: string }> {
  const { lab, work } = await openLab(t);
  const srv = await lab.addNamespace('srv');
  const br = await lab.bridge(srv, '10.77.0.1/24');
  const cli = new Map<string, { ns: Netns; ifname: string }>();
  for (const name of clients) {
    const ns = await lab.addNamespace(name);
    const [a, b] = await lab.link(srv, ns);
    await lab.enslave(srv, a.ifname, br);
    cli.set(name, { ns, ifname: b.ifname });
  }
  return { lab, srv, srvIf: br, cli, work };
}

test('serve --interface without a scope file: dhclient gets siaddr/66/150 and fetches the file over TFTP', { skip }, async (t) => {
  const { srv, srvIf, cli, work } = await setup(t, ['phone']);
  const root = join(work, 'tftp');
  await mkdir(root);
  const config = `<device><mac>phone</mac>${'x'.repeat(5000)}</device>\n`;
  await writeFile(join(root, 'SEPphone.cnf.xml'), config);
  const uploads = join(work, 'backups');
  await mkdir(uploads);
  const served = await startServe(srv, ['--interface', srvIf, '--tftp-root', root, '--upload-dir', uploads, '--leases', join(work, 'state')]);

  const phone = cli.get('phone');
  assert.ok(phone);
  const env = await dhclient(phone.ns, phone.ifname, work, 'phone');
  assert.match(env.new_ip_address ?? '', /^10\.77\.0\.\d+$/);
  assert.notEqual(env.new_ip_address, '10.77.0.1');
  assert.equal(env.new_tftp_server_name, '10.77.0.1');
  assert.equal(env.new_tftp150, '10.77.0.1');
  assert.equal(env.new_dhcp_server_identifier, '10.77.0.1');
  assert.equal(env.new_routers, '10.77.0.1');
  // siaddr, as dhclient reports it to its script.
  assert.equal(env.new_next_server, '10.77.0.1');

  const got = await phone.ns.exec('tftp', ['10.77.0.1', '-m', 'binary', '-c', 'get', 'SEPphone.cnf.xml', join(work, 'fetched.xml')], 20_000);
  assert.equal(got.code, 0, got.stderr + got.stdout);
  assert.equal(await readFile(join(work, 'fetched.xml'), 'utf8'), config);

  // --upload-dir: a router's config backup arrives there.
  await writeFile(join(work, 'router1-confg'), 'hostname router1\n');
  const put = await phone.ns.exec('tftp', ['10.77.0.1', '-m', 'binary', '-c', 'put', join(work, 'router1-confg'), 'router1-confg'], 20_000);
  assert.equal(put.code, 0, put.stderr + put.stdout);
  const saved = (await readdir(uploads)).filter((n) => n.startsWith('router1-confg'));
  assert.equal(saved.length, 1, `uploads: ${(await readdir(uploads)).join(', ')}`);
  assert.equal(await readFile(join(uploads, saved[0] ?? ''), 'utf8'), 'hostname router1\n');

  // A device log line (util-linux logger over UDP 514) lands in the phone's timeline.
  const logged = await phone.ns.exec('logger', ['-d', '-n', '10.77.0.1', '-P', '514', '-p', 'local0.err', '-t', 'SEPphone', 'cfg: resync rejected SEPphone.cnf.xml'], 10_000);
  assert.equal(logged.code, 0, logged.stderr);
  const state = join(work, 'state');
  const listed = await srv.exec(process.execPath, [BIN, 'devices', '--json', '--leases', state], 15_000);
  assert.equal(listed.code, 0, listed.stderr);
  const mac = (JSON.parse(listed.stdout) as { devices: { mac: string }[] }).devices[0]?.mac ?? '';
  let shown = '';
  assert.ok(
    await waitFor(async () => {
      shown = (await srv.exec(process.execPath, [BIN, 'devices', 'show', mac, '--leases', state], 15_000)).stdout;
      return shown.includes('resync rejected');
    }, 10_000),
    `the syslog line is not in the timeline of ${mac}:\n${shown}`,
  );
  assert.match(shown, /syslog <16\.3> .*SEPphone.*cfg: resync rejected SEPphone\.cnf\.xml/);

  served.child.kill('SIGTERM');
  assert.equal(await exitOf(served.child, 15_000), 0, served.log());
  assert.match(served.log(), /"component":"dhcp".*10\.77\.0\./);
});

function scopeYaml(ifname: string, file: string): string {
  return [`name: bench`, `interface: ${ifname}`, 'subnet: 10.77.0.0/24', 'range: 10.77.0.100-10.77.0.150', 'boot:', `  file: ${file}`, ''].join('\n');
}

test('SIGHUP and benchboot reload: the next client gets the new boot file, the first keeps its lease; a bad file is refused', { skip }, async (t) => {
  const { srv, srvIf, cli, work } = await setup(t, ['first', 'second']);
  const scopes = join(work, 'scopes');
  const state = join(work, 'state');
  await mkdir(scopes);
  await mkdir(join(work, 'tftp'));
  await writeFile(join(scopes, 'bench.yaml'), scopeYaml(srvIf, 'first.cfg'));
  const served = await startServe(srv, ['--scopes', scopes, '--tftp-root', join(work, 'tftp'), '--leases', state]);

  const first = cli.get('first');
  const second = cli.get('second');
  assert.ok(first && second);
  const envA = await dhclient(first.ns, first.ifname, work, 'first');
  assert.equal(envA.new_filename, 'first.cfg');
  assert.equal(envA.new_next_server, '10.77.0.1');

  await writeFile(join(scopes, 'bench.yaml'), scopeYaml(srvIf, 'second.cfg'));
  served.child.kill('SIGHUP');
  assert.ok(await waitFor(() => served.log().includes('scopes reloaded'), 10_000), served.log());
  const envB = await dhclient(second.ns, second.ifname, work, 'second');
  assert.equal(envB.new_filename, 'second.cfg');

  // Both leases, from the running server over the control socket.
  const listed = await srv.exec(process.execPath, [BIN, 'leases', '--leases', state, '--json'], 15_000);
  assert.equal(listed.code, 0, listed.stderr);
  const body = JSON.parse(listed.stdout) as { from: string; leases: { ip: string; state: string }[] };
  assert.equal(body.from, 'running server');
  assert.deepEqual(body.leases.map((l) => l.ip).sort(), [envA.new_ip_address, envB.new_ip_address].sort());

  // An invalid file: `benchboot reload` says why and exits 1; the server keeps serving the old scope.
  await writeFile(join(scopes, 'bench.yaml'), `${scopeYaml(srvIf, 'third.cfg')}leaseTime: forever\n`);
  const bad = await srv.exec(process.execPath, [BIN, 'reload', '--leases', state], 15_000);
  assert.equal(bad.code, 1);
  assert.match(bad.stderr, /bench\.yaml/);
  const again = await dhclient(second.ns, second.ifname, work, 'second-again');
  assert.equal(again.new_filename, 'second.cfg');
  assert.equal(again.new_ip_address, envB.new_ip_address);

  // Release the second client's address through the running server (on the real interface socket).
  const rel = await srv.exec(process.execPath, [BIN, 'leases', 'release', String(envB.new_ip_address), '--leases', state], 15_000);
  assert.equal(rel.code, 0, rel.stderr);

  served.child.kill('SIGINT');
  assert.equal(await exitOf(served.child, 15_000), 0, served.log());
  // Stopped: the lease files hold the first lease bound and the second released.
  const offline = await srv.exec(process.execPath, [BIN, 'leases', '--all', '--leases', state, '--json'], 15_000);
  assert.equal(offline.code, 0, offline.stderr);
  const off = JSON.parse(offline.stdout) as { from: string; leases: { ip: string; state: string }[] };
  assert.equal(off.from, 'lease files');
  assert.equal(off.leases.find((l) => l.ip === envA.new_ip_address)?.state, 'bound');
  assert.equal(off.leases.find((l) => l.ip === envB.new_ip_address)?.state, 'released');
});

test('SIGTERM during a transfer: the transfer finishes, then serve exits 0', { skip }, async (t) => {
  const { srv, srvIf, cli, work } = await setup(t, ['pc']);
  const root = join(work, 'tftp');
  await mkdir(root);
  const image = Buffer.alloc(24 * 1024 * 1024);
  for (let i = 0; i < image.length; i += 4096) image.writeUInt32BE(i, i);
  await writeFile(join(root, 'image.bin'), image);
  const served = await startServe(srv, ['--interface', srvIf, '--tftp-root', root, '--leases', join(work, 'state'), '--grace', '60']);
  const pc = cli.get('pc');
  assert.ok(pc);
  await dhclient(pc.ns, pc.ifname, work, 'pc');

  const out = join(work, 'image.out');
  // tftp-hpa without options: 512-byte lock-step blocks, so 24 MiB takes a while.
  const get = pc.ns.spawn('tftp', ['10.77.0.1', '-m', 'binary', '-c', 'get', 'image.bin', out], { maxMs: 100_000 });
  const getExit = exitOf(get, 100_000);
  assert.ok(await waitFor(async () => (await stat(out).catch(() => undefined))?.size !== undefined && ((await stat(out)).size > 64 * 1024), 20_000), 'transfer did not start');
  assert.ok((await stat(out)).size < image.length, 'the transfer finished before SIGTERM; the test proves nothing');
  served.child.kill('SIGTERM');
  assert.equal(await getExit, 0);
  assert.ok((await readFile(out)).equals(image), 'the file arrived incomplete');
  assert.equal(await exitOf(served.child, 30_000), 0, served.log());
  assert.match(served.log(), /signal received, stopping/);
});
