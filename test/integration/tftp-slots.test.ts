/**
 * Transfer slots over real UDP sockets on 127.0.0.1 (and 127.0.0.2, also loopback on
 * Linux), with the server's time on a fake clock so that timeouts and deadlines happen
 * only when the test moves it: a peer that ACKs one block per timeout is ended by its
 * deadline and its slot goes to the next client; one address gets 8 slots by default
 * while another address is still admitted; a client's timeout 255 is declined.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import dgram from 'node:dgram';
import { FakeClock } from '../../src/clock.js';
import { createSilentLogger } from '../../src/log.js';
import { createMemoryStorage } from '../../src/tftp/memory-storage.js';
import { BUSY_MESSAGE, createTftpServer, type TftpServer, type TftpServerEvents, type TftpServerOptions } from '../../src/tftp/server.js';
import { tftpGet } from '../../src/tftp/client.js';
import { decodeTftpPacket, encodeTftpPacket, type TftpOption, type TftpPacket } from '../../src/tftp/packet.js';

const LOOPBACK = '127.0.0.1';

async function eventually(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.ok(check(), what);
}

async function startServer(t: TestContext, files: Record<string, Uint8Array>, extra: Partial<TftpServerOptions>): Promise<{ server: TftpServer; port: number; clock: FakeClock }> {
  const clock = new FakeClock();
  const server = createTftpServer({ storage: createMemoryStorage(files), logger: createSilentLogger(), clock, listen: [{ address: LOOPBACK, port: 0 }], ...extra });
  await server.start();
  t.after(() => server.stop());
  return { server, port: server.addresses()[0]?.port ?? 0, clock };
}

/** A hand-driven client on its own socket (its own TID). */
interface RawPeer {
  request(filename: string, options?: readonly TftpOption[]): void;
  next(): Promise<{ packet: TftpPacket; port: number }>;
  ack(block: number, port: number): void;
  /** Sends ERROR 0 to the transfer port (the client gives up). */
  error(port: number): void;
  /** Datagrams received and not yet taken by next(). */
  received(): number;
}

async function rawPeer(t: TestContext, serverPort: number, address = LOOPBACK): Promise<RawPeer> {
  const sock = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => sock.bind(0, address, resolve));
  t.after(() => sock.close());
  const inbox: { packet: TftpPacket; port: number }[] = [];
  sock.on('message', (m, rinfo) => inbox.push({ packet: decodeTftpPacket(m).value, port: rinfo.port }));
  return {
    request: (filename, options = []) => sock.send(encodeTftpPacket({ kind: 'rrq', filename, mode: 'octet', options: [...options] }), serverPort, LOOPBACK),
    async next() {
      await eventually(() => inbox.length > 0, 'an answer from the server');
      const first = inbox.shift();
      if (!first) throw new Error('unreachable');
      return first;
    },
    ack: (block, port) => sock.send(encodeTftpPacket({ kind: 'ack', block }), port, LOOPBACK),
    error: (port) => sock.send(encodeTftpPacket({ kind: 'error', code: 0, message: 'client gives up' }), port, LOOPBACK),
    received: () => inbox.length,
  };
}

test('a peer that ACKs one block per timeout is ended by its deadline with ERROR 0, and its slot goes to the next client', async (t) => {
  const content = randomBytes(20 * 512 + 1);
  // Floor 1 KiB/s after 5 s: the deadline of this 10,241-byte file is 5 s + 10.001 s.
  const { server, port, clock } = await startServer(t, { 'fw.bin': content }, { maxTransfers: 1, timeoutMs: 1000, minBytesPerSecond: 1024, rateAllowanceMs: 5000, queueWaitMs: 0 });
  const slow = await rawPeer(t, port);
  slow.request('fw.bin');
  let got = await slow.next();
  assert.equal(got.packet.kind, 'data');
  const tid = got.port;
  // The slot is taken: another request is answered busy (no waiting, queueWaitMs 0).
  const other = await rawPeer(t, port);
  other.request('fw.bin');
  assert.deepEqual((await other.next()).packet, { kind: 'error', code: 0, message: BUSY_MESSAGE });
  // Each second the server times out, resends the block, and only then gets its ACK:
  // every ACK is progress, so the retry count never runs out.
  let blocks = 0;
  for (let second = 0; second < 30 && got.packet.kind === 'data'; second++) {
    clock.advance(1000);
    got = await slow.next();
    if (got.packet.kind !== 'data') break;
    assert.equal(got.port, tid);
    blocks = got.packet.block;
    slow.ack(got.packet.block, tid);
    got = await slow.next();
  }
  assert.equal(got.packet.kind, 'error', 'the transfer was ended');
  if (got.packet.kind !== 'error') return;
  assert.equal(got.packet.code, 0);
  assert.match(got.packet.message, /^transfer too slow: \d+ bytes in 15 s, below the floor of 1024 bytes\/s$/);
  assert.ok(blocks >= 14 && blocks < 21, `the peer got through ${blocks} of 21 blocks, one per second, before the deadline`);
  await eventually(() => server.counters().active === 0, 'the slow transfer is over');
  assert.equal(server.counters().tooSlow, 1);
  assert.equal(server.counters().failed, 1);
  // The freed slot serves the next client in full.
  const r = await tftpGet({ host: LOOPBACK, port, file: 'fw.bin', retries: 0 });
  assert.deepEqual(r.data, content);
  assert.equal(server.counters().tooSlow, 1);
});

