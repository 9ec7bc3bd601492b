/**
 * Launchers for the servers under test, each run inside the bench's server
 * namespace with its output in a log file of the bench directory: the DHCP peers
 * (dnsmasq, kea-dhcp4 with memfile) and the TFTP peers (tftpd-hpa, dnsmasq, atftpd).
 * A launcher returns once the server's UDP port is bound, and `stop` ends exactly the
 * process it started (and that process's children), by PID.
 */
import { openSync, closeSync, readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';
import type { ChildProcess } from 'node:child_process';
import { BENCH_NET, type Bench } from './lab.js';
import { CpuGroup, processTree, readProc, sleep } from './util.js';

/** tftpd-hpa is unpacked (not installed as a service) by test/e2e/install-deps.sh. */
export const TFTPD_HPA = '/opt/benchboot-peers/tftpd-hpa/usr/sbin/in.tftpd';

/** A server process started for one measurement. */
export interface RunningServer {
  readonly pid: number;
  /** The command line, for the report. */
  readonly command: string;
  readonly logPath: string;
  /** CPU seconds used so far by the server and everything it forked (cgroup v2 cpu.stat; /proc times as fallback). */
  cpuSeconds(): number;
  /** VmHWM of the main process in bytes. */
  hwmBytes(): number;
  stop(): Promise<void>;
}

/** What a launcher needs besides the bench. */
export interface StartOptions {
  /** TFTP root (TFTP servers). */
  readonly root?: string;
  /** A fresh directory for this run's leases, pid files and logs. */
  readonly runDir: string;
}

/** One server the benchmark compares. */
export interface ServerSpec {
  readonly name: string;
  /** Non-default settings and how it keeps leases, stated in the report. */
  readonly notes: string;
  /** Whether it negotiates RFC 7440 windowsize (TFTP). */
  readonly windowsize: boolean;
  start(bench: Bench, options: StartOptions): Promise<RunningServer>;
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').slice(-1500);
  } catch (err) {
    return `(no log: ${(err as Error).message})`;
  }
}

/** True when something in the server namespace listens on UDP (or TCP) `port`. */
async function portBound(bench: Bench, port: number, protocol: 'udp' | 'tcp'): Promise<boolean> {
  const r = await bench.server.exec('ss', ['-H', protocol === 'udp' ? '-uln' : '-tln', `sport = :${port}`], 5_000);
  return r.code === 0 && r.stdout.trim().length > 0;
}

function exited(child: ChildProcess): boolean {
  return child.exitCode !== null || child.signalCode !== null;
}

/**
 * Spawns `cmd` in the server namespace (stdout and stderr to `logPath`), waits until
 * `port` is bound (UDP unless `protocol` says TCP; at most 15 s) and returns the handle.
 */
export async function startProcess(
  bench: Bench,
  cmd: string,
  args: readonly string[],
  opts: { port: number; logPath: string; env?: NodeJS.ProcessEnv; maxMs?: number; protocol?: 'udp' | 'tcp' },
): Promise<RunningServer> {
  const fd = openSync(opts.logPath, 'a');
  let child: ChildProcess;
  try {
    child = bench.server.spawn(cmd, args, {
      stdio: ['ignore', fd, fd],
      env: opts.env ?? process.env,
      maxMs: opts.maxMs ?? 45 * 60_000,
    });
  } finally {
    closeSync(fd);
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`could not start ${cmd}`);
  // Join a cgroup at once (before any request can make a forking server fork) so
  // CPU of transfer processes that are never waited for is counted too.
  const group = CpuGroup.create(`${bench.lab.prefix}-${groupCounter++}`, pid);
  const command = [cmd, ...args].join(' ');
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited(child)) {
      await group?.remove();
      throw new Error(`${command} exited (${child.exitCode ?? child.signalCode}) before binding ${opts.protocol ?? 'udp'} ${opts.port}:\n${logTail(opts.logPath)}`);
    }
    if (await portBound(bench, opts.port, opts.protocol ?? 'udp')) break;
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      await group?.remove();
      throw new Error(`${command} did not bind ${opts.protocol ?? 'udp'} ${opts.port} within 15 s:\n${logTail(opts.logPath)}`);
    }
    await sleep(100);
  }
  return {
    pid,
    command,
    logPath: opts.logPath,
    cpuSeconds: () => (group ? group.cpuSeconds() : (readProc(pid)?.cpuSeconds ?? NaN)),
    hwmBytes: () => readProc(pid)?.hwmBytes ?? NaN,
    stop: async () => {
      await stopChild(child, pid);
      await group?.remove();
    },
  };
}

