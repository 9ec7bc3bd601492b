/**
 * The appliance: what `benchboot serve` runs. It composes the DHCP server, the
 * TFTP server over file-system storage, the durable lease store and the control
 * socket, turns their events into appliance events (for the live view), and
 * offers start / stop / reload / status / leases / release as methods so that it
 * is tested without signals or a terminal (the serve command owns those).
 *
 * Before the first lease, {@link preflight} refuses to start when UDP 67 or 69 is
 * held by another program (naming it from /proc), and when another DHCP server
 * answers a probe DISCOVER on a served interface (unless forced).
 *
 *     const appliance = createAppliance({ scopes: derivedScopes([...]), tftp: { root: './tftp', port: 69 },
 *       stateDir: './leases', dhcpBindings: systemBindings(), logger, clock: systemClock, onEvent });
 *     await appliance.start();
 *     ...
 *     await appliance.stop(5000);
 */
import { mkdir } from 'node:fs/promises';
import type { Clock } from './clock.js';
import { loadScopes } from './config/load.js';
import { deriveScope, poolSize } from './config/defaults.js';
import type { Scope } from './config/scope.js';
import { controlSocketPath } from './control/client.js';
import { createControlServer, type ControlServer } from './control/server.js';
import type { ControlRequest } from './control/protocol.js';
import { BenchbootError, errorMessage, isBenchbootError } from './errors.js';
import { isLeaseEventKind, type Lease, type LeaseEventKind } from './dhcp/lease.js';
import { isLeaseFree } from './dhcp/lease-table.js';
import { inPool } from './dhcp/choose-address.js';
import { openLeaseStore } from './store/lease-store.js';
import type { LeaseStore } from './store/backend.js';
import { describeProbeAnswer, isOwnAnswer, probeInterface, type ProbeAnswer } from './dhcp/probe.js';
import { createDhcpServer, servedInterfaces, type DhcpBindingFactory, type DhcpLeaseEvent, type DhcpServer } from './dhcp/server.js';
import type { DhcpCountersSnapshot } from './dhcp/counters.js';
import type { Logger } from './log.js';
import { formatCidr, type Ipv4 } from './net/ipv4.js';
import { requireInterfaceForSubnet } from './net/interfaces.js';
import { DHCP_PORT } from './dhcp/constants.js';
import { describePortOwner, findUdpPortOwners, type PortOwner } from './net/port-owner.js';
import { createFsStorage, loadRemapFile } from './tftp/fs-storage.js';
import type { DefaultRule } from './tftp/resolve-path.js';
import { createTftpServer, type TftpCounters, type TftpServer, type TftpServerOptions, type TransferInfo } from './tftp/server.js';
import type { ApplianceEvent } from './ui/events.js';
import { DhcpError } from './dhcp/dhcp-error.js';

export type { ApplianceEvent } from './ui/events.js';

/**
 * The product's error for a failure the DHCP package reports as a typed DhcpError
 * (users see the same BB_* codes as before): an unfit interface is BB_INTERFACE, or
 * the code of the product error that caused it. Anything else is returned as it is.
 */
export function dhcpFailure(err: unknown): unknown {
  if (!(err instanceof DhcpError)) return err;
  const code = isBenchbootError(err.cause) ? err.cause.code : 'BB_INTERFACE';
  return new BenchbootError(code, err.message, { cause: err });
}

/** Rethrows `err` as the product's error (see {@link dhcpFailure}). */
export function throwDhcpFailure(err: unknown): never {
  throw dhcpFailure(err);
}

/** Where the scopes come from; `load()` is called at start and at every reload. */
export interface ScopeSource {
  /** For status and logs, e.g. `scope files in ./scopes` or `derived from eth1`. */
  readonly describe: string;
  load(): Promise<Scope[]>;
}

/** One interface served without a scope file: its address and prefix make the scope. */
export interface DerivedInterface {
  readonly name: string;
  readonly address: Ipv4;
  readonly prefix: number;
}

