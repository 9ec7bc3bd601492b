/**
 * Upload deadlines on an in-memory network and a fake clock: a WRQ without tsize must
 * keep the floor rate on the bytes received so far, so a client sending one block per
 * server timeout is ended with ERROR 0; with tsize, the announced size sets the deadline.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.js';
import { createSilentLogger } from '../../../src/log.js';
import { MemoryNetwork, type UdpPeer } from '../../../src/net/udp.js';
import { createMemoryStorage } from '../../../src/tftp/memory-storage.js';
import { decodeTftpPacket, encodeTftpPacket, type TftpOption, type TftpPacket } from '../../../src/tftp/packet.js';
import { createTftpServer } from '../../../src/tftp/server.js';

const SERVER = '10.0.0.1';

async function trickleUpload(options: readonly TftpOption[], seconds: number) {
  const net = new MemoryNetwork();
  const clock = new FakeClock(0);
  const server = createTftpServer({
    storage: createMemoryStorage({}, { uploads: {} }),
    logger: createSilentLogger(),
    clock,
    listen: [{ address: SERVER, port: 69 }],
    bind: (address, port) => Promise.resolve(net.bind(address, port)),
    timeoutMs: 1000,
    minBytesPerSecond: 1024,
    rateAllowanceMs: 5000,
  });
  await server.start();
  const ep = net.bind('10.0.0.2');
  const inbox: { packet: TftpPacket; from: UdpPeer }[] = [];
  let wake: (() => void) | undefined;
  ep.onMessage((d, from) => {
    inbox.push({ packet: decodeTftpPacket(d).value, from });
    wake?.();
  });
  const next = async (): Promise<{ packet: TftpPacket; from: UdpPeer }> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const first = inbox.shift();
    if (!first) throw new Error('unreachable');
    return first;
  };
  await ep.send(encodeTftpPacket({ kind: 'wrq', filename: 'backup.cfg', mode: 'octet', options: [...options] }), { address: SERVER, port: 69 });
  let answer = await next();
  const tid = answer.from;
  let block = 0;
  // One block per server timeout: the server re-ACKs after 1 s, and only then the next block comes.
  for (let second = 0; second < seconds && answer.packet.kind !== 'error'; second++) {
    block++;
    await ep.send(encodeTftpPacket({ kind: 'data', block, data: new Uint8Array(512) }), tid);
    answer = await next();
    if (answer.packet.kind === 'error') break;
    clock.advance(1000);
    answer = await next();
  }
  const counters = server.counters();
  await server.stop();
  return { last: answer.packet, blocks: block, elapsedMs: clock.now(), counters };
}

test('an upload without tsize that falls below the floor on its bytes so far is ended with ERROR 0', async () => {
  const r = await trickleUpload([], 40);
  assert.equal(r.last.kind, 'error');
  if (r.last.kind !== 'error') return;
  assert.equal(r.last.code, 0);
  assert.match(r.last.message, /^transfer too slow: \d+ bytes in \d+ s, below the floor of 1024 bytes\/s$/);
  // 512 B/s against 1024 B/s after 5 s: the deadline 5 s + bytes / 1024 B/s is reached at about 10 s.
  assert.ok(r.elapsedMs >= 10_000 && r.elapsedMs <= 12_000, `ended after ${r.elapsedMs} ms`);
  assert.equal(r.counters.tooSlow, 1);
});

test('an upload announcing tsize keeps the deadline that size gives it (5 s + 100 KiB at 1 KiB/s)', async () => {
  const r = await trickleUpload([{ name: 'tsize', value: String(100 * 1024) }], 20);
  assert.equal(r.last.kind, 'ack', 'still running after 20 blocks in 20 s');
  assert.equal(r.blocks, 20);
  assert.equal(r.counters.tooSlow, 0);
});
