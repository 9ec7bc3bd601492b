/**
 * Shared pieces of the DHCP end-to-end tests: the benchboot DHCP server started in
 * a lab namespace, and the three real clients (ISC dhclient, busybox udhcpc,
 * dhcpcd) run with a time bound, with their pid/lease files in a temp dir and a
 * hook script that dumps the environment the client hands it to a file.
 */
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import type { CommandResult, Netns } from '../e2e/netns.js';
import { waitFor } from '../e2e/netns.js';
import { DHCP_SERVER_MAIN, ServerProcess } from './server-process.js';
import type { ScopeJson } from './scope-json.js';

/** Starts dhcp-server-main inside `ns` on real per-interface sockets. */
export async function startLabServer(ns: Netns, dir: string, scopes: readonly ScopeJson[], stateDir = join(dir, 'leases')): Promise<ServerProcess> {
  const scopesFile = join(dir, 'scopes.json');
  await writeFile(scopesFile, JSON.stringify(scopes));
  const child = ns.spawn(process.execPath, [DHCP_SERVER_MAIN, '--scopes', scopesFile, '--state-dir', stateDir, '--log-level', 'debug'], { maxMs: 180_000 });
  const server = new ServerProcess(child);
  await server.ready;
  return server;
}

/** Parses `env`-style KEY=value lines. */
export function parseEnvDump(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=');
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Writes an executable hook script that dumps its environment to `<dir>/<tag>.<reason>` and runs `extra`. */
async function writeHook(dir: string, tag: string, reasonExpr: string, extra = ''): Promise<string> {
  const path = join(dir, `${tag}-hook.sh`);
  await writeFile(path, `#!/bin/sh\nenv | sort > "${dir}/${tag}.${reasonExpr}"\n${extra}\nexit 0\n`);
  await chmod(path, 0o755);
  return path;
}

/** Reads the env dump of `<tag>.<reason>` or undefined. */
export async function readDump(dir: string, tag: string, reason: string): Promise<Record<string, string> | undefined> {
  try {
    return parseEnvDump(await readFile(join(dir, `${tag}.${reason}`), 'utf8'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw err;
  }
}

// ---------------------------------------------------------------- ISC dhclient

/** dhclient: declares options 66 and 150 and requests them. */
export const DHCLIENT_CONF = `option tftp150 code 150 = array of ip-address;
option tftp66 code 66 = text;
request subnet-mask, broadcast-address, routers, tftp66, tftp150, bootfile-name;
`;

/** A running `dhclient -d` (foreground) in `ns`; its hook dumps to `<dir>/dhclient-<n>.<REASON>`. */
export async function spawnDhclient(ns: Netns, ifname: string, dir: string, tag: string): Promise<ChildProcess> {
  await mkdir(dir, { recursive: true });
  const conf = join(dir, `${tag}.conf`);
  await writeFile(conf, DHCLIENT_CONF);
  // The hook also configures the address, as dhclient-script would, so renewals can be unicast.
  const hook = await writeHook(dir, tag, '$reason', 'case "$reason" in BOUND|RENEW|REBOOT) ip addr replace "$new_ip_address/${new_subnet_mask:-255.255.255.0}" dev "$interface";; esac');
  return ns.spawn('dhclient', ['-4', '-1', '-d', '-v', '-cf', conf, '-sf', hook, '-lf', join(dir, `${tag}.leases`), '-pf', join(dir, `${tag}.pid`), ifname], { maxMs: 60_000 });
}

// ---------------------------------------------------------------- busybox udhcpc

/** udhcpc options asking for 66, 67, 150 (option 150 comes back as hex in `opt150`). */
const UDHCPC_OPTIONS = ['-O', '66', '-O', '67', '-O', '150'];

/** The hook for udhcpc: dump env, and configure the address on bound/renew so unicast renewal works. */
async function udhcpcHook(dir: string, tag: string): Promise<string> {
  return writeHook(dir, tag, '$1', 'case "$1" in bound|renew) ip addr replace "$ip/${mask:-24}" dev "$interface";; deconfig) ip addr flush dev "$interface";; esac');
}

/** One-shot udhcpc: obtain a lease and exit (`-n -q`), bounded by tries and timeout. */
export async function runUdhcpcOnce(ns: Netns, ifname: string, dir: string, tag: string, extra: readonly string[] = []): Promise<CommandResult> {
  await mkdir(dir, { recursive: true });
  const hook = await udhcpcHook(dir, tag);
  return ns.exec('udhcpc', ['-f', '-n', '-q', '-t', '3', '-T', '2', '-i', ifname, ...UDHCPC_OPTIONS, '-s', hook, '-p', join(dir, `${tag}.pid`), ...extra], 20_000);
}

/** A long-running udhcpc (foreground) for renew (SIGUSR1) and release (-R, SIGTERM). */
export async function spawnUdhcpc(ns: Netns, ifname: string, dir: string, tag: string, extra: readonly string[] = []): Promise<ChildProcess> {
  await mkdir(dir, { recursive: true });
  const hook = await udhcpcHook(dir, tag);
  return ns.spawn('udhcpc', ['-f', '-t', '3', '-T', '2', '-i', ifname, ...UDHCPC_OPTIONS, '-s', hook, '-p', join(dir, `${tag}.pid`), ...extra], { maxMs: 60_000 });
}

// ---------------------------------------------------------------- dhcpcd

/**
 * One-shot dhcpcd (`-1 -4`, no ARP probe, bounded by -t). dhcpcd keeps its lease and
 * pid files in fixed system directories, so they are bind-mounted from the temp dir
 * in the private mount namespace `ip netns exec` gives the command.
 */
export async function runDhcpcdOnce(ns: Netns, ifname: string, dir: string, tag: string): Promise<CommandResult> {
  const db = join(dir, `${tag}-db`);
  const run = join(dir, `${tag}-run`);
  await mkdir(db, { recursive: true });
  await mkdir(run, { recursive: true });
  const conf = join(dir, `${tag}.conf`);
  await writeFile(conf, 'option tftp_server_name, bootfile_name\noption 150\n');
  const hook = await writeHook(dir, tag, '$reason');
  const script = [
    'set -e',
    // /run is a tmpfs: after a reboot dhcpcd's directory is gone until dhcpcd first runs.
    'mkdir -p /var/lib/dhcpcd /run/dhcpcd',
    `mount --bind ${db} /var/lib/dhcpcd`,
    `mount --bind ${run} /run/dhcpcd`,
    `exec dhcpcd -1 -4 -A -t 10 -f ${conf} -c ${hook} ${ifname}`,
  ].join('\n');
  return ns.exec('sh', ['-c', script], 25_000);
}

/** The raw DHCPACK dhcpcd saved for `ifname` (dhcpcd stores the packet as its lease file). */
export async function readDhcpcdLease(dir: string, tag: string, ifname: string): Promise<Buffer> {
  return readFile(join(dir, `${tag}-db`, `${ifname}.lease`));
}

/** Waits for a dump file to appear. */
export async function waitForDump(dir: string, tag: string, reason: string, timeoutMs: number): Promise<Record<string, string> | undefined> {
  await waitFor(async () => (await readDump(dir, tag, reason)) !== undefined, timeoutMs, 100);
  return readDump(dir, tag, reason);
}