/** Scopes derived from interface addresses (no scope file); the scope is named after the interface. */
export function derivedScopes(interfaces: readonly DerivedInterface[]): ScopeSource {
  return {
    describe: `derived from ${interfaces.map((i) => `${i.name} ${i.address}/${i.prefix}`).join(', ')}`,
    load: () => Promise.resolve(interfaces.map((i) => deriveScope({ name: i.name, interface: i.name, address: i.address, prefix: i.prefix }))),
  };
}

/** Scopes from the files of a directory, optionally only those naming the given interfaces. */
export function scopeFiles(dir: string, onlyInterfaces: readonly string[] = []): ScopeSource {
  return {
    describe: `scope files in ${dir}${onlyInterfaces.length ? ` for ${onlyInterfaces.join(', ')}` : ''}`,
    async load() {
      const all = await loadScopes(dir);
      const chosen = onlyInterfaces.length ? all.filter((s) => onlyInterfaces.includes(s.interface)) : all;
      if (chosen.length === 0) {
        const why = onlyInterfaces.length ? ` for interface ${onlyInterfaces.join(', ')}` : '';
        throw new BenchbootError('BB_SCOPE_NOT_FOUND', `no scope file in ${dir}${why}; create one with "benchboot scope add" or serve an interface without --scopes`);
      }
      return chosen;
    },
  };
}

/** TFTP settings of the appliance. */
export interface ApplianceTftpConfig {
  readonly root: string;
  /** Enables uploads (WRQ) into this directory. */
  readonly uploadDir?: string;
  readonly port: number;
  readonly maxTransfers: number;
  /**
   * Addresses to listen on. Default: the served interfaces' own addresses (never
   * 0.0.0.0, so TFTP is not offered on the laptop's other networks).
   */
  readonly listenAddresses?: readonly string[];
  /** Up to ten directories searched after the root, in order. */
  readonly alternates?: readonly string[];
  /** Default files for names found nowhere (first matching glob wins). */
  readonly defaults?: readonly DefaultRule[];
  /** Match file names ignoring case. */
  readonly caseInsensitive?: boolean;
  /** A tftpd-hpa style remap file, read at start (errors name the file and line). */
  readonly mapFile?: string;
  /** Replace an upload of the same name instead of keeping every version. */
  readonly overwriteUploads?: boolean;
  /** Largest upload in bytes: the storage's limit and the server's tsize check. */
  readonly maxUploadBytes?: number;
  /** Transfer and negotiation limits handed to the TFTP server as they are. */
  readonly server?: ApplianceTftpServerLimits;
}

/** The TFTP server settings the appliance passes through unchanged. */
export type ApplianceTftpServerLimits = Pick<TftpServerOptions, 'portRange' | 'maxPerClient' | 'maxBlksize' | 'mtu' | 'maxWindowsize' | 'maxWindowBytes' | 'minWindowBlocks' | 'timeoutMs' | 'retries' | 'busyPollMicros'>;

/** The storage and server settings in force, as status reports them (paths as configured). */
export interface ApplianceTftpSettings {
  readonly alternates: readonly string[];
  readonly defaults: readonly DefaultRule[];
  readonly caseInsensitive: boolean;
  readonly mapFile?: string;
  readonly overwriteUploads: boolean;
  readonly maxUploadBytes?: number;
  readonly maxTransfers: number;
  readonly server: ApplianceTftpServerLimits;
}

/** Lease counts of one scope at one moment. */
export interface ScopeLeaseCounts {
  /** Addresses in the scope's pool ranges. */
  readonly pool: number;
  readonly bound: number;
  readonly offered: number;
  /** DECLINEd addresses still quarantined. */
  readonly declined: number;
  /** Pool addresses nobody holds (pool minus bound, offered and declined addresses inside the ranges). */
  readonly free: number;
}

