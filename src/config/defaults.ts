/**
 * Defaults derived from a subnet, and whole scopes derived from an interface
 * address when there is no scope file at all.
 *
 * In a file, omitted fields follow the router: the router is the subnet's first
 * host, the TFTP server (siaddr, option 66, option 150) is `boot.nextServer` or else
 * the router, DNS is the router, and the pool is every other host of the subnet.
 * With no file (`deriveScope`), the laptop's own address plays the router and TFTP
 * server, and the pool is the rest of the subnet around it (so it may be two ranges).
 */
import { ERRORS } from '../errors.js';
import { cidrBroadcast, cidrHosts, intToIpv4, ipv4ToInt, parseCidr, formatCidr, type Cidr, type Ipv4 } from '../net/ipv4.js';
import type { AddressRange, BootData, Scope } from './scope.js';

/** Option 51 when `leaseTime` is omitted: one hour. */
export const DEFAULT_LEASE_SECONDS = 3600;
/** How long a DECLINEd address rests when `declineTime` is omitted: ten minutes. */
export const DEFAULT_DECLINE_SECONDS = 600;
/** Smallest subnet prefix benchboot serves (a /8 already holds 16 million addresses). */
export const MIN_PREFIX = 8;
/** Largest prefix: a /30 still has two hosts (router + one client). */
export const MAX_PREFIX = 30;

/** Freezes a scope and everything in it (byte arrays excepted: they cannot be frozen). */
export function freezeScope(scope: Scope): Scope {
  const walk = (v: unknown): void => {
    if (typeof v !== 'object' || v === null || ArrayBuffer.isView(v) || Object.isFrozen(v)) return;
    Object.freeze(v);
    for (const child of Object.values(v)) walk(child);
  };
  walk(scope);
  return scope;
}

/** Number of addresses in the ranges. */
export function poolSize(ranges: readonly AddressRange[]): number {
  return ranges.reduce((n, r) => n + ipv4ToInt(r.end) - ipv4ToInt(r.start) + 1, 0);
}

/** `10.0.0.100-10.0.0.199`. */
export function formatRange(r: AddressRange): string {
  return `${r.start}-${r.end}`;
}

/** Every usable host of the subnet except `excluded`, as the fewest ranges. */
export function hostsExcept(subnet: Cidr, excluded: readonly Ipv4[]): AddressRange[] {
  const { first, last } = cidrHosts(subnet);
  const holes = [...new Set(excluded.map(ipv4ToInt))].sort((a, b) => a - b);
  const ranges: AddressRange[] = [];
  let start = ipv4ToInt(first);
  const end = ipv4ToInt(last);
  for (const hole of holes) {
    if (hole < start || hole > end) continue;
    if (hole > start) ranges.push({ start: intToIpv4(start), end: intToIpv4(hole - 1) });
    start = hole + 1;
  }
  if (start <= end) ranges.push({ start: intToIpv4(start), end: intToIpv4(end) });
  return ranges;
}

/** The default router of a subnet: its first host. */
export function defaultRouter(subnet: Cidr): Ipv4 {
  return cidrHosts(subnet).first;
}

/** Boot fields as given: absent means "default", null (or an empty list) means "do not send". */
export interface BootInput {
  readonly nextServer?: Ipv4 | null;
  readonly serverName?: string;
  readonly tftpServerName?: string | null;
  readonly tftpServers?: readonly Ipv4[];
  readonly file?: string;
}

/** Boot data with the TFTP fields filled from `server` (siaddr, option 66, option 150) where not given. */
export function bootWithDefaults(given: BootInput, server: Ipv4 | undefined): BootData {
  const tftp = given.nextServer ?? server;
  const nextServer = given.nextServer === null ? undefined : tftp;
  const tftpServerName = given.tftpServerName === null ? undefined : (given.tftpServerName ?? tftp);
  return {
    ...(nextServer === undefined ? {} : { nextServer }),
    ...(given.serverName === undefined ? {} : { serverName: given.serverName }),
    ...(tftpServerName === undefined ? {} : { tftpServerName }),
    tftpServers: given.tftpServers ?? (tftp === undefined ? [] : [tftp]),
    ...(given.file === undefined ? {} : { file: given.file }),
  };
}

/** Option codes (66, 150) whose value `bootWithDefaults` fills from the server rather than the file. */
export function defaultedOptions(given: BootInput): number[] {
  const codes: number[] = [];
  if (given.tftpServerName === undefined) codes.push(66);
  if (given.tftpServers === undefined) codes.push(150);
  return codes;
}

/** What `deriveScope` may take from elsewhere (CLI flags, a partial file). */
export type ScopeOverrides = Partial<Omit<Scope, 'name' | 'interface' | 'subnet' | 'boot' | 'source'>> & {
  readonly boot?: BootInput;
};

/** Input of `deriveScope`: the interface and the laptop's address on it. */
export interface DeriveScopeInput {
  readonly name: string;
  readonly interface: string;
  /** The laptop's own address on the interface. */
  readonly address: Ipv4;
  /** Prefix length of the interface address. */
  readonly prefix: number;
  readonly overrides?: ScopeOverrides;
}

/**
 * A scope for an interface that has no scope file: router, DNS, option 66, option
 * 150 and siaddr are the laptop's address; the pool is the rest of the subnet.
 * Throws BenchbootError BB_INTERFACE when the address leaves no room for clients.
 */
export function deriveScope(input: DeriveScopeInput): Scope {
  const { address, prefix } = input;
  if (!Number.isInteger(prefix) || prefix < MIN_PREFIX || prefix > MAX_PREFIX) {
    throw ERRORS.derivedPrefix.create({ interface: input.interface, address, prefix, min: MIN_PREFIX, max: MAX_PREFIX });
  }
  const subnet = parseCidr(`${address}/${prefix}`, false);
  if (address === subnet.network || address === cidrBroadcast(subnet)) {
    throw ERRORS.derivedNetworkAddress.create({ interface: input.interface, address, subnet: formatCidr(subnet) });
  }
  const o = input.overrides ?? {};
  const ranges = o.ranges ?? hostsExcept(subnet, [address]);
  if (poolSize(ranges) === 0) {
    throw ERRORS.derivedNoPool.create({ interface: input.interface, subnet: formatCidr(subnet) });
  }
  return freezeScope({
    name: input.name,
    interface: input.interface,
    subnet,
    ranges,
    router: o.router ?? address,
    dns: o.dns ?? [address],
    ...(o.domain === undefined ? {} : { domain: o.domain }),
    leaseSeconds: o.leaseSeconds ?? DEFAULT_LEASE_SECONDS,
    boot: bootWithDefaults(o.boot ?? {}, address),
    defaultedOptions: defaultedOptions(o.boot ?? {}),
    reservations: o.reservations ?? [],
    options: o.options ?? [],
    classes: o.classes ?? [],
    authoritative: o.authoritative ?? true,
    declineSeconds: o.declineSeconds ?? DEFAULT_DECLINE_SECONDS,
  });
}
