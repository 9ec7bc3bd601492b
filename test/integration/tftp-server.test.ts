/**
 * The TFTP server over real UDP sockets on 127.0.0.1 (ephemeral ports): benchboot's
 * client across blksize × windowsize combinations with checksums, a 10 MB file, uploads,
 * the busy refusal, and curl as an independent client across the block-number wrap.
 * tftp-server-workers.test.ts runs them all again with the blocks sent by worker threads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawnSync, execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { createSilentLogger } from '../../src/log.js';
import { createMemoryStorage } from '../../src/tftp/memory-storage.js';
import { BUSY_MESSAGE, createTftpServer, type TftpServer, type TftpServerOptions } from '../../src/tftp/server.js';
import { tftpGet, tftpPut, TftpClientError } from '../../src/tftp/client.js';
import { decodeTftpPacket, encodeTftpPacket, type TftpPacket } from '../../src/tftp/packet.js';
import { waitUntil } from '../helpers/wait.js';

const LOOPBACK = '127.0.0.1';
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');

/** The client is done when it sent the last ACK; the server counts when that ACK arrives. */
const eventually = waitUntil;

/** Send workers for every server here: 0 (the main thread) unless tftp-server-workers.test.ts set them. */
const workers = Number(process.env['BENCHBOOT_TEST_TFTP_WORKERS'] ?? '0');

async function startServer(files: Record<string, Uint8Array>, extra: Partial<TftpServerOptions> = {}) {
  const storage = createMemoryStorage(files, { uploads: {} });
  const server: TftpServer = createTftpServer({ storage, logger: createSilentLogger(), listen: [{ address: LOOPBACK, port: 0 }], workers, ...extra });
  await server.start();
  const port = server.addresses()[0]?.port ?? 0;
  assert.ok(port > 0);
  return { server, storage, port };
}

test('get: every blksize × windowsize combination delivers the file byte for byte', async (t) => {
  const content = randomBytes(1_000_000);
  const { server, port } = await startServer({ 'fw.bin': content });
  t.after(() => server.stop());
  for (const blksize of [512, 1468, 8192, 65464]) {
    for (const windowsize of [1, 4, 16]) {
      const r = await tftpGet({ host: LOOPBACK, port, file: 'fw.bin', blksize, windowsize });
      assert.equal(r.blksize, blksize);
      assert.equal(r.windowsize, windowsize);
      assert.equal(r.tsize, content.length);
      assert.equal(md5(r.data ?? Buffer.alloc(0)), md5(content), `blksize ${blksize} windowsize ${windowsize}`);
    }
  }
  await eventually(() => server.counters().finished === 12, 'the server saw 12 transfers finish');
  assert.equal(server.counters().bytesSent, 12 * content.length);
  assert.equal(server.counters().failed, 0);
});

test('get: a 10 MB file, lock-step at 512 and windowed at 1468×16, checksums equal', async (t) => {
  const content = randomBytes(10 * 1024 * 1024);
  const { server, port } = await startServer({ 'big.bin': content });
  t.after(() => server.stop());
  for (const [blksize, windowsize] of [
    [512, 1],
    [1468, 16],
  ] as const) {
    const r = await tftpGet({ host: LOOPBACK, port, file: 'big.bin', blksize, windowsize });
    assert.equal(r.bytes, content.length);
    assert.equal(md5(r.data ?? Buffer.alloc(0)), md5(content));
  }
});

test('get: sizes at block boundaries (0, 511, 512, 513, 1024 bytes) all arrive whole (RFC 1350 §6)', async (t) => {
  const files: Record<string, Uint8Array> = {};
  for (const n of [0, 511, 512, 513, 1024]) files[`f${n}`] = randomBytes(n);
  const { server, port } = await startServer(files);
  t.after(() => server.stop());
  for (const [name, content] of Object.entries(files)) {
    for (const windowsize of [1, 4]) {
      const r = await tftpGet({ host: LOOPBACK, port, file: name, windowsize });
      assert.equal(md5(r.data ?? Buffer.alloc(0)), md5(content), `${name} windowsize ${windowsize}`);
    }
  }
});

test('put: uploads with and without options are stored whole', async (t) => {
  const { server, storage, port } = await startServer({});
  t.after(() => server.stop());
  const config = Buffer.from('hostname router1\n!\nend\n');
  await tftpPut({ host: LOOPBACK, port, file: 'router1-confg', data: config, tsize: false });
  const image = randomBytes(2_000_000);
  await tftpPut({ host: LOOPBACK, port, file: 'image.bin', data: image, blksize: 1468, windowsize: 8 });
  assert.deepEqual(Buffer.from(storage.files.get('router1-confg') ?? []), config);
  assert.equal(md5(storage.files.get('image.bin') ?? new Uint8Array()), md5(image));
  assert.equal(server.counters().bytesReceived, config.length + image.length);
});

test('netascii: a text file goes out with CR LF line ends and comes back unchanged', async (t) => {
  const text = Buffer.from('line one\nline two\r\nbare\rend\n');
  const { server, storage, port } = await startServer({ 'a.txt': text });
  t.after(() => server.stop());
  const got = await tftpGet({ host: LOOPBACK, port, file: 'a.txt', mode: 'netascii' });
  assert.deepEqual(got.data, text);
  await tftpPut({ host: LOOPBACK, port, file: 'b.txt', mode: 'netascii', data: text });
  assert.deepEqual(Buffer.from(storage.files.get('b.txt') ?? []), text);
});

