/**
 * The TFTP server over the file-system storage on real sockets (127.0.0.1, ephemeral
 * ports), driven by a minimal raw-datagram client written here, so the storage rules
 * are checked as a client sees them: what comes back for traversal attempts, default
 * files, alternates, and what the upload inbox holds after complete and abandoned
 * uploads.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import dgram from 'node:dgram';
import { mkdtemp, mkdir, writeFile, readdir, readFile, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { createFsStorage } from '../../src/tftp/fs-storage.js';
import { createTftpServer, type TftpServer } from '../../src/tftp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { TFTP_ERROR } from '../../src/tftp/error-codes.js';

let base = '';
let root = '';
let inbox = '';
let server: TftpServer;
let port = 0;

before(async () => {
  base = await mkdtemp(join(tmpdir(), 'bb-tftp-int-'));
  root = join(base, 'root');
  const alt = join(base, 'alt');
  inbox = join(base, 'backups');
  for (const d of [root, alt, inbox, join(base, 'outside')]) await mkdir(d, { recursive: true });
  await writeFile(join(root, 'XMLDefault.cnf.xml'), '<default/>');
  await writeFile(join(alt, 'cluster2.cnf.xml'), '<cluster2/>');
  await writeFile(join(base, 'outside', 'secret'), 'secret');
  await symlink(join(base, 'outside', 'secret'), join(root, 'link-out'));
  const storage = await createFsStorage({
    root,
    alternates: [alt],
    defaults: [{ pattern: 'SEP*.cnf.xml', file: 'XMLDefault.cnf.xml' }],
    uploads: { dir: inbox, maxBytes: 4096 },
  });
  server = createTftpServer({ storage, logger: createSilentLogger(), listen: [{ address: '127.0.0.1', port: 0 }], timeoutMs: 100, retries: 2 });
  await server.start();
  port = server.addresses()[0]?.port ?? 0;
});

after(async () => {
  await server.stop(0);
  await rm(base, { recursive: true, force: true });
});

function request(opcode: 1 | 2, file: string, options: Record<string, string> = {}): Buffer {
  const parts = [file, 'octet', ...Object.entries(options).flat()].map((s) => Buffer.from(`${s}\0`, 'latin1'));
  return Buffer.concat([Buffer.from([0, opcode]), ...parts]);
}

type Reply = { kind: 'error'; code: number; message: string } | { kind: 'data'; data: Buffer } | { kind: 'saved' };

/** Lock-step RRQ without options: collects DATA until a short block, or returns the ERROR. */
function get(file: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer for ${file}`));
    }, 5000);
    const done = (r: Reply): void => {
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    sock.on('message', (msg, rinfo) => {
      const op = msg.readUInt16BE(0);
      if (op === 5) return done({ kind: 'error', code: msg.readUInt16BE(2), message: msg.subarray(4, msg.indexOf(0, 4)).toString('latin1') });
      if (op !== 3) return;
      const block = msg.readUInt16BE(2);
      chunks.push(msg.subarray(4));
      sock.send(Buffer.from([0, 4, block >> 8, block & 0xff]), rinfo.port, rinfo.address);
      if (msg.length - 4 < 512) done({ kind: 'data', data: Buffer.concat(chunks) });
    });
    sock.bind(0, '127.0.0.1', () => sock.send(request(1, file), port, '127.0.0.1'));
  });
}

/**
 * Lock-step WRQ: sends `data` in 512-byte blocks; with `stopAfterBlocks` it goes
 * silent after that many blocks (a client that vanished) and resolves at once.
 */
function put(file: string, data: Buffer, opts: { stopAfterBlocks?: number; tsize?: number } = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const sock = dgram.createSocket('udp4');
    const timer = setTimeout(() => {
      sock.close();
      reject(new Error(`no answer for upload of ${file}`));
    }, 5000);
    const done = (r: Reply): void => {
      clearTimeout(timer);
      sock.close();
      resolve(r);
    };
    const blocks = Math.floor(data.length / 512) + 1;
    sock.on('message', (msg, rinfo) => {
      const op = msg.readUInt16BE(0);
      if (op === 5) return done({ kind: 'error', code: msg.readUInt16BE(2), message: msg.subarray(4, msg.indexOf(0, 4)).toString('latin1') });
      const acked = op === 6 ? 0 : op === 4 ? msg.readUInt16BE(2) : -1;
      if (acked < 0) return;
      if (acked === blocks) return done({ kind: 'saved' });
      if (opts.stopAfterBlocks !== undefined && acked >= opts.stopAfterBlocks) return done({ kind: 'saved' });
      const next = acked + 1;
      const payload = data.subarray((next - 1) * 512, next * 512);
      sock.send(Buffer.concat([Buffer.from([0, 3, next >> 8, next & 0xff]), payload]), rinfo.port, rinfo.address);
    });
    const options: Record<string, string> = opts.tsize === undefined ? {} : { tsize: String(opts.tsize) };
    sock.bind(0, '127.0.0.1', () => sock.send(request(2, file, options), port, '127.0.0.1'));
  });
}

async function waitUntil(predicate: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, 25));
  }
  return predicate();
}

for (const name of ['../../etc/passwd', '..\\..\\etc\\passwd', '/etc/passwd', 'C:\\etc\\passwd', 'link-out', 'backups/../../outside/secret']) {
  test(`a client asking for ${name} gets an error that names only that file`, async () => {
    const r = await get(name);
    assert.equal(r.kind, 'error');
    if (r.kind !== 'error') return;
    assert.ok(r.code === TFTP_ERROR.accessViolation || r.code === TFTP_ERROR.fileNotFound, r.message);
    assert.ok(r.message.includes(name), r.message);
    assert.ok(!r.message.includes(base), `server path leaked: ${r.message}`);
  });
}

test('an unknown phone gets the default config; a file only in an alternate is found there', async () => {
  assert.deepEqual(await get('SEPAABBCCDDEEFF.cnf.xml'), { kind: 'data', data: Buffer.from('<default/>') });
  assert.deepEqual(await get('cluster2.cnf.xml'), { kind: 'data', data: Buffer.from('<cluster2/>') });
  const missing = await get('CTLFile.tlv');
  assert.deepEqual(missing, { kind: 'error', code: TFTP_ERROR.fileNotFound, message: 'File not found: CTLFile.tlv' });
});

test('two uploads of one name are both kept, and no device can download them', async () => {
  const one = randomBytes(1500);
  const two = randomBytes(700);
  assert.deepEqual(await put('rtr-a-confg', one), { kind: 'saved' });
  assert.deepEqual(await put('rtr-a-confg', two), { kind: 'saved' });
  const files = (await readdir(inbox)).filter((f) => f.startsWith('rtr-a-confg'));
  assert.equal(files.length, 2, files.join(','));
  const contents = await Promise.all(files.map((f) => readFile(join(inbox, f))));
  assert.ok(contents.some((c) => c.equals(one)) && contents.some((c) => c.equals(two)));
  for (const name of ['rtr-a-confg', 'backups/rtr-a-confg', '../backups/rtr-a-confg']) {
    const r = await get(name);
    assert.ok(r.kind === 'error' && (r.code === TFTP_ERROR.fileNotFound || r.code === TFTP_ERROR.accessViolation), `${name}: ${JSON.stringify(r)}`);
  }
});

test('an upload abandoned halfway leaves nothing in the inbox', async () => {
  const before = await readdir(inbox);
  await put('rtr-b-confg', randomBytes(3000), { stopAfterBlocks: 2 });
  // The server retransmits its ACK, gives up after its retries, and aborts the upload.
  const clean = await waitUntil(async () => {
    const now = await readdir(inbox);
    return now.length === before.length && server.counters().active === 0;
  }, 4000);
  assert.ok(clean, `inbox after abandon: ${(await readdir(inbox)).join(',')}`);
  assert.ok(!(await readdir(inbox)).includes('rtr-b-confg'));
});

test('uploads over the limit get error 3, by tsize up front or while writing, and leave nothing', async () => {
  const before = await readdir(inbox);
  const upFront = await put('big-confg', randomBytes(5000), { tsize: 5000 });
  assert.equal(upFront.kind === 'error' ? upFront.code : -1, TFTP_ERROR.diskFull);
  const midway = await put('big-confg', randomBytes(5000));
  assert.equal(midway.kind === 'error' ? midway.code : -1, TFTP_ERROR.diskFull);
  assert.ok(midway.kind === 'error' && !midway.message.includes(base));
  assert.ok(await waitUntil(async () => (await readdir(inbox)).length === before.length, 2000));
});

test('an upload into a subdirectory or outside the inbox is refused', async () => {
  for (const name of ['sub/x-confg', '../x-confg', '..\\x-confg']) {
    const r = await put(name, Buffer.from('x'));
    assert.equal(r.kind === 'error' ? r.code : -1, TFTP_ERROR.accessViolation, name);
  }
});
