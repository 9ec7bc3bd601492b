/**
 * benchboot as a server under test: the real `benchboot serve` when it works in this
 * tree, else the standalone launchers in test/helpers (dhcp-server-main,
 * tftp-server-main: the product's createDhcpServer with its durable lease store, and
 * createTftpServer over createFsStorage). Says why when they cannot run, so the report states that
 * benchboot was not measured. With a profile directory, every benchboot process runs
 * under `node --cpu-prof` and leaves a .cpuprofile there.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_NET, type Bench } from './lab.js';
import { HTTP_BENCH_PORT, requireRoot, startProcess, type RunningServer, type ServerSpec } from './servers.js';

/** The benchboot launchers found in this tree. */
export interface BenchbootServers {
  readonly dhcp?: ServerSpec;
  readonly tftp?: ServerSpec;
  /** benchboot serve's HTTP side (only with the real serve). */
  readonly http?: ServerSpec;
  readonly missing?: string;
  /** How benchboot was run, for the report. */
  readonly description: string;
}

/** Extra node flags from BENCH_NODE_FLAGS (see run.ts), for every benchboot process the bench starts. */
export function benchNodeFlags(): string[] {
  return (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);
}

function nodeArgs(profileDir: string | undefined, tag: string): string[] {
  const extra = benchNodeFlags();
  if (profileDir === undefined) return extra;
  const dir = join(profileDir, tag);
  mkdirSync(dir, { recursive: true });
  // serve's serving process (forked with the same flags) runs as `nobody` and writes its profile here too.
  chmodSync(dir, 0o1777);
  return [...extra, '--cpu-prof', `--cpu-prof-dir=${dir}`];
}

/** Extra `serve` flags from BENCH_SERVE_FLAGS (see run.ts). */
function serveFlags(): string[] {
  return (process.env['BENCH_SERVE_FLAGS'] ?? '').split(' ').filter(Boolean);
}

/** The scope file `benchboot serve` gets: the bench /16 with boot data pointing at the server. */
export function benchScopeYaml(ifname: string): string {
  return [
    '# Written by the benchmark: the whole bench /16 as one pool.',
    'name: bench',
    `interface: ${ifname}`,
    `subnet: ${BENCH_NET.subnet}`,
    `range: ${BENCH_NET.poolStart}-${BENCH_NET.poolEnd}`,
    'leaseTime: 12h',
    'boot:',
    `  nextServer: ${BENCH_NET.serverIp}`,
    `  tftpServers: [${BENCH_NET.serverIp}]`,
    '  file: boot.cfg',
    '',
  ].join('\n');
}

/**
 * Starts `benchboot serve` (DHCP and TFTP in one process) and waits for `port`.
 * Without `http` it runs with --no-http, as the DHCP and TFTP sections always did.
 */
function startServe(bin: string, profileDir: string | undefined, tag: string, bench: Bench, runDir: string, root: string | undefined, port: number, http?: readonly string[], extra: readonly string[] = []): Promise<RunningServer> {
  const scopes = join(runDir, 'scopes');
  mkdirSync(scopes);
  writeFileSync(join(scopes, 'bench.yaml'), benchScopeYaml(bench.serverIf));
  const tftpRoot = root ?? join(runDir, 'tftp');
  mkdirSync(tftpRoot, { recursive: true });
  const args = [...nodeArgs(profileDir, tag), bin, 'serve', '--scopes', scopes, '--tftp-root', tftpRoot, '--leases', join(runDir, 'leases'), '--force', '--probe-timeout', '0.5', '--json', '--no-live', ...(http ?? ['--no-http']), ...extra, ...serveFlags()];
  return startProcess(bench, process.execPath, args, { port, logPath: join(runDir, 'benchboot-serve.log'), ...(http ? { protocol: 'tcp' as const } : {}) });
}

function serveHelp(bin: string): string | undefined {
  if (!existsSync(bin)) return undefined;
  const r = spawnSync(process.execPath, [bin, 'serve', '--help'], { encoding: 'utf8', timeout: 15_000 });
  return r.status === 0 && r.stdout.includes('--tftp-root') && r.stdout.includes('--leases') ? r.stdout : undefined;
}

