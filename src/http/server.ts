/**
 * The HTTP file server: the TFTP tree over HTTP (issue 14). One fastify instance per
 * listen address and port (the served interfaces' addresses, never 0.0.0.0), each
 * with one route per concern: GET/HEAD download (download.ts), PUT upload
 * (upload.ts), anything else 405. Names are looked up by the storage the TFTP server
 * uses, so both protocols answer a name the same way; this file only admits, maps
 * refusals to statuses and counts.
 *
 *     const http = createHttpServer({ storage, logger, listen: [{ address: '192.0.2.1', port: 80 }], maxTransfers: 200 });
 *     http.on('finished', (e) => ...);
 *     const failures = await http.start(); // [] when every endpoint listens
 *     ...
 *     await http.stop(5000);
 */
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { systemClock, type Clock } from '../clock.js';
import { errnoCode, errorMessage } from '../errno.js';
import type { Logger } from '../log.js';
import { DEFAULT_QUEUE_WAIT_MS } from '../tftp/server-options.js';
import { listenOnHandle, type PrivilegedJobs } from '../net/privileged.js';
import type { TftpStorage } from '../tftp/storage.js';
import { sendSource } from './download.js';
import type { HttpCounters, HttpDirection, HttpPeer, HttpServerEvents, HttpTransferInfo } from './events.js';
import { HttpLedger, type HttpTransfer } from './ledger.js';
import { ReadSizes } from './read-size.js';
import { requestNameOf } from './request-name.js';
import { HTTP_STATUS, statusOfStorageCode } from './status-codes.js';
import { contentLengthOf, receiveUpload } from './upload.js';

export type { HttpCounters, HttpDirection, HttpPeer, HttpServerEvents, HttpTransferInfo } from './events.js';

/** Idle time after which a connection is closed (slow or vanished clients). */
export const CONNECTION_IDLE_MS = 30_000;

/** One address and port to listen on. */
export interface HttpListen {
  readonly address: string;
  readonly port: number;
}

/** An endpoint that could not listen, with the errno code (EADDRINUSE, EACCES, EADDRNOTAVAIL, …). */
export interface HttpListenFailure extends HttpListen {
  readonly code: string;
  readonly message: string;
}

/** Options of the HTTP server. */
export interface HttpServerOptions {
  /** The storage the TFTP server reads and writes through (one lookup for both). */
  readonly storage: TftpStorage;
  readonly listen: readonly HttpListen[];
  readonly logger: Logger;
  readonly clock?: Clock;
  /** Transfers at once; more wait for a slot (`queueWaitMs`), then are answered 503 with Retry-After. */
  readonly maxTransfers: number;
  /** Transfers at once from one address (default: maxTransfers). */
  readonly maxPerClient?: number;
  /** How long a request over the limits waits for a slot (default: TFTP's, 30 s; 0 = 503 at once). */
  readonly queueWaitMs?: number;
  /** Where listening sockets come from (src/net/privileged.ts: a root parent binds port 80); default: fastify listens here. */
  readonly listenTcp?: PrivilegedJobs['listenTcp'];
}

/** The running server. */
export interface HttpServer {
  /** Listens on every endpoint it can; returns those that failed (the caller decides whether that is fatal). */
  start(): Promise<HttpListenFailure[]>;
  /** Stops listening, lets transfers finish for up to `graceMs`, then closes every connection. */
  stop(graceMs?: number): Promise<void>;
  /** The endpoints listening (after start). */
  addresses(): HttpListen[];
  counters(): Readonly<HttpCounters>;
  transfers(): HttpTransferInfo[];
  on<K extends keyof HttpServerEvents>(event: K, listener: (e: HttpServerEvents[K]) => void): this;
  off<K extends keyof HttpServerEvents>(event: K, listener: (e: HttpServerEvents[K]) => void): this;
}

/** Creates the server (not listening). */
export function createHttpServer(options: HttpServerOptions): HttpServer {
  return new FileServer(options);
}

function peerOf(request: FastifyRequest): HttpPeer {
  return { address: request.socket.remoteAddress ?? '', port: request.socket.remotePort ?? 0 };
}

function text(reply: FastifyReply, status: number, message: string): FastifyReply {
  return reply.code(status).type('text/plain; charset=utf-8').send(`${message}\n`);
}

