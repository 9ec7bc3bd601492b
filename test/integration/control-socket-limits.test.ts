/**
 * What one client of the control socket can make the server hold, over a real Unix
 * socket: over-long lines are refused before the handler, a client pipelining
 * requests without reading answers is held back (and loses none), idle connections
 * are closed, and connections beyond the cap get an error line.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { once } from 'node:events';
import { setImmediate as nextTurn, setTimeout as sleep } from 'node:timers/promises';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createControlServer, DEFAULT_MAX_CONTROL_CONNECTIONS, DEFAULT_MAX_QUEUED_REQUESTS, type ControlServer, type ControlServerOptions } from '../../src/control/server.js';
import { controlRequest, controlSocketPath } from '../../src/control/client.js';
import { MAX_REQUEST_BYTES, type ControlRequest } from '../../src/control/protocol.js';
import { isBenchbootError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/log.js';

/** A failure shows as a failed test, not a hung run: a missing close or answer ends the test here. */
const LIMIT = { timeout: 20_000 };

type TestContext = { after: (fn: () => Promise<void> | void) => void };

async function startServer(t: TestContext, options: Omit<ControlServerOptions, 'path' | 'logger'>): Promise<ControlServer> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-control-limits-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const server = await createControlServer({ path: controlSocketPath(dir), logger: createSilentLogger(), ...options });
  t.after(() => server.close());
  return server;
}

async function connect(t: TestContext, path: string): Promise<net.Socket> {
  const socket = net.connect(path);
  t.after(() => void socket.destroy());
  await once(socket, 'connect');
  return socket;
}

/** Everything the server sends until it closes the connection. */
function readUntilClosed(socket: net.Socket): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => (text += d));
    socket.on('error', () => undefined);
    socket.on('close', () => resolve(text));
  });
}

type Answer = { id: number; ok: boolean; error?: { code: string; message: string } };

/** Reads answer lines from `socket` as they come; `next(n)` resolves with the next `n`. */
class AnswerReader {
  private partial: string[] = [];
  private readonly complete: string[] = [];
  private wanted: { n: number; resolve: (answers: Answer[]) => void; reject: (err: Error) => void } | undefined;

  constructor(socket: net.Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (d: string) => {
      const parts = d.split('\n');
      for (const part of parts.slice(0, -1)) {
        this.complete.push(this.partial.join('') + part);
        this.partial = [];
      }
      this.partial.push(parts[parts.length - 1] ?? '');
      this.deliver();
    });
    socket.on('close', () => this.wanted?.reject(new Error(`closed after ${this.complete.length} of ${this.wanted.n} answers`)));
  }

  next(n: number): Promise<Answer[]> {
    return new Promise((resolve, reject) => {
      this.wanted = { n, resolve, reject };
      this.deliver();
    });
  }

  private deliver(): void {
    if (this.wanted === undefined || this.complete.length < this.wanted.n) return;
    const { n, resolve } = this.wanted;
    this.wanted = undefined;
    resolve(this.complete.splice(0, n).map((l) => JSON.parse(l) as Answer));
  }
}

function write(socket: net.Socket, text: string): Promise<void> {
  return new Promise((resolve, reject) => socket.write(text, (err) => (err ? reject(err) : resolve())));
}

function lines(n: number, op: string): string {
  return Array.from({ length: n }, (_, i) => `${JSON.stringify({ id: i + 1, op })}\n`).join('');
}

test('a line over the limit is refused, newline or not, and never reaches the handler', LIMIT, async (t) => {
  const padding = 'x'.repeat(MAX_REQUEST_BYTES);
  const cases: [string, string][] = [
    ['complete in the same write as a good request', `{"id":1,"op":"status"}\n{"id":2,"op":"reload","pad":"${padding}"}\n{"id":3,"op":"leases"}\n`],
    ['not yet ended by a newline', `{"id":1,"op":"status"}\n{"id":2,"op":"reload","pad":"${padding}`],
  ];
  for (const [edge, input] of cases) {
    const seen: string[] = [];
    const server = await startServer(t, { handler: async (r: ControlRequest) => (seen.push(r.op), r.op) });
    const socket = await connect(t, server.path);
    const closed = readUntilClosed(socket);
    await write(socket, input);
    const answers = (await closed).trimEnd().split('\n').map((l) => JSON.parse(l) as Answer);
    assert.deepEqual(answers.map((a) => [a.id, a.ok]), [[1, true], [0, false]], edge);
    assert.equal(answers[1]?.error?.code, 'BB_USAGE', edge);
    assert.match(answers[1]?.error?.message ?? '', new RegExp(`over ${MAX_REQUEST_BYTES} bytes`), edge);
    assert.deepEqual(seen, ['status'], edge);
  }
});