/**
 * Counts the leases of `scope` at `now`: a lease the lease table deems free
 * (released, or its `expiresAt` passed) holds nothing; reserved addresses outside
 * the ranges are counted as bound but never taken from `free`.
 */
export function countScopeLeases(scope: Scope, leases: readonly Lease[], now: number): ScopeLeaseCounts {
  const pool = poolSize(scope.ranges);
  let bound = 0;
  let offered = 0;
  let declined = 0;
  const held = new Set<Ipv4>();
  for (const l of leases) {
    if (l.scope !== scope.name || isLeaseFree(l, now)) continue;
    if (l.state === 'bound') bound++;
    else if (l.state === 'offered') offered++;
    else if (l.state === 'declined') declined++;
    if (inPool(scope, l.ip)) held.add(l.ip);
  }
  return { pool, bound, offered, declined, free: pool - held.size };
}

/** Everything the appliance composes. */
export interface ApplianceOptions {
  readonly scopes: ScopeSource;
  readonly tftp: ApplianceTftpConfig;
  /** State directory: lease journal, snapshot, lock and control socket. */
  readonly stateDir: string;
  /** DHCP sockets: `systemBindings({ port })` on a real machine, `loopbackBindings` in tests. */
  readonly dhcpBindings: DhcpBindingFactory;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Called with every appliance event (live view, tests). Exceptions are logged. */
  readonly onEvent?: (event: ApplianceEvent) => void;
  /** Open the control socket in the state directory (default true). */
  readonly control?: boolean;
}

/** What `status` reports. */
export interface ApplianceStatus {
  readonly pid: number;
  readonly startedAt: number;
  readonly scopeSource: string;
  readonly scopes: readonly {
    readonly name: string;
    readonly interface: string;
    readonly subnet: string;
    readonly source?: string;
    /** Lease counts at the moment of the status. */
    readonly leases: ScopeLeaseCounts;
  }[];
  readonly tftp: {
    readonly listen: readonly string[];
    readonly root: string;
    readonly uploadDir?: string;
    readonly settings: ApplianceTftpSettings;
    /** Absent when not running. */
    readonly counters?: Readonly<TftpCounters>;
    readonly transfers: readonly TransferInfo[];
  };
  /** Absent when not running. */
  readonly dhcp?: DhcpCountersSnapshot;
  readonly leases: { readonly bound: number; readonly offered: number; readonly total: number };
  readonly reloads: { readonly ok: number; readonly rejected: number };
}

/** The outcome of a reload. */
export interface ReloadOutcome {
  readonly scopes: readonly string[];
}

/** A composed appliance. */
export interface Appliance {
  /** Opens the lease store, starts DHCP, TFTP and the control socket. */
  start(): Promise<void>;
  /** Stops accepting, lets TFTP transfers finish for up to `graceMs`, flushes the journal. */
  stop(graceMs: number): Promise<void>;
  /**
   * Re-reads the scopes. Leases and transfers in flight are kept. An invalid new
   * set is rejected (logged, the old scopes stay) and the error is thrown.
   */
  reload(): Promise<ReloadOutcome>;
  status(): ApplianceStatus;
  leases(): readonly Lease[];
  /** The scopes in force. */
  scopes(): readonly Scope[];
  /** The answer to one control request (what the control socket calls). */
  handleControl(request: ControlRequest): Promise<unknown>;
}

/** Maps a DHCP server lease event to the view's lease state, or undefined for events that change no lease. */
export function leaseStateOf(kind: DhcpLeaseEvent['kind']): LeaseEventKind | undefined {
  return isLeaseEventKind(kind) ? kind : undefined;
}

/** Creates the appliance (not started). */
export function createAppliance(options: ApplianceOptions): Appliance {
  return new ApplianceImpl(options);
}

