/**
 * Who holds a UDP or TCP port: parses `/proc/net/udp` or `/proc/net/tcp` (the
 * sockets of this network namespace) for sockets bound to the port (for TCP: those
 * listening, state 0A; connections to or from the port are not holders), then finds the processes owning those
 * socket inodes through `/proc/<pid>/fd/*` links (`socket:[inode]`). Naming the
 * program ("dnsmasq (pid 812) holds UDP port 67") lets `serve` and `doctor` refuse
 * with something a person can act on. Reading other users' fds needs root; without
 * it the socket is still reported, just without a name.
 */
import { readFile, readdir, readlink } from 'node:fs/promises';
import { errorMessage } from '../errno.js';

/** A UDP socket bound to a local port. */
export interface UdpSocketEntry {
  readonly localAddress: string;
  readonly port: number;
  readonly uid: number;
  readonly inode: number;
}

/** A socket of /proc/net/udp or /proc/net/tcp with its state (`0A` = TCP LISTEN; `07` for an unconnected UDP socket). */
export interface ProcSocketEntry extends UdpSocketEntry {
  readonly state: string;
}

/** The transport whose sockets are looked at. */
export type PortProtocol = 'udp' | 'tcp';

/** TCP_LISTEN in the `st` column of /proc/net/tcp (include/net/tcp_states.h). */
export const TCP_LISTEN_STATE = '0A';

/** A process holding a socket. */
export interface SocketProcess {
  readonly pid: number;
  /** `/proc/<pid>/comm`, e.g. `dnsmasq`. */
  readonly command: string;
  /** `/proc/<pid>/cmdline` with spaces, for detail. */
  readonly cmdline: string;
}

/** A socket on the port, with the processes holding it (empty when they cannot be seen). */
export interface PortOwner extends UdpSocketEntry {
  readonly processes: readonly SocketProcess[];
}

/** Decodes the kernel's hex `AABBCCDD` address of /proc/net/udp (host byte order, little-endian). */
export function decodeProcAddress(hex: string): string {
  const n = parseInt(hex, 16) >>> 0;
  return [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24].join('.');
}

/** Parses the text of `/proc/net/udp` into bound sockets (header and odd lines skipped). */
export function parseProcNetUdp(text: string): UdpSocketEntry[] {
  return parseProcNet(text).map(({ state: _state, ...entry }) => entry);
}

/** Parses `/proc/net/udp` or `/proc/net/tcp` (same columns) into sockets with their state. */
export function parseProcNet(text: string): ProcSocketEntry[] {
  const out: ProcSocketEntry[] = [];
  for (const line of text.split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    // sl local rem st queues tr retrnsmt uid timeout inode ...
    const local = f[1];
    const uid = Number(f[7]);
    const inode = Number(f[9]);
    const state = (f[3] ?? '').toUpperCase();
    if (local === undefined || !/^[0-9A-Fa-f]{8}:[0-9A-Fa-f]{4}$/.test(local) || !Number.isInteger(inode)) continue;
    const [addr = '', port = ''] = local.split(':');
    out.push({ localAddress: decodeProcAddress(addr), port: parseInt(port, 16), uid, inode, state });
  }
  return out;
}

/** Where the /proc facts come from (the real /proc by default; a table in tests). */
export interface ProcSource {
  readText(path: string): Promise<string>;
  listDir(path: string): Promise<string[]>;
  readLink(path: string): Promise<string>;
}

/** The real /proc. */
export const systemProcSource: ProcSource = {
  readText: (p) => readFile(p, 'utf8'),
  listDir: (p) => readdir(p),
  readLink: (p) => readlink(p),
};

/** Maps socket inodes to the processes whose fds point at them (unreadable processes are skipped). */
async function processesBySocket(inodes: ReadonlySet<number>, proc: ProcSource): Promise<Map<number, SocketProcess[]>> {
  const found = new Map<number, SocketProcess[]>();
  const pids = (await proc.listDir('/proc')).filter((n) => /^\d+$/.test(n));
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = await proc.listDir(`/proc/${pid}/fd`);
    } catch (err) {
      // EACCES (not ours, not root) or ENOENT (exited meanwhile): this process cannot be named.
      if (!isExpectedProcError(err)) throw err;
      continue;
    }
    for (const fd of fds) {
      const inode = await socketInode(`/proc/${pid}/fd/${fd}`, proc);
      if (inode === undefined || !inodes.has(inode)) continue;
      const info = await describeProcess(Number(pid), proc);
      const list = found.get(inode) ?? [];
      if (!list.some((p) => p.pid === info.pid)) list.push(info);
      found.set(inode, list);
    }
  }
  return found;
}

