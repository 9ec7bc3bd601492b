/**
 * The control endpoint of a running server: a Unix socket (mode 0600) in the state
 * directory that answers JSON-line requests (see protocol.ts) by calling a handler.
 * A stale socket left by a crashed server is removed; a live one means another
 * server already uses this state directory, which is refused.
 */
import net from 'node:net';
import { chmod, unlink } from 'node:fs/promises';
import { ERRORS, errorMessage, isBenchbootError } from '../errors.js';
import { toBenchbootError } from '../protocol-errors.js';
import type { Logger } from '../log.js';
import {
  MAX_REQUEST_BYTES,
  formatControlResponse,
  parseControlRequest,
  type ControlRequest,
  type ControlResponse,
} from './protocol.js';

/** Answers one request; a thrown BenchbootError becomes an error response with its code. */
export type ControlHandler = (request: ControlRequest) => Promise<unknown>;

/** A listening control endpoint. */
export interface ControlServer {
  readonly path: string;
  /** Stops listening, ends open connections and removes the socket file. */
  close(): Promise<void>;
}

/** Options of createControlServer. */
export interface ControlServerOptions {
  readonly path: string;
  readonly handler: ControlHandler;
  readonly logger: Logger;
}

/** Starts the control endpoint at `path`. */
export async function createControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { path, handler, logger } = options;
  await removeStaleSocket(path);
  const connections = new Set<net.Socket>();
  const server = net.createServer((conn) => {
    connections.add(conn);
    conn.on('close', () => connections.delete(conn));
    serveConnection(conn, handler, logger);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(ERRORS.controlListen.create({ path, reason: err.message }, { cause: err })));
    server.listen(path, () => resolve());
  });
  server.on('error', (err) => logger.error('control socket error', { code: 'BB_CONTROL', err: err.message }));
  await chmod(path, 0o600);
  return {
    path,
    async close() {
      for (const c of connections) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') logger.warn('cannot remove control socket', { code: 'BB_CONTROL', path, err: err.message });
      });
    },
  };
}

function serveConnection(conn: net.Socket, handler: ControlHandler, logger: Logger): void {
  let buffered = '';
  let queue = Promise.resolve();
  conn.setEncoding('utf8');
  conn.on('error', (err) => logger.debug('control connection error', { err: err.message }));
  conn.on('data', (chunk: string) => {
    buffered += chunk;
    for (;;) {
      const nl = buffered.indexOf('\n');
      if (nl < 0) break;
      const line = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      if (line.trim() === '') continue;
      queue = queue.then(() => answer(conn, line, handler, logger));
    }
    if (buffered.length > MAX_REQUEST_BYTES) {
      conn.end(formatControlResponse({ id: 0, ok: false, error: { code: 'BB_USAGE', message: `request line over ${MAX_REQUEST_BYTES} bytes` } }));
      buffered = '';
    }
  });
}

async function answer(conn: net.Socket, line: string, handler: ControlHandler, logger: Logger): Promise<void> {
  const parsed = parseControlRequest(line);
  let response: ControlResponse;
  if (parsed.kind === 'invalid') {
    response = { id: parsed.id, ok: false, error: { code: 'BB_USAGE', message: parsed.reason } };
  } else {
    try {
      response = { id: parsed.id, ok: true, result: await handler(parsed.request) };
    } catch (caught) {
      const err = toBenchbootError(caught);
      const code = isBenchbootError(err) ? err.code : 'BB_INTERNAL';
      if (code === 'BB_INTERNAL') logger.error('control request failed', { code, op: parsed.request.op, stack: err instanceof Error ? err.stack : String(err) });
      response = { id: parsed.id, ok: false, error: { code, message: errorMessage(err) } };
    }
  }
  if (!conn.destroyed) conn.write(formatControlResponse(response));
}

/** Removes `path` if it is a socket nobody listens on; refuses if a server answers there. */
async function removeStaleSocket(path: string): Promise<void> {
  const alive = await new Promise<boolean>((resolve) => {
    const probe = net.connect(path);
    probe.once('connect', () => {
      probe.destroy();
      resolve(true);
    });
    probe.once('error', () => resolve(false));
  });
  if (alive) {
    throw ERRORS.serverAlreadyRunning.create({ path });
  }
  await unlink(path).catch((err: NodeJS.ErrnoException) => {
    if (err.code !== 'ENOENT') throw ERRORS.staleSocket.create({ path, reason: err.message }, { cause: err });
  });
}