/** Finds out how benchboot can be started from the repository at `root` (compiled into root/dist). */
export async function benchbootServers(root: string, profileDir?: string): Promise<BenchbootServers> {
  const bin = join(root, 'bin', 'benchboot.js');
  const help = serveHelp(bin);
  if (help !== undefined) {
    return {
      dhcp: {
        name: 'benchboot',
        notes:
          `benchboot serve (DHCP and TFTP in one process; the TFTP side idles here), scope file for the /16, --force --probe-timeout 0.5 --json --no-live (serve's default new-client rate is sized from the pool: the /16 admits 32,767 new clients at once and 16,384 a second, above perfdhcp's rates), JSON info logs to a file (one line per lease). ` +
          'Persistence: lease journal appended and fsynced before each ACK leaves (writes grouped), snapshot now and then.',
        windowsize: false,
        start: (bench, { runDir }) => startServe(bin, profileDir, 'dhcp', bench, runDir, undefined, 67),
      },
      tftp: {
        name: 'benchboot',
        notes:
          'benchboot serve defaults (--max-transfers 200: more transfers at once wait for a slot up to --queue-wait 30 s, then are answered "busy"; --max-window-bytes auto: 64 KiB per window, at least 2 blocks; --busy-poll 200 µs); negotiates windowsize up to 64. ' +
          'With --max-per-client 200: the storm plays all its devices from one address, where a bench has one per device (the default is 8 per address).',
        windowsize: true,
        start: (bench, { runDir, root: tftpRoot }) => startServe(bin, profileDir, 'tftp', bench, runDir, tftpRoot, 69, undefined, ['--max-per-client', '200']),
      },
      http: {
        name: 'benchboot',
        notes: `benchboot serve --http-port ${HTTP_BENCH_PORT} with serve's defaults (--max-transfers 200 shared rule with TFTP, --max-per-client for HTTP = --max-transfers: more requests at once wait for a slot up to --queue-wait 30 s, then 503), JSON info logs to a file (one line per request).`,
        windowsize: false,
        start: (bench, { runDir, root: httpRoot }) => startServe(bin, profileDir, 'http', bench, runDir, httpRoot, HTTP_BENCH_PORT, ['--http-port', String(HTTP_BENCH_PORT)]),
      },
      description: `benchboot serve (bin/benchboot.js, Node ${process.version})${serveFlags().length > 0 ? ` with ${serveFlags().join(' ')}` : ''}${profileDir ? `, profiled with --cpu-prof into ${profileDir}` : ''}`,
    };
  }
  const dhcpMain = join(root, 'dist', 'test', 'helpers', 'dhcp-server-main.js');
  const tftpMain = join(root, 'dist', 'test', 'helpers', 'tftp-server-main.js');
  const missing: string[] = [];
  let dhcp: ServerSpec | undefined;
  let tftp: ServerSpec | undefined;
  if (existsSync(dhcpMain)) {
    dhcp = {
      name: 'benchboot',
      notes:
        'benchboot DHCP via test/helpers/dhcp-server-main.js (createDhcpServer + openLeaseStore), one interface socket pinned with SO_BINDTOIFINDEX, ' +
        'JSON info logging to a file (one line per lease event). Persistence: journal appended and fsynced before each ACK leaves (writes grouped).',
      windowsize: false,
      start: (bench, { runDir }) => {
        const scopes = [
          {
            name: 'bench',
            interface: bench.serverIf,
            subnet: BENCH_NET.subnet,
            ranges: [[BENCH_NET.poolStart, BENCH_NET.poolEnd]],
            leaseSeconds: 43200,
            boot: { nextServer: BENCH_NET.serverIp, tftpServerName: BENCH_NET.serverIp, tftpServers: [BENCH_NET.serverIp], file: 'boot.cfg' },
          },
        ];
        const scopesPath = join(runDir, 'scopes.json');
        writeFileSync(scopesPath, JSON.stringify(scopes));
        const stateDir = join(runDir, 'leases');
        mkdirSync(stateDir);
        return startProcess(
          bench,
          process.execPath,
          [...nodeArgs(profileDir, 'dhcp'), dhcpMain, '--scopes', scopesPath, '--state-dir', stateDir, '--json', '--log-level', 'info'],
          { port: 67, logPath: join(runDir, 'benchboot-dhcp.log') },
        );
      },
    };
  } else missing.push('dist/test/helpers/dhcp-server-main.js is missing');
  if (existsSync(tftpMain)) {
    tftp = {
      name: 'benchboot',
      notes: 'benchboot TFTP via test/helpers/tftp-server-main.js (createTftpServer + createFsStorage), defaults (at most 200 transfers at once, busy error beyond); negotiates windowsize.',
      windowsize: true,
      start: (bench, options) => {
        return startProcess(bench, process.execPath, [...nodeArgs(profileDir, 'tftp'), tftpMain, '--root', requireRoot(options), '--listen', BENCH_NET.serverIp, '--port', '69'], {
          port: 69,
          logPath: join(options.runDir, 'benchboot-tftp.log'),
        });
      },
    };
  } else missing.push('dist/test/helpers/tftp-server-main.js is missing');
  const how = [dhcp ? 'DHCP: test/helpers/dhcp-server-main.js' : undefined, tftp ? 'TFTP: test/helpers/tftp-server-main.js' : undefined].filter(Boolean).join('; ');
  return {
    ...(dhcp ? { dhcp } : {}),
    ...(tftp ? { tftp } : {}),
    ...(missing.length > 0 ? { missing: missing.join('; ') } : {}),
    description: `${how || 'not measured'} (Node ${process.version})${profileDir ? `, profiled with --cpu-prof into ${profileDir}` : ''}`,
  };
}
