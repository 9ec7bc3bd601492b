/**
 * Upload memory against a slow disk (issue 16 point 5), a bench-only harness.
 *
 * The machine this runs on has no cgroup v2 io.max and no device-mapper (no dm-delay),
 * so the slow disk is injected: every upload write of the real file-system storage
 * goes through one shared queue that lets `--disk-mbps` megabytes per second through
 * (one USB stick that all uploads share). The TFTP server runs in this process on
 * 127.0.0.1; `--uploads` concurrent clients (benchboot's own tftpPut) run in a child
 * process, so their memory is not counted. Prints the server process's peak RSS
 * (VmHWM) as JSON.
 *
 *     node dist/test/bench/upload-memory.js --uploads 50 --mib 4 --disk-mbps 10
 */
import { fork } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { createSilentLogger } from '../../src/log.js';
import { tftpPut } from '../../src/tftp/client.js';
import { createFsStorage } from '../../src/tftp/fs-storage.js';
import { createTftpServer } from '../../src/tftp/server.js';
import type { TftpStorage, UploadTarget } from '../../src/tftp/storage.js';

interface Args {
  readonly uploads: number;
  readonly mib: number;
  readonly diskMbps: number;
}

function parseArgs(argv: readonly string[]): Args {
  const value = (name: string, fallback: number): number => {
    const i = argv.indexOf(name);
    const text = i >= 0 ? argv[i + 1] : undefined;
    return text === undefined ? fallback : Number(text);
  };
  return { uploads: value('--uploads', 50), mib: value('--mib', 4), diskMbps: value('--disk-mbps', 10) };
}

/** Peak resident set of this process (VmHWM), in bytes. */
function peakRssBytes(): number {
  const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
  return m?.[1] === undefined ? NaN : Number(m[1]) * 1024;
}

/** Storage whose upload writes pass one at a time through a disk of `mbps` megabytes per second. */
function throttled(inner: TftpStorage, mbps: number): TftpStorage {
  let disk: Promise<void> = Promise.resolve();
  const slowly = (bytes: number): Promise<void> => {
    const turn = disk.then(() => new Promise<void>((resolve) => setTimeout(resolve, (bytes / (mbps * 1e6)) * 1000)));
    disk = turn;
    return turn;
  };
  return {
    openRead: (r, c) => inner.openRead(r, c),
    async openWrite(r, c) {
      const opened = await inner.openWrite(r, c);
      if (opened.kind === 'error') return opened;
      const t = opened.value;
      const slow: UploadTarget = {
        async write(offset, data) {
          await slowly(data.length);
          await t.write(offset, data);
        },
        commit: () => t.commit(),
        abort: () => t.abort(),
      };
      return { kind: 'ok', value: slow };
    },
  };
}

async function serve(args: Args): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bb-upload-mem-'));
  try {
    mkdirSync(join(dir, 'root'));
    mkdirSync(join(dir, 'inbox'));
    const storage = await createFsStorage({ root: join(dir, 'root'), uploads: { dir: join(dir, 'inbox'), overwrite: false, maxBytes: 64 * 1024 * 1024, maxVersions: 'all', minFreeBytes: 0 } });
    const server = createTftpServer({ storage: throttled(storage, args.diskMbps), logger: createSilentLogger(), clock: systemClock, listen: [{ address: '127.0.0.1', port: 0 }], maxTransfers: 200, maxPerClient: 200 });
    await server.start();
    const port = server.addresses()[0]?.port ?? 0;
    const baseline = process.memoryUsage().rss;
    const startedAt = Date.now();
    const child = fork(process.argv[1] ?? '', ['clients', String(port), String(args.uploads), String(args.mib)]);
    const failed = await new Promise<number>((resolve) => child.on('message', (m) => resolve(Number(m))));
    const ms = Date.now() - startedAt;
    await server.stop(1000);
    process.stdout.write(`${JSON.stringify({ ...args, failed, seconds: ms / 1000, baselineRssMiB: +(baseline / 2 ** 20).toFixed(1), peakRssMiB: +(peakRssBytes() / 2 ** 20).toFixed(1) })}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function clients(port: number, uploads: number, mib: number): Promise<void> {
  const data = Buffer.alloc(mib * 1024 * 1024, 0x5a);
  const results = await Promise.allSettled(
    Array.from({ length: uploads }, (_, i) => tftpPut({ host: '127.0.0.1', port, file: `backup-${i}.bin`, data, blksize: 1468, windowsize: 8, timeoutMs: 2000, retries: 10 })),
  );
  process.send?.(results.filter((r) => r.status === 'rejected').length);
}

const [mode, a, b, c] = process.argv.slice(2);
const run = mode === 'clients' ? clients(Number(a), Number(b), Number(c)) : serve(parseArgs(process.argv.slice(2)));
run.catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exitCode = 1;
});
