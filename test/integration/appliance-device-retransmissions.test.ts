/**
 * A file entry of a device timeline carries the transfer's real retransmission count
 * (issue 13, "retransmissions"): a lock-step client on its leased loopback address
 * ignores the first DATA 1 it gets, as if that block were lost, and ACKs the copy the
 * server sends again on its timeout. `benchboot devices show MAC --json` then shows
 * one retransmission for that file; a clean download of the same file shows none.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createSocket, type Socket } from 'node:dgram';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { main } from '../../src/cli/main.js';
import { bindDhcpSocket } from '../../src/net/bind-interface.js';
import { parseMac } from '../../src/net/ipv4.js';
import { decodeTftpPacket, encodeAck, encodeTftpPacket } from '../../src/tftp/packet.js';
import { startLoopbackAppliance } from '../helpers/loopback-appliance.js';
import { DhcpTestClient, DhcpTestPort } from '../helpers/dhcp-client.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.78.0.0/24', 'range: 127.78.0.100-127.78.0.150', 'leaseTime: 1h', ''].join('\n');
/** Three 512-byte blocks and an empty fourth. */
const FILE_BYTES = 1536;

interface Datagram {
  readonly bytes: Buffer;
  readonly port: number;
}

/** The datagrams a socket receives, one at a time (bounded wait: the test fails rather than hangs). */
function inbox(socket: Socket): () => Promise<Datagram> {
  const queue: Datagram[] = [];
  const waiting: ((d: Datagram) => void)[] = [];
  socket.on('message', (bytes, rinfo) => {
    const d = { bytes, port: rinfo.port };
    const w = waiting.shift();
    if (w) w(d);
    else queue.push(d);
  });
  return () => {
    const d = queue.shift();
    if (d) return Promise.resolve(d);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no datagram within 10 s')), 10_000);
      waiting.push((x) => {
        clearTimeout(timer);
        resolve(x);
      });
    });
  };
}

/** Downloads `file` in lock-step from `localAddress`, not answering the first `ignoreFirst` DATA 1 datagrams; returns the bytes. */
async function lockStepGet(serverPort: number, localAddress: string, file: string, ignoreFirst: number): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
  const next = inbox(socket);
  try {
    socket.send(encodeTftpPacket({ kind: 'rrq', filename: file, mode: 'octet', options: [] }), serverPort, '127.0.0.1');
    let ignored = 0;
    let bytes = 0;
    for (let expected = 1; expected < 100; ) {
      const d = await next();
      const p = decodeTftpPacket(d.bytes);
      assert.ok(p.value.kind === 'data', `expected DATA, got opcode ${d.bytes.readUInt16BE(0)}`);
      if (p.value.block !== expected) continue;
      if (expected === 1 && ignored < ignoreFirst) {
        ignored++;
        continue;
      }
      await new Promise<void>((resolve, reject) => socket.send(encodeAck(expected), d.port, '127.0.0.1', (err) => (err ? reject(err) : resolve())));
      bytes += p.value.data.length;
      if (p.value.data.length < 512) return bytes;
      expected++;
    }
    throw new Error('too many blocks');
  } finally {
    socket.close();
  }
}

async function cli(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (c: Buffer) => (out += c.toString()));
  stderr.on('data', (c: Buffer) => (err += c.toString()));
  const code = await main(argv, { stdout, stderr, env: {} });
  return { code, stdout: out, stderr: err };
}

interface ShownFile {
  kind: string;
  name?: string;
  result?: string;
  retransmissions?: number;
}

test('a file event carries the retransmissions of its transfer: one lost DATA 1 is one retransmission in devices show --json', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-retx-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  await writeFile(join(dir, 'tftp', 'phone.cfg'), Buffer.alloc(FILE_BYTES, 7));
  const { appliance, stateDir, dhcpPort, tftpPort } = await startLoopbackAppliance(dir, '127.78.0.1');
  t.after(() => appliance.stop(0));
  const endpoint = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  const mac = '02:00:00:00:0e:01';
  const got = await new DhcpTestClient(new DhcpTestPort(endpoint, { address: '127.0.0.1', port: dhcpPort }), { mac: parseMac(mac) }, { timeoutMs: 1000 }).obtain();
  await endpoint.close();
  assert.ok(got, 'no lease');

  assert.equal(await lockStepGet(tftpPort, got.ip, 'phone.cfg', 0), FILE_BYTES);
  assert.equal(await lockStepGet(tftpPort, got.ip, 'phone.cfg', 1), FILE_BYTES);

  // The file events are filed when the server books the end of each transfer: wait for both (bounded).
  let files: ShownFile[] = [];
  for (let i = 0; i < 200 && files.length < 2; i++) {
    const shown = await cli(['devices', 'show', mac, '--json', '--leases', stateDir]);
    assert.equal(shown.code, 0, shown.stderr);
    files = (JSON.parse(shown.stdout) as { record: { timeline: ShownFile[] } }).record.timeline.filter((e) => e.kind === 'file');
    if (files.length < 2) await new Promise((r) => setTimeout(r, 25));
  }
  assert.deepEqual(
    files.map((f) => [f.name, f.result, f.retransmissions]),
    [
      ['phone.cfg', 'delivered', 0],
      ['phone.cfg', 'delivered', 1],
    ],
  );
  const text = await cli(['devices', 'show', mac, '--leases', stateDir]);
  assert.match(text.stdout, /phone\.cfg delivered .* 1 retx/);
});
