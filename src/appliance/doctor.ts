/**
 * The checks of `benchboot doctor`: whether `serve` can work here, one result per
 * check with the fix for each problem:
 *
 *   privileges       root, or CAP_NET_BIND_SERVICE (ports 67/69) and, on kernels
 *                    before 5.7, CAP_NET_RAW (SO_BINDTOIFINDEX)
 *   port 67, 69      no other program holds them (named from /proc)
 *   interface IF     exists and has an IPv4 address (or: the exact `ip addr add`)
 *   scopes           every scope file valid; each scope's interface holds an address in its subnet
 *   tftp root        a readable directory
 *   alternate N      each --alternate a readable directory (at most ten)
 *   map file         the --map-file parses (a problem names its line)
 *   upload dir       a writable directory
 *
 * The checks take their facts from a `DoctorEnv` (the real system by default), so
 * they are tested with tables; src/cli/doctor.ts prints them.
 */
import { constants } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { readScopeDir, type ScopeDir } from '../config/load.js';
import { formatIssue } from '../config/issues.js';
import { errorMessage } from '../errors.js';
import { loadRemapFile } from '../tftp/fs-storage.js';
import { MAX_ALTERNATES } from '../tftp/resolve-path.js';
import { addAddressHint } from '../net/address.js';
import { findInterface, listInterfaces, requireInterfaceForSubnet, type NetworkInterface } from '../net/interfaces.js';
import { describePortOwner, findUdpPortOwners, type PortOwner } from '../net/port-owner.js';
import { requireDirectory } from './preflight.js';

/** Outcome of one check. */
export type CheckStatus = 'ok' | 'warn' | 'fail';

/** One line of the doctor's report. */
export interface CheckResult {
  readonly name: string;
  readonly status: CheckStatus;
  readonly detail: string;
  /** What to do about a warn or fail. */
  readonly fix?: string;
}

/** Linux capability bit numbers (linux/capability.h). */
export const CAPABILITY = { NET_BIND_SERVICE: 10, NET_ADMIN: 12, NET_RAW: 13 } as const;

/** Where the doctor's facts come from. */
export interface DoctorEnv {
  uid(): number | undefined;
  /** `/proc/self/status` text (CapEff line). */
  procStatus(): Promise<string>;
  /** `net.ipv4.ip_unprivileged_port_start`, when readable. */
  unprivilegedPortStart(): Promise<number | undefined>;
  kernelRelease(): string;
  portOwners(port: number): Promise<PortOwner[]>;
  findInterface(name: string): Promise<NetworkInterface | undefined>;
  listInterfaces(): Promise<NetworkInterface[]>;
  /** Resolves when `path` is a directory with `mode` access; rejects with the reason. */
  checkDirectory(path: string, mode: number): Promise<void>;
  readScopeDir(dir: string): Promise<ScopeDir>;
  /** Rejects when the scope's interface has no address in its subnet. */
  requireInterfaceForSubnet(name: string, subnet: Parameters<typeof requireInterfaceForSubnet>[1]): Promise<unknown>;
  /** Reads and parses a TFTP map file; resolves with its rule count, rejects naming file and line. */
  readMapFile(path: string): Promise<number>;
}

/** The real system. */
export const systemDoctorEnv: DoctorEnv = {
  uid: () => (typeof process.getuid === 'function' ? process.getuid() : undefined),
  procStatus: () => readFile('/proc/self/status', 'utf8'),
  async unprivilegedPortStart() {
    const text = await readFile('/proc/sys/net/ipv4/ip_unprivileged_port_start', 'utf8').catch(() => '');
    const n = Number(text.trim());
    return text.trim() !== '' && Number.isInteger(n) ? n : undefined;
  },
  kernelRelease: () => os.release(),
  portOwners: (port) => findUdpPortOwners(port, { ignorePids: [process.pid] }),
  findInterface: (name) => findInterface(name),
  listInterfaces: () => listInterfaces(),
  checkDirectory: requireDirectory,
  readScopeDir: (dir) => readScopeDir(dir),
  requireInterfaceForSubnet: (name, subnet) => requireInterfaceForSubnet(name, subnet),
  readMapFile: async (path) => (await loadRemapFile(path)).length,
};

/** The effective capability set from /proc/self/status, or undefined when absent. */
export function parseCapEff(status: string): bigint | undefined {
  const m = /^CapEff:\s*([0-9a-fA-F]+)\s*$/m.exec(status);
  return m?.[1] === undefined ? undefined : BigInt(`0x${m[1]}`);
}