let groupCounter = 0;

async function stopChild(child: ChildProcess, pid: number): Promise<void> {
  if (exited(child)) return;
  const descendants = processTree(pid).slice(1);
  child.kill('SIGTERM');
  // Generous: benchboot serve lets transfers finish (--grace 5 s) and, under
  // --cpu-prof, writes its profile on the way out.
  const end = Date.now() + 10_000;
  while (!exited(child) && Date.now() < end) await sleep(50);
  if (!exited(child)) child.kill('SIGKILL');
  // Transfer processes a forking server left behind are ours too: end them by PID.
  for (const p of descendants) {
    try {
      process.kill(p, 'SIGKILL');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
}

/** dnsmasq's arguments common to both roles: foreground, no config file, DNS off, only the bench interface. */
function dnsmasqBaseArgs(bench: Bench): string[] {
  return ['--no-daemon', '--conf-file=/dev/null', '--port=0', `--interface=${bench.serverIf}`, '--bind-interfaces'];
}

/** dnsmasq as a DHCP server for the bench /16 (DNS off, no ping check, lease limit raised). */
export const dnsmasqDhcp: ServerSpec = {
  name: 'dnsmasq',
  notes:
    'dnsmasq 2.90, DNS off (--port=0), --no-ping (no ICMP probe before an offer, as Kea and benchboot), ' +
    '--dhcp-lease-max=70000 (default 1000 is below the /16 pool), --dhcp-authoritative, logs every DHCP packet (default). ' +
    'Persistence: rewrites the whole lease file after changes (no fsync).',
  windowsize: false,
  start: (bench, { runDir }) =>
    startProcess(
      bench,
      'dnsmasq',
      [
        ...dnsmasqBaseArgs(bench),
        `--dhcp-range=${BENCH_NET.poolStart},${BENCH_NET.poolEnd},${BENCH_NET.netmask},12h`,
        '--dhcp-lease-max=70000',
        '--no-ping',
        '--dhcp-authoritative',
        `--dhcp-leasefile=${join(runDir, 'dnsmasq.leases')}`,
        `--pid-file=${join(runDir, 'dnsmasq.pid')}`,
      ],
      { port: 67, logPath: join(runDir, 'dnsmasq.log') },
    ),
};

/** kea-dhcp4 with the memfile backend in the run directory. */
export const keaDhcp: ServerSpec = {
  name: 'kea',
  notes:
    'kea-dhcp4 2.2.0, raw sockets, memfile lease backend (persist: true, lfc-interval 0), INFO logging to a file (one line per lease). ' +
    'Persistence: appends one CSV line per lease change, no fsync.',
  windowsize: false,
  start: (bench, { runDir }) => {
    const config = {
      Dhcp4: {
        'interfaces-config': { interfaces: [bench.serverIf], 'dhcp-socket-type': 'raw' },
        'lease-database': { type: 'memfile', persist: true, name: join(runDir, 'kea-leases4.csv'), 'lfc-interval': 0 },
        'valid-lifetime': 43200,
        'renew-timer': 21600,
        'rebind-timer': 37800,
        subnet4: [{ id: 1, subnet: BENCH_NET.subnet, pools: [{ pool: `${BENCH_NET.poolStart} - ${BENCH_NET.poolEnd}` }] }],
        loggers: [{ name: 'kea-dhcp4', output_options: [{ output: join(runDir, 'kea.log') }], severity: 'INFO' }],
      },
    };
    const configPath = join(runDir, 'kea-dhcp4.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2));
    return startProcess(bench, 'kea-dhcp4', ['-c', configPath], {
      port: 67,
      logPath: join(runDir, 'kea-stdout.log'),
      env: { ...process.env, KEA_PIDFILE_DIR: runDir, KEA_LOCKFILE_DIR: runDir, KEA_LOGGER_DESTINATION: join(runDir, 'kea.log') },
    });
  },
};

/** The TFTP root of `options`; throws when a TFTP server is started without one. */
export function requireRoot(options: StartOptions): string {
  if (options.root === undefined) throw new Error('a TFTP server needs a root directory');
  return options.root;
}

/** tftpd-hpa in standalone mode (one forked process per transfer). */
export const tftpdHpa: ServerSpec = {
  name: 'tftpd-hpa',
  notes: 'tftpd-hpa 5.2 standalone (-L), -B 65464 (max blksize), -u nobody; forks one process per transfer; no windowsize.',
  windowsize: false,
  start: (bench, options) => {
    const root = requireRoot(options);
    return startProcess(bench, TFTPD_HPA, ['-L', '-u', 'nobody', '-B', '65464', '-a', `${BENCH_NET.serverIp}:69`, '-s', root], {
      port: 69,
      logPath: join(options.runDir, 'tftpd-hpa.log'),
    });
  },
};

/** dnsmasq as a TFTP server only (DNS and DHCP off). */
export const dnsmasqTftp: ServerSpec = {
  name: 'dnsmasq',
  notes:
    'dnsmasq 2.90 TFTP only (--port=0, --enable-tftp), --tftp-max=1000: with the default 50, a storm of 60 or 100 devices that retry every second never completed ' +
    '(devices that finished the firmware got no answer for their config until the deadline), so the limit is raised to measure its speed; no windowsize.',
  windowsize: false,
  start: (bench, options) => {
    const root = requireRoot(options);
    return startProcess(
      bench,
      'dnsmasq',
      [
        ...dnsmasqBaseArgs(bench),
        '--enable-tftp',
        `--tftp-root=${root}`,
        '--tftp-max=1000',
        '--user=root',
        `--pid-file=${join(options.runDir, 'dnsmasq.pid')}`,
      ],
      { port: 69, logPath: join(options.runDir, 'dnsmasq-tftp.log') },
    );
  },
};

/** atftpd in the foreground (threads, one per transfer). */
export const atftpd: ServerSpec = {
  name: 'atftpd',
  notes: 'atftpd 0.8.0 --daemon --no-fork, --maxthread 1000 (default 100, below the storm of 500); negotiates windowsize.',
  windowsize: true,
  start: (bench, options) => {
    const root = requireRoot(options);
    return startProcess(
      bench,
      'atftpd',
      [
        '--daemon',
        '--no-fork',
        '--port',
        '69',
        '--bind-address',
        BENCH_NET.serverIp,
        '--user',
        'nobody',
        '--group',
        'nogroup',
        '--maxthread',
        '1000',
        '--logfile',
        join(options.runDir, 'atftpd.log'),
        root,
      ],
      { port: 69, logPath: join(options.runDir, 'atftpd-stdout.log') },
    );
  },
};

/** Makes a TFTP root readable by the unprivileged users peers switch to. */
export function openUpRoot(root: string, files: readonly string[]): void {
  chmodSync(root, 0o755);
  for (const f of files) chmodSync(join(root, f), 0o644);
}

/** The TCP port the HTTP servers under test listen on (one at a time). */
export const HTTP_BENCH_PORT = 8080;

/** nginx's configuration for the bench: static files from `root` on the bench address, sendfile on, no access log. */
export function nginxConfig(root: string, runDir: string): string {
  return [
    'daemon off;',
    'worker_processes auto;',
    `pid ${join(runDir, 'nginx.pid')};`,
    `error_log ${join(runDir, 'nginx-error.log')} warn;`,
    'events { worker_connections 4096; }',
    'http {',
    '  access_log off;',
    '  sendfile on;',
    '  tcp_nopush on;',
    '  default_type application/octet-stream;',
    ...['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi'].map((k) => `  ${k}_temp_path ${join(runDir, `${k}-temp`)};`),
    `  server { listen ${BENCH_NET.serverIp}:${HTTP_BENCH_PORT}; root ${root}; }`,
    '}',
    '',
  ].join('\n');
}

/** nginx (Debian nginx-light) serving the root over HTTP with its own configuration and pid file. */
export const nginxHttp: ServerSpec = {
  name: 'nginx',
  notes: 'Debian nginx-light, own configuration: worker_processes auto (the Debian default), sendfile on, tcp_nopush on, access_log off; stopped by its pid.',
  windowsize: false,
  start: (bench, options) => {
    const conf = join(options.runDir, 'nginx.conf');
    writeFileSync(conf, nginxConfig(requireRoot(options), options.runDir));
    return startProcess(bench, 'nginx', ['-c', conf, '-e', join(options.runDir, 'nginx-error.log')], { port: HTTP_BENCH_PORT, protocol: 'tcp', logPath: join(options.runDir, 'nginx.log') });
  },
};
