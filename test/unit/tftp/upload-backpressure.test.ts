/**
 * Upload back-pressure (issue 16 point 5): a WRQ into a disk slower than the network.
 * The server ACKs only what its bounded write buffer holds; while the disk lags, the
 * due ACK waits, a retransmitted block is not answered (its ACK would acknowledge
 * bytes not taken), and once the disk catches up the upload goes on and the stored
 * file is exactly what was sent (no block twice). The writer is made slow by a gate
 * the test opens: an in-memory network, a fake clock, a hand-driven raw client.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.js';
import { createSilentLogger } from '../../../src/log.js';
import { MemoryNetwork, type UdpPeer } from '../../../src/net/udp.js';
import { UPLOAD_BUFFER_BYTES } from '../../../src/tftp/chunk-writer.js';
import { createMemoryStorage } from '../../../src/tftp/memory-storage.js';
import { decodeTftpPacket, encodeTftpPacket, type TftpPacket } from '../../../src/tftp/packet.js';
import { createTftpServer } from '../../../src/tftp/server.js';
import type { TftpStorage, UploadTarget } from '../../../src/tftp/storage.js';

const SERVER = '10.0.0.1';
const BLKSIZE = 8192;
const flush = async (): Promise<void> => {
  for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Storage whose upload writes wait until the test opens the gate; counts the bytes written. */
function slowDisk(inner: TftpStorage) {
  const gate = { waiting: [] as (() => void)[], writtenBytes: 0 };
  const open = (): void => {
    for (const go of gate.waiting.splice(0)) go();
  };
  const storage: TftpStorage = {
    openRead: (r, c) => inner.openRead(r, c),
    async openWrite(r, c) {
      const opened = await inner.openWrite(r, c);
      if (opened.kind === 'error') return opened;
      const target = opened.value;
      const slow: UploadTarget = {
        async write(offset, data) {
          await new Promise<void>((resolve) => gate.waiting.push(resolve));
          await target.write(offset, data);
          gate.writtenBytes += data.length;
        },
        commit: () => target.commit(),
        abort: () => target.abort(),
      };
      return { kind: 'ok', value: slow };
    },
  };
  return { storage, gate, open };
}

test('a slow disk: ACKs wait for the bounded write buffer; a retransmission is not answered twice; the file is stored exactly once', async () => {
  const net = new MemoryNetwork();
  const clock = new FakeClock(0);
  const memory = createMemoryStorage({}, { uploads: {} });
  const { storage, gate, open } = slowDisk(memory);
  const server = createTftpServer({ storage, logger: createSilentLogger(), clock, listen: [{ address: SERVER, port: 69 }], bind: (a, p) => Promise.resolve(net.bind(a, p)) });
  await server.start();
  const client = net.bind('10.0.0.2');
  const inbox: TftpPacket[] = [];
  let tid: UdpPeer | undefined;
  client.onMessage((d, from) => {
    tid = from;
    inbox.push(decodeTftpPacket(d).value);
  });
  const send = (p: TftpPacket, to: UdpPeer): Promise<void> => client.send(encodeTftpPacket(p), to);
  const totalBlocks = 200; // 1.6 MB, three times the bound
  const content = Uint8Array.from({ length: totalBlocks * BLKSIZE - 100 }, (_, i) => (i * 13) & 0xff);
  const block = (n: number): Uint8Array => content.subarray((n - 1) * BLKSIZE, Math.min(content.length, n * BLKSIZE));

  await send({ kind: 'wrq', filename: 'router-confg', mode: 'octet', options: [{ name: 'blksize', value: String(BLKSIZE) }] }, { address: SERVER, port: 69 });
  await flush();
  assert.equal(inbox.shift()?.kind, 'oack');
  const to = tid;
  assert.ok(to);

  let acked = 0;
  let maxUnwritten = 0;
  let stalls = 0;
  for (let n = 1; n <= totalBlocks; n++) {
    await send({ kind: 'data', block: n, data: block(n) }, to);
    await flush();
    if (inbox.length === 0) {
      stalls++;
      // Held: the bytes ACKed so far but not on disk stay within the bound.
      assert.ok(acked * BLKSIZE - gate.writtenBytes <= UPLOAD_BUFFER_BYTES, `ACKed ${acked} blocks with ${gate.writtenBytes} bytes written`);
      // The client times out and sends the block again: still no ACK for bytes the disk has not taken.
      await send({ kind: 'data', block: n, data: block(n) }, to);
      await flush();
      assert.equal(inbox.length, 0, 'a retransmitted block is not ACKed while the disk lags');
      while (inbox.length === 0) {
        assert.ok(gate.waiting.length > 0, 'the server waits for a write in progress');
        open();
        await flush();
      }
    }
    const ack = inbox.shift();
    assert.deepEqual(ack, { kind: 'ack', block: n & 0xffff });
    assert.equal(inbox.length, 0, 'one ACK per block');
    acked = n;
    maxUnwritten = Math.max(maxUnwritten, acked * BLKSIZE - gate.writtenBytes);
  }
  while (gate.waiting.length > 0) {
    open();
    await flush();
  }
  assert.ok(stalls >= 2, `the upload waited for the disk (${stalls} times)`);
  assert.ok(maxUnwritten <= UPLOAD_BUFFER_BYTES + BLKSIZE, `at most the bound plus one block in memory (${maxUnwritten})`);
  assert.deepEqual(memory.files.get('router-confg'), content);
  assert.equal(server.counters().finished, 1);
  await server.stop();
});
