/**
 * The HTTP file server on real sockets on 127.0.0.1 (issue 14): GET and HEAD with
 * exact Content-Length, ETag and Last-Modified, conditional requests, ranges; a render
 * held in memory; PUT into the upload inbox (versioned, limited, nothing left by a cut
 * upload); busy answers; a path-traversal corpus of which nothing returns a file
 * outside the tree; the server answers on its own address only.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { mkdtemp, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { createHttpServer, type HttpServer, type HttpServerEvents } from '../../src/http/server.js';
import { createLogger } from '../../src/log.js';
import { createFsStorage } from '../../src/tftp/fs-storage.js';
import { createMemoryStorage } from '../../src/tftp/memory-storage.js';
import type { TftpStorage } from '../../src/tftp/storage.js';
import { httpRaw } from '../helpers/http-client.js';

const SECRET = 'outside the tree: must never be served\n';

interface Rig {
  readonly dir: string;
  readonly server: HttpServer;
  readonly port: number;
}

async function serve(t: TestContext, storage: TftpStorage, dir: string, maxTransfers = 10, queueWaitMs?: number): Promise<Rig> {
  const server = createHttpServer({ storage, listen: [{ address: '127.0.0.1', port: 0 }], logger: createLogger({ json: true, stream: new PassThrough(), level: 'error' }), maxTransfers, ...(queueWaitMs === undefined ? {} : { queueWaitMs }) });
  assert.deepEqual(await server.start(), []);
  t.after(() => server.stop(0));
  return { dir, server, port: server.addresses()[0]?.port ?? 0 };
}

async function fsRig(t: TestContext, options: { uploads?: { maxBytes?: number; quotaBytes?: number }; maxTransfers?: number; queueWaitMs?: number } = {}): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-http-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'tftp', 'sub'), { recursive: true });
  await mkdir(join(dir, 'uploads'));
  await writeFile(join(dir, 'secret.txt'), SECRET);
  await writeFile(join(dir, 'tftp', 'a.txt'), 'root a\n');
  await writeFile(join(dir, 'tftp', 'sub', 'b.txt'), 'sub b\n');
  await writeFile(join(dir, 'tftp', 'digits.bin'), '0123456789abcdefghij');
  const storage = await createFsStorage({ root: join(dir, 'tftp'), ...(options.uploads ? { uploads: { dir: join(dir, 'uploads'), ...options.uploads } } : {}) });
  return serve(t, storage, dir, options.maxTransfers, options.queueWaitMs);
}

/** The next `event` of the server. */
function nextEvent<K extends keyof HttpServerEvents>(server: HttpServer, event: K): Promise<HttpServerEvents[K]> {
  return new Promise((resolve) => {
    const listener = (e: HttpServerEvents[K]): void => {
      server.off(event, listener);
      resolve(e);
    };
    server.on(event, listener);
  });
}

const get = (rig: Rig, path: string, headers: Record<string, string> = {}, method = 'GET') => httpRaw({ host: '127.0.0.1', port: rig.port, path, headers, method });

test('GET and HEAD: exact length, validators, and conditional requests', async (t) => {
  const rig = await fsRig(t);
  const r = await get(rig, '/a.txt');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'root a\n');
  assert.equal(r.headers['content-length'], '7');
  assert.equal(r.headers['accept-ranges'], 'bytes');
  const etag = String(r.headers.etag);
  const modified = String(r.headers['last-modified']);
  assert.ok(etag.length > 2 && modified.endsWith('GMT'), JSON.stringify(r.headers));
  const head = await get(rig, '/a.txt', {}, 'HEAD');
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '7');
  assert.equal(head.headers.etag, etag);
  assert.equal(head.body.length, 0);
  assert.equal((await get(rig, '/a.txt', { 'if-none-match': etag })).status, 304);
  assert.equal((await get(rig, '/a.txt', { 'if-modified-since': modified })).status, 304);
  assert.equal((await get(rig, '/sub/b.txt')).body.toString(), 'sub b\n');
  assert.equal((await get(rig, '/missing.txt')).status, 404);
  assert.equal((await get(rig, '/a.txt', {}, 'POST')).status, 405);
});

test('ranges: a slice, a suffix, an open end, and an unsatisfiable range', async (t) => {
  const rig = await fsRig(t);
  const slice = await get(rig, '/digits.bin', { range: 'bytes=2-5' });
  assert.equal(slice.status, 206);
  assert.equal(slice.body.toString(), '2345');
  assert.equal(slice.headers['content-range'], 'bytes 2-5/20');
  assert.equal(slice.headers['content-length'], '4');
  assert.equal((await get(rig, '/digits.bin', { range: 'bytes=-3' })).body.toString(), 'hij');
  assert.equal((await get(rig, '/digits.bin', { range: 'bytes=18-' })).body.toString(), 'ij');
  const bad = await get(rig, '/digits.bin', { range: 'bytes=50-60' });
  assert.equal(bad.status, 416);
  assert.equal(bad.headers['content-range'], 'bytes */20', JSON.stringify(bad.headers));
});

