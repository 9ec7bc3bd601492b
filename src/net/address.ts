/**
 * The temporary address of `serve --address 10.10.0.1/24`: when the served
 * interface has no IPv4 address, benchboot adds one with `ip addr add` and removes
 * exactly that address again on exit. An address the interface already had is
 * never removed. Without `--address`, {@link addAddressHint} gives the exact
 * command a person can run instead.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { errorMessage } from '../errno.js';
import { NetError } from './net-error.js';
import { ipv4ToInt, parseIpv4, parseMac, prefixToMaskInt, type Ipv4, type MacAddress } from './ipv4.js';
import { isInterfaceName } from './interfaces.js';

/** An address with its prefix length, as given to `--address`. */
export interface InterfaceAddressSpec {
  readonly address: Ipv4;
  readonly prefix: number;
}

/** Runs a program and resolves with its outcome (the real one uses execFile; tests record calls). */
export type CommandRunner = (program: string, args: readonly string[]) => Promise<{ readonly code: number; readonly stderr: string }>;

/** The real command runner, bounded to 10 s. */
export const systemCommandRunner: CommandRunner = (program, args) =>
  new Promise((resolve) => {
    execFile(program, [...args], { timeout: 10_000 }, (err, _stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : 1) : 0;
      resolve({ code, stderr: String(stderr) || (err ? err.message : '') });
    });
  });

/**
 * Parses `--address` text: a host address with prefix, e.g. `10.10.0.1/24`. The
 * network and broadcast addresses are refused (a DHCP server needs a host address).
 */
export function parseAddressSpec(text: string): InterfaceAddressSpec {
  const m = /^([0-9.]+)\/(\d{1,2})$/.exec(text);
  if (!m || m[1] === undefined || m[2] === undefined) {
    throw new NetError('usage', `--address "${text}" is not address/prefix (e.g. 10.10.0.1/24)`);
  }
  let address: Ipv4;
  try {
    address = parseIpv4(m[1]);
  } catch (err) {
    throw new NetError('usage', `--address "${text}": ${err instanceof Error ? err.message : String(err)}`);
  }
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 30) throw new NetError('usage', `--address "${text}": the prefix must be 8..30 so the subnet has room for devices`);
  const mask = prefixToMaskInt(prefix);
  const host = (ipv4ToInt(address) & ~mask) >>> 0;
  if (host === 0 || host === (~mask >>> 0)) {
    throw new NetError('usage', `--address "${text}" is the network or broadcast address of its subnet; use a host address such as the first one`);
  }
  return { address, prefix };
}

/** The command a person runs to give `ifname` an address (the hint printed when it has none). */
export function addAddressHint(ifname: string, spec: InterfaceAddressSpec = { address: '10.10.0.1' as Ipv4, prefix: 24 }): string {
  return `sudo ip addr add ${spec.address}/${spec.prefix} dev ${ifname}`;
}

/** An address benchboot added; `remove()` takes it off again (idempotent). */
export interface TemporaryAddress {
  readonly ifname: string;
  readonly spec: InterfaceAddressSpec;
  /** True when benchboot added it (false: it was already there, and remove() leaves it). */
  readonly added: boolean;
  remove(): Promise<void>;
}

/**
 * Adds `spec` to `ifname` unless it is already there (`alreadyHas`). Throws
 * NetError (kind `interface`) with `ip`'s message when the kernel refuses.
 */
export async function addTemporaryAddress(
  ifname: string,
  spec: InterfaceAddressSpec,
  alreadyHas: boolean,
  runner: CommandRunner = systemCommandRunner,
): Promise<TemporaryAddress> {
  const cidr = `${spec.address}/${spec.prefix}`;
  if (alreadyHas) return { ifname, spec, added: false, remove: () => Promise.resolve() };
  const r = await runner('ip', ['addr', 'add', cidr, 'dev', ifname]);
  if (r.code !== 0) {
    throw new NetError('interface', `cannot add ${cidr} to ${ifname}: ${r.stderr.trim() || `ip exited with ${r.code}`}`);
  }
  let removed = false;
  return {
    ifname,
    spec,
    added: true,
    async remove() {
      if (removed) return;
      removed = true;
      const d = await runner('ip', ['addr', 'del', cidr, 'dev', ifname]);
      if (d.code !== 0) {
        throw new NetError('interface', `cannot remove ${cidr} from ${ifname}: ${d.stderr.trim() || `ip exited with ${d.code}`}; remove it with "sudo ip addr del ${cidr} dev ${ifname}"`);
      }
    },
  };
}

/** The MAC address of `ifname` from `/sys/class/net/<ifname>/address`; NetError `interface` when unreadable. */
export async function readInterfaceMac(ifname: string): Promise<MacAddress> {
  if (!isInterfaceName(ifname)) {
    throw new NetError('interface', `"${ifname}" is not an interface name`);
  }
  try {
    return parseMac((await readFile(`/sys/class/net/${ifname}/address`, 'utf8')).trim());
  } catch (err) {
    throw new NetError('interface', `cannot read the MAC address of ${ifname}: ${errorMessage(err)}`, { cause: err });
  }
}
