/**
 * The dashboard's HTTP server (fastify): the guard of guard.ts on every request
 * (Host, then the token beyond loopback, then same-origin for POST), strict security
 * headers (nothing loads from elsewhere), the static assets through @fastify/static,
 * the routes, and the live hub fed by the appliance's changes.
 *
 *     const dashboard = await startDashboard({ address: '127.0.0.1', port: 8067, source, clock, logger });
 *     dashboard.url // http://127.0.0.1:8067/
 *     await dashboard.close();
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { Clock, TimerHandle } from '../clock.js';
import { ERRORS, errnoCode, errorMessage } from '../errors.js';
import { listenOnHandle, type PrivilegedJobs } from '../net/privileged.js';
import type { Logger } from '../log.js';
import { bearerToken, cookieValue, isHostAllowed, isLoopbackAddress, isSameOrigin, newToken, TOKEN_COOKIE, tokenCookie, tokenMatches, type GuardRules } from './guard.js';
import { LiveHub, type LivePanel } from './live.js';
import { countersPanel, leasesPanel, scopesPanel, transfersPanel, uploadsPanel } from './render-panels.js';
import { deviceRows, deviceStatusBlock, timelineList, type DeviceFilter } from './render-devices.js';
import { registerRoutes, uploadGroups } from './routes.js';
import type { DashboardDevice, DashboardSource } from './source.js';

/** How often time-derived statuses (`gone`, a lease with no file after N s) are pushed again (ms). */
const REFRESH_MS = 10_000;

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
} as const;

/** What {@link startDashboard} needs. */
export interface DashboardOptions {
  /** Address to bind (`127.0.0.1` by default in serve). */
  readonly address: string;
  /** Port (0 lets the system pick a free one, for tests). */
  readonly port: number;
  readonly source: DashboardSource;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The token beyond loopback (default: a new random one). Ignored on loopback. */
  readonly token?: string;
  /** Where the listening socket comes from (src/net/privileged.ts); default: fastify listens here. */
  readonly listenTcp?: PrivilegedJobs['listenTcp'];
}

/** A running dashboard. */
export interface Dashboard {
  /** `http://ADDR:PORT/` */
  readonly url: string;
  /** The URL with `?token=` when a token is required (what the serve log prints). */
  readonly tokenUrl?: string;
  readonly port: number;
  close(): Promise<void>;
}

/** The directory of dashboard.js and dashboard.css (in the source tree; run from dist/ or src/). */
function assetsDir(): string {
  const candidates = [new URL('../../../src/web/assets/', import.meta.url), new URL('./assets/', import.meta.url)].map((u) => fileURLToPath(u));
  return candidates.find((d) => existsSync(d)) ?? candidates[0] ?? '';
}

function hostLabel(address: string): string {
  return address.includes(':') ? `[${address}]` : address;
}

/** Applies the guard to one request; returns false when it answered (refused or redirected). */
function guardRequest(req: FastifyRequest, reply: FastifyReply, rules: () => GuardRules): boolean {
  const r = rules();
  const refuse = (code: number, text: string): false => (void reply.code(code).type('text/plain; charset=utf-8').headers(SECURITY_HEADERS).send(text), false);
  if (!isHostAllowed(req.headers.host, r)) return refuse(403, 'This Host is not allowed (DNS rebinding defence): open the dashboard by its address.\n');
  if (r.token !== undefined) {
    const url = new URL(req.url, 'http://x');
    const fromQuery = url.searchParams.get('token') ?? undefined;
    if (tokenMatches(fromQuery, r.token)) {
      url.searchParams.delete('token');
      void reply.code(303).header('set-cookie', tokenCookie(r.token)).headers(SECURITY_HEADERS).redirect(`${url.pathname}${url.search}`, 303);
      return false;
    }
    const presented = bearerToken(req.headers.authorization) ?? cookieValue(req.headers.cookie, TOKEN_COOKIE);
    if (!tokenMatches(presented, r.token)) return refuse(401, 'A token is required: open the URL with ?token= printed in the serve log.\n');
  }
  if (req.method === 'POST' && !isSameOrigin(req.headers.origin, req.headers.host)) return refuse(403, 'Refused: this request did not come from a page of the dashboard.\n');
  return true;
}

