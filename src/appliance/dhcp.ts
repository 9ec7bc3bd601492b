/**
 * The appliance's DHCP wiring: the lease journal in the state directory, the DHCP
 * server over it, the translation of its lease events into appliance events, and
 * the admin release (`benchboot leases release`). Everything the appliance knows
 * about the DHCP package's API is in this file.
 */
import { mkdir } from 'node:fs/promises';
import type { Clock } from '../clock.js';
import type { Scope } from '../config/scope.js';
import { BOOTP_OP, BOOTP_SIZE, DHCP_MESSAGE_TYPE, OPTION } from '../dhcp/constants.js';
import type { Lease } from '../dhcp/lease.js';
import { openLeaseStore, type LeaseStore } from '../dhcp/lease-store.js';
import { emptyDhcpPacket, encodeDhcpPacket, type DhcpOption, type DhcpPacket } from '../dhcp/packet.js';
import { createDhcpServer, type DhcpBindingFactory, type DhcpLeaseEvent, type DhcpServer } from '../dhcp/server.js';
import { ERRORS } from '../errors.js';
import type { Logger } from '../log.js';
import { bindDhcpSocket } from '../net/bind-interface.js';
import { fromHex } from '../net/bytes.js';
import { readIfindex } from '../net/interfaces.js';
import { ipv4ToBytes, macToBytes, type Ipv4 } from '../net/ipv4.js';
import { bindUdp, type UdpEndpoint } from '../net/udp.js';
import type { ApplianceEvent } from '../ui/events.js';
import type { EventSink } from './events.js';

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
}

/** Opens the lease journal in the state directory (created if missing). */
export async function openLeaseJournal(options: Pick<DhcpSideOptions, 'stateDir' | 'clock' | 'logger'>): Promise<LeaseStore> {
  await mkdir(options.stateDir, { recursive: true });
  return openLeaseStore({ dir: options.stateDir, now: options.clock.now(), logger: options.logger });
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
    onEvent: (e) => {
      const event = leaseEventOf(e, options.clock.now());
      if (event) options.events.emit(event);
    },
  });
  return { store, server };
}

/** Maps a DHCP server lease event to the view's lease state, or undefined for events that change no lease. */
export function leaseStateOf(kind: DhcpLeaseEvent['kind']): 'offered' | 'bound' | 'released' | 'declined' | 'expired' | undefined {
  switch (kind) {
    case 'offered':
      return 'offered';
    case 'acked':
      return 'bound';
    case 'released':
      return 'released';
    case 'declined':
      return 'declined';
    case 'expired':
      return 'expired';
    case 'naked':
    case 'informed':
      return undefined;
  }
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
  };
}

/**
 * Frees a bound address by handing the DHCP server the DHCPRELEASE its client
 * would send (RFC 2131 §4.4.6), on the socket of the lease's interface: the
 * release then takes the same path as a client's (engine, journal, event).
 */
export async function releaseLease(dhcp: DhcpServer, scopes: readonly Scope[], ip: Ipv4, clock: Clock): Promise<Lease> {
  const lease = dhcp.leases().find((l) => l.ip === ip && l.state === 'bound');
  if (!lease) throw ERRORS.leaseNotBound.create({ ip });
  const scope = scopes.find((s) => s.name === lease.scope);
  const binding = dhcp.bindings().find((b) => b.interfaceName === scope?.interface);
  if (!scope || !binding) throw ERRORS.leaseScopeGone.create({ ip, scope: lease.scope });
  const local = binding.endpoint.local();
  const packet = encodeDhcpPacket(buildAdminRelease(lease, binding.serverAddress));
  const sender = local.address === '0.0.0.0' ? await bindSenderOn(binding.interfaceName) : await bindUdp({ address: local.address, port: 0 });
  try {
    await sender.send(packet, { address: local.address === '0.0.0.0' ? binding.serverAddress : local.address, port: local.port });
  } finally {
    await sender.close();
  }
  const isReleased = (): Lease | undefined => dhcp.leases().find((l) => l.ip === ip && l.scope === lease.scope && l.state === 'released');
  for (let i = 0; i < 150 && !isReleased(); i++) await new Promise<void>((r) => clock.setTimer(20, r));
  const released = isReleased();
  if (!released) throw ERRORS.releaseNotTaken.create({ ip });
  return released;
}

/**
 * The DHCPRELEASE a client holding `lease` would send (RFC 2131 §4.4.6): ciaddr =
 * the address, chaddr = its MAC, option 61 when the lease is keyed by a client
 * identifier, option 54 = the server.
 */
export function buildAdminRelease(lease: Lease, serverAddress: Ipv4, xid = 0x62620000): DhcpPacket {
  const chaddr = new Uint8Array(BOOTP_SIZE.CHADDR);
  chaddr.set(macToBytes(lease.mac));
  const options: DhcpOption[] = [
    { code: OPTION.MESSAGE_TYPE, data: Uint8Array.of(DHCP_MESSAGE_TYPE.RELEASE) },
    { code: OPTION.SERVER_ID, data: ipv4ToBytes(serverAddress) },
  ];
  if (lease.clientKey.startsWith('id:')) options.push({ code: OPTION.CLIENT_ID, data: fromHex(lease.clientKey.slice(3)) });
  return { ...emptyDhcpPacket(), op: BOOTP_OP.BOOTREQUEST, xid, ciaddr: lease.ip, chaddr, options };
}

/** A sending socket pinned to one interface (to reach our own per-interface DHCP socket). */
async function bindSenderOn(interfaceName: string): Promise<UdpEndpoint> {
  const ifindex = await readIfindex(interfaceName);
  if (ifindex === undefined) throw ERRORS.interfaceGone.create({ name: interfaceName });
  return bindDhcpSocket({ kind: 'interface', interfaceName, ifindex, port: 0 });
}