function hasCap(caps: bigint | undefined, bit: number): boolean {
  return caps !== undefined && (caps & (1n << BigInt(bit))) !== 0n;
}

/** True when the kernel is older than `major.minor`. */
export function kernelBefore(release: string, major: number, minor: number): boolean {
  const m = /^(\d+)\.(\d+)/.exec(release);
  if (!m) return false;
  const [maj, min] = [Number(m[1]), Number(m[2])];
  return maj < major || (maj === major && min < minor);
}

const SETCAP_FIX = "run it with sudo, or grant the capabilities to node: sudo setcap 'cap_net_bind_service,cap_net_raw,cap_net_admin+ep' \"$(readlink -f \"$(command -v node)\")\"";

/** Privileges: root, or the capabilities serve needs. */
export function checkPrivileges(uid: number | undefined, caps: bigint | undefined, portStart: number | undefined, kernel: string): CheckResult {
  if (uid === 0) return { name: 'privileges', status: 'ok', detail: 'running as root' };
  const missing: string[] = [];
  const lowPortsFree = portStart !== undefined && portStart <= 67;
  if (!lowPortsFree && !hasCap(caps, CAPABILITY.NET_BIND_SERVICE)) missing.push('CAP_NET_BIND_SERVICE (to bind UDP 67 and 69)');
  if (kernelBefore(kernel, 5, 7) && !hasCap(caps, CAPABILITY.NET_RAW)) missing.push(`CAP_NET_RAW (kernel ${kernel} needs it for SO_BINDTOIFINDEX)`);
  if (missing.length > 0) return { name: 'privileges', status: 'fail', detail: `not root and missing ${missing.join(', ')}`, fix: SETCAP_FIX };
  if (!hasCap(caps, CAPABILITY.NET_ADMIN)) {
    return { name: 'privileges', status: 'warn', detail: 'enough to serve; without CAP_NET_ADMIN, --address cannot add an address', fix: 'add the address yourself with "sudo ip addr add ..."' };
  }
  return { name: 'privileges', status: 'ok', detail: 'not root, but the needed capabilities are granted' };
}

/** A port check: free, or held by a named program. */
export function checkPort(port: number, what: string, owners: readonly PortOwner[]): CheckResult {
  const name = `port ${port}`;
  if (owners.length === 0) return { name, status: 'ok', detail: `UDP ${port} (${what}) is free` };
  const first = owners[0]?.processes[0];
  return {
    name,
    status: 'fail',
    detail: `UDP ${port} (${what}) is taken by ${owners.map(describePortOwner).join('; ')}`,
    fix: first ? `stop ${first.command} (e.g. "sudo systemctl stop ${first.command}" or "sudo kill ${first.pid}")` : 'find the program with "sudo ss -ulpn" and stop it',
  };
}

/** An interface check: exists and has an IPv4 address. */
export function checkInterface(name: string, iface: NetworkInterface | undefined, known: readonly string[]): CheckResult {
  const label = `interface ${name}`;
  if (!iface) return { name: label, status: 'fail', detail: 'does not exist', fix: `use one of: ${known.join(', ') || '(none)'}` };
  const addrs = iface.addresses.map((a) => `${a.address}/${a.prefix}`);
  if (addrs.length === 0) {
    return { name: label, status: 'fail', detail: 'has no IPv4 address', fix: `${addAddressHint(name)} (or serve with --address 10.10.0.1/24)` };
  }
  return { name: label, status: 'ok', detail: `ifindex ${iface.ifindex}, ${addrs.join(', ')}` };
}

async function checkDirectory(env: DoctorEnv, name: string, path: string, mode: number, what: string, fix: string): Promise<CheckResult> {
  try {
    await env.checkDirectory(path, mode);
    return { name, status: 'ok', detail: `${path} is ${what}` };
  } catch (err) {
    return { name, status: 'fail', detail: `${path} is not ${what} (${errorMessage(err)})`, fix };
  }
}

/** Options of {@link runDoctorChecks}. */
export interface DoctorOptions {
  readonly interfaces: readonly string[];
  readonly scopes?: string;
  readonly tftpRoot: string;
  readonly uploadDir?: string;
  /** serve's --alternate directories. */
  readonly alternates?: readonly string[];
  /** serve's --map-file. */
  readonly mapFile?: string;
  readonly dhcpPort: number;
  readonly tftpPort: number;
}