function liveRenderer(source: DashboardSource): ConstructorParameters<typeof LiveHub>[0] {
  // One push renders the device table once per filter the pages show, all in one turn of the
  // event loop: the list (every device's status, sorted) is built once for that turn.
  let listed: readonly DashboardDevice[] | undefined;
  const devices = (): readonly DashboardDevice[] => {
    if (listed === undefined) setImmediate(() => (listed = undefined));
    return (listed ??= source.devices());
  };
  const panels: Record<LivePanel, (filter?: DeviceFilter) => Promise<string> | string> = {
    devices: (filter) => deviceRows(devices(), filter),
    counters: () => countersPanel(source.counters()),
    transfers: () => transfersPanel(source.transfers()),
    leases: () => leasesPanel(source.leases(), source.now()),
    scopes: () => scopesPanel(source.scopes()),
    uploads: async () => uploadsPanel(await uploadGroups(source)),
  };
  return {
    panel: async (p, filter) => panels[p](filter),
    device: (mac) => {
      const d = source.device(mac);
      return d && { status: deviceStatusBlock(d), timeline: timelineList(d) };
    },
  };
}

async function buildApp(options: DashboardOptions, hub: LiveHub, rules: () => GuardRules): Promise<FastifyInstance> {
  const log = options.logger;
  const app = Fastify({ logger: false, trustProxy: false });
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_req, body, done) => done(null, body));
  app.addHook('onRequest', async (req, reply) => {
    if (!guardRequest(req, reply, rules)) return reply;
  });
  app.addHook('onSend', async (_req, reply) => {
    reply.headers(SECURITY_HEADERS);
  });
  app.setErrorHandler((err, _req, reply) => {
    log.error('dashboard request failed', { code: 'BB_INTERNAL', err: errorMessage(err) });
    void reply.code(500).type('text/plain; charset=utf-8').send('Internal error (logged).\n');
  });
  await app.register(fastifyStatic, { root: assetsDir(), prefix: '/assets/', decorateReply: false, index: false, list: false });
  registerRoutes(app, options.source, hub);
  return app;
}

/** Starts the dashboard; throws BB_WEB when the address cannot be bound (EADDRINUSE, EADDRNOTAVAIL...). */
export async function startDashboard(options: DashboardOptions): Promise<Dashboard> {
  const log = options.logger.child({ component: 'web' });
  const hub = new LiveHub(liveRenderer(options.source), options.clock, log);
  const loopback = isLoopbackAddress(options.address);
  const token = loopback ? undefined : (options.token ?? newToken());
  let port = options.port;
  const app = await buildApp({ ...options, logger: log }, hub, () => ({ address: options.address, port, ...(token === undefined ? {} : { token }) }));
  try {
    const { listenTcp } = options;
    if (listenTcp === undefined) await app.listen({ host: options.address, port: options.port });
    else await app.ready().then(async () => listenOnHandle(app.server, await listenTcp(options.address, options.port)));
  } catch (err) {
    await app.close().catch((closeErr: unknown) => log.debug('closing the unbound dashboard failed', { err: errorMessage(closeErr) }));
    throw ERRORS.webListen.create({ address: `${hostLabel(options.address)}:${options.port}`, reason: errnoCode(err) === 'EADDRINUSE' ? 'the port is already in use' : errorMessage(err) }, { cause: err });
  }
  const bound = app.server.address();
  port = typeof bound === 'object' && bound !== null ? bound.port : options.port;
  const unsubscribe = options.source.subscribe((change) => hub.notice(change));
  let refresh: TimerHandle | undefined;
  const tick = (): void => {
    hub.refreshAll();
    refresh = options.clock.setTimer(REFRESH_MS, tick);
  };
  refresh = options.clock.setTimer(REFRESH_MS, tick);
  const url = `http://${hostLabel(options.address)}:${port}/`;
  return {
    url,
    ...(token === undefined ? {} : { tokenUrl: `${url}?token=${token}` }),
    port,
    close: async () => {
      refresh?.cancel();
      unsubscribe();
      hub.close();
      await app.close();
    },
  };
}
