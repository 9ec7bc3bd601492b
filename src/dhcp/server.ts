/**
 * The DHCP server: sockets on the served interfaces feed datagrams to the pure
 * engine, and its answers go back out — after the lease changes they carry are
 * durable.
 *
 * Each datagram goes through named steps:
 *   receive → decode (DecodeError: count, debug log once per source, drop)
 *           → classify (BOOTREQUEST on an interface that has scopes)
 *           → a DISCOVER waits its turn behind the rest when the server is behind (discover-queue.ts)
 *           → ask the engine (`respond`, pure)
 *           → apply the changes to the in-memory lease table (at once: later requests see them)
 *           → journal them and wait for the fsync (never ACK what a crash could forget;
 *             when the journal fails, they are taken back out of the table: pending-changes.ts)
 *           → send the bytes the engine encoded to the destination it chose → count, log, emit.
 */
import type { Scope } from './scope.js';
import { errorMessage } from '../errno.js';
import type { Logger } from '../log.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { UdpPeer } from '../net/udp.js';
import { servedInterfaces, type DhcpBinding } from './bindings.js';
import { DHCP_MESSAGE_TYPE, messageTypeName } from './constants.js';
import { DiscoverQueues } from './discover-queue.js';
import { DhcpCounters, type DhcpCountersSnapshot, type PoolUsage } from './counters.js';
import { isServedRequest, noteInternalError, readDatagram, SeenSources } from './datagram.js';
import { formatDropReason } from './drop-reason.js';
import { ExpirySweep } from './expiry-sweep.js';
import { respond, type EngineResult } from './engine.js';
import type { Lease, LeaseChange } from './lease.js';
import { LeaseEventReporter } from './lease-events.js';
import { LeaseTable } from './lease-table.js';
import { NewClientGate } from './new-client-gate.js';
import { PendingChanges } from './pending-changes.js';
import { releaseOnRequest } from './release-on-request.js';
import { destinationPeer } from './reply-destination.js';
import { readRequestFacts, type RequestFacts } from './request-facts.js';
import type { DhcpServer, DhcpServerOptions, ReleaseOutcome } from './server-api.js';

export { loopbackBindings, servedInterfaces, systemBindings, type DhcpBinding, type DhcpBindingFactory, type ServedInterface } from './bindings.js';
export type { DhcpLeaseEvent } from './lease-events.js';
export type { DhcpServer, DhcpServerOptions, ReleaseOutcome } from './server-api.js';

const DEFAULT_SWEEP_MS = 5000;
/** A DISCOVER shed under load is logged once per this many (the counter has them all). */
const DISCOVER_SHED_LOG_EVERY = 10_000;

/** Creates a DHCP server (not started). */
export function createDhcpServer(options: DhcpServerOptions): DhcpServer {
  return new Server(options);
}

class Server implements DhcpServer {
  private scopes: readonly Scope[];
  private readonly table: LeaseTable;
  /** Changes in the table that the journal has not confirmed yet. */
  private readonly pending: PendingChanges;
  private readonly counterSet = new DhcpCounters();
  private readonly log: Logger;
  private readonly events: LeaseEventReporter;
  private active: DhcpBinding[] = [];
  /** Interfaces whose socket is closed while their link is away (pause/resume). */
  private readonly paused = new Set<string>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly discovers = new DiscoverQueues();
  private readonly malformedSources = new SeenSources(1024);
  private readonly sweep: ExpirySweep;
  private readonly gate: NewClientGate | undefined;
  private running = false;

  constructor(private readonly options: DhcpServerOptions) {
    this.scopes = options.scopes;
    this.log = options.logger.child({ component: 'dhcp' });
    this.events = new LeaseEventReporter(this.log, this.counterSet, options.onEvent);
    this.sweep = new ExpirySweep(options.clock, options.sweepIntervalMs ?? DEFAULT_SWEEP_MS, () => this.table.all(), (lease) =>
      this.events.reportExpired(lease, this.bindingOf(lease.scope)?.interfaceName ?? ''),
    );
    this.table = new LeaseTable(options.scopes);
    this.pending = new PendingChanges(this.table);
    this.gate = options.newClientRate ? new NewClientGate(options.newClientRate, this.log) : undefined;
    if (options.initialLeases) this.table.load(options.initialLeases);
  }

