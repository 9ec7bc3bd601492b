/**
 * Interface preparation for `serve`: finds each named interface, gives it the
 * `--address` for the run when asked (removed again on exit), picks the address
 * that derives a zero-config scope, and loads the scopes once to learn which
 * interfaces are served and which addresses are the appliance's own.
 */
import type { Scope } from '../config/scope.js';
import { ERRORS, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { addAddressHint, addTemporaryAddress, type InterfaceAddressSpec, type TemporaryAddress } from '../net/address.js';
import { ipv4ToInt, type Ipv4 } from '../net/ipv4.js';
import { requireInterface } from './interface-check.js';
import { derivedScopes, scopeFiles, type DerivedInterface, type ScopeSource } from './scope-source.js';
import type { Clock } from '../clock.js';
import { probeInterface } from '../dhcp/probe.js';
import type { ApplianceLinkOptions } from './links.js';
import type { PrivilegedJobs } from '../net/privileged.js';

/** Adds the temporary address (address.ts; under a privilege split: PrivilegedJobs.addAddress, src/net/privileged.ts). */
export type AddAddress = (ifname: string, spec: InterfaceAddressSpec, alreadyHas: boolean) => Promise<TemporaryAddress>;

/** What to serve, as the command line says it. */
export interface ServeTarget {
  /** Interfaces named with --interface. */
  readonly interfaces: readonly string[];
  /** A scope-file directory (--scopes); without it, scopes are derived from the interfaces. */
  readonly scopesDir?: string;
  /** An address to give the (one) interface for the run (--address). */
  readonly address?: InterfaceAddressSpec;
}

/** The prepared interfaces and the scope source to serve. */
export interface PreparedInterfaces {
  readonly source: ScopeSource;
  /** The scopes as loaded while preparing. */
  readonly scopes: readonly Scope[];
  readonly interfaces: readonly string[];
  readonly ownAddresses: readonly Ipv4[];
  readonly temporary: readonly TemporaryAddress[];
}

function isUsable(ip: Ipv4): boolean {
  // 169.254/16 link-local addresses are what a laptop gives itself when nobody serves DHCP.
  return ipv4ToInt(ip) >>> 16 !== ((169 << 8) | 254);
}

/** The message for an interface without IPv4: the exact command, and the --address way. */
export function noAddressMessage(name: string): string {
  return ERRORS.interfaceNoAddress.format({ name, hint: addAddressHint(name) });
}

/** The address one interface is served with, adding the temporary one when asked. */
async function deriveInterface(name: string, target: ServeTarget, temporary: TemporaryAddress[], logger: Logger, addAddress: AddAddress): Promise<DerivedInterface> {
  const iface = await requireInterface(name);
  const spec = target.address;
  if (spec) {
    const has = iface.addresses.some((a) => a.address === spec.address && a.prefix === spec.prefix);
    const tmp = await addAddress(name, spec, has);
    temporary.push(tmp);
    if (tmp.added) logger.info('added a temporary address; it is removed on exit', { interface: name, address: `${spec.address}/${spec.prefix}` });
    return { name, address: spec.address, prefix: spec.prefix };
  }
  const usable = iface.addresses.filter((a) => isUsable(a.address));
  const first = usable[0];
  if (!first) throw ERRORS.interfaceNoAddress.create({ name, hint: addAddressHint(name) });
  if (usable.length > 1 && target.scopesDir === undefined) {
    logger.warn('the interface has several IPv4 addresses; serving the first', { interface: name, address: `${first.address}/${first.prefix}` });
  }
  return { name, address: first.address, prefix: first.prefix };
}

/**
 * Resolves interfaces and addresses (adding `--address` when asked) and the scope
 * source. Each address added is pushed to `temporary` at once, so that the caller
 * can remove it whenever it must stop (a second Ctrl-C); on failure the addresses
 * added are removed and taken out of `temporary`. `addAddress` adds one (default here).
 */
export async function prepareInterfaces(target: ServeTarget, logger: Logger, temporary: TemporaryAddress[] = [], addAddress: AddAddress = addTemporaryAddress): Promise<PreparedInterfaces> {
  try {
    const derived: DerivedInterface[] = [];
    for (const name of target.interfaces) derived.push(await deriveInterface(name, target, temporary, logger, addAddress));
    const source = target.scopesDir === undefined ? derivedScopes(derived) : scopeFiles(target.scopesDir, target.interfaces);
    const scopes = await source.load();
    const interfaces = [...new Set(scopes.map((s) => s.interface))];
    const ownAddresses: Ipv4[] = [];
    for (const name of interfaces) ownAddresses.push(...(await requireInterface(name)).addresses.map((a) => a.address));
    return { source, scopes, interfaces, ownAddresses, temporary };
  } catch (err) {
    await removeTemporary(temporary.splice(0), logger);
    throw err;
  }
}

/** Removes the addresses added for the run (failures are logged, never thrown). */
export async function removeTemporary(list: readonly TemporaryAddress[], logger: Logger): Promise<void> {
  for (const t of list) {
    try {
      await t.remove();
      if (t.added) logger.info('removed the temporary address', { interface: t.ifname, address: `${t.spec.address}/${t.spec.prefix}` });
    } catch (err) {
      logger.error('could not remove the temporary address', { code: 'BB_INTERFACE', err: errorMessage(err) });
    }
  }
}

/** What {@link serveLinkOptions} needs from `serve`. */
export interface ServeLinkSettings {
  readonly probeTimeoutMs: number;
  readonly force: boolean;
  readonly clock: Clock;
  /** The run's temporary addresses (removed on exit): an `--address` put back is added to it. */
  readonly temporary: TemporaryAddress[];
  readonly logger: Logger;
  /** Adds the address back (default here; under a privilege split the root parent's job). */
  readonly addAddress?: AddAddress;
  /** Binds the probe's DHCP client socket (default here; under a privilege split the root parent's job). */
  readonly bindDhcp?: PrivilegedJobs['bindDhcp'];
}

/**
 * How `serve` watches its links: a link that comes back is probed for another DHCP server
 * as at start, and gets its `--address` back through the same temporary-address function.
 */
export function serveLinkOptions(target: ServeTarget, o: ServeLinkSettings): ApplianceLinkOptions {
  const restore = async (name: string, spec: InterfaceAddressSpec): Promise<void> => {
    const tmp = await (o.addAddress ?? addTemporaryAddress)(name, spec, false);
    // An address added at start is removed on exit by its first record, on the new link as well.
    const known = o.temporary.some((t) => t.added && t.ifname === name && t.spec.address === spec.address && t.spec.prefix === spec.prefix);
    if (!known) o.temporary.push(tmp);
  };
  return {
    probe: async (name) => (await probeInterface(name, o.probeTimeoutMs, o.clock, undefined, o.bindDhcp)).answers,
    force: o.force,
    ...(target.address ? { address: { spec: target.address, restore } } : {}),
  };
}
