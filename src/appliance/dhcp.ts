/**
 * The appliance's DHCP wiring: the lease journal in the state directory, the DHCP
 * server over it, the translation of its lease events into appliance events, and
 * the admin release (`benchboot leases release`). Everything the appliance knows
 * about the DHCP package's API is in this file.
 */
import { mkdir } from 'node:fs/promises';
import { wallTimeOf, type Clock } from '../clock.js';
import type { Scope } from '../config/scope.js';
import { isLeaseEventKind, type Lease, type LeaseEventKind } from '../dhcp/lease.js';
import type { NewClientRateSetting } from '../dhcp/new-client-limit.js';
import { createDhcpServer, type DhcpBindingFactory, type DhcpLeaseEvent, type DhcpServer } from '../dhcp/server.js';
import { ERRORS } from '../errors.js';
import type { Logger } from '../log.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { LeaseStore } from '../store/backend.js';
import { openLeaseStore } from '../store/lease-store.js';
import type { ApplianceEvent } from '../ui/events.js';
import type { ProvisioningPolicy } from './dhcp-policy.js';
import { withHttpBoot } from './http-boot.js';
import type { EventSink } from './events.js';

export type { NewClientRate, NewClientRateSetting } from '../dhcp/new-client-limit.js';

/** The lease store and the DHCP server running over it. */
export interface DhcpSide {
  readonly store: LeaseStore;
  readonly server: DhcpServer;
}

/** What {@link openDhcpSide} needs. */
export interface DhcpSideOptions {
  readonly stateDir: string;
  readonly scopes: readonly Scope[];
  readonly bindings: DhcpBindingFactory;
  readonly logger: Logger;
  readonly clock: Clock;
  readonly events: EventSink;
  /** Vendor profiles and inventory per request (dhcp-policy.ts). */
  readonly policy: ProvisioningPolicy;
  /** The port HTTP is served on, for UEFI HTTP boot answers (http-boot.ts) and phones' option 66 URL; undefined when it is not. */
  readonly httpPort?: () => number | undefined;
  /** Also receives every DHCP lease event (the device book); never on the fsync-before-ACK path. */
  readonly onLease?: (event: DhcpLeaseEvent) => void;
  /** The new-client rate limit per scope; absent: none. */
  readonly newClientRate?: NewClientRateSetting;
}

/** Opens the lease journal in the state directory (created if missing). */
export async function openLeaseJournal(options: Pick<DhcpSideOptions, 'stateDir' | 'clock' | 'logger'>): Promise<LeaseStore> {
  await mkdir(options.stateDir, { recursive: true });
  const { clock } = options;
  // A steady clock's lease times go to the files as wall time (steady-clock.ts).
  const toWall = clock.toWall ? (t: number): number => wallTimeOf(clock, t) : undefined;
  return openLeaseStore({ dir: options.stateDir, now: clock.now(), logger: options.logger, ...(toWall ? { toWall } : {}) });
}

/** Creates the DHCP server (not started) over an open lease store, its events going to the sink. */
export function createDhcpSide(store: LeaseStore, options: DhcpSideOptions): DhcpSide {
  const server = createDhcpServer({
    scopes: options.scopes,
    journal: store,
    initialLeases: store.loaded,
    logger: options.logger,
    clock: options.clock,
    bindings: options.bindings,
    ...(options.newClientRate === undefined ? {} : { newClientRate: options.newClientRate }),
    policy: (input) => {
      const httpPort = options.httpPort?.();
      return withHttpBoot(input, options.policy.answer(input, httpPort), httpPort);
    },
    onEvent: (e) => {
      const event = leaseEventOf(e, options.clock.now());
      if (event) options.events.emit(event);
      options.onLease?.(e);
    },
  });
  return { store, server };
}

/** The view's lease state for a DHCP lease event (the same word), or undefined for events that change no lease. */
export function leaseStateOf(kind: DhcpLeaseEvent['kind']): LeaseEventKind | undefined {
  return isLeaseEventKind(kind) ? kind : undefined;
}

/** The appliance event for a DHCP lease event at `at`, or undefined when no lease changed. */
export function leaseEventOf(e: DhcpLeaseEvent, at: number): ApplianceEvent | undefined {
  const state = leaseStateOf(e.kind);
  if (state === undefined || e.ip === undefined) return undefined;
  return {
    kind: 'lease',
    at,
    scope: e.scope,
    mac: e.mac,
    ip: e.ip,
    state,
    ...(e.vendorClass === undefined ? {} : { vendorClass: e.vendorClass }),
    ...(e.hostname === undefined ? {} : { hostname: e.hostname }),
    ...(e.profile === undefined ? {} : { profile: e.profile }),
  };
}

/** Frees a bound address: the DHCP server releases it as its client would (engine, journal, event). */
export async function releaseLease(dhcp: DhcpServer, ip: Ipv4): Promise<Lease> {
  const outcome = await dhcp.release(ip);
  if (outcome.kind === 'not-bound') throw ERRORS.leaseNotBound.create({ ip });
  if (outcome.kind === 'not-served') throw ERRORS.leaseScopeGone.create({ ip, scope: outcome.scope });
  return outcome.lease;
}

/**
 * Frees every bound lease whose state began at or after `since`, one by one as
 * {@link releaseLease} does; leases of scopes no longer served are left alone.
 */
export async function releaseLeasesSince(dhcp: DhcpServer, since: number): Promise<Lease[]> {
  const released: Lease[] = [];
  for (const lease of dhcp.leases().filter((l) => l.state === 'bound' && l.startedAt >= since)) {
    const outcome = await dhcp.release(lease.ip);
    if (outcome.kind === 'released') released.push(outcome.lease);
  }
  return released;
}

/** Releases on request (the control socket's `release` and `release --since`), each logged. */
export function loggedReleases(dhcp: () => DhcpServer, log: Logger, clock: Clock): { release(ip: Ipv4): Promise<Lease>; releaseSince(since: number): Promise<readonly Lease[]> } {
  return {
    async release(ip) {
      const released = await releaseLease(dhcp(), ip);
      log.info('lease released on request', { ip, mac: released.mac, scope: released.scope });
      return released;
    },
    async releaseSince(since) {
      const released = await releaseLeasesSince(dhcp(), since);
      log.info('leases released on request', { since: new Date(wallTimeOf(clock, since)).toISOString(), count: released.length });
      return released;
    },
  };
}