  async start(): Promise<void> {
    if (this.running) return;
    const bindings = await this.options.bindings(servedInterfaces(this.scopes));
    this.running = true;
    for (const b of bindings) this.attach(b);
    this.table.exclude(bindings.map((b) => b.serverAddress));
    this.sweep.start();
    for (const b of bindings) {
      const local = b.endpoint.local();
      this.log.info('serving DHCP', { interface: b.interfaceName, address: b.serverAddress, port: local.port, scopes: this.scopeNames(b.interfaceName) });
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    this.sweep.stop();
    this.discovers.clear();
    // New datagrams are ignored from here on; those in flight finish (journal + send) first.
    await Promise.all([...this.inFlight]);
    const closing = this.active.map((b) => b.endpoint.close());
    this.active = [];
    await Promise.all(closing);
  }

  async reload(scopes: readonly Scope[]): Promise<void> {
    const wanted = servedInterfaces(scopes);
    const wantedNames = new Set(wanted.map((w) => w.name));
    const added = wanted.filter((w) => !this.paused.has(w.name) && !this.active.some((b) => b.interfaceName === w.name));
    const fresh = this.running && added.length > 0 ? await this.options.bindings(added) : [];
    this.scopes = scopes;
    this.table.setScopes(scopes);
    for (const b of fresh) this.attach(b);
    this.table.exclude(fresh.map((b) => b.serverAddress));
    const removed = this.active.filter((b) => !wantedNames.has(b.interfaceName));
    this.active = this.active.filter((b) => wantedNames.has(b.interfaceName));
    await Promise.all(removed.map((b) => b.endpoint.close()));
    this.log.info('scopes reloaded', { scopes: scopes.map((s) => s.name), added: fresh.map((b) => b.interfaceName), removed: removed.map((b) => b.interfaceName) });
  }

  async pause(interfaceName: string): Promise<void> {
    this.paused.add(interfaceName);
    const closing = this.active.filter((b) => b.interfaceName === interfaceName);
    this.active = this.active.filter((b) => !closing.includes(b));
    await Promise.all(closing.map((b) => b.endpoint.close()));
  }

  async resume(interfaceName: string): Promise<void> {
    if (!this.running) return;
    await this.pause(interfaceName);
    const served = servedInterfaces(this.scopes).filter((w) => w.name === interfaceName);
    const fresh = served.length > 0 ? await this.options.bindings(served) : [];
    this.paused.delete(interfaceName);
    for (const b of fresh) this.attach(b);
    this.table.exclude(fresh.map((b) => b.serverAddress));
  }

  counters(): DhcpCountersSnapshot {
    return this.counterSet.snapshot(this.poolUsage());
  }

  leases(): readonly Lease[] {
    return this.table.all();
  }
  leasesAt(ip: Ipv4): readonly Lease[] { return this.table.at(ip); }

  bindings(): readonly DhcpBinding[] {
    return this.active;
  }

  release(ip: Ipv4): Promise<ReleaseOutcome> {
    const bound = this.table.all().find((l) => l.ip === ip && l.state === 'bound');
    if (!bound) return Promise.resolve({ kind: 'not-bound' });
    const binding = this.bindingOf(bound.scope);
    if (!binding) return Promise.resolve({ kind: 'not-served', scope: bound.scope });
    const released = releaseOnRequest(bound, this.options.clock.now());
    const done = this.pending.write(released.changes, this.options.journal).then(() => {
      this.events.report(released.event, undefined, binding.interfaceName);
    });
    this.track(
      done.catch((err: unknown) => {
        this.counterSet.journalErrors++;
        this.log.error('the requested release could not be made durable', { code: 'BB_LEASE_STORE', ip, scope: bound.scope, err: errorMessage(err) });
      }),
    );
    return done.then(() => ({ kind: 'released', lease: released.lease }));
  }

  /** The socket serving the interface of scope `name`, if any. */
  private bindingOf(name: string): DhcpBinding | undefined {
    return this.active.find((b) => this.scopes.some((s) => s.name === name && s.interface === b.interfaceName));
  }

  private attach(binding: DhcpBinding): void {
    this.active.push(binding);
    binding.endpoint.onMessage((data, from) => {
      if (this.running) this.track(this.handleDatagram(binding, data, from));
    });
    binding.endpoint.onError((err) => {
      this.log.error('DHCP socket error', { code: 'BB_SOCKET', interface: binding.interfaceName, err: errorMessage(err) });
    });
  }

  private track(p: Promise<void>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private scopeNames(name: string): string[] {
    return this.scopes.filter((s) => s.interface === name).map((s) => s.name);
  }

  /** The whole life of one datagram; never throws (an unexpected error ends only this exchange). A waiting DISCOVER whose socket closed meanwhile (reload, link down) is not answered. */
  private async handleDatagram(binding: DhcpBinding, data: Buffer, from: UdpPeer): Promise<void> {
    this.counterSet.received++;
    try {
      const packet = readDatagram(data, binding.interfaceName, from, this.counterSet, this.malformedSources, this.log);
      if (!packet) return;
      if (!isServedRequest(packet, binding.interfaceName, this.scopes, this.counterSet, this.log)) return;
      // Read once: every later step uses these facts, not the option list.
      const facts = readRequestFacts(packet);
      if (facts.messageType !== DHCP_MESSAGE_TYPE.DISCOVER) return await this.answer(facts, binding, from);
      const queue = this.discovers.of(binding.interfaceName);
      if (!queue.push(() => void (this.active.includes(binding) && this.track(this.answer(facts, binding, from))))) this.shedDiscover(binding, queue.dropped());
    } catch (err) {
      noteInternalError(err, binding.interfaceName, from, this.counterSet, this.log);
    }
  }

  /** Steps 3–6 for one request; never throws. */
  private async answer(facts: RequestFacts, binding: DhcpBinding, from: UdpPeer): Promise<void> {
    try {
      const result = this.askEngine(facts, binding);
      if (!(await this.journal(result.changes, facts, binding))) return;
      if (result.kind === 'drop') {
        this.recordDrop(result, facts, binding);
        return;
      }
      await this.send(result, facts, binding, from);
    } catch (err) {
      noteInternalError(err, binding.interfaceName, from, this.counterSet, this.log);
    }
  }

  /** A DISCOVER over the queue's bound (discover-queue.ts): counted, and logged at the first and every 10,000th. */
  private shedDiscover(binding: DhcpBinding, dropped: number): void {
    this.counterSet.countDrop(undefined, 'discover-shed');
    if (dropped % DISCOVER_SHED_LOG_EVERY !== 1) return;
    this.log.warn('over capacity: DISCOVERs are dropped (their clients send them again) while REQUESTs are answered first', { interface: binding.interfaceName, dropped });
  }

  /** Step 3: the pure decision, then the new-client rate limit (new-client-gate.ts). */
  private askEngine(facts: RequestFacts, binding: DhcpBinding): EngineResult {
    const policy = this.options.policy;
    const now = this.options.clock.now();
    const result = respond({ facts, interfaceName: binding.interfaceName, serverAddress: binding.serverAddress, now, ...(policy ? { policy } : {}) }, this.scopes, this.table);
    return this.gate ? this.gate.check(result, facts, this.scopes, this.table, now) : result;
  }

  /** Steps 4–5: apply and journal the changes; false (nothing sent, changes taken back) when the journal failed. */
  private async journal(changes: readonly LeaseChange[], facts: RequestFacts, binding: DhcpBinding): Promise<boolean> {
    if (changes.length === 0) return true;
    try {
      await this.pending.write(changes, this.options.journal);
      return true;
    } catch (err) {
      this.counterSet.journalErrors++;
      this.counterSet.countDrop(undefined, 'journal-failed');
      this.log.error('lease changes could not be made durable; no answer sent', {
        code: 'BB_LEASE_STORE',
        interface: binding.interfaceName,
        mac: facts.mac,
        xid: facts.packet.xid,
        err: errorMessage(err),
      });
      return false;
    }
  }

  /** A drop: counted by its kind; an accepted RELEASE/DECLINE also counts and emits its event. */
  private recordDrop(result: Extract<EngineResult, { kind: 'drop' }>, facts: RequestFacts, binding: DhcpBinding): void {
    const event = result.event;
    this.counterSet.countDrop(result.reason.kind === 'rate-limited' ? result.reason.scope : event?.scope, result.reason.kind);
    if (event) {
      this.events.report(event, facts, binding.interfaceName);
      return;
    }
    this.log.debug('request dropped', {
      interface: binding.interfaceName,
      mac: facts.mac,
      xid: facts.packet.xid,
      type: messageTypeName(facts.messageType),
      reason: formatDropReason(result.reason),
    });
  }

  /** Step 6: send where the engine said (or back to the sender in loopback mode). */
  private async send(result: Extract<EngineResult, { kind: 'reply' }>, request: RequestFacts, binding: DhcpBinding, from: UdpPeer): Promise<void> {
    const to = binding.answerToSender ? from : destinationPeer(result.destination);
    try {
      await binding.endpoint.send(result.bytes, to);
    } catch (err) {
      this.counterSet.sendErrors++;
      const peer = `${to.address}:${to.port}`;
      this.log.error('cannot send a DHCP reply', { code: 'BB_SOCKET', interface: binding.interfaceName, mac: request.mac, xid: request.packet.xid, peer, err: errorMessage(err) });
      return;
    }
    this.events.report(result.event, request, binding.interfaceName);
  }

  private poolUsage(): Map<string, PoolUsage> {
    const now = this.options.clock.now();
    return new Map(this.table.allStats(now).map((s) => [s.scope, { size: s.size, used: s.used, free: s.free }]));
  }
}