class FileServer implements HttpServer {
  private readonly ledger: HttpLedger;
  private readonly log: Logger;
  private readonly apps: { app: FastifyInstance; listen: HttpListen }[] = [];
  private readonly readSizes = new ReadSizes();
  private readonly clock: Clock;

  constructor(private readonly options: HttpServerOptions) {
    this.clock = options.clock ?? systemClock;
    const limits = { maxTransfers: options.maxTransfers, maxPerClient: options.maxPerClient ?? options.maxTransfers, queueWaitMs: options.queueWaitMs ?? DEFAULT_QUEUE_WAIT_MS };
    this.ledger = new HttpLedger(limits, this.clock);
    this.log = options.logger.child({ component: 'http' });
    this.logEvents();
  }

  /** One log line per request that ended (as the TFTP server logs one per transfer). */
  private logEvents(): void {
    const who = (p: HttpPeer): string => `${p.address}:${p.port}`;
    this.on('finished', (e) => this.log.info('request finished', { id: e.id, peer: who(e.peer), file: e.file, direction: e.direction, status: e.status, bytes: e.bytes, ms: e.ms, ...(e.savedAs ? { savedAs: e.savedAs } : {}), ...(e.pruned ? { pruned: e.pruned } : {}) }));
    this.on('failed', (e) => this.log.warn('request failed', { id: e.id, peer: who(e.peer), file: e.file, direction: e.direction, bytes: e.bytes, reason: e.reason }));
    this.on('refused', (e) => this.log.info('request refused', { peer: who(e.peer), file: e.file, direction: e.direction, status: e.status, message: e.message }));
    this.on('busy', (e) => this.log.info('busy: request answered 503', { peer: who(e.peer), file: e.file }));
  }

  async start(): Promise<HttpListenFailure[]> {
    const failures: HttpListenFailure[] = [];
    for (const want of this.options.listen) {
      const app = this.buildApp();
      try {
        await this.listen(app, want);
      } catch (err) {
        await app.close();
        failures.push({ ...want, code: errnoCode(err) ?? 'UNKNOWN', message: errorMessage(err) });
        continue;
      }
      const bound = app.server.address();
      this.apps.push({ app, listen: { address: want.address, port: typeof bound === 'object' && bound !== null ? bound.port : want.port } });
    }
    return failures;
  }

  private async listen(app: FastifyInstance, want: HttpListen): Promise<void> {
    const { listenTcp } = this.options;
    if (listenTcp === undefined) {
      await app.listen({ host: want.address, port: want.port });
      return;
    }
    const handle = await listenTcp(want.address, want.port);
    await app.ready();
    await listenOnHandle(app.server, handle);
  }

  private buildApp(): FastifyInstance {
    const app = Fastify({ logger: false, exposeHeadRoutes: false, connectionTimeout: CONNECTION_IDLE_MS, return503OnClosing: true, forceCloseConnections: 'idle' });
    void app.register(fastifyStatic, { root: '/', serve: false });
    // Bodies are read by the PUT handler as a stream, never buffered by a parser.
    app.removeAllContentTypeParsers();
    app.addContentTypeParser('*', (_request, _payload, done) => done(null));
    app.route({ method: ['GET', 'HEAD'], url: '*', handler: (req, reply) => this.download(req, reply) });
    app.route({ method: 'PUT', url: '*', handler: (req, reply) => this.upload(req, reply) });
    app.setNotFoundHandler((req, reply) => this.notAllowed(req, reply));
    app.setErrorHandler((err: { statusCode?: number; message: string; headers?: Record<string, string> }, req, reply) => {
      const status = err.statusCode !== undefined && err.statusCode >= 400 ? err.statusCode : HTTP_STATUS.internalError;
      // `send` hands its error headers along this way (Content-Range on a 416).
      if (err.headers !== undefined) reply.headers(err.headers);
      if (status >= 500) this.log.error('HTTP request failed', { code: 'BB_INTERNAL', peer: req.socket.remoteAddress, url: req.url, err: err.message });
      return text(reply, status, status >= 500 ? 'internal error' : err.message);
    });
    return app;
  }

  private notAllowed(req: FastifyRequest, reply: FastifyReply): FastifyReply {
    // `sendFile` lands here when the file vanished between the lookup and the open.
    if (req.method === 'GET' || req.method === 'HEAD') return text(reply, HTTP_STATUS.notFound, 'File not found');
    this.ledger.counters.badRequests++;
    return text(reply.header('Allow', 'GET, HEAD, PUT'), HTTP_STATUS.methodNotAllowed, `${req.method} is not served: use GET, HEAD or PUT`);
  }

