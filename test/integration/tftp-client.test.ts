/**
 * benchboot's TFTP client over real sockets on 127.0.0.1: against independent servers
 * (tftpd-hpa, atftpd with windowsize) when installed, against a scripted fake server
 * for OACK checks and a stranger's packets (RFC 1350 §4), writing into a file, and the
 * failures a user sees (no answer, file not found).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import dgram from 'node:dgram';
import { tftpGet, tftpPut, TftpClientError } from '../../src/tftp/client.js';
import { decodeTftpPacket, encodeTftpPacket, type TftpPacket } from '../../src/tftp/packet.js';
import { protocolErrorCode } from '../../src/protocol-errors.js';

const LOOPBACK = '127.0.0.1';
const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('hex');
const TFTPD_HPA = '/opt/benchboot-peers/tftpd-hpa/usr/sbin/in.tftpd';
const hasHpa = existsSync(TFTPD_HPA);
const hasAtftpd = spawnSync('sh', ['-c', 'command -v atftpd']).status === 0;

/** A free UDP port on loopback (bound and released; the window for a race is tiny). */
async function freePort(): Promise<number> {
  const s = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => s.bind(0, LOOPBACK, resolve));
  const port = s.address().port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

async function tempRoot(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-tftp-client-'));
  await chmod(dir, 0o777);
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

function startDaemon(t: { after(fn: () => Promise<void>): void }, cmd: string, args: string[]): ChildProcess {
  const child = spawn(cmd, args, { stdio: 'ignore' });
  t.after(async () => {
    if (child.exitCode === null) {
      const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      child.kill('SIGTERM');
      await gone;
    }
  });
  return child;
}

/** Retries a get until the freshly started daemon answers (bounded). */
async function getWhenUp(opts: Parameters<typeof tftpGet>[0]): ReturnType<typeof tftpGet> {
  let last: unknown;
  for (let i = 0; i < 20; i++) {
    try {
      return await tftpGet({ ...opts, timeoutMs: 200, retries: 2 });
    } catch (err) {
      last = err;
      if (!(err instanceof TftpClientError) || err.tftpCode !== undefined) throw err;
    }
  }
  throw last;
}

test('against tftpd-hpa: get with options (it ignores windowsize → lock-step) and put, byte for byte', { skip: hasHpa ? false : 'tftpd-hpa not unpacked' }, async (t) => {
  const root = await tempRoot(t);
  const content = randomBytes(3_000_000);
  await writeFile(join(root, 'fw.bin'), content);
  await chmod(join(root, 'fw.bin'), 0o644);
  const port = await freePort();
  startDaemon(t, TFTPD_HPA, ['-L', '-a', `${LOOPBACK}:${port}`, '-s', '-c', '-u', 'root', '-p', '-U', '000', root]);
  const r = await getWhenUp({ host: LOOPBACK, port, file: 'fw.bin', blksize: 1468, windowsize: 16 });
  assert.equal(r.blksize, 1468);
  assert.equal(r.windowsize, 1, 'tftpd-hpa does not acknowledge windowsize');
  assert.equal(r.tsize, content.length);
  assert.equal(md5(r.data ?? Buffer.alloc(0)), md5(content));
  const upload = randomBytes(200_000);
  await tftpPut({ host: LOOPBACK, port, file: 'up.bin', data: upload, blksize: 1468 });
  assert.equal(md5(await readFile(join(root, 'up.bin'))), md5(upload));
});

test('against atftpd: windowsize 16 is negotiated and the file arrives whole', { skip: hasAtftpd ? false : 'atftpd not installed' }, async (t) => {
  const root = await tempRoot(t);
  const content = randomBytes(2_000_000);
  await writeFile(join(root, 'fw.bin'), content);
  const port = await freePort();
  startDaemon(t, 'atftpd', ['--daemon', '--no-fork', '--port', String(port), '--bind-address', LOOPBACK, '--user', 'root.root', '--logfile', '/dev/null', root]);
  const r = await getWhenUp({ host: LOOPBACK, port, file: 'fw.bin', blksize: 1468, windowsize: 16 });
  assert.equal(r.windowsize, 16);
  assert.equal(md5(r.data ?? Buffer.alloc(0)), md5(content));
});

/** A scripted server: answers the request from a new port with `reply`, then runs `script`. */
async function fakeServer(
  t: { after(fn: () => Promise<void>): void },
  reply: (req: TftpPacket) => TftpPacket,
  script?: (send: (p: TftpPacket) => void, next: () => Promise<TftpPacket>, client: { address: string; port: number }) => Promise<void>,
): Promise<number> {
  const listen = dgram.createSocket('udp4');
  const transfer = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => listen.bind(0, LOOPBACK, resolve));
  await new Promise<void>((resolve) => transfer.bind(0, LOOPBACK, resolve));
  t.after(async () => {
    await new Promise<void>((resolve) => listen.close(() => resolve()));
    await new Promise<void>((resolve) => transfer.close(() => resolve()));
  });
  const inbox: TftpPacket[] = [];
  let wake: (() => void) | undefined;
  transfer.on('message', (m) => {
    inbox.push(decodeTftpPacket(m).value);
    wake?.();
  });
  const next = async (): Promise<TftpPacket> => {
    while (inbox.length === 0) await new Promise<void>((resolve) => (wake = resolve));
    const p = inbox.shift();
    if (!p) throw new Error('unreachable');
    return p;
  };
  listen.once('message', (m, rinfo) => {
    const client = { address: rinfo.address, port: rinfo.port };
    const send = (p: TftpPacket): void => {
      transfer.send(encodeTftpPacket(p), client.port, client.address);
    };
    send(reply(decodeTftpPacket(m).value));
    void script?.(send, next, client);
  });
  return listen.address().port;
}