test('a client pipelining requests it does not read is held to the queue bound, loses none, and others are answered', LIMIT, async (t) => {
  let openGate = (): void => undefined;
  const gate = new Promise<void>((resolve) => (openGate = resolve));
  let leasesCalls = 0;
  const server = await startServer(t, {
    handler: async (r) => {
      if (r.op !== 'leases') return r.op;
      leasesCalls += 1;
      await gate;
      return r.op;
    },
  });
  const flooder = await connect(t, server.path);
  const sent = 1000;
  // About 25 KB: all of it sits in the kernel once the write completes, ready for the server to read.
  await write(flooder, lines(sent, 'leases'));
  // Another client is answered while the first request of the flood is stuck at the handler.
  assert.equal(await controlRequest(server.path, { op: 'status' }), 'status');
  assert.equal(leasesCalls, 1);
  const load = server.load();
  // Read ahead up to the bound, and no further: the rest waits in the kernel, on the client's side.
  assert.equal(load.queuedRequests, DEFAULT_MAX_QUEUED_REQUESTS);
  openGate();
  const answers = await new AnswerReader(flooder).next(sent);
  assert.deepEqual(answers.map((a) => a.id), Array.from({ length: sent }, (_, i) => i + 1));
  assert.ok(answers.every((a) => a.ok));
});

test('while a client does not read its answers, no more of its requests are answered', LIMIT, async (t) => {
  const big = 'x'.repeat(256 * 1024);
  let bigCalls = 0;
  const server = await startServer(t, {
    handler: async (r) => {
      if (r.op !== 'leases') return r.op;
      bigCalls += 1;
      return big;
    },
  });
  const reader = await connect(t, server.path);
  const sent = 64;
  // 64 answers of 256 KiB: far more than the socket buffers between the two hold (about one answer).
  await write(reader, lines(sent, 'leases'));
  assert.equal(await controlRequest(server.path, { op: 'status' }), 'status');
  assert.ok(bigCalls < sent / 2, `${bigCalls} answers made for a client that reads none`);
  assert.ok(server.load().queuedRequests <= DEFAULT_MAX_QUEUED_REQUESTS);
  const answers = await new AnswerReader(reader).next(sent);
  assert.equal(answers.length, sent);
  assert.equal(bigCalls, sent);
});

test('an idle connection is closed after the timeout; one whose request is at the handler is not', LIMIT, async (t) => {
  let idleClosed = (): void => undefined;
  const whenIdleClosed = new Promise<void>((resolve) => (idleClosed = resolve));
  const server = await startServer(t, {
    idleTimeoutMs: 100,
    // The reload takes until the idle connection is gone: longer than the timeout.
    handler: async (r) => (r.op === 'reload' ? whenIdleClosed.then(() => 'reloaded') : r.op),
  });
  const idle = await connect(t, server.path);
  const busy = await connect(t, server.path);
  const busyAnswer = new AnswerReader(busy).next(1);
  await write(busy, '{"id":7,"op":"reload"}\n');
  assert.equal(await readUntilClosed(idle), '');
  idleClosed();
  assert.deepEqual((await busyAnswer).map((a) => [a.id, a.ok]), [[7, true]]);
});

test('a connection that keeps sending requests is not idle', LIMIT, async (t) => {
  const server = await startServer(t, { idleTimeoutMs: 1000, handler: async (r) => r.op });
  const idle = await connect(t, server.path);
  const idleGone = readUntilClosed(idle);
  let gone = false;
  void idleGone.then(() => (gone = true));
  const watcher = await connect(t, server.path);
  let watcherClosed = false;
  watcher.on('close', () => (watcherClosed = true));
  // A request every 20 ms (as `devices --watch` asks every second), until the idle one is closed.
  const answers = new AnswerReader(watcher);
  let id = 0;
  while (!gone) {
    id += 1;
    const answer = answers.next(1);
    await write(watcher, `{"id":${id},"op":"status"}\n`);
    assert.deepEqual((await answer).map((a) => a.id), [id]);
    await sleep(20);
  }
  assert.equal(watcherClosed, false);
  assert.ok(id > 1);
});

test('connections beyond the cap get an error line and are closed; a freed place is served again', LIMIT, async (t) => {
  const server = await startServer(t, { handler: async (r) => r.op });
  const held: net.Socket[] = [];
  for (let i = 0; i < DEFAULT_MAX_CONTROL_CONNECTIONS; i += 1) held.push(await connect(t, server.path));
  while (server.load().connections < DEFAULT_MAX_CONTROL_CONNECTIONS) await nextTurn();
  await assert.rejects(
    controlRequest(server.path, { op: 'status' }),
    (err) => isBenchbootError(err, 'BB_CONTROL') && new RegExp(`${DEFAULT_MAX_CONTROL_CONNECTIONS} control connections`).test(err.message),
  );
  assert.equal(server.load().connections, DEFAULT_MAX_CONTROL_CONNECTIONS);
  held[0]?.destroy();
  while (server.load().connections >= DEFAULT_MAX_CONTROL_CONNECTIONS) await nextTurn();
  assert.equal(await controlRequest(server.path, { op: 'status' }), 'status');
});
