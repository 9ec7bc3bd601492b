/**
 * Served links that come and go (issue 16): a USB adapter unplugged and plugged back
 * comes back with a new ifindex, and its DHCP socket, pinned to the old one, would
 * serve nothing. The link watcher (net/link-watch.ts) reports each change; this part
 * reacts through the appliance's own seams only (the DHCP binding factory, the TFTP
 * server's listen path, the `--address` function and the probe it is given):
 *
 * - a served link goes down or away: its DHCP socket is closed, the state is logged,
 *   emitted to the live view and shown by `status`;
 * - it comes back (same name), or its address changed: `--address` is put back, another
 *   DHCP server is probed for as at start (the adapter may now be on the office LAN:
 *   then nothing is served there), the zero-config scope is derived again from the new
 *   address (a scope file whose subnet no longer matches is not served, naming the old
 *   and new address), and DHCP and TFTP are bound again. Leases are kept throughout.
 */
import type { Clock } from '../clock.js';
import type { Scope } from '../config/scope.js';
import { describeProbeAnswer, isOwnAnswer, type ProbeAnswer } from '../dhcp/probe.js';
import type { DhcpServer } from '../dhcp/server.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { InterfaceAddressSpec } from '../net/address.js';
import type { InterfaceAddress } from '../net/interfaces.js';
import { cidrContains, ipv4ToInt, type Ipv4 } from '../net/ipv4.js';
import { conditionOf, LinkWatcher, observeLink, type LinkChange, type LinkObservation } from '../net/link-watch.js';
import type { TftpServer } from '../tftp/server.js';
import type { EventSink } from './events.js';
import { formatLinkState, type InterfaceLinkStatus, type LinkState } from './link-state.js';
import type { ScopeSource } from './scope-source.js';

/** How `serve` watches its links (ApplianceOptions.links). */
export interface ApplianceLinkOptions {
  /** Time between two looks at the links (default 1 s). */
  readonly intervalMs?: number;
  /** Looks at one interface (default: /sys/class/net and os.networkInterfaces()). */
  readonly observe?: (name: string) => Promise<LinkObservation>;
  /** Asks for another DHCP server on a link that came back, as at start; absent: no probe. */
  readonly probe?: (name: string) => Promise<readonly ProbeAnswer[]>;
  /** Serve even when another DHCP server answers (`--force`): warn only. */
  readonly force?: boolean;
  /** `--address`: put back on a link that came back without it (the seam adds it and tracks its removal at exit). */
  readonly address?: { readonly spec: InterfaceAddressSpec; readonly restore: (name: string, spec: InterfaceAddressSpec) => Promise<void> };
}

/** What the link part reaches of the running appliance. */
export interface LinkHost {
  readonly log: Logger;
  readonly clock: Clock;
  readonly events: EventSink;
  readonly source: ScopeSource;
  dhcp(): DhcpServer | undefined;
  tftp(): TftpServer | undefined;
  readonly tftpPort: number;
  /** False when TFTP listens on addresses given explicitly (they are not moved). */
  readonly movesTftp: boolean;
  /** The scopes in force, and loading them again from the source (with the inventory's reservations). */
  scopes(): readonly Scope[];
  loadScopes(): Promise<Scope[]>;
  /** Puts `scopes` in force (DHCP reload); a paused interface stays unbound. */
  applyScopes(scopes: readonly Scope[]): Promise<void>;
  /** TFTP (and what listens beside it) moved from one address to another. */
  moved(from: string, to: string): void;
}

interface Served {
  state: LinkState;
  since: number;
  /** The address DHCP answers from on it (the server identifier). */
  address: Ipv4 | undefined;
}

function usable(a: InterfaceAddress): boolean {
  return ipv4ToInt(a.address) >>> 16 !== ((169 << 8) | 254); // not 169.254/16 link-local
}

const cidrsOf = (l: readonly InterfaceAddress[]): string => l.map((a) => `${a.address}/${a.prefix}`).join(', ') || 'no IPv4 address';

/** Keeps each served interface's state and reacts to its link's changes. */
export class ApplianceLinks {
  private readonly served = new Map<string, Served>();
  private readonly watcher: LinkWatcher;

  constructor(
    private readonly host: LinkHost,
    private readonly o: ApplianceLinkOptions,
    names: readonly string[],
    addressOf: (name: string) => Ipv4 | undefined,
  ) {
    const now = host.clock.now();
    for (const name of names) this.served.set(name, { state: { kind: 'serving' }, since: now, address: addressOf(name) });
    this.watcher = new LinkWatcher({
      names,
      clock: host.clock,
      ...(o.intervalMs === undefined ? {} : { intervalMs: o.intervalMs }),
      ...(o.observe ? { observe: o.observe } : {}),
      onChange: (c) => this.onChange(c),
      onError: (err) => host.log.error('cannot look at a served link', { code: 'BB_INTERFACE', err }),
    });
  }

  /** Takes the first look; a link already down at start is shown so (its socket stays until it is up: then the checks run). */
  async start(): Promise<void> {
    await this.watcher.start();
    for (const [name, entry] of this.served) {
      const seen = this.watcher.observed(name);
      const condition = seen ? conditionOf(seen) : 'up';
      if (condition !== 'up') this.enter(name, entry, { kind: condition });
    }
  }

  stop(): Promise<void> {
    return this.watcher.stop();
  }

