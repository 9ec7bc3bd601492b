/**
 * The control endpoint over a real Unix socket: requests reach the handler, errors
 * keep their codes, a second server on the same state directory is refused, and a
 * stale socket file left by a crash is replaced.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createControlServer } from '../../src/control/server.js';
import { controlRequest, controlSocketPath } from '../../src/control/client.js';
import { BenchbootError, isBenchbootError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/log.js';
import type { ControlRequest } from '../../src/control/protocol.js';

async function stateDir(t: { after: (fn: () => Promise<void>) => void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-control-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

test('status, leases, release and reload reach the handler and answer', async (t) => {
  const dir = await stateDir(t);
  const seen: ControlRequest[] = [];
  const server = await createControlServer({
    path: controlSocketPath(dir),
    logger: createSilentLogger(),
    handler: async (req) => {
      seen.push(req);
      if (req.op === 'release') throw new BenchbootError('BB_USAGE', `no lease for ${req.ip}`);
      return { op: req.op };
    },
  });
  t.after(() => server.close());
  assert.equal((await stat(server.path)).mode & 0o777, 0o600);
  assert.deepEqual(await controlRequest(server.path, { op: 'status' }), { op: 'status' });
  assert.deepEqual(await controlRequest(server.path, { op: 'reload' }), { op: 'reload' });
  await assert.rejects(controlRequest(server.path, { op: 'release', ip: '10.0.0.5' as never }), (err) => isBenchbootError(err, 'BB_USAGE') && /no lease for 10\.0\.0\.5/.test(err.message));
  assert.deepEqual(seen.map((r) => r.op), ['status', 'reload', 'release']);
});

test('a raw client sending several lines gets one answer per line, garbage included', async (t) => {
  const dir = await stateDir(t);
  const server = await createControlServer({ path: controlSocketPath(dir), logger: createSilentLogger(), handler: async (r) => r.op });
  t.after(() => server.close());
  const answer = await new Promise<string>((resolve, reject) => {
    const c = net.connect(server.path);
    let buf = '';
    c.setEncoding('utf8');
    c.on('data', (d: string) => {
      buf += d;
      if (buf.split('\n').length > 3) {
        c.destroy();
        resolve(buf);
      }
    });
    c.on('error', reject);
    c.write('{"id":1,"op":"status"}\nhello\n{"id":3,"op":"leases"}\n');
  });
  const lines = answer.trim().split('\n').map((l) => JSON.parse(l) as { id: number; ok: boolean });
  assert.deepEqual(lines.map((l) => [l.id, l.ok]), [[1, true], [0, false], [3, true]]);
});

test('no server: the client says so with BB_CONTROL', async (t) => {
  const dir = await stateDir(t);
  await assert.rejects(controlRequest(controlSocketPath(dir), { op: 'status' }), (err) => isBenchbootError(err, 'BB_CONTROL') && /no benchboot server answers/.test(err.message));
});

test('a second server on the same state dir is refused; a stale socket is replaced', async (t) => {
  const dir = await stateDir(t);
  const path = controlSocketPath(dir);
  const first = await createControlServer({ path, logger: createSilentLogger(), handler: async () => 'first' });
  await assert.rejects(createControlServer({ path, logger: createSilentLogger(), handler: async () => 'second' }), /already running/);
  await first.close();
  // A crash leaves the socket file behind: a child listens there and is killed with SIGKILL.
  const child = spawn(process.execPath, ['-e', `require('node:net').createServer().listen(${JSON.stringify(path)}, () => process.stdout.write('up'))`]);
  await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
  await stat(path); // the dead socket file is still there
  const second = await createControlServer({ path, logger: createSilentLogger(), handler: async () => 'second' });
  t.after(() => second.close());
  assert.equal(await controlRequest(path, { op: 'status' }), 'second');
});