  /** The name asked and its transfer, or the reply already sent (400, or 503 when still busy after waiting for a slot). */
  private async admit(req: FastifyRequest, reply: FastifyReply, direction: HttpDirection): Promise<{ name: string; t: HttpTransfer } | FastifyReply> {
    const target = requestNameOf(req.raw.url ?? '');
    if (target.kind === 'bad') {
      this.ledger.counters.badRequests++;
      return text(reply, HTTP_STATUS.badRequest, target.reason === 'bad-encoding' ? 'the path is not valid percent-encoded UTF-8' : 'the request target is not a path');
    }
    const socket = req.raw.socket;
    const whenGone = (onGone: () => void): (() => void) => {
      if (socket.destroyed) queueMicrotask(onGone);
      else socket.once('close', onGone);
      return () => socket.off('close', onGone);
    };
    // Waiting for a slot is not idleness: the idle timeout would close the connection first.
    socket.setTimeout(0);
    const t = await this.ledger.acquire(peerOf(req), target.name, direction, whenGone);
    socket.setTimeout(CONNECTION_IDLE_MS);
    if (t === undefined) return text(reply.header('Retry-After', '1'), HTTP_STATUS.serviceUnavailable, 'server busy, retry later');
    return { name: target.name, t };
  }

  private refuse(reply: FastifyReply, peer: HttpPeer, file: string, direction: HttpDirection, refusal: { code: number; message: string; isNoRoom?: boolean }): FastifyReply {
    const status = statusOfStorageCode(refusal.code, direction, refusal.isNoRoom);
    this.ledger.counters.refused++;
    this.ledger.emit('refused', { peer, file, direction, code: refusal.code, status, message: refusal.message });
    return text(reply.header('Connection', direction === 'write' ? 'close' : 'keep-alive'), status, refusal.message);
  }

  private async download(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const admitted = await this.admit(req, reply, 'read');
    if (!('t' in admitted)) return admitted;
    const { t, name } = admitted;
    let opened;
    try {
      opened = await this.options.storage.openRead(name, { peer: t.peer });
    } finally {
      if (opened?.kind !== 'ok') this.ledger.release(t);
    }
    if (opened.kind === 'error') return this.refuse(reply, t.peer, name, 'read', opened);
    return sendSource(req, reply, t, opened.value, { ledger: this.ledger, readSizes: this.readSizes });
  }

  private async upload(req: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> {
    const admitted = await this.admit(req, reply, 'write');
    if (!('t' in admitted)) return admitted;
    const { t, name } = admitted;
    const tsize = contentLengthOf(req);
    let opened;
    try {
      opened = await this.options.storage.openWrite(name, { peer: t.peer, ...(tsize === undefined ? {} : { tsize }) });
    } finally {
      if (opened?.kind !== 'ok') this.ledger.release(t);
    }
    if (opened.kind === 'error') return this.refuse(reply, t.peer, name, 'write', opened);
    return receiveUpload(req, reply, t, opened.value, this.ledger);
  }

  async stop(graceMs = 0): Promise<void> {
    const apps = this.apps.splice(0);
    this.ledger.drain();
    const closing = Promise.all(apps.map(({ app }) => app.close()));
    if (this.ledger.running > 0 && graceMs > 0) {
      let timer: { cancel(): void } | undefined;
      await Promise.race([closing, new Promise<void>((resolve) => (timer = this.clock.setTimer(graceMs, resolve)))]);
      timer?.cancel();
    }
    for (const { app } of apps) app.server.closeAllConnections();
    await closing;
  }

  addresses(): HttpListen[] {
    return this.apps.map((a) => a.listen);
  }

  counters(): Readonly<HttpCounters> {
    return { ...this.ledger.counters };
  }

  transfers(): HttpTransferInfo[] {
    return this.ledger.transfers();
  }

  on<K extends keyof HttpServerEvents>(event: K, listener: (e: HttpServerEvents[K]) => void): this {
    this.ledger.events.on(event, listener);
    return this;
  }

  off<K extends keyof HttpServerEvents>(event: K, listener: (e: HttpServerEvents[K]) => void): this {
    this.ledger.events.off(event, listener);
    return this;
  }
}