test('by default one address gets 8 transfers at once: the 9th waits for a slot, another address is still served', async (t) => {
  const content = randomBytes(4096);
  const { server, port } = await startServer(t, { 'fw.bin': content }, {});
  // Eight clients on 127.0.0.1 that take DATA 1 and never ACK (the fake clock never times them out).
  for (let i = 0; i < 8; i++) {
    const holder = await rawPeer(t, port);
    holder.request('fw.bin');
    assert.equal((await holder.next()).packet.kind, 'data', `transfer ${i + 1} from 127.0.0.1 admitted`);
  }
  const ninth = await rawPeer(t, port);
  ninth.request('fw.bin');
  await eventually(() => server.counters().queued === 1, 'the 9th request from 127.0.0.1 waits for a slot');
  const r = await tftpGet({ host: LOOPBACK, port, file: 'fw.bin', localAddress: '127.0.0.2', retries: 0 });
  assert.deepEqual(r.data, content);
  assert.equal(server.counters().busy, 0, 'nobody was told busy');
  // The client is done when it sent the last ACK; the server when that ACK arrives.
  await eventually(() => server.counters().finished === 1, 'the transfer to 127.0.0.2 finished');
  assert.equal(server.transfers().length, 8);
});

test('RFC 2349: a timeout over the cap (255 > 5 s by default) is left out of the OACK; one within it is granted', async (t) => {
  const { port } = await startServer(t, { 'fw.bin': randomBytes(700) }, {});
  const greedy = await rawPeer(t, port);
  greedy.request('fw.bin', [{ name: 'timeout', value: '255' }, { name: 'tsize', value: '0' }]);
  assert.deepEqual((await greedy.next()).packet, { kind: 'oack', options: [{ name: 'tsize', value: '700' }] });
  const modest = await rawPeer(t, port);
  modest.request('fw.bin', [{ name: 'timeout', value: '5' }]);
  assert.deepEqual((await modest.next()).packet, { kind: 'oack', options: [{ name: 'timeout', value: '5' }] });
});

test('a waiting client that went silent is dropped at its turn; the next one starts, its wait in its started event', async (t) => {
  const content = randomBytes(4096);
  // A long server timeout: the holder's transfer never times out while the clock moves.
  const { server, port, clock } = await startServer(t, { 'fw.bin': content }, { maxTransfers: 1, timeoutMs: 100_000 });
  const started: TftpServerEvents['started'][] = [];
  server.on('started', (e) => started.push(e));
  const holder = await rawPeer(t, port);
  holder.request('fw.bin');
  const first = await holder.next();
  assert.equal(first.packet.kind, 'data');
  // Both ask with a 1 s timeout: silent for more than 10 s (staleAfterMs) counts as gone.
  const oneSecond = [{ name: 'timeout', value: '1' }];
  const silent = await rawPeer(t, port);
  silent.request('fw.bin', oneSecond);
  await eventually(() => server.counters().queued === 1, 'the silent client waits first');
  // From another address: the same file from the same address would be the silent client starting over.
  const patient = await rawPeer(t, port, '127.0.0.2');
  patient.request('fw.bin', oneSecond);
  await eventually(() => server.counters().queued === 2, 'the patient client waits second');
  for (let s = 1; s <= 12; s++) {
    clock.advance(1000);
    if (s % 3 === 0) {
      patient.request('fw.bin', oneSecond); // a retransmission: absorbed, keeps it fresh
      await eventually(() => server.counters().duplicateRequests === s / 3, 'the retransmission absorbed');
    }
  }
  // 12 s on, the holder gives up: the silent client (last heard 12 s ago) is dropped, the patient one starts.
  holder.error(first.port);
  assert.equal((await patient.next()).packet.kind, 'oack');
  assert.equal(server.counters().queueStale, 1);
  assert.deepEqual(
    started.map((e) => e.queueWaitMs),
    [0, 12_000],
  );
  assert.equal(silent.received(), 0, 'the silent client was sent nothing');
});