test('RFC 2347 §2: an OACK with a blksize above the one asked is refused with ERROR 8', async (t) => {
  let errorSeen: TftpPacket | undefined;
  const port = await fakeServer(
    t,
    () => ({ kind: 'oack', options: [{ name: 'blksize', value: '9000' }] }),
    async (_send, next) => {
      errorSeen = await next();
    },
  );
  await assert.rejects(tftpGet({ host: LOOPBACK, port, file: 'x', blksize: 1468 }), (err: unknown) => {
    assert.ok(err instanceof TftpClientError);
    assert.equal(err.tftpCode, 8);
    return true;
  });
  for (let i = 0; i < 100 && !errorSeen; i++) await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(errorSeen?.kind, 'error');
});

test('RFC 2347 §2: an OACK naming an option that was not asked for is refused', async (t) => {
  const port = await fakeServer(t, () => ({ kind: 'oack', options: [{ name: 'windowsize', value: '8' }] }));
  await assert.rejects(tftpGet({ host: LOOPBACK, port, file: 'x', tsize: false }), /not requested/);
});

test('RFC 1350 §4: a stranger\'s DATA to the client gets ERROR 5 and the download goes on', async (t) => {
  const stranger = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => stranger.bind(0, LOOPBACK, resolve));
  t.after(() => new Promise<void>((resolve) => stranger.close(() => resolve())));
  const strangerGot = new Promise<TftpPacket>((resolve) => stranger.once('message', (m) => resolve(decodeTftpPacket(m).value)));
  const block1 = randomBytes(512);
  const port = await fakeServer(
    t,
    () => ({ kind: 'data', block: 1, data: block1 }),
    async (send, next, client) => {
      assert.deepEqual(await next(), { kind: 'ack', block: 1 });
      stranger.send(encodeTftpPacket({ kind: 'data', block: 2, data: Buffer.from('evil') }), client.port, client.address);
      await strangerGot;
      send({ kind: 'data', block: 2, data: Buffer.from('end') });
      await next();
    },
  );
  const r = await tftpGet({ host: LOOPBACK, port, file: 'x', tsize: false });
  assert.deepEqual(r.data, Buffer.concat([block1, Buffer.from('end')]));
  assert.deepEqual(await strangerGot, { kind: 'error', code: 5, message: 'unknown transfer ID' });
});

test('no server: the request is repeated with backoff, then a clear BB_TFTP_CLIENT error', async () => {
  const port = await freePort();
  await assert.rejects(tftpGet({ host: LOOPBACK, port, file: 'x', timeoutMs: 20, retries: 2 }), (err: unknown) => {
    assert.ok(err instanceof TftpClientError);
    assert.equal(protocolErrorCode(err), 'BB_TFTP_CLIENT');
    assert.match(err.message, /no answer .* after 3 attempts/);
    return true;
  });
});

test('output to a file: written whole; a failed download leaves no file and no partial file behind', async (t) => {
  const dir = await tempRoot(t);
  const content = randomBytes(100_000);
  const port = await fakeServer(t, () => ({ kind: 'oack', options: [{ name: 'tsize', value: String(content.length) }] }), async (send, next) => {
    for (let b = 1; ; b++) {
      const ack = await next();
      assert.deepEqual(ack, { kind: 'ack', block: b - 1 });
      const chunk = content.subarray((b - 1) * 512, b * 512);
      send({ kind: 'data', block: b, data: chunk });
      if (chunk.length < 512) break;
    }
    await next();
  });
  const out = join(dir, 'got.bin');
  const r = await tftpGet({ host: LOOPBACK, port, file: 'x', output: out });
  assert.equal(r.data, undefined);
  assert.equal(r.tsize, content.length);
  assert.equal(md5(await readFile(out)), md5(content));

  const missing = await fakeServer(t, () => ({ kind: 'error', code: 1, message: 'File not found' }));
  const out2 = join(dir, 'missing.bin');
  await assert.rejects(tftpGet({ host: LOOPBACK, port: missing, file: 'nope', output: out2 }), (err: unknown) => {
    assert.ok(err instanceof TftpClientError);
    assert.equal(err.tftpCode, 1);
    assert.match(err.message, /File not found/);
    return true;
  });
  assert.deepEqual((await readdir(dir)).sort(), ['got.bin']);
});

test('bad client settings are refused before anything is sent', async () => {
  await assert.rejects(tftpGet({ host: LOOPBACK, file: 'x', blksize: 4 }), /blksize/);
  await assert.rejects(tftpGet({ host: LOOPBACK, file: '' }), /file name/);
  await assert.rejects(tftpPut({ host: LOOPBACK, file: 'x' }), /exactly one of data or input/);
});