class ApplianceImpl implements Appliance {
  private readonly log: Logger;
  private current: Scope[] = [];
  private store: LeaseStore | undefined;
  private dhcp: DhcpServer | undefined;
  private tftp: TftpServer | undefined;
  private control: ControlServer | undefined;
  private listen: string[] = [];
  private startedAt = 0;
  private reloadsOk = 0;
  private reloadsRejected = 0;
  private reloading: Promise<ReloadOutcome> | undefined;

  constructor(private readonly options: ApplianceOptions) {
    this.log = options.logger.child({ component: 'appliance' });
  }

  private emit(event: ApplianceEvent): void {
    try {
      this.options.onEvent?.(event);
    } catch (err) {
      this.log.error('event listener failed', { code: 'BB_INTERNAL', event: event.kind, err: errorMessage(err) });
    }
  }

  async start(): Promise<void> {
    const { options } = this;
    this.current = await options.scopes.load();
    this.listen = [...(options.tftp.listenAddresses ?? (await this.interfaceAddresses(this.current)))];
    const t = options.tftp;
    const remap = t.mapFile === undefined ? [] : await loadRemapFile(t.mapFile);
    const storage = await createFsStorage({
      root: t.root,
      alternates: t.alternates ?? [],
      defaults: t.defaults ?? [],
      caseInsensitive: t.caseInsensitive ?? false,
      remap,
      ...(t.uploadDir === undefined
        ? {}
        : {
            uploads: {
              dir: t.uploadDir,
              overwrite: t.overwriteUploads ?? false,
              ...(t.maxUploadBytes === undefined ? {} : { maxBytes: t.maxUploadBytes }),
            },
          }),
    });
    await mkdir(options.stateDir, { recursive: true });
    const store = await openLeaseStore({ dir: options.stateDir, now: options.clock.now(), logger: options.logger });
    this.store = store;
    try {
      this.dhcp = createDhcpServer({
        scopes: this.current,
        journal: store,
        initialLeases: store.loaded,
        logger: options.logger,
        clock: options.clock,
        bindings: options.dhcpBindings,
        onEvent: (e) => this.onDhcpEvent(e),
      });
      this.tftp = createTftpServer({
        storage,
        logger: options.logger,
        clock: options.clock,
        listen: this.listen.map((address) => ({ address, port: options.tftp.port })),
        maxTransfers: options.tftp.maxTransfers,
        ...(options.tftp.maxUploadBytes === undefined ? {} : { maxUploadBytes: options.tftp.maxUploadBytes }),
        ...options.tftp.server,
      });
      this.wireTftpEvents(this.tftp);
      await this.dhcp.start().catch(throwDhcpFailure);
      await this.tftp.start();
      if (options.control ?? true) {
        this.control = await createControlServer({ path: controlSocketPath(options.stateDir), logger: options.logger, handler: (r) => this.handleControl(r) });
      }
    } catch (err) {
      await this.closeAll(0);
      throw err;
    }
    this.startedAt = options.clock.now();
    this.log.info('benchboot is serving', {
      scopes: this.current.map((s) => `${s.name}: ${s.interface} ${formatCidr(s.subnet)}`),
      tftp: this.listen.map((a) => `${a}:${options.tftp.port}`),
      tftpRoot: storage.locations[0],
      ...(storage.locations.length > 1 ? { alternates: storage.locations.slice(1) } : {}),
      ...(t.mapFile === undefined ? {} : { mapFile: t.mapFile, remapRules: remap.length }),
      uploads: storage.uploadDir ?? 'off',
      stateDir: options.stateDir,
    });
  }

  /** The address each served interface holds in its scopes' subnet (the TFTP listen addresses). */
  private async interfaceAddresses(scopes: readonly Scope[]): Promise<string[]> {
    const out = new Set<string>();
    for (const served of servedInterfaces(scopes)) {
      for (const scope of served.scopes) out.add((await requireInterfaceForSubnet(served.name, scope.subnet)).address);
    }
    return [...out];
  }

