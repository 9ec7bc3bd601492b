/**
 * Issue 16 point 2 as a router sees it, on real sockets (127.0.0.1) with benchboot's
 * own client and real files: the inbox's quota refuses an upload by its tsize before
 * any data, or cuts it off once its data passes the quota (nothing left behind), each
 * with error 3 and the reason in the log; the cap on versions keeps the first and the
 * newest, and what pruning removed is room again under the quota.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createFsStorage } from '../../src/tftp/fs-storage.js';
import { createTftpServer } from '../../src/tftp/server.js';
import { tftpPut, TftpClientError } from '../../src/tftp/client.js';
import { TFTP_ERROR } from '../../src/tftp/error-codes.js';
import { createLogger } from '../../src/log.js';
import type { UploadOptions } from '../../src/tftp/uploads.js';

const LOOPBACK = '127.0.0.1';

interface Bench {
  readonly inbox: string;
  readonly port: number;
  /** The server's log so far, one parsed JSON line each. */
  logLines(): Record<string, unknown>[];
}

/** A TFTP server with an inbox (holding `existing` files) and the given upload bounds; stopped after the test. */
async function bench(t: { after(fn: () => Promise<void>): void }, uploads: Omit<UploadOptions, 'dir'>, existing: Record<string, Uint8Array> = {}): Promise<Bench> {
  const base = await mkdtemp(join(tmpdir(), 'bb-upload-room-'));
  const root = join(base, 'root');
  const inbox = join(base, 'backups');
  await mkdir(root);
  await mkdir(inbox);
  for (const [name, data] of Object.entries(existing)) await writeFile(join(inbox, name), data);
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
  const logger = createLogger({ json: true, stream, level: 'info' });
  const storage = await createFsStorage({ root, uploads: { dir: inbox, minFreeBytes: 0, ...uploads } });
  const server = createTftpServer({ storage, logger, listen: [{ address: LOOPBACK, port: 0 }], timeoutMs: 200, retries: 2 });
  await server.start();
  t.after(async () => {
    await server.stop(0);
    await rm(base, { recursive: true, force: true });
  });
  const logLines = (): Record<string, unknown>[] =>
    text
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { inbox, port: server.addresses()[0]?.port ?? 0, logLines };
}

/** The ERROR code a put ended with (or 'saved'), and the bytes the client had sent by then. */
async function put(port: number, file: string, data: Uint8Array, tsize: boolean): Promise<{ result: number | 'saved'; sentBytes: number }> {
  let sentBytes = 0;
  try {
    await tftpPut({ host: LOOPBACK, port, file, data, tsize, blksize: 1468, onProgress: (p) => (sentBytes = p.bytes) });
    return { result: 'saved', sentBytes };
  } catch (err) {
    if (err instanceof TftpClientError && err.tftpCode !== undefined) return { result: err.tftpCode, sentBytes };
    throw err;
  }
}

/** Waits until the server logged a line whose message starts with `message` (logging is asynchronous). */
async function logged(b: Bench, message: string): Promise<Record<string, unknown>> {
  for (let i = 0; i < 200; i++) {
    const line = b.logLines().find((l) => String(l.message).startsWith(message));
    if (line) return line;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no "${message}" log line in ${JSON.stringify(b.logLines())}`);
}

test('a tsize that would take the inbox over its quota is refused with error 3 before any data; the log says why', async (t) => {
  // 1000 bytes found in the inbox at start count against the quota.
  const b = await bench(t, { quotaBytes: 8192 }, { 'old-confg': randomBytes(1000) });
  const r = await put(b.port, 'router1-confg', randomBytes(7500), true);
  assert.equal(r.result, TFTP_ERROR.diskFull);
  assert.equal(r.sentBytes, 0, 'refused at the WRQ');
  const line = await logged(b, 'request refused');
  assert.equal(line.code, TFTP_ERROR.diskFull);
  assert.match(String(line.message), /no room for router1-confg: the upload inbox holds 1000 bytes, 7500 more would pass its quota of 8192 bytes/);
  assert.deepEqual(await readdir(b.inbox), ['old-confg']);
  // What fits is still taken.
  assert.equal((await put(b.port, 'router1-confg', randomBytes(7000), true)).result, 'saved');
});

test('without tsize an upload is cut off with error 3 once its data passes the quota, and its partial file is removed', async (t) => {
  const b = await bench(t, { quotaBytes: 1024 * 1024 });
  const r = await put(b.port, 'firmware.bin', randomBytes(4 * 1024 * 1024), false);
  assert.equal(r.result, TFTP_ERROR.diskFull);
  assert.ok(r.sentBytes < 2 * 1024 * 1024, `stopped soon after the quota, not at the end (${r.sentBytes} bytes sent)`);
  const line = await logged(b, 'transfer failed');
  assert.match(String(line.reason), /no room for firmware\.bin: the upload inbox holds \d+ bytes, \d+ more would pass its quota of 1048576 bytes/);
  assert.deepEqual(await readdir(b.inbox), [], 'no partial file');
  // The aborted upload's reservation was given back: a file of the whole quota fits.
  assert.equal((await put(b.port, 'firmware.bin', randomBytes(1024 * 1024), true)).result, 'saved');
});

test('the version cap keeps the first and the newest, and what pruning removed is room again under the quota', async (t) => {
  const b = await bench(t, { quotaBytes: 6000, maxVersions: 3 });
  const versions = Array.from({ length: 5 }, (_, i) => Buffer.from(`hostname r1\n! version ${i}\n`.padEnd(1000, '.')));
  for (const data of versions) assert.equal((await put(b.port, 'router1-confg', data, true)).result, 'saved');
  const names = (await readdir(b.inbox)).sort();
  assert.equal(names.length, 3, names.join(', '));
  const contents = await Promise.all(names.map((n) => readFile(join(b.inbox, n), 'utf8')));
  assert.equal(await readFile(join(b.inbox, 'router1-confg'), 'utf8'), versions[0]?.toString(), 'the first version is kept under its name');
  assert.deepEqual(new Set(contents), new Set([0, 3, 4].map((i) => versions[i]?.toString())), 'the first and the two newest');
  const pruned = await logged(b, 'old upload versions removed');
  assert.equal(pruned.file, 'router1-confg');
  // 5000 bytes were uploaded; 3000 are kept. Without pruning's bytes back, 3000 more would pass 6000.
  assert.equal((await put(b.port, 'switch1-confg', randomBytes(3000), true)).result, 'saved');
  assert.equal((await put(b.port, 'switch2-confg', randomBytes(1), true)).result, TFTP_ERROR.diskFull, 'the quota is full now');
});
