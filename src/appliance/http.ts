/**
 * The appliance's HTTP wiring (issue 14): the HTTP file server over the same storage
 * as TFTP (templates, remaps, alternates, defaults, uploads), on the served
 * interfaces' addresses only, on each configured port. A port another program listens
 * on (found in /proc/net/tcp, on 0.0.0.0 or on one of our addresses) is:
 *   - for a default port (80, 6970): a warning naming the program; serve goes on
 *     without that port and `status` lists it as skipped;
 *   - for a port asked for with --http-port: BB_PORT_IN_USE, like UDP 67/69.
 * A port that cannot be bound for another reason (EACCES, …) follows the same rule
 * (BB_SOCKET when asked for). Requests go to the device records (protocol `http`) and
 * to the appliance's events like TFTP transfers.
 */
import type { Clock } from '../clock.js';
import { ERRORS } from '../errors.js';
import { createHttpServer, type HttpListenFailure, type HttpServer } from '../http/server.js';
import type { Logger } from '../log.js';
import { describePortOwner, findTcpPortOwners, type PortOwner } from '../net/port-owner.js';
import type { PrivilegedJobs } from '../net/privileged.js';
import type { TftpStorage } from '../tftp/storage.js';
import type { ApplianceDevices } from './devices.js';
import type { EventSink } from './events.js';

/** One HTTP port and whether the technician asked for it (then it must be served). */
export interface ApplianceHttpPort {
  readonly port: number;
  readonly isExplicit: boolean;
}

/** HTTP settings of the appliance (absent: no HTTP). */
export interface ApplianceHttpConfig {
  readonly ports: readonly ApplianceHttpPort[];
}

/** A default port HTTP is not served on, and why. */
export interface SkippedHttpPort {
  readonly port: number;
  readonly reason: string;
}

/** The running HTTP side. */
export interface HttpSide {
  readonly server: HttpServer;
  readonly skipped: readonly SkippedHttpPort[];
}

/** What {@link startHttpSide} needs. */
export interface HttpSideOptions {
  readonly config: ApplianceHttpConfig;
  readonly storage: TftpStorage;
  /** The served interfaces' addresses (the TFTP listen addresses). */
  readonly listen: readonly string[];
  readonly maxTransfers: number;
  readonly maxPerClient?: number;
  /** TFTP's --queue-wait: how long a request over the limits waits for a slot. */
  readonly queueWaitMs?: number;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly devices?: ApplianceDevices;
  /** Where the listening sockets come from (src/net/privileged.ts); default: the server listens itself. */
  readonly listenTcp?: PrivilegedJobs['listenTcp'];
  /** Port-owner seam (default: /proc/net/tcp, this process left out). */
  readonly findOwners?: (port: number) => Promise<PortOwner[]>;
}

/** The holders of `port` that keep us from listening on one of `listen`. */
async function blockers(port: number, listen: readonly string[], findOwners: (port: number) => Promise<PortOwner[]>): Promise<PortOwner[]> {
  return (await findOwners(port)).filter((o) => o.localAddress === '0.0.0.0' || listen.includes(o.localAddress));
}

/** The ports that are free; throws for an explicit port that is taken, skips (with a warning) a default one. */
async function freePorts(o: HttpSideOptions, log: Logger): Promise<{ ports: ApplianceHttpPort[]; skipped: SkippedHttpPort[] }> {
  const findOwners = o.findOwners ?? ((port: number) => findTcpPortOwners(port, { ignorePids: [process.pid] }));
  const ports: ApplianceHttpPort[] = [];
  const skipped: SkippedHttpPort[] = [];
  for (const p of o.config.ports) {
    const held = await blockers(p.port, o.listen, findOwners);
    if (held.length === 0) {
      ports.push(p);
      continue;
    }
    const owners = held.map(describePortOwner).join('; ');
    if (p.isExplicit) throw ERRORS.httpPortInUse.create({ port: p.port, owners });
    log.warn(`TCP port ${p.port} is held by ${owners}: serving HTTP without it`, { code: 'BB_PORT_IN_USE', port: p.port });
    skipped.push({ port: p.port, reason: `held by ${owners}` });
  }
  return { ports, skipped };
}

/** Skips default ports that failed to listen; throws for an explicit one. */
function checkFailures(failures: readonly HttpListenFailure[], config: ApplianceHttpConfig, log: Logger): SkippedHttpPort[] {
  const skipped: SkippedHttpPort[] = [];
  for (const f of failures) {
    if (config.ports.some((p) => p.port === f.port && p.isExplicit)) {
      if (f.code === 'EADDRINUSE') throw ERRORS.httpPortInUse.create({ port: f.port, owners: 'another socket (its owner is not visible)' });
      throw ERRORS.httpListenFailed.create({ address: f.address, port: f.port, reason: f.message });
    }
    log.warn(`cannot serve HTTP on ${f.address}:${f.port}: going on without it`, { code: 'BB_SOCKET', err: f.message });
    skipped.push({ port: f.port, reason: `${f.address}: ${f.code}` });
  }
  return skipped;
}

/** Checks the ports, starts the HTTP server on the free ones and wires its events; throws for an explicit port that cannot be served. */
export async function startHttpSide(o: HttpSideOptions): Promise<HttpSide> {
  const log = o.logger.child({ component: 'http' });
  const { ports, skipped } = await freePorts(o, log);
  const server = createHttpServer({
    storage: o.storage,
    listen: ports.flatMap((p) => o.listen.map((address) => ({ address, port: p.port }))),
    logger: o.logger,
    clock: o.clock,
    maxTransfers: o.maxTransfers,
    ...(o.maxPerClient === undefined ? {} : { maxPerClient: o.maxPerClient }),
    ...(o.queueWaitMs === undefined ? {} : { queueWaitMs: o.queueWaitMs }),
    ...(o.listenTcp ? { listenTcp: o.listenTcp } : {}),
  });
  let failed: SkippedHttpPort[];
  try {
    failed = checkFailures(await server.start(), o.config, log);
  } catch (err) {
    await server.stop(0);
    throw err;
  }
  wireHttpEvents(server, o.events, o.clock);
  o.devices?.watchHttp(server);
  return { server, skipped: [...skipped, ...failed] };
}

/** The port UEFI HTTP boot URLs name: 80 when served, else the first port listening; undefined without HTTP. */
export function httpBootPort(server: HttpServer | undefined): number | undefined {
  const ports = server?.addresses().map((a) => a.port) ?? [];
  return ports.includes(80) ? 80 : ports[0];
}

/** Turns the HTTP server's events into the appliance's transfer events (the live view shows both protocols). */
function wireHttpEvents(http: HttpServer, events: EventSink, clock: Clock): void {
  const now = (): number => clock.now();
  http.on('started', (e) => events.emit({ kind: 'transfer-started', at: now(), id: e.id, peer: e.peer.address, file: e.file, direction: e.direction, ...(e.size === undefined ? {} : { size: e.size }) }));
  http.on('finished', (e) => events.emit({ kind: 'transfer-finished', at: now(), id: e.id, bytes: e.bytes }));
  http.on('failed', (e) => events.emit({ kind: 'transfer-failed', at: now(), id: e.id, reason: e.reason }));
}
