/**
 * The benchmark bench: one server namespace and one client namespace joined by a
 * veth pair on 10.80.0.0/16 (server 10.80.0.1, client 10.80.0.2), built with the e2e
 * harness (`test/e2e/netns.ts`) so names carry the per-run prefix and teardown always
 * happens. The pair's MTU can be raised to 65535 so that 65464-byte TFTP blocks cross
 * without IP fragmentation.
 */
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Lab, type Netns } from '../e2e/netns.js';

/** Addressing of the bench link. */
export const BENCH_NET = {
  serverIp: '10.80.0.1',
  clientIp: '10.80.0.2',
  prefixLength: 16,
  subnet: '10.80.0.0/16',
  netmask: '255.255.0.0',
  /** The DHCP pool: the whole /16 minus 10.80.0.0/24, which holds the two fixed addresses. */
  poolStart: '10.80.1.0',
  poolEnd: '10.80.255.254',
} as const;

/** A live bench: namespaces, the two interface names and a scratch directory. */
export interface Bench {
  readonly lab: Lab;
  readonly server: Netns;
  readonly client: Netns;
  readonly serverIf: string;
  readonly clientIf: string;
  readonly mtu: number;
  /** Scratch directory for configs, roots, leases and logs; removed by `close`. */
  readonly dir: string;
  close(): Promise<void>;
}

/** Builds a bench with the given veth MTU (1500 for DHCP, 65535 for TFTP). */
export async function createBench(mtu: number): Promise<Bench> {
  const lab = new Lab();
  const dir = mkdtempSync(join(tmpdir(), 'benchboot-bench-'));
  // Peers that drop privileges (tftpd-hpa, atftpd run as nobody) must reach their roots.
  chmodSync(dir, 0o755);
  try {
    const server = await lab.addNamespace('srv');
    const client = await lab.addNamespace('cli');
    const [s, c] = await lab.link(server, client, {
      aAddress: `${BENCH_NET.serverIp}/${BENCH_NET.prefixLength}`,
      bAddress: `${BENCH_NET.clientIp}/${BENCH_NET.prefixLength}`,
      mtu,
    });
    return {
      lab,
      server,
      client,
      serverIf: s.ifname,
      clientIf: c.ifname,
      mtu,
      dir,
      close: async () => {
        await lab.destroy();
        // BENCH_KEEP=1 keeps configs and server logs for a look after the run.
        if (process.env.BENCH_KEEP === '1') process.stderr.write(`bench: kept ${dir}\n`);
        else rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
    throw err;
  }
}
