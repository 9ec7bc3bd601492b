/**
 * benchboot as a server under test. Uses the standalone launchers the DHCP and TFTP
 * engineers ship in test/helpers (dhcp-server-main, tftp-server-main: the product's
 * createDhcpServer with its durable lease store, and createTftpServer over
 * createFsStorage). Says why when they cannot run, so the report states that
 * benchboot was not measured. With a profile directory, every benchboot process runs
 * under `node --cpu-prof` and leaves a .cpuprofile there.
 */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_NET } from './lab.js';
import { startProcess, type ServerSpec } from './servers.js';

/** The benchboot launchers found in this tree. */
export interface BenchbootServers {
  readonly dhcp?: ServerSpec;
  readonly tftp?: ServerSpec;
  readonly missing?: string;
  /** How benchboot was run, for the report. */
  readonly description: string;
}

function nodeArgs(profileDir: string | undefined, tag: string): string[] {
  if (profileDir === undefined) return [];
  mkdirSync(profileDir, { recursive: true });
  return ['--cpu-prof', `--cpu-prof-dir=${profileDir}`, `--cpu-prof-name=${tag}-\${pid}.cpuprofile`];
}

/** Finds out how benchboot can be started from the repository at `root` (compiled into root/dist). */
export async function benchbootServers(root: string, profileDir?: string): Promise<BenchbootServers> {
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
        if (options.root === undefined) throw new Error('a TFTP server needs a root directory');
        return startProcess(bench, process.execPath, [...nodeArgs(profileDir, 'tftp'), tftpMain, '--root', options.root, '--listen', BENCH_NET.serverIp, '--port', '69'], {
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