test('busy: with maxTransfers reached and queueWaitMs 0 a new request is refused with ERROR 0 "server busy, retry later"', async (t) => {
  const { server, port } = await startServer({ 'f.bin': randomBytes(100_000) }, { maxTransfers: 1, timeoutMs: 2000, queueWaitMs: 0 });
  t.after(() => server.stop());
  // A client that asks and then never ACKs keeps the only slot.
  const holder = dgram.createSocket('udp4');
  t.after(() => holder.close());
  const firstData = new Promise<void>((resolve) => holder.once('message', () => resolve()));
  holder.send(encodeTftpPacket({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }), port, LOOPBACK);
  await firstData;
  assert.equal(server.transfers().length, 1);
  await assert.rejects(tftpGet({ host: LOOPBACK, port, file: 'f.bin', retries: 0 }), (err: unknown) => {
    assert.ok(err instanceof TftpClientError);
    assert.equal(err.tftpCode, 0);
    assert.match(err.message, new RegExp(BUSY_MESSAGE));
    return true;
  });
  assert.equal(server.counters().busy, 1);
});

test('waiting: with maxTransfers reached a new request waits and is served, byte for byte, once the slot frees', async (t) => {
  const content = randomBytes(100_000);
  const { server, port } = await startServer({ 'f.bin': content }, { maxTransfers: 1, timeoutMs: 2000 });
  t.after(() => server.stop());
  const holder = dgram.createSocket('udp4');
  t.after(() => holder.close());
  const firstData = new Promise<number>((resolve) => holder.once('message', (_m, rinfo) => resolve(rinfo.port)));
  holder.send(encodeTftpPacket({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }), port, LOOPBACK);
  const holderTid = await firstData;
  const waiting = tftpGet({ host: LOOPBACK, port, file: 'f.bin', timeoutMs: 500, retries: 20 });
  await eventually(() => server.counters().queued === 1, 'the second request waiting');
  holder.send(encodeTftpPacket({ kind: 'error', code: 0, message: 'holder leaves' }), holderTid, LOOPBACK);
  const got = await waiting;
  assert.ok(got.data?.equals(content));
  assert.equal(server.counters().busy, 0, 'nobody was told busy');
});

test('RFC 2349: a raw RRQ with tsize "enable" (atftp --option "tsize enable") gets an OACK with the real size and the file', async (t) => {
  const content = randomBytes(700);
  const { server, port } = await startServer({ 'cfg.txt': content });
  t.after(() => server.stop());
  const sock = dgram.createSocket('udp4');
  t.after(() => sock.close());
  const inbox: { packet: TftpPacket; port: number }[] = [];
  sock.on('message', (m, rinfo) => inbox.push({ packet: decodeTftpPacket(m).value, port: rinfo.port }));
  const next = async (): Promise<{ packet: TftpPacket; port: number }> => {
    await eventually(() => inbox.length > 0, 'an answer from the server');
    const first = inbox.shift();
    if (!first) throw new Error('unreachable');
    return first;
  };
  sock.send(encodeTftpPacket({ kind: 'rrq', filename: 'cfg.txt', mode: 'octet', options: [{ name: 'tsize', value: 'enable' }, { name: 'timeout', value: 'x' }] }), port, LOOPBACK);
  const oack = await next();
  assert.deepEqual(oack.packet, { kind: 'oack', options: [{ name: 'tsize', value: '700' }] });
  const received: Uint8Array[] = [];
  sock.send(encodeTftpPacket({ kind: 'ack', block: 0 }), oack.port, LOOPBACK);
  for (let block = 1; ; block++) {
    const d = await next();
    assert.ok(d.packet.kind === 'data' && d.packet.block === block, JSON.stringify(d.packet));
    received.push(d.packet.data);
    sock.send(encodeTftpPacket({ kind: 'ack', block }), d.port, LOOPBACK);
    if (d.packet.data.length < 512) break;
  }
  assert.equal(md5(Buffer.concat(received)), md5(content));
});

const hasCurl = spawnSync('curl', ['--version']).status === 0;

test('curl (an independent client) reads past block 65535: the block number wraps to 0', { skip: hasCurl ? false : 'curl is not installed' }, async (t) => {
  // 70 000 blocks of 8 bytes: the wrap happens early, without a 32 MB file.
  const content = randomBytes(70_000 * 8 + 3);
  const { server, port } = await startServer({ 'wrap.bin': content });
  t.after(() => server.stop());
  const dir = await mkdtemp(join(tmpdir(), 'bb-tftp-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const out = join(dir, 'wrap.bin');
  await new Promise<void>((resolve, reject) => {
    execFile('curl', ['-sS', '--max-time', '120', '--tftp-blksize', '8', '-o', out, `tftp://${LOOPBACK}:${port}/wrap.bin`], (err) =>
      err ? reject(err) : resolve(),
    );
  });
  assert.equal(md5(await readFile(out)), md5(content));
});

test('our client reads past block 65535 with a window (wrap inside a window)', async (t) => {
  const content = randomBytes(70_000 * 8 + 8 * 5); // ends with an empty block after a full one
  const { server, port } = await startServer({ 'wrap.bin': content });
  t.after(() => server.stop());
  const r = await tftpGet({ host: LOOPBACK, port, file: 'wrap.bin', blksize: 8, windowsize: 16 });
  assert.equal(md5(r.data ?? Buffer.alloc(0)), md5(content));
});
