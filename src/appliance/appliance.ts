/**
 * The appliance: what `benchboot serve` runs. It composes the DHCP server (dhcp.ts),
 * the TFTP server over file-system storage (tftp.ts), the durable lease store and
 * the control socket (control.ts), passes their events to one listener
 * (events.ts), and offers start / stop / reload / status / leases / release as
 * methods so that it is tested without signals or a terminal (the serve command
 * owns those).
 *
 *     const appliance = createAppliance({ scopes: derivedScopes([...]), tftp: { root: './tftp', port: 69 },
 *       stateDir: './leases', dhcpBindings: systemBindings(), logger, clock: systemClock, onEvent });
 *     await appliance.start();
 *     ...
 *     await appliance.stop(5000);
 */
import { wallTimeOf } from '../clock.js';
import type { Scope } from '../config/scope.js';
import type { ControlRequest } from '../control/protocol.js';
import type { Lease } from '../dhcp/lease.js';
import type { LeaseStore } from '../store/backend.js';
import type { DhcpServer } from '../dhcp/server.js';
import { BenchbootError, ERRORS, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { toBenchbootError } from '../protocol-errors.js';
import { formatCidr, isIpv4, type Ipv4 } from '../net/ipv4.js';
import { answerControl, deviceControl, leasesOnWall, openControlSocket, releaseOnWall, type ControlTarget } from './control.js';
import { createDhcpSide, loggedReleases, openLeaseJournal } from './dhcp.js';
import { ApplianceDevices } from './devices.js';
import { EventSink } from './events.js';
import { buildStatus, uploadsOf, type ApplianceStatus } from './status.js';
import { listenOnNewAddresses, createTftpSide, interfaceAddresses, logUploadRoom, openTftpStorage, type TftpStorageSide } from './tftp.js';
import { tftpSettingsOf } from './tftp-settings.js';
import { ApplianceProvisioning } from './provisioning.js';
import { closeParts, type Running } from './close.js';
import { findRequester } from './requester.js';
import { retriesOnBusy } from './busy-retry.js';
import { httpBootPort } from './http.js';
import { besideListening, besideStatus, startBeside, type BesideState } from './beside.js';
import type { RequesterContext } from '../provision/tftp-storage.js';
import type { Appliance, ApplianceOptions, ReloadOutcome } from './appliance-types.js';
import { ApplianceLinks, type ApplianceLinkOptions, type LinkHost } from './links.js';
import { servedInterfaces } from '../dhcp/server.js';

export type { Appliance, ApplianceOptions, ReloadOutcome } from './appliance-types.js';
import { WebPart, type ApplianceWebConfig } from './web.js';

/** Creates the appliance (not started). */
export function createAppliance(options: ApplianceOptions): Appliance {
  return new ApplianceImpl(options);
}

class ApplianceImpl implements Appliance {
  private readonly log: Logger;
  private readonly events: EventSink;
  private current: Scope[] = [];
  private running: Running = {};
  private listen: string[] = [];
  private startedAt = 0;
  private reloadsOk = 0;
  private reloadsRejected = 0;
  private reloading: Promise<ReloadOutcome> | undefined;
  private beside: BesideState | undefined;
  private links: ApplianceLinks | undefined;
  private readonly provisioning: ApplianceProvisioning;

  constructor(private readonly options: ApplianceOptions) {
    this.provisioning = new ApplianceProvisioning(options.inventory);
    this.log = options.logger.child({ component: 'appliance' });
    this.events = new EventSink((e) => {
      this.running.web?.publish(e);
      options.onEvent?.(e);
    }, this.log);
  }

  async start(): Promise<void> {
    try {
      await this.startServing();
    } catch (err) {
      throw toBenchbootError(err);
    }
  }

  private async startServing(): Promise<void> {
    const { options } = this;
    const loaded = await this.provisioning.load(options.scopes);
    this.current = loaded.scopes;
    this.listen = [...(options.tftp.listenAddresses ?? (await interfaceAddresses(this.current)))];
    const storage = await this.provisioning.openStorage(await openTftpStorage(options.tftp), options.tftp, (address) => this.requesterOf(address), options.logger);
    this.provisioning.apply(loaded.inventory);
    let store: LeaseStore;
    try {
      store = await openLeaseJournal(options);
    } catch (err) {
      storage.storage.release();
      throw err;
    }
    this.running = { store, storage: storage.storage };
    const devices = options.deviceRecords === false ? undefined : new ApplianceDevices({ stateDir: options.stateDir, clock: options.clock, logger: options.logger, leasesAt: (ip) => this.leasesAt(ip), inventory: () => this.provisioning.inventory(), onStatus: (e) => this.events.emit(e), renderFailureOf: (peer, file) => this.provisioning.renderFailures.take(peer, file), ...(options.deviceRetention ? { retention: options.deviceRetention } : {}) });
    if (devices) this.running.devices = devices;
    try {
      await devices?.open();
      await this.startServers(store, storage);
    } catch (err) {
      await this.closeAll(0);
      throw err;
    }
    this.startedAt = options.clock.now();
    this.logServing(storage);
  }

  private async startServers(store: LeaseStore, side: TftpStorageSide): Promise<void> {
    const { options, events } = this;
    const { logger, clock } = options;
    const devices = this.running.devices;
    const onLease = devices && ((e: Parameters<ApplianceDevices['observeLease']>[0]): void => devices.observeLease(e));
    const dhcp = createDhcpSide(store, { stateDir: options.stateDir, scopes: this.current, bindings: options.dhcpBindings, logger, clock, events, policy: this.provisioning.policy, httpPort: () => httpBootPort(this.running.http), ...(onLease ? { onLease } : {}), ...(options.newClientRate ? { newClientRate: options.newClientRate } : {}) }).server;
    this.running.dhcp = dhcp;
    const jobs = options.privileged;
    const bindListener = jobs && ((address: string, port: number) => jobs.bindUdp({ address, port, recvBufferBytes: 1 << 20, sendBufferBytes: 1 << 20 }));
    const tftp = createTftpSide({ config: options.tftp, storage: side.storage, listen: this.listen, logger, clock, events, retriesOnBusy: retriesOnBusy((address) => this.requesterOf(address)), ...(bindListener ? { bindListener } : {}) });
    devices?.watchTftp(tftp);
    this.running.tftp = tftp;
    await dhcp.start();
    await tftp.start();
    const beside = { syslog: jobs && options.syslog && !options.syslog.bind ? { ...options.syslog, bind: (address: string, port: number) => jobs.bindUdp({ address, port }) } : options.syslog, http: options.http, ...(jobs ? { listenTcp: (address: string, port: number) => jobs.listenTcp(address, port) } : {}), tftp: options.tftp, storage: side.storage, listen: this.listen, devices, events, logger, clock };
    this.beside = await startBeside(beside, this.running);
    if (options.control ?? true) this.running.control = await openControlSocket(options.stateDir, logger, (r) => this.handleControl(r));
    if (options.web) await this.openWeb(options.web);
    if (options.links) await this.watchLinks(options.links, dhcp);
  }

  /** Served links that go and come back (links.ts): started last, stopped first. */
  private async watchLinks(o: ApplianceLinkOptions, dhcp: DhcpServer): Promise<void> {
    const { logger, clock, scopes: source, tftp } = this.options;
    const host: LinkHost = {
      log: logger.child({ component: 'links' }), clock, events: this.events, source,
      dhcp: () => this.running.dhcp,
      tftp: () => this.running.tftp,
      tftpPort: tftp.port, movesTftp: tftp.listenAddresses === undefined, scopes: () => this.current,
      loadScopes: async () => (await this.provisioning.load(source)).scopes,
      applyScopes: async (next) => {
        await this.running.dhcp?.reload(next);
        this.current = [...next];
      },
      moved: (from, to) => (this.listen = this.listen.map((a) => (a === from ? to : a))),
    };
    const names = servedInterfaces(this.current).map((i) => i.name);
    this.links = new ApplianceLinks(host, o, names, (name) => dhcp.bindings().find((b) => b.interfaceName === name)?.serverAddress);
    await this.links.start();
  }

  private async openWeb(config: ApplianceWebConfig): Promise<void> {
    const { logger, clock, tftp } = this.options;
    const host = { devices: () => this.running.devices, status: () => this.status(), leases: () => this.leases(), scopes: () => this.current, inventory: () => this.provisioning.inventory() };
    const jobs = this.options.privileged;
    const listenTcp = jobs && ((address: string, port: number) => jobs.listenTcp(address, port));
    this.running.web = new WebPart({ ...host, control: (r) => this.handleControl(r), uploadDir: tftp.uploadDir, clock, logger, ...(listenTcp ? { listenTcp } : {}) });
    await this.running.web.open(config);
  }

  private logServing({ storage, remap }: TftpStorageSide): void {
    const t = this.options.tftp;
    this.log.info('benchboot is serving', {
      scopes: this.current.map((s) => `${s.name}: ${s.interface} ${formatCidr(s.subnet)}`),
      tftp: this.listen.map((a) => `${a}:${t.port}`),
      ...besideListening(this.running),
      tftpRoot: storage.locations[0],
      ...(storage.locations.length > 1 ? { alternates: storage.locations.slice(1) } : {}),
      ...(t.mapFile === undefined ? {} : { mapFile: t.mapFile, remapRules: remap.length }),
      uploads: storage.uploadDir ?? 'off',
      ...this.provisioning.describe(),
      stateDir: this.options.stateDir,
    });
    logUploadRoom(this.log, storage.stats().uploadRoom);
  }

  async stop(graceMs: number): Promise<void> {
    this.log.info('stopping: no new leases or transfers; transfers in flight get a grace period', { graceMs, transfers: this.running.tftp?.transfers().length ?? 0 });
    await this.closeAll(graceMs);
    this.log.info('stopped; lease journal flushed');
  }

  private async closeAll(graceMs: number): Promise<void> {
    await this.links?.stop();
    this.links = undefined;
    const parts = this.running;
    this.running = {};
    await closeParts(parts, graceMs, this.log);
  }

  reload(): Promise<ReloadOutcome> {
    // Two reloads at once (SIGHUP while `benchboot reload` runs) share one.
    this.reloading ??= this.doReload().finally(() => {
      this.reloading = undefined;
    });
    return this.reloading;
  }

  private async doReload(): Promise<ReloadOutcome> {
    const dhcp = this.requireDhcp();
    let next: Scope[];
    try {
      const loaded = await this.provisioning.load(this.options.scopes);
      next = loaded.scopes;
      // An interface that is away (links.ts) is checked when it comes back, not now.
      const present = next.filter((x) => this.links?.isServing(x.interface) ?? true);
      const tftp = this.running.tftp;
      if (!this.options.tftp.listenAddresses && tftp) await listenOnNewAddresses(present, this.listen, tftp, this.options.tftp.port);
      await this.provisioning.reloadTemplates();
      await dhcp.reload(next);
      this.provisioning.apply(loaded.inventory);
    } catch (caught) {
      const err = toBenchbootError(caught);
      this.reloadsRejected++;
      this.log.error('reload rejected; the previous scopes stay in force', { code: err instanceof BenchbootError ? err.code : 'BB_INTERNAL', err: errorMessage(err) });
      this.events.emit({ kind: 'reload', at: this.options.clock.now(), ok: false, detail: errorMessage(err).split('\n')[0] ?? '' });
      throw err;
    }
    this.current = next;
    this.reloadsOk++;
    const names = next.map((s) => s.name);
    this.events.emit({ kind: 'reload', at: this.options.clock.now(), ok: true, detail: names.join(', ') });
    return { scopes: names };
  }

  /** Who asks for a file from `address`: its lease, scope and our address there (templates render for it). */
  private requesterOf(address: string): RequesterContext | undefined {
    const dhcp = this.running.dhcp;
    return findRequester(address, {
      leases: dhcp?.leases() ?? [],
      scopes: this.current,
      serverAddressOn: (name) => dhcp?.bindings().find((b) => b.interfaceName === name)?.serverAddress,
      profileOf: (mac) => this.running.devices?.profileIdOf(mac),
    });
  }

  private requireDhcp(): DhcpServer {
    const dhcp = this.running.dhcp;
    if (!dhcp) throw ERRORS.notRunning.create();
    return dhcp;
  }

  status(): ApplianceStatus {
    const { tftp, dhcp } = this.running;
    const t = this.options.tftp;
    return buildStatus({
      pid: process.pid,
      startedAt: this.startedAt,
      now: this.options.clock.now(),
      toWall: (t) => wallTimeOf(this.options.clock, t),
      scopeSource: this.options.scopes.describe,
      scopes: this.current,
      leases: this.leases(),
      tftpRoot: t.root,
      ...(t.uploadDir === undefined ? {} : { uploadDir: t.uploadDir }),
      tftpSettings: tftpSettingsOf(t),
      ...(tftp ? { tftp: { listen: tftp.addresses().map((a) => `${a.address}:${a.port}`), counters: tftp.counters(), transfers: tftp.transfers(), ...uploadsOf(this.running.storage?.stats().uploadRoom) } } : {}),
      ...besideStatus(this.running, this.beside),
      ...(dhcp ? { dhcp: dhcp.counters() } : {}),
      reloads: { ok: this.reloadsOk, rejected: this.reloadsRejected },
      ...(this.running.devices ? { devices: this.running.devices.countsByStatus() } : {}),
      ...(this.running.web ? { web: this.running.web.state() } : {}),
      ...(this.links ? { links: this.links.snapshot((t) => wallTimeOf(this.options.clock, t)) } : {}),
    });
  }

  leases(): readonly Lease[] {
    return this.running.dhcp ? this.running.dhcp.leases() : [];
  }

  /** The leases of one address (a lookup, not a copy of the table); none for a text that is no IPv4 address. */
  private leasesAt(ip: string): readonly Lease[] {
    // Checked by the strict rule, so the cast is a parse (this runs for every device event).
    return this.running.dhcp && isIpv4(ip) ? this.running.dhcp.leasesAt(ip as Ipv4) : [];
  }

  scopes(): readonly Scope[] {
    return this.current;
  }

  handleControl(request: ControlRequest): Promise<unknown> {
    return answerControl(this.controlTarget(), request);
  }

  devices(): ApplianceDevices | undefined {
    return this.running.devices;
  }

  private controlTarget(): ControlTarget {
    return {
      status: () => this.status(),
      leases: () => leasesOnWall(this.leases(), this.options.clock),
      reload: () => this.reload(),
      // Lease times on the wall clock in both directions, as `benchboot leases` reads them.
      ...releaseOnWall(loggedReleases(() => this.requireDhcp(), this.log, this.options.clock), this.options.clock),
      ...deviceControl(() => this.running.devices),
    };
  }
}