/** Runs every check; never throws (a check that cannot run is a failed check). */
export async function runDoctorChecks(options: DoctorOptions, env: DoctorEnv = systemDoctorEnv): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  const caps = parseCapEff(await env.procStatus().catch(() => ''));
  out.push(checkPrivileges(env.uid(), caps, await env.unprivilegedPortStart(), env.kernelRelease()));
  for (const [port, what] of [
    [options.dhcpPort, 'DHCP'],
    [options.tftpPort, 'TFTP'],
  ] as const) {
    try {
      out.push(checkPort(port, what, await env.portOwners(port)));
    } catch (err) {
      out.push({ name: `port ${port}`, status: 'fail', detail: `cannot check: ${errorMessage(err)}`, fix: 'run doctor as root so /proc can be read' });
    }
  }
  const all = await env.listInterfaces();
  const known = all.filter((i) => !i.isLoopback).map((i) => i.name);
  for (const name of options.interfaces) out.push(checkInterface(name, await env.findInterface(name), known));
  if (options.interfaces.length === 0 && options.scopes === undefined) {
    const usable = all.filter((i) => !i.isLoopback && i.addresses.length > 0);
    out.push({
      name: 'interfaces',
      status: usable.length > 0 ? 'ok' : 'warn',
      detail: usable.length > 0 ? usable.map((i) => `${i.name} ${i.addresses.map((a) => `${a.address}/${a.prefix}`).join(' ')}`).join(', ') : 'no interface with an IPv4 address',
      ...(usable.length > 0 ? {} : { fix: `give the bench interface an address, e.g. ${addAddressHint(known[0] ?? 'eth1')}` }),
    });
  }
  if (options.scopes !== undefined) out.push(...(await checkScopes(env, options.scopes)));
  out.push(await checkDirectory(env, 'tftp root', options.tftpRoot, constants.R_OK | constants.X_OK, 'a readable directory', `mkdir -p ${options.tftpRoot} and put the files devices ask for there`));
  out.push(...(await checkTftpExtras(env, options.alternates ?? [], options.mapFile)));
  if (options.uploadDir !== undefined) {
    out.push(await checkDirectory(env, 'upload dir', options.uploadDir, constants.W_OK | constants.X_OK, 'a writable directory', `mkdir -p ${options.uploadDir} (writable by the user running serve)`));
  }
  return out;
}

/** The alternates (readable directories, at most ten) and the map file (parses). */
async function checkTftpExtras(env: DoctorEnv, alternates: readonly string[], mapFile: string | undefined): Promise<CheckResult[]> {
  const out: CheckResult[] = [];
  if (alternates.length > MAX_ALTERNATES) {
    out.push({ name: 'alternates', status: 'fail', detail: `${alternates.length} given; serve searches at most ${MAX_ALTERNATES}`, fix: 'drop the extra --alternate options' });
  }
  for (const [i, dir] of alternates.entries()) {
    out.push(await checkDirectory(env, `alternate ${i + 1}`, dir, constants.R_OK | constants.X_OK, 'a readable directory', `mkdir -p ${dir}, or drop --alternate ${dir}`));
  }
  if (mapFile !== undefined) {
    try {
      const rules = await env.readMapFile(mapFile);
      out.push({ name: 'map file', status: 'ok', detail: `${mapFile}: ${rules} rule(s)` });
    } catch (err) {
      out.push({ name: 'map file', status: 'fail', detail: errorMessage(err), fix: 'correct that line (one rule a line: flags regex [replacement]; # starts a comment)' });
    }
  }
  return out;
}

async function checkScopes(env: DoctorEnv, dir: string): Promise<CheckResult[]> {
  let result: ScopeDir;
  try {
    result = await env.readScopeDir(dir);
  } catch (err) {
    return [{ name: 'scopes', status: 'fail', detail: errorMessage(err), fix: `create scope files with "benchboot scope add" (in ${dir})` }];
  }
  const out: CheckResult[] = [];
  if (result.entries.length === 0) out.push({ name: 'scopes', status: 'fail', detail: `no scope files in ${dir}`, fix: 'create one with "benchboot scope add", or serve an interface without --scopes' });
  for (const issue of result.issues) out.push({ name: 'scopes', status: 'fail', detail: formatIssue(issue), fix: 'edit the file at that line (benchboot scope validate shows every issue)' });
  for (const e of result.entries) {
    if (!e.result.ok) continue;
    const scope = e.result.scope;
    try {
      await env.requireInterfaceForSubnet(scope.interface, scope.subnet);
      out.push({ name: `scope ${scope.name}`, status: 'ok', detail: `${e.file}: valid, interface ${scope.interface} is ready` });
    } catch (err) {
      out.push({ name: `scope ${scope.name}`, status: 'fail', detail: `${e.file}: ${errorMessage(err)}`, fix: 'fix the interface address or the scope\'s interface/subnet' });
    }
  }
  return out;
}