  /** False while interface `name` is watched and not served (down, gone...). */
  isServing(name: string): boolean {
    const entry = this.served.get(name);
    return entry === undefined || entry.state.kind === 'serving';
  }

  /** Each served interface's state, for status (`toWall`: the clock's time in wall time). */
  snapshot(toWall: (t: number) => number): InterfaceLinkStatus[] {
    return [...this.served].map(([name, s]) => ({ interface: name, state: s.state.kind, since: toWall(s.since), detail: formatLinkState(name, s.state) }));
  }

  private async onChange(change: LinkChange): Promise<void> {
    const entry = this.served.get(change.name);
    if (!entry) return;
    if (change.kind === 'lost') {
      await this.host.dhcp()?.pause(change.name);
      this.enter(change.name, entry, { kind: change.condition });
      return;
    }
    // Still holding the address it is served from: an address more or less changes nothing.
    const holds = change.addresses.some((a) => a.address === entry.address);
    if (change.kind === 'readdressed' && entry.state.kind === 'serving' && holds) return;
    await this.host.dhcp()?.pause(change.name);
    try {
      this.enter(change.name, entry, await this.bringBack(change.name, change.addresses, entry));
    } catch (err) {
      this.enter(change.name, entry, { kind: 'failed', error: errorMessage(err) });
    }
  }

  /** Records and reports a new state (one log line, one event). */
  private enter(name: string, entry: Served, state: LinkState): void {
    entry.state = state;
    entry.since = this.host.clock.now();
    const detail = formatLinkState(name, state);
    const { log } = this.host;
    if (state.kind === 'serving') log.info('serving the interface again', { interface: name, address: entry.address });
    else if (state.kind === 'down' || state.kind === 'gone') log.warn(detail, { code: 'BB_INTERFACE', interface: name });
    else log.error(detail, { code: state.kind === 'other-server' ? 'BB_ROGUE_DHCP' : 'BB_INTERFACE', interface: name });
    this.host.events.emit({ kind: 'link', at: entry.since, interface: name, state: state.kind, detail });
  }

  /** A link came back or changed address: the checks of a start, then DHCP and TFTP bound again. */
  private async bringBack(name: string, seen: readonly InterfaceAddress[], entry: Served): Promise<LinkState> {
    const addresses = await this.withAddress(name, seen);
    const others = await this.otherServers(name, addresses);
    if (others && !this.o.force) return { kind: 'other-server', servers: others };
    if (others) this.host.log.warn('another DHCP server answers on the interface that came back; serving anyway because of --force', { code: 'BB_ROGUE_DHCP', interface: name, servers: others });
    const spec = this.o.address?.spec;
    const follow = this.host.source.follow;
    if (follow) {
      const chosen = (spec && addresses.find((a) => a.address === spec.address)) ?? addresses.find((a) => a.address === entry.address) ?? addresses.find(usable);
      if (!chosen) return { kind: 'no-address' };
      follow.call(this.host.source, name, chosen);
    }
    const scopes = await this.host.loadScopes();
    const mine = scopes.filter((s) => s.interface === name);
    const address = addresses.find((a) => mine.some((s) => cidrContains(s.subnet, a.address)))?.address;
    if (!address) return { kind: 'moved', scopes: mine.map((s) => s.name).join(', '), was: entry.address ?? 'none', now: cidrsOf(addresses) };
    await this.host.applyScopes(scopes);
    await this.moveTftp(name, entry.address, address);
    entry.address = address;
    await this.host.dhcp()?.resume(name);
    return { kind: 'serving' };
  }

  /** The link's addresses, after putting `--address` back when it is missing. */
  private async withAddress(name: string, seen: readonly InterfaceAddress[]): Promise<readonly InterfaceAddress[]> {
    const a = this.o.address;
    if (!a || seen.some((x) => x.address === a.spec.address && x.prefix === a.spec.prefix)) return seen;
    await a.restore(name, a.spec);
    this.host.log.info('put the --address back on the interface that came back', { interface: name, address: `${a.spec.address}/${a.spec.prefix}` });
    const now = await (this.o.observe ?? observeLink)(name);
    return now.present ? now.addresses : seen;
  }

  /** The other DHCP servers that answer on the link, in words; undefined when none (or no probe). */
  private async otherServers(name: string, addresses: readonly InterfaceAddress[]): Promise<string | undefined> {
    if (!this.o.probe) return undefined;
    const own = addresses.map((a) => a.address);
    const foreign = (await this.o.probe(name)).filter((a) => !isOwnAnswer(a, own));
    return foreign.length > 0 ? foreign.map(describeProbeAnswer).join('; ') : undefined;
  }

  /** TFTP listens again on the interface's address: the new one, or the same one on the new link. */
  private async moveTftp(name: string, from: Ipv4 | undefined, to: Ipv4): Promise<void> {
    const tftp = this.host.tftp();
    if (!tftp || !this.host.movesTftp) return;
    const elsewhere = [...this.served].some(([n, s]) => n !== name && s.address === from && s.state.kind === 'serving');
    if (from !== undefined && !elsewhere) await tftp.stopListening(from);
    if (!tftp.addresses().some((a) => a.address === to)) await tftp.listenOn(to, this.host.tftpPort);
    if (from !== undefined && from !== to) this.host.moved(from, to);
  }
}
