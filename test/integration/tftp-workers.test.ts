/**
 * TFTP downloads sent by worker threads, inside a running appliance (DHCP on a loopback
 * socket, TFTP on 127.0.0.1): a worker that dies fails only the transfers it was
 * sending (each logged with BB_INTERNAL and its client), a new worker takes its place
 * and serves the next download, and DHCP answers throughout.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createAppliance, scopeFiles, type ApplianceEvent } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createLogger } from '../../src/log.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseIpv4, parseMac } from '../../src/net/ipv4.js';
import { tftpGet } from '../../src/tftp/client.js';
import { decodeTftpPacket, encodeTftpPacket, type TftpPacket } from '../../src/tftp/packet.js';
import { CRASH_SIZE } from '../fixtures/workers/crashing-send-worker.js';
import { freeUdpPort } from '../helpers/cli.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';
import { waitUntil } from '../helpers/wait.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', 'range: 10.9.0.100-10.9.0.150', 'boot:', '  file: boot.cfg', ''].join('\n');
const LOOPBACK = '127.0.0.1';

/** A client on its own socket that asks for a file and keeps what comes back (it never ACKs). */
async function silentReader(t: TestContext, serverPort: number, file: string): Promise<{ port: number; packets: TftpPacket[] }> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, LOOPBACK, resolve));
  t.after(() => sock.close());
  const packets: TftpPacket[] = [];
  sock.on('message', (m) => packets.push(decodeTftpPacket(m).value));
  sock.send(encodeTftpPacket({ kind: 'rrq', filename: file, mode: 'octet', options: [] }), serverPort, LOOPBACK);
  return { port: sock.address().port, packets };
}

test('a TFTP worker that dies fails only its own transfers, is replaced, and DHCP keeps answering', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-tftp-workers-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const firmware = randomBytes(300_000);
  await writeFile(join(dir, 'tftp', 'fw.bin'), firmware);
  await writeFile(join(dir, 'tftp', 'crash.bin'), randomBytes(CRASH_SIZE));
  const logStream = new PassThrough();
  const logLines: Record<string, unknown>[] = [];
  logStream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line.trim()) logLines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const events: ApplianceEvent[] = [];
  const dhcpPort = await freeUdpPort();
  const workerUrl = new URL('../fixtures/workers/crashing-send-worker.js', import.meta.url);
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: [LOOPBACK], server: { workers: 1, workerUrl } },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: dhcpPort, interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    logger: createLogger({ json: true, stream: logStream }),
    clock: systemClock,
    onEvent: (e) => events.push(e),
  });
  await appliance.start();
  t.after(() => appliance.stop(0));
  const tftpPort = Number((appliance.status().tftp.listen[0] ?? '').split(':')[1]);

  // A download in flight on the only worker: the client took DATA 1 and says nothing more.
  const holder = await silentReader(t, tftpPort, 'fw.bin');
  await waitUntil(() => holder.packets.some((p) => p.kind === 'data'), 'the first download got its first block');
  // The file that makes the worker die.
  const crasher = await silentReader(t, tftpPort, 'crash.bin');
  await waitUntil(() => events.filter((e) => e.kind === 'transfer-failed').length === 2, 'both transfers of the dead worker failed');

  const internal = logLines.filter((l) => l['code'] === 'BB_INTERNAL').map((l) => l['peer']);
  assert.deepEqual(internal.sort(), [`${LOOPBACK}:${holder.port}`, `${LOOPBACK}:${crasher.port}`].sort(), 'one BB_INTERNAL line per failed transfer, naming its client');
  assert.ok(logLines.some((l) => l['level'] === 'error' && String(l['message']).includes('worker thread stopped')), 'the worker death is logged');

  // DHCP still answers a new client.
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  t.after(() => endpoint.close());
  const dhcp = new DhcpTestClient(new DhcpTestPort(endpoint, { address: LOOPBACK, port: dhcpPort }), { mac: parseMac('02:00:00:00:00:01') }, { timeoutMs: 1000 });
  const lease = await dhcp.obtain();
  assert.ok(lease, 'a DHCP lease after the worker died');

  // The new worker sends the next download whole.
  const r = await tftpGet({ host: LOOPBACK, port: tftpPort, file: 'fw.bin', blksize: 1468 });
  assert.deepEqual(r.data, firmware);
  await waitUntil(() => events.some((e) => e.kind === 'transfer-finished'), 'the download after the crash is booked as finished');
});
