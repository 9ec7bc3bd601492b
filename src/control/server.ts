/**
 * The control endpoint of a running server: a Unix socket (mode 0600) in the state
 * directory that answers JSON-line requests (see protocol.ts) by calling a handler.
 * A stale socket left by a crashed server is removed; a live one means another
 * server already uses this state directory, which is refused. At most
 * `maxConnections` clients are served at once; each one is served by
 * connection.ts, which bounds what it may hold.
 */
import net from 'node:net';
import { chmod, unlink } from 'node:fs/promises';
import { ERRORS } from '../errors.js';
import type { Logger } from '../log.js';
import { ControlConnection, refusalResponse, type ConnectionLimits, type ControlHandler } from './connection.js';
import { MAX_REQUEST_BYTES } from './protocol.js';

export type { ControlHandler } from './connection.js';

/** Connections served at once by default; one more gets an error line and is closed. */
export const DEFAULT_MAX_CONTROL_CONNECTIONS = 64;
/** Requests of one connection read and not yet answered, by default; beyond it the connection is not read. */
export const DEFAULT_MAX_QUEUED_REQUESTS = 32;
/** A connection with no request at the handler and no traffic is closed after this, by default. */
export const DEFAULT_CONTROL_IDLE_MS = 60_000;

/** What the control endpoint holds now. */
export interface ControlLoad {
  /** Connections being served (refused ones not counted). */
  readonly connections: number;
  /** Requests read and not yet answered, over all connections. */
  readonly queuedRequests: number;
}

/** A listening control endpoint. */
export interface ControlServer {
  readonly path: string;
  /** What it holds now. */
  load(): ControlLoad;
  /** Stops listening, ends open connections and removes the socket file. */
  close(): Promise<void>;
}

/** Options of createControlServer; the limits default to the DEFAULT_* values above. */
export interface ControlServerOptions {
  readonly path: string;
  readonly handler: ControlHandler;
  readonly logger: Logger;
  readonly maxConnections?: number;
  readonly maxQueuedRequests?: number;
  readonly idleTimeoutMs?: number;
}

/** Starts the control endpoint at `path`. */
export async function createControlServer(options: ControlServerOptions): Promise<ControlServer> {
  const { path, handler, logger } = options;
  const maxConnections = options.maxConnections ?? DEFAULT_MAX_CONTROL_CONNECTIONS;
  const limits: ConnectionLimits = {
    maxLineBytes: MAX_REQUEST_BYTES,
    maxQueuedRequests: options.maxQueuedRequests ?? DEFAULT_MAX_QUEUED_REQUESTS,
    idleTimeoutMs: options.idleTimeoutMs ?? DEFAULT_CONTROL_IDLE_MS,
  };
  await removeStaleSocket(path);
  // Every open socket, refused ones included, so that close() ends them all.
  const sockets = new Set<net.Socket>();
  const served = new Set<ControlConnection>();
  const server = net.createServer((conn) => {
    sockets.add(conn);
    conn.on('close', () => sockets.delete(conn));
    conn.on('error', (err) => logger.debug('control connection error', { err: err.message }));
    const connection = new ControlConnection(conn, handler, logger, limits);
    if (served.size >= maxConnections) {
      logger.warn('control connection refused', { code: 'BB_CONTROL', connections: served.size });
      connection.refuse(refusalResponse(ERRORS.controlBusy.create({ max: maxConnections })));
      return;
    }
    served.add(connection);
    conn.on('close', () => served.delete(connection));
    connection.start();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(ERRORS.controlListen.create({ path, reason: err.message }, { cause: err })));
    server.listen(path, () => resolve());
  });
  server.on('error', (err) => logger.error('control socket error', { code: 'BB_CONTROL', err: err.message }));
  await chmod(path, 0o600);
  return {
    path,
    load: () => ({ connections: served.size, queuedRequests: [...served].reduce((sum, c) => sum + c.queuedRequests, 0) }),
    async close() {
      for (const c of sockets) c.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await unlink(path).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') logger.warn('cannot remove control socket', { code: 'BB_CONTROL', path, err: err.message });
      });
    },
  };
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