test('a render held in memory: exact length, a strong ETag, 304 on a match, a Range answered whole', async (t) => {
  const storage = createMemoryStorage({ 'SEP0011.cnf.xml': '<device>rendered</device>\n' });
  const rig = await serve(t, storage, '');
  const r = await get(rig, '/SEP0011.cnf.xml');
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), '<device>rendered</device>\n');
  assert.equal(r.headers['content-length'], String(r.body.length));
  assert.match(String(r.headers.etag), /^"[A-Za-z0-9_-]+"$/);
  assert.equal((await get(rig, '/SEP0011.cnf.xml', { 'if-none-match': String(r.headers.etag) })).status, 304);
  const ranged = await get(rig, '/SEP0011.cnf.xml', { range: 'bytes=0-3' });
  assert.equal(ranged.status, 200);
  assert.equal(ranged.body.length, r.body.length);
  const head = await get(rig, '/SEP0011.cnf.xml', {}, 'HEAD');
  assert.equal(head.headers['content-length'], String(r.body.length));
  assert.equal(head.body.length, 0);
});

test('PUT stores into the upload inbox: versions kept, the limit enforced, uploads off refused', async (t) => {
  const rig = await fsRig(t, { uploads: { maxBytes: 64 } });
  const put = (name: string, body: string) => httpRaw({ host: '127.0.0.1', port: rig.port, path: name, method: 'PUT', body: Buffer.from(body) });
  const first = await put('/router1-confg', 'hostname r1\n');
  assert.equal(first.status, 201);
  assert.equal(first.body.toString(), 'stored as router1-confg\n');
  const second = await put('/router1-confg', 'hostname r1 v2\n');
  assert.equal(second.status, 201);
  const savedAs = second.body.toString().replace(/^stored as /, '').trim();
  assert.match(savedAs, /^router1-confg\.\d{4}-/);
  assert.equal(await readFile(join(rig.dir, 'uploads', 'router1-confg'), 'utf8'), 'hostname r1\n');
  assert.equal(await readFile(join(rig.dir, 'uploads', savedAs), 'utf8'), 'hostname r1 v2\n');
  const big = await put('/big.bin', 'x'.repeat(65));
  assert.equal(big.status, 413);
  assert.equal((await put('/sub/x', 'y')).status, 403, 'uploads land in the one flat inbox');
  assert.deepEqual((await readdir(join(rig.dir, 'uploads'))).sort(), ['router1-confg', savedAs].sort());

  const off = await fsRig(t);
  assert.equal((await httpRaw({ host: '127.0.0.1', port: off.port, path: '/r', method: 'PUT', body: Buffer.from('z') })).status, 403);
});

test('a PUT the inbox has no room for is answered 507 naming the quota; a file over the size limit stays 413', async (t) => {
  const rig = await fsRig(t, { uploads: { maxBytes: 64, quotaBytes: 100 } });
  const put = (name: string, body: string) => httpRaw({ host: '127.0.0.1', port: rig.port, path: name, method: 'PUT', body: Buffer.from(body) });
  assert.equal((await put('/router1-confg', 'x'.repeat(60))).status, 201);
  const full = await put('/router2-confg', 'y'.repeat(60));
  assert.equal(full.status, 507);
  assert.match(full.body.toString(), /no room for router2-confg: the upload inbox holds 60 bytes, 60 more would pass its quota of 100 bytes/);
  assert.equal((await put('/big.bin', 'z'.repeat(65))).status, 413);
  assert.deepEqual(await readdir(join(rig.dir, 'uploads')), ['router1-confg']);
});

test('an upload cut short leaves nothing in the inbox', async (t) => {
  const rig = await fsRig(t, { uploads: {} });
  const started = nextEvent(rig.server, 'started');
  const failed = nextEvent(rig.server, 'failed');
  const sock = connect(rig.port, '127.0.0.1');
  await once(sock, 'connect');
  sock.write('PUT /cut.cfg HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n0123456789');
  await started;
  sock.destroy(); // the device goes away after 10 of 1000 bytes
  const e = await failed;
  assert.equal(e.file, 'cut.cfg');
  assert.deepEqual(await readdir(join(rig.dir, 'uploads')), []);
});