  async stop(graceMs: number): Promise<void> {
    this.log.info('stopping: no new leases or transfers; transfers in flight get a grace period', { graceMs, transfers: this.tftp?.transfers().length ?? 0 });
    await this.closeAll(graceMs);
    this.log.info('stopped; lease journal flushed');
  }

  private async closeAll(graceMs: number): Promise<void> {
    const failures: unknown[] = [];
    const step = async (what: string, fn: (() => Promise<void>) | undefined): Promise<void> => {
      if (!fn) return;
      try {
        await fn();
      } catch (err) {
        failures.push(err);
        this.log.error(`stopping ${what} failed`, { code: 'BB_INTERNAL', err: errorMessage(err) });
      }
    };
    const { control, dhcp, tftp, store } = this;
    this.control = undefined;
    this.dhcp = undefined;
    this.tftp = undefined;
    this.store = undefined;
    await step('control socket', control && (() => control.close()));
    // DHCP first (no new leases), then TFTP with its grace period, then the journal.
    await step('DHCP', dhcp && (() => dhcp.stop()));
    await step('TFTP', tftp && (() => tftp.stop(graceMs)));
    await step('lease store', store && (() => store.close()));
    if (failures.length > 0) throw new BenchbootError('BB_INTERNAL', `stopping failed: ${failures.map(errorMessage).join('; ')}`, { cause: failures[0] });
  }

