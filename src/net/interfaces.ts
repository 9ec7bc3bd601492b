/**
 * Interface discovery: which network interfaces this machine has, their kernel
 * ifindex and their IPv4 addresses with prefix lengths.
 *
 * The address list comes from `os.networkInterfaces()`, the ifindex from
 * `/sys/class/net/<name>/ifindex` (what SO_BINDTOIFINDEX needs). A served
 * interface must exist and hold an address inside its scope's subnet; anything
 * else is a NetError of kind `interface` that names the interface and what it has.
 */
import os from 'node:os';
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../errno.js';
import { NetError } from './net-error.js';
import { cidrContains, formatCidr, maskToPrefix, parseIpv4, type Cidr, type Ipv4 } from './ipv4.js';

/** One IPv4 address on an interface. */
export interface InterfaceAddress {
  readonly address: Ipv4;
  readonly prefix: number;
}

/** A network interface with its IPv4 addresses. */
export interface NetworkInterface {
  readonly name: string;
  /** Kernel interface index (`/sys/class/net/<name>/ifindex`). */
  readonly ifindex: number;
  readonly addresses: readonly InterfaceAddress[];
  readonly isLoopback: boolean;
}

/** Where interface facts come from; the real system by default, a table in tests. */
export interface InterfaceSource {
  /** Name → IPv4 addresses, like `os.networkInterfaces()` filtered to IPv4. */
  addresses(): Record<string, readonly { address: string; netmask: string; internal: boolean }[]>;
  /** The ifindex of `name`, or undefined when the interface does not exist. */
  ifindex(name: string): Promise<number | undefined>;
}

/** True when `name` can be a Linux interface name (IFNAMSIZ), safe to put in a `/sys/class/net/` path. */
export function isInterfaceName(name: string): boolean {
  return /^[^/\s]{1,15}$/.test(name) && name !== '.' && name !== '..';
}

/** Reads `/sys/class/net/<name>/ifindex`; undefined when there is no such interface. */
export async function readIfindex(name: string): Promise<number | undefined> {
  if (!isInterfaceName(name)) return undefined;
  try {
    const text = await readFile(`/sys/class/net/${name}/ifindex`, 'utf8');
    const n = Number(text.trim());
    return Number.isInteger(n) && n > 0 ? n : undefined;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new NetError('interface', `cannot read the ifindex of ${name}: ${errorMessage(err)}`, { cause: err });
  }
}

/** The running system's interfaces. */
export const systemInterfaceSource: InterfaceSource = {
  addresses() {
    const out: Record<string, { address: string; netmask: string; internal: boolean }[]> = {};
    for (const [name, list] of Object.entries(os.networkInterfaces())) {
      out[name] = (list ?? []).filter((a) => a.family === 'IPv4').map((a) => ({ address: a.address, netmask: a.netmask, internal: a.internal }));
    }
    return out;
  },
  ifindex: readIfindex,
};

/**
 * Lists interfaces that the kernel knows and that have at least one IPv4 address
 * or appear in `os.networkInterfaces()`, sorted by ifindex.
 */
export async function listInterfaces(source: InterfaceSource = systemInterfaceSource): Promise<NetworkInterface[]> {
  const out: NetworkInterface[] = [];
  for (const [name, addrs] of Object.entries(source.addresses())) {
    const ifindex = await source.ifindex(name);
    if (ifindex === undefined) continue;
    out.push(toInterface(name, ifindex, addrs));
  }
  return out.sort((a, b) => a.ifindex - b.ifindex);
}

/** The interface called `name` (it may have no IPv4 address), or undefined. */
export async function findInterface(name: string, source: InterfaceSource = systemInterfaceSource): Promise<NetworkInterface | undefined> {
  const ifindex = await source.ifindex(name);
  if (ifindex === undefined) return undefined;
  return toInterface(name, ifindex, source.addresses()[name] ?? []);
}

/**
 * The interface a scope serves, with the address it holds inside the scope's
 * subnet (that address is the server identifier and siaddr default). Throws
 * NetError `interface` when the interface is missing or has no address in the subnet.
 */
export async function requireInterfaceForSubnet(
  name: string,
  subnet: Cidr,
  source: InterfaceSource = systemInterfaceSource,
): Promise<{ readonly iface: NetworkInterface; readonly address: Ipv4 }> {
  const iface = await findInterface(name, source);
  if (!iface) {
    const known = (await listInterfaces(source)).map((i) => i.name).join(', ');
    throw new NetError('interface', `interface ${name} does not exist (this machine has: ${known || 'none'})`);
  }
  const match = addressInSubnet(iface, subnet);
  if (!match) {
    const has = iface.addresses.map((a) => `${a.address}/${a.prefix}`).join(', ') || 'no IPv4 address';
    throw new NetError(
      'interface',
      `interface ${name} has no IPv4 address in ${formatCidr(subnet)} (it has ${has}); add one, e.g. "ip addr add <address>/${subnet.prefix} dev ${name}"`,
    );
  }
  return { iface, address: match.address };
}

/** The first address of `iface` inside `subnet`, or undefined. */
export function addressInSubnet(iface: NetworkInterface, subnet: Cidr): InterfaceAddress | undefined {
  return iface.addresses.find((a) => cidrContains(subnet, a.address));
}

function toInterface(
  name: string,
  ifindex: number,
  addrs: readonly { address: string; netmask: string; internal: boolean }[],
): NetworkInterface {
  const addresses: InterfaceAddress[] = [];
  for (const a of addrs) {
    const prefix = maskToPrefix(parseIpv4(a.netmask));
    if (prefix === undefined) continue;
    addresses.push({ address: parseIpv4(a.address), prefix });
  }
  return { name, ifindex, addresses, isLoopback: addrs.some((a) => a.internal) };
}