/** Starts a download of a 64 MiB file that is never read, so it holds its slot until `sock` is destroyed. */
async function holdSlot(rig: Rig): Promise<ReturnType<typeof connect>> {
  await writeFile(join(rig.dir, 'tftp', 'large.bin'), Buffer.alloc(64 * 1024 * 1024, 7));
  const started = nextEvent(rig.server, 'started');
  const sock = connect(rig.port, '127.0.0.1');
  sock.pause(); // never read: the download stays in flight
  sock.write('GET /large.bin HTTP/1.1\r\nHost: x\r\n\r\n');
  await started;
  return sock;
}

test('over the transfer limit a request waits for a slot and is served when one frees', async (t) => {
  const rig = await fsRig(t, { maxTransfers: 1 });
  const sock = await holdSlot(rig);
  const waited = get(rig, '/a.txt');
  // The second request is in the queue before the slot frees: no timing, the counter says so.
  await waitingIs(rig, 1);
  sock.destroy();
  const r = await waited;
  assert.equal(r.status, 200);
  assert.equal(r.body.toString(), 'root a\n');
  const c = rig.server.counters();
  assert.equal(c.queued, 1);
  assert.equal(c.busy, 0);
  assert.equal(c.waiting, 0);
});

/** Resolves when the server counts `n` requests waiting for a slot (a gauge, no timing). */
async function waitingIs(rig: Rig, n: number): Promise<void> {
  while (rig.server.counters().waiting !== n) await new Promise((resolve) => setImmediate(resolve));
}

test('a client that hangs up while it waits leaves the queue: the slot goes to the next one, its file is never opened', async (t) => {
  const rig = await fsRig(t, { maxTransfers: 1 });
  const sock = await holdSlot(rig);
  const started: string[] = [];
  rig.server.on('started', (e) => started.push(e.file));
  const gone = connect(rig.port, '127.0.0.1');
  gone.write('GET /sub/b.txt HTTP/1.1\r\nHost: x\r\n\r\n');
  await waitingIs(rig, 1);
  const next = get(rig, '/a.txt');
  await waitingIs(rig, 2);
  gone.destroy();
  await waitingIs(rig, 1);
  sock.destroy();
  const r = await next;
  assert.equal(r.status, 200);
  assert.deepEqual(started, ['a.txt']);
  assert.equal(rig.server.counters().busy, 0);
});

test('a request still over the limit after the queue wait is answered 503 with Retry-After', async (t) => {
  const rig = await fsRig(t, { maxTransfers: 1, queueWaitMs: 200 });
  const sock = await holdSlot(rig);
  const busy = await get(rig, '/a.txt');
  assert.equal(busy.status, 503);
  assert.equal(busy.headers['retry-after'], '1');
  assert.equal(rig.server.counters().queueTimeouts, 1);
  sock.destroy();
});

test('with no queue wait, a request over the limit is answered 503 at once', async (t) => {
  const rig = await fsRig(t, { maxTransfers: 1, queueWaitMs: 0 });
  const sock = await holdSlot(rig);
  const busy = await get(rig, '/a.txt');
  assert.equal(busy.status, 503);
  assert.equal(rig.server.counters().queued, 0);
  sock.destroy();
});

test('a path-traversal corpus: nothing returns a file outside the tree', async (t) => {
  const rig = await fsRig(t);
  const corpus = [
    '/../secret.txt', '/..%2fsecret.txt', '/..%2Fsecret.txt', '/%2e%2e/secret.txt', '/%2e%2e%2fsecret.txt', '/.%2e/secret.txt',
    '/..%5csecret.txt', '/..\\secret.txt', '/sub/..%5c..%5csecret.txt', '/%252e%252e/secret.txt', '/%252e%252e%252fsecret.txt', '/..%252fsecret.txt',
    `/${rig.dir}/secret.txt`, `/${encodeURIComponent(join(rig.dir, 'secret.txt'))}`, '//etc/passwd', '/%2fetc%2fpasswd', '/C:%5C..%5Csecret.txt',
    '/sub/../../secret.txt', '/a.txt%00', '/a.txt%00.png', '/..%00/secret.txt', '/%c0%ae%c0%ae/secret.txt', '/%2e%2e%2f%2e%2e%2fetc%2fpasswd', '/%',
  ];
  const passwd = await readFile('/etc/passwd', 'utf8').catch(() => 'no passwd here');
  for (const path of corpus) {
    const r = await get(rig, path);
    assert.ok([400, 403, 404].includes(r.status), `${path}: status ${r.status}`);
    const body = r.body.toString();
    assert.ok(!body.includes(SECRET.trim()) && !body.includes(passwd.slice(0, 20)), `${path} leaked a file`);
  }
});

test('the server answers on its own address only, never on the others of the host', async (t) => {
  const rig = await fsRig(t);
  const other = connect(rig.port, '127.0.0.2');
  const [err] = (await once(other, 'error')) as [NodeJS.ErrnoException];
  assert.equal(err.code, 'ECONNREFUSED');
});