  reload(): Promise<ReloadOutcome> {
    // Two reloads at once (SIGHUP while `benchboot reload` runs) share one.
    this.reloading ??= this.doReload().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doReload(): Promise<ReloadOutcome> {
    const dhcp = this.dhcp;
    if (!dhcp) throw new BenchbootError('BB_CONTROL', 'the appliance is not running');
    let next: Scope[];
    try {
      next = await this.options.scopes.load();
      await this.checkTftpCovers(next);
      await dhcp.reload(next).catch(throwDhcpFailure);
    } catch (err) {
      this.reloadsRejected++;
      this.log.error('reload rejected; the previous scopes stay in force', { code: err instanceof BenchbootError ? err.code : 'BB_INTERNAL', err: errorMessage(err) });
      this.emit({ kind: 'reload', at: this.options.clock.now(), ok: false, detail: errorMessage(err).split('\n')[0] ?? '' });
      throw err;
    }
    this.current = next;
    this.reloadsOk++;
    const names = next.map((s) => s.name);
    this.emit({ kind: 'reload', at: this.options.clock.now(), ok: true, detail: names.join(', ') });
    return { scopes: names };
  }

  /** A reload may not move an interface to an address TFTP does not listen on (the TFTP sockets stay). */
  private async checkTftpCovers(next: readonly Scope[]): Promise<void> {
    if (this.options.tftp.listenAddresses) return;
    const wanted = await this.interfaceAddresses(next);
    const missing = wanted.filter((a) => !this.listen.includes(a));
    if (missing.length > 0) {
      throw new BenchbootError('BB_INTERFACE', `the new scopes need TFTP on ${missing.join(', ')}, which was not served at start; restart benchboot serve to add an interface`);
    }
  }

  status(): ApplianceStatus {
    const leases = this.leases();
    const tftp = this.tftp;
    const now = this.options.clock.now();
    return {
      pid: process.pid,
      startedAt: this.startedAt,
      scopeSource: this.options.scopes.describe,
      scopes: this.current.map((s) => ({
        name: s.name,
        interface: s.interface,
        subnet: formatCidr(s.subnet),
        ...(s.source ? { source: s.source } : {}),
        leases: countScopeLeases(s, leases, now),
      })),
      tftp: {
        listen: tftp ? tftp.addresses().map((a) => `${a.address}:${a.port}`) : [],
        root: this.options.tftp.root,
        ...(this.options.tftp.uploadDir === undefined ? {} : { uploadDir: this.options.tftp.uploadDir }),
        settings: this.tftpSettings(),
        ...(tftp ? { counters: tftp.counters() } : {}),
        transfers: tftp ? tftp.transfers() : [],
      },
      ...(this.dhcp ? { dhcp: this.dhcp.counters() } : {}),
      leases: {
        bound: leases.filter((l) => l.state === 'bound').length,
        offered: leases.filter((l) => l.state === 'offered').length,
        total: leases.length,
      },
      reloads: { ok: this.reloadsOk, rejected: this.reloadsRejected },
    };
  }

  private tftpSettings(): ApplianceTftpSettings {
    const t = this.options.tftp;
    return {
      alternates: t.alternates ?? [],
      defaults: t.defaults ?? [],
      caseInsensitive: t.caseInsensitive ?? false,
      ...(t.mapFile === undefined ? {} : { mapFile: t.mapFile }),
      overwriteUploads: t.overwriteUploads ?? false,
      ...(t.maxUploadBytes === undefined ? {} : { maxUploadBytes: t.maxUploadBytes }),
      maxTransfers: t.maxTransfers,
      server: t.server ?? {},
    };
  }

  leases(): readonly Lease[] {
    return this.dhcp ? this.dhcp.leases() : [];
  }

  scopes(): readonly Scope[] {
    return this.current;
  }

  async handleControl(request: ControlRequest): Promise<unknown> {
    switch (request.op) {
      case 'status':
        return this.status();
      case 'leases':
        return this.leases();
      case 'reload':
        return this.reload();
      case 'release':
        return this.release(request.ip);
    }
  }

  /** Frees a bound address: the DHCP server releases it as its client would (engine, journal, event). */
  private async release(ip: Ipv4): Promise<Lease> {
    const dhcp = this.dhcp;
    if (!dhcp) throw new BenchbootError('BB_CONTROL', 'the appliance is not running');
    const outcome = await dhcp.release(ip);
    if (outcome.kind === 'not-bound') throw new BenchbootError('BB_LEASE_NOT_FOUND', `no bound lease for ${ip}`);
    if (outcome.kind === 'not-served') throw new BenchbootError('BB_LEASE_NOT_FOUND', `the lease for ${ip} belongs to scope ${outcome.scope}, which is no longer served`);
    const { lease } = outcome;
    this.log.info('lease released on request', { ip, mac: lease.mac, scope: lease.scope });
    return lease;
  }

  private onDhcpEvent(e: DhcpLeaseEvent): void {
    const state = leaseStateOf(e.kind);
    if (state === undefined || e.ip === undefined) return;
    this.emit({
      kind: 'lease',
      at: this.options.clock.now(),
      scope: e.scope,
      mac: e.mac,
      ip: e.ip,
      state,
      ...(e.vendorClass === undefined ? {} : { vendorClass: e.vendorClass }),
      ...(e.hostname === undefined ? {} : { hostname: e.hostname }),
    });
  }

  private wireTftpEvents(tftp: TftpServer): void {
    const now = (): number => this.options.clock.now();
    tftp.on('started', (e) =>
      this.emit({ kind: 'transfer-started', at: now(), id: e.id, peer: e.peer.address, file: e.file, direction: e.direction, ...(e.size === undefined ? {} : { size: e.size }) }),
    );
    tftp.on('progress', (e) => this.emit({ kind: 'transfer-progress', at: now(), id: e.id, bytes: e.bytes }));
    tftp.on('finished', (e) => this.emit({ kind: 'transfer-finished', at: now(), id: e.id, bytes: e.bytes }));
    tftp.on('failed', (e) => this.emit({ kind: 'transfer-failed', at: now(), id: e.id, reason: e.reason }));
    tftp.on('busy', (e) => this.emit({ kind: 'tftp-busy', at: now(), peer: e.peer.address, file: e.file }));
    tftp.on('refused', (e) => this.emit({ kind: 'tftp-refused', at: now(), peer: e.peer.address, file: e.file, message: e.message }));
  }
}


// ------------------------------------------------------------------ preflight

/** What {@link preflight} checks before the first lease. */
export interface PreflightOptions {
  /** Interfaces to probe for another DHCP server (empty: no probe, e.g. loopback tests). */
  readonly probeInterfaces: readonly string[];
  /** Our own addresses: an answer from one of them is not a foreign server. */
  readonly ownAddresses: readonly Ipv4[];
  readonly dhcpPort: number;
  readonly tftpPort: number;
  /** Start even when another DHCP server answers. */
  readonly force: boolean;
  readonly probeTimeoutMs: number;
  readonly clock: Clock;
  readonly logger: Logger;
  /** Port lookup seam (default: /proc). */
  readonly findOwners?: (port: number) => Promise<PortOwner[]>;
  /** Probe seam (default: a real DISCOVER on the interface). */
  readonly probe?: (interfaceName: string) => Promise<readonly ProbeAnswer[]>;
}

/** A foreign DHCP server found by the probe. */
export interface RogueServer {
  readonly interfaceName: string;
  readonly answer: ProbeAnswer;
}

/**
 * Refuses (BB_PORT_IN_USE) when another program holds the DHCP or TFTP port,
 * naming it; then probes each interface and refuses (BB_ROGUE_DHCP) when another
 * DHCP server answers, unless `force` (then it warns and returns what it found).
 */
export async function preflight(options: PreflightOptions): Promise<RogueServer[]> {
  const findOwners = options.findOwners ?? ((port: number) => findUdpPortOwners(port, { ignorePids: [process.pid] }));
  for (const [port, what] of [
    [options.dhcpPort, 'DHCP'],
    [options.tftpPort, 'TFTP'],
  ] as const) {
    const owners = await findOwners(port);
    if (owners.length > 0) {
      throw new BenchbootError(
        'BB_PORT_IN_USE',
        `UDP port ${port} (${what}) is already taken by ${owners.map(describePortOwner).join('; ')}. Stop it first (e.g. "sudo systemctl stop dnsmasq" or kill that pid), then start benchboot again.`,
      );
    }
  }
  const probe = options.probe ?? (async (name: string) => (await probeInterface(name, options.probeTimeoutMs, options.clock).catch(throwDhcpFailure)).answers);
  const found: RogueServer[] = [];
  for (const name of options.probeInterfaces) {
    let answers: readonly ProbeAnswer[];
    try {
      answers = await probe(name);
    } catch (err) {
      // The probe needs UDP 68 (a DHCP client on the laptop may hold it without SO_REUSEADDR).
      const holders = isBenchbootError(err, 'BB_PORT_IN_USE') ? (await findOwners(DHCP_PORT.CLIENT)).map(describePortOwner) : [];
      const why = `cannot probe ${name} for another DHCP server: ${errorMessage(err)}${holders.length ? ` (held by ${holders.join('; ')})` : ''}`;
      if (!options.force) throw new BenchbootError(isBenchbootError(err) ? err.code : 'BB_SOCKET', `${why}. Start with --force to skip this check.`, { cause: err });
      options.logger.warn('starting without the rogue DHCP check because of --force', { code: 'BB_ROGUE_DHCP', interface: name, err: why });
      continue;
    }
    for (const answer of answers.filter((a) => !isOwnAnswer(a, options.ownAddresses))) found.push({ interfaceName: name, answer });
  }
  if (found.length === 0) return found;
  const list = found.map((r) => `on ${r.interfaceName}: ${describeProbeAnswer(r.answer)}`).join('; ');
  if (!options.force) {
    throw new BenchbootError(
      'BB_ROGUE_DHCP',
      `another DHCP server answers ${list}. Two DHCP servers on one wire hand out conflicting addresses: switch the other one off or unplug it, or start with --force if you really mean to run both.`,
    );
  }
  options.logger.warn('another DHCP server answers, starting anyway because of --force', { code: 'BB_ROGUE_DHCP', servers: list });
  return found;
}
