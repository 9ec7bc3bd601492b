/**
 * `benchboot status` and `benchboot leases` through `main` with captured streams,
 * around an appliance on loopback: status shows the scope with its bound and free
 * addresses, a transfer in flight (a client that asked for a file and has not
 * acknowledged the first block yet), the TFTP settings and the counters; with no
 * server it fails with BB_CONTROL and says so. `leases` on the stopped server's
 * files changes nothing in the directory and works while another process holds the
 * directory's lock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { openLeaseStore } from '../../src/store/lease-store.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { bindUdp } from '../../src/net/udp.js';
import { decodeTftpPacket, encodeTftpPacket } from '../../src/tftp/packet.js';
import { freeUdpPort, runCli } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';

/** File names and contents of a directory (to show that nothing was written). */
async function snapshot(dir: string): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  // Subdirectories (the device records in devices/) are compared file by file too.
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name.endsWith('.sock')) continue;
    if (entry.isDirectory()) {
      for (const [name, data] of Object.entries(await snapshot(join(dir, entry.name)))) out[`${entry.name}/${name}`] = data;
    } else out[entry.name] = await readFile(join(dir, entry.name), 'base64');
  }
  return out;
}

interface StatusJson {
  pid: number;
  scopes: { name: string; interface: string; leases: { pool: number; bound: number; offered: number; declined: number; free: number } }[];
  tftp: { transfers: { file: string; direction: string; peer: { port: number } }[]; settings: { server: { maxBlksize?: number } } };
}

test('status of a running appliance, and the clear failure once it stopped; leases reads stopped files read-only', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-status-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', 'boot:', '  file: a.cfg', ''].join('\n'));
  await writeFile(join(dir, 'tftp', 'image.bin'), Buffer.alloc(10_000, 9));
  const dhcpPort = await freeUdpPort();
  const state = join(dir, 'state');
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 5, listenAddresses: ['127.0.0.1'], server: { maxBlksize: 1024, timeoutMs: 2000, retries: 5, transfersCeiling: 20 } },
    stateDir: state,
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
  });
  await appliance.start();
  let running = true;
  t.after(async () => {
    if (running) await appliance.stop(0);
  });
  const tftpPort = Number(appliance.status().tftp.listen[0]?.split(':')[1]);

  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  const lease = await new DhcpTestClient(new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort }), { mac: parseMac('02:00:00:00:00:31') }).obtain();
  await endpoint.close();
  assert.ok(lease, 'no lease');

  // A client asks for a file and keeps the first block unacknowledged: the transfer is in flight.
  const slow = await bindUdp({ address: '127.0.0.1', port: 0 });
  t.after(() => slow.close());
  // The server answers the blksize option with an OACK; ACK 0 accepts it, then block 1 comes.
  const firstBlock = new Promise<number>((resolve, reject) =>
    slow.onMessage((data, from) => {
      const p = decodeTftpPacket(data).value;
      if (p.kind === 'oack') slow.send(encodeTftpPacket({ kind: 'ack', block: 0 }), from).catch(reject);
      else if (p.kind === 'data') resolve(p.block);
      else reject(new Error(`unexpected ${p.kind}`));
    }),
  );
  await slow.send(encodeTftpPacket({ kind: 'rrq', filename: 'image.bin', mode: 'octet', options: [{ name: 'blksize', value: '1024' }] }), { address: '127.0.0.1', port: tftpPort });
  assert.equal(await firstBlock, 1);

  const text = await runCli(['status', '--leases', state]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, new RegExp(`^benchboot serve is running: pid ${process.pid}, up \\d+s, scopes scope files in `));
  assert.match(text.stdout, /^Interfaces: bench0$/m);
  assert.match(text.stdout, /^SCOPE +INTERFACE +SUBNET +BOUND +OFFERED +DECLINED +FREE$/m);
  assert.match(text.stdout, /^bench +bench0 +10\.9\.0\.0\/24 +1 +0 +0 +50\/51$/m);
  assert.match(text.stdout, /^TFTP: 127\.0\.0\.1:\d+, root .*tftp, uploads off$/m);
  assert.match(text.stdout, /max blksize 1024; max transfers 5, adapting up to 20 \(2 per client\); timeout 2000 ms; retries 5/);
  assert.match(text.stdout, /^Transfers in flight: 1$/m);
  assert.match(text.stdout, new RegExp(`^127\\.0\\.0\\.1:${slow.local().port} +get +image\\.bin +[\\d.]+ (?:B|KiB) of 9\\.8 KiB +1024 `, 'm'));
  assert.match(text.stdout, /^TFTP counters: 1 requests \(1 get, 0 put\), 0 finished/m);
  assert.match(text.stdout, /limit now 5 \(0 raises kept, 0 taken back\)/);
  assert.match(text.stdout, /^DHCP counters: \d+ received, 1 offers, 1 acks, 0 naks/m);

  const json = await runCli(['status', '--leases', state, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const body = JSON.parse(json.stdout) as StatusJson;
  assert.equal(body.pid, process.pid);
  assert.deepEqual(body.scopes.map((s) => [s.name, s.interface, s.leases]), [['bench', 'bench0', { pool: 51, bound: 1, offered: 0, declined: 0, free: 50 }]]);
  assert.deepEqual(body.tftp.transfers.map((x) => [x.file, x.direction, x.peer.port]), [['image.bin', 'read', slow.local().port]]);
  assert.equal(body.tftp.settings.server.maxBlksize, 1024);

  await appliance.stop(0);
  running = false;

  const none = await runCli(['status', '--leases', state]);
  assert.equal(none.code, 1);
  assert.equal(none.stdout, '');
  assert.match(none.stderr, /no benchboot server is running with state directory .*state.*Start one with "benchboot serve".*\[BB_CONTROL\]/);
  const noneJson = await runCli(['status', '--leases', state, '--json']);
  assert.equal(noneJson.code, 1);
  assert.equal((JSON.parse(noneJson.stderr) as { error: { code: string } }).error.code, 'BB_CONTROL');

  // The stopped server's files are read, not rewritten.
  const before = await snapshot(state);
  const listed = await runCli(['leases', '--leases', state, '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  const leases = JSON.parse(listed.stdout) as { from: string; leases: { ip: string; mac: string }[] };
  assert.equal(leases.from, 'lease files');
  assert.deepEqual(leases.leases.map((l) => [l.ip, l.mac]), [[lease.ip, '02:00:00:00:00:31']]);
  assert.deepEqual(await snapshot(state), before);

  // A process holding the directory (a server starting up, before its control socket) does not stop the listing.
  const holder = await openLeaseStore({ dir: state, now: Date.now() });
  try {
    const whileHeld = await runCli(['leases', '--leases', state]);
    assert.equal(whileHeld.code, 0, whileHeld.stderr);
    assert.match(whileHeld.stdout, new RegExp(`${lease.ip.replace(/\./g, '\\.')} +02:00:00:00:00:31 +bound +bench`));
  } finally {
    await holder.close();
  }
});
