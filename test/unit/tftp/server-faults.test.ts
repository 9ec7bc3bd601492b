/**
 * One failing transfer never takes the server down (issue 11 point 8): a storage that
 * hands back garbage in the middle of a download, or throws while writing and again
 * while cleaning up an upload, fails that transfer alone: ERROR 0 to its peer, counted
 * as an internal error, logged with BB_INTERNAL, its peer and its stack, gone from the
 * transfer list; other transfers, running at the same time or later, are served.
 * The clock is real (the memory network is instant) and the clients give up after a
 * few short retries, so a server that stayed silent fails the test instead of hanging it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { systemClock } from '../../../src/clock.js';
import { createLogger } from '../../../src/log.js';
import { MemoryNetwork } from '../../../src/net/udp.js';
import { tftpGet, tftpPut } from '../../../src/tftp/client.js';
import { createMemoryStorage } from '../../../src/tftp/memory-storage.js';
import { createTftpServer, type TftpServer } from '../../../src/tftp/server.js';
import type { ReadSource, TftpStorage, UploadTarget } from '../../../src/tftp/storage.js';

const SERVER = '10.0.0.1';
const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** A download of 200,000 bytes whose second read (block 129 on) returns something that is not bytes: a bug in a render. */
function garbageAfterFirstChunk(name: string): ReadSource {
  const content = bytes(200_000);
  return {
    size: content.length,
    displayName: name,
    origin: 'root',
    read: (offset, length) => Promise.resolve(offset === 0 ? content.slice(0, length) : ({ length } as unknown as Uint8Array)),
    close: () => Promise.resolve(),
  };
}

/** An upload whose write fails with a plain error and whose clean-up then throws as well. */
function brokenUpload(): UploadTarget {
  return {
    write: () => Promise.reject(new Error('EIO while writing')),
    commit: () => Promise.reject(new Error('not reached')),
    abort: () => Promise.reject(new Error('EIO while removing the temp file')),
  };
}

function setup(): { server: TftpServer; net: MemoryNetwork; logs: Record<string, unknown>[] } {
  const net = new MemoryNetwork();
  const good = createMemoryStorage({ 'good.bin': bytes(100_000) }, { uploads: {} });
  const storage: TftpStorage = {
    openRead: (name, ctx) => (name === 'broken.bin' ? Promise.resolve({ kind: 'ok', value: garbageAfterFirstChunk(name) }) : good.openRead(name, ctx)),
    openWrite: (name, ctx) => (name === 'broken-confg' ? Promise.resolve({ kind: 'ok', value: brokenUpload() }) : good.openWrite(name, ctx)),
  };
  const logs: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') logs.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  const server = createTftpServer({
    storage,
    logger: createLogger({ json: true, stream, level: 'error' }),
    clock: systemClock,
    listen: [{ address: SERVER, port: 69 }],
    bind: (address, port) => Promise.resolve(net.bind(address, port)),
  });
  return { server, net, logs };
}

const client = (net: MemoryNetwork, address: string) => ({
  host: SERVER,
  clock: systemClock,
  timeoutMs: 100,
  retries: 2,
  bind: (_a: string, p: number) => Promise.resolve(net.bind(address, p)),
});

test('a storage that returns garbage mid-download fails that download alone with ERROR 0; another one at the same time completes', async () => {
  const { server, net, logs } = setup();
  await server.start();
  const [broken, good] = await Promise.allSettled([
    tftpGet({ ...client(net, '10.0.0.2'), file: 'broken.bin' }),
    tftpGet({ ...client(net, '10.0.0.3'), file: 'good.bin' }),
  ]);
  assert.equal(broken.status, 'rejected');
  assert.match(String(broken.status === 'rejected' ? broken.reason : ''), /internal server error/);
  assert.equal(broken.status === 'rejected' ? (broken.reason as { tftpCode?: number }).tftpCode : -1, 0);
  assert.ok(good.status === 'fulfilled' && Buffer.from(good.value.data ?? []).equals(Buffer.from(bytes(100_000))));
  await flush();
  const c = server.counters();
  assert.deepEqual([c.internalErrors, c.failed, c.finished, c.active], [1, 1, 1, 0]);
  assert.deepEqual(server.transfers(), []);
  const line = logs.find((l) => l.code === 'BB_INTERNAL');
  assert.ok(line, JSON.stringify(logs));
  assert.equal(line.file, 'broken.bin');
  assert.match(String(line.peer), /^10\.0\.0\.2:\d+$/);
  assert.match(String(line.stack), /TypeError/);
  // Still serving afterwards.
  const again = await tftpGet({ ...client(net, '10.0.0.4'), file: 'good.bin' });
  assert.equal(again.data?.length, 100_000);
  await server.stop();
});

test('an upload whose storage throws while writing and again while cleaning up ends as failed, not as a ghost transfer', async () => {
  const { server, net, logs } = setup();
  await server.start();
  await assert.rejects(tftpPut({ ...client(net, '10.0.0.2'), file: 'broken-confg', data: bytes(3000) }), (err: { tftpCode?: number }) => err.tftpCode === 0);
  await flush();
  const c = server.counters();
  assert.deepEqual([c.internalErrors, c.failed, c.active], [1, 1, 0]);
  assert.deepEqual(server.transfers(), [], 'the failed upload is not listed as running');
  const line = logs.find((l) => l.code === 'BB_INTERNAL');
  assert.ok(line && /EIO while removing the temp file/.test(String(line.err)), JSON.stringify(logs));
  await tftpPut({ ...client(net, '10.0.0.3'), file: 'router1-confg', data: bytes(3000) });
  assert.equal(server.counters().finished, 1);
  await server.stop();
});

test('an upload name with a bidi or C1 control, or a leading dash, is refused at the WRQ with ERROR 2 and counted as a bad name', async () => {
  const { server, net } = setup();
  await server.start();
  const names = ['gifnoc\u202e.exe', 'rtr\u009b2J-confg', '-rf'];
  for (const [i, file] of names.entries()) {
    // Without tsize nor options, the first answer to the WRQ is the refusal: no DATA was ever taken.
    await assert.rejects(tftpPut({ ...client(net, `10.0.1.${i + 1}`), file, data: bytes(600), tsize: false }), (err: { tftpCode?: number }) => err.tftpCode === 2);
  }
  const c = server.counters();
  assert.deepEqual([c.badNames, c.refused, c.started, c.bytesReceived], [3, 3, 0, 0]);
  await server.stop();
});