function isExpectedProcError(err: unknown): boolean {
  const code = (err as NodeJS.ErrnoException).code;
  return code === 'EACCES' || code === 'ENOENT' || code === 'EPERM' || code === 'ESRCH';
}

async function socketInode(path: string, proc: ProcSource): Promise<number | undefined> {
  try {
    const m = /^socket:\[(\d+)\]$/.exec(await proc.readLink(path));
    return m?.[1] === undefined ? undefined : Number(m[1]);
  } catch (err) {
    if (!isExpectedProcError(err)) throw err;
    return undefined;
  }
}

async function describeProcess(pid: number, proc: ProcSource): Promise<SocketProcess> {
  const read = async (name: string): Promise<string> => {
    try {
      return await proc.readText(`/proc/${pid}/${name}`);
    } catch (err) {
      if (!isExpectedProcError(err)) throw err;
      return '';
    }
  };
  const args = (await read('cmdline')).split('\0').filter(Boolean);
  return { pid, command: commandName((await read('comm')).trim(), args[0]) || `pid ${pid}`, cmdline: args.join(' ') };
}

/**
 * The program's name: its `comm`, except that Node 24 names its main thread
 * `MainThread` (and comm follows the thread): then the base name of argv[0].
 */
function commandName(comm: string, argv0: string | undefined): string {
  if (comm !== 'MainThread' || argv0 === undefined) return comm;
  return argv0.slice(argv0.lastIndexOf('/') + 1);
}

/**
 * The sockets bound to UDP `port` in this network namespace and who holds them.
 * Processes in `ignorePids` (normally this process) are left out, and a socket
 * held only by them is not reported.
 */
export function findUdpPortOwners(port: number, options: PortOwnerOptions = {}): Promise<PortOwner[]> {
  return findPortOwners('udp', port, options);
}

/** The sockets listening on TCP `port` in this network namespace and who holds them (as {@link findUdpPortOwners}). */
export function findTcpPortOwners(port: number, options: PortOwnerOptions = {}): Promise<PortOwner[]> {
  return findPortOwners('tcp', port, options);
}

/** Where /proc is read and which processes are left out. */
export interface PortOwnerOptions {
  readonly proc?: ProcSource;
  readonly ignorePids?: readonly number[];
}

/** The holders of `port` over `protocol` (TCP: listening sockets only). */
async function findPortOwners(protocol: PortProtocol, port: number, options: PortOwnerOptions): Promise<PortOwner[]> {
  const proc = options.proc ?? systemProcSource;
  const ignore = new Set(options.ignorePids ?? []);
  const file = `/proc/net/${protocol}`;
  let text: string;
  try {
    text = await proc.readText(file);
  } catch (err) {
    throw new Error(`cannot read ${file}: ${errorMessage(err)}`, { cause: err });
  }
  const sockets = parseProcNet(text).filter((s) => s.port === port && (protocol === 'udp' || s.state === TCP_LISTEN_STATE));
  if (sockets.length === 0) return [];
  const owners = await processesBySocket(new Set(sockets.map((s) => s.inode)), proc);
  const out: PortOwner[] = [];
  for (const s of sockets) {
    const all = owners.get(s.inode) ?? [];
    const others = all.filter((p) => !ignore.has(p.pid));
    if (all.length > 0 && others.length === 0) continue;
    out.push({ localAddress: s.localAddress, port: s.port, uid: s.uid, inode: s.inode, processes: others });
  }
  return out;
}

/** One readable line per socket, e.g. `dnsmasq (pid 812) on 0.0.0.0:67`. */
export function describePortOwner(owner: PortOwner): string {
  const who = owner.processes.length
    ? owner.processes.map((p) => `${p.command} (pid ${p.pid})`).join(', ')
    : `a process of uid ${owner.uid} that cannot be seen without root (socket inode ${owner.inode})`;
  return `${who} on ${owner.localAddress}:${owner.port}`;
}
