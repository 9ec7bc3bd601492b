/**
 * HTTP sections (issue 14): benchboot serve's HTTP side against nginx (Debian
 * nginx-light, own configuration and pid file) in the bench's server namespace, on
 * the same veth, one server at a time, both on TCP 8080:
 *
 * - http-throughput: one 64 MiB file fetched with curl (quick mode too: a smaller file
 *   measures curl's start more than the transfer), MB/s, benchboot ÷ nginx (target ≥ 0.9×);
 * - http-storm: 500, then 1,000 downloads of one 8 MiB file (2 MiB quick) started at the
 *   same moment (one Node client process, a connection each): failures, time to the
 *   last, peak RSS of the server's process tree, and whether that peak follows the count.
 */
import { mkdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_NET, type Bench } from './lab.js';
import { HTTP_BENCH_PORT, openUpRoot, type ServerSpec } from './servers.js';
import { alternate, type Section, type SectionContext, type SectionResult } from './section.js';
import { writePatternFile } from './tftp.js';
import { fmt, fmtSpread, spread, TreeRssSampler } from './util.js';

const MIB = 2 ** 20;
const STORM_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'http-storm-client.js');
const URL_BASE = `http://${BENCH_NET.serverIp}:${HTTP_BENCH_PORT}`;

async function runThroughput(ctx: SectionContext): Promise<SectionResult> {
  const size = 64 * MIB;
  const fetches = ctx.quick ? 3 : 5;
  const bench = await ctx.bench(1500);
  const root = join(bench.dir, 'http-root');
  mkdirSync(root);
  writePatternFile(join(root, 'big.bin'), size);
  openUpRoot(root, ['big.bin']);
  const out = join('/dev/shm', `${bench.lab.prefix}-http-out`);
  const samples = new Map<string, number[]>();
  const errors: string[] = [];
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      for (const spec of alternate(ctx.httpServers, round)) {
        const runDir = join(bench.dir, `http-${spec.name}-${round}`);
        mkdirSync(runDir);
        const server = await spec.start(bench, { root, runDir });
        try {
          // One fetch first, not counted, for every server alike (see the method notes).
          await bench.client.exec('curl', ['-sS', '--fail', '-o', out, `${URL_BASE}/big.bin`], 60_000);
          for (let i = 0; i < fetches; i++) {
            rmSync(out, { force: true });
            const t0 = performance.now();
            const r = await bench.client.exec('curl', ['-sS', '--fail', '-o', out, `${URL_BASE}/big.bin`], 60_000);
            const seconds = (performance.now() - t0) / 1000;
            const got = r.code === 0 ? statSync(out).size : -1;
            if (got !== size) errors.push(`${spec.name}: exit ${r.code}, ${got} bytes: ${r.stderr.slice(-200)}`);
            const list = samples.get(spec.name) ?? [];
            list.push(got === size ? size / seconds / 1e6 : NaN);
            samples.set(spec.name, list);
          }
          ctx.log(`  http-throughput ${spec.name} round ${round + 1}: ${(samples.get(spec.name) ?? []).slice(-fetches).map((x) => fmt(x)).join(', ')} MB/s`);
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    rmSync(out, { force: true });
    await bench.close();
  }
  const med = (name: string): number => spread(samples.get(name) ?? []).median;
  const ratio = med('benchboot') / med('nginx');
  return {
    id: 'http-throughput',
    title: `HTTP throughput (${size / MIB} MiB file, benchboot vs nginx)`,
    method: [
      `One ${size / MIB} MiB file fetched with curl ${fetches} times per server per round, written to tmpfs and its size checked; MB/s = 10^6 bytes per second of wall time around curl.`,
      'Veth MTU 1500; the servers run one at a time in the server namespace on the same address and port, alternating per round.',
      "After each server start one fetch is made and not counted (steady-state throughput): a new benchboot process's first large download reads into memory pages the kernel has not handed it yet (measured under strace: 255 ms of reads for 64 MiB the first time, 35 ms after), a once-per-process cost.",
    ],
    commands: [`curl -sS --fail -o /dev/shm/out ${URL_BASE}/big.bin`],
    tables: [{ caption: 'Throughput, median (min–max) of every fetch', header: ['server', 'MB/s', 'failed'], rows: [...samples.entries()].map(([name, xs]) => [name, fmtSpread(spread(xs)), String(xs.filter((x) => !Number.isFinite(x)).length)]) }],
    targets: [{ target: 'HTTP 64 MiB ≥ 0.9× nginx', measured: `${fmt(med('benchboot'))} vs ${fmt(med('nginx'))} MB/s = ${fmt(ratio, 2)}×`, met: Number.isFinite(ratio) ? ratio >= 0.9 : undefined }],
    notes: [...ctx.httpServers.map((s) => `${s.name}: ${s.notes}`), ...errors.slice(0, 5)],
    raw: { fileBytes: size, samples: Object.fromEntries(samples) },
  };
}

interface StormResult {
  readonly count: number;
  readonly ok: number;
  readonly failed: number;
  readonly lastFinishMs: number;
  readonly errors: readonly string[];
}

/** Concurrent downloads per storm: the 500, and twice that to show the peak does not follow the count. */
const STORM_COUNTS = [500, 1000] as const;

interface StormRun extends StormResult {
  readonly server: string;
  readonly round: number;
  readonly peakRssBytes: number;
}

async function stormOnce(ctx: SectionContext, bench: Bench, spec: ServerSpec, root: string, plan: { size: number; count: number; round: number }): Promise<StormRun> {
  const runDir = join(bench.dir, `hstorm-${spec.name}-${plan.count}-${plan.round}`);
  mkdirSync(runDir);
  const server = await spec.start(bench, { root, runDir });
  try {
    const sampler = new TreeRssSampler(server.pid, 100);
    const args = { url: `${URL_BASE}/firmware.bin`, bytes: plan.size, count: plan.count, deadlineMs: 180_000 };
    const r = await bench.client.exec(process.execPath, [STORM_SCRIPT, JSON.stringify(args)], 240_000);
    const peak = Math.max(sampler.stop(), server.hwmBytes());
    const out = JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as StormResult;
    ctx.log(`  http-storm ${spec.name} × ${plan.count}: ${out.ok}/${out.count} ok, last at ${fmt(out.lastFinishMs / 1000, 2)} s, peak RSS ${fmt(peak / MIB)} MiB ${out.errors.join('; ')}`);
    return { ...out, server: spec.name, round: plan.round, peakRssBytes: peak };
  } finally {
    await server.stop();
  }
}

function stormTargets(runs: readonly StormRun[]): SectionResult['targets'] {
  const mine = (count: number): StormRun[] => runs.filter((r) => r.server === 'benchboot' && r.count === count);
  const peakOf = (count: number): number => (mine(count).length > 0 ? Math.max(...mine(count).map((r) => r.peakRssBytes)) : NaN);
  const failedOf = (count: number): number => (mine(count).length > 0 ? mine(count).reduce((n, r) => n + r.failed, 0) : NaN);
  const [few, many] = STORM_COUNTS;
  const ratio = peakOf(many) / peakOf(few);
  return [
    ...STORM_COUNTS.map((count) => ({ target: `HTTP ${count} concurrent downloads: zero failures`, measured: `${fmt(failedOf(count), 0)} failed`, met: Number.isFinite(failedOf(count)) ? failedOf(count) === 0 : undefined })),
    { target: `HTTP storm: peak RSS bounded (at ${many} downloads at most 10 % above ${few}: the admission limit, not the count, sets it)`, measured: `${fmt(peakOf(many) / MIB)} vs ${fmt(peakOf(few) / MIB)} MiB = ${fmt(ratio, 2)}×`, met: Number.isFinite(ratio) ? ratio <= 1.1 : undefined },
    { target: `HTTP storm of ${few}: peak RSS of the process tree < 256 MiB (laptop budget)`, measured: `${fmt(peakOf(few) / MIB)} MiB`, met: Number.isFinite(peakOf(few)) ? peakOf(few) < 256 * MIB : undefined },
  ];
}

async function runStorm(ctx: SectionContext): Promise<SectionResult> {
  const size = (ctx.quick ? 2 : 8) * MIB;
  const bench = await ctx.bench(1500);
  const root = join(bench.dir, 'http-root');
  mkdirSync(root);
  writePatternFile(join(root, 'firmware.bin'), size);
  openUpRoot(root, ['firmware.bin']);
  const runs: StormRun[] = [];
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      for (const count of STORM_COUNTS) for (const spec of alternate(ctx.httpServers, round)) runs.push(await stormOnce(ctx, bench, spec, root, { size, count, round }));
    }
  } finally {
    await bench.close();
  }
  const rows = runs.map((r) => [r.server, String(r.count), String(r.round + 1), `${r.ok}/${r.count}`, String(r.failed), fmt(r.lastFinishMs / 1000, 2), fmt(r.peakRssBytes / MIB)]);
  return {
    id: 'http-storm',
    title: `HTTP storm (${STORM_COUNTS.join(' and ')} concurrent downloads of ${size / MIB} MiB)`,
    method: [
      `${STORM_COUNTS.join(', then ')} GETs of one ${size / MIB} MiB file started in the same event-loop turn by one Node process in the client namespace, one connection each, every body read to the end and its length checked.`,
      "Peak RSS: the server process tree sampled every 100 ms, and VmHWM. benchboot runs as root, as on a bench: its tree is the root parent (it only binds sockets) and the serving process.",
    ],
    commands: STORM_COUNTS.map((count) => `node dist/test/bench/http-storm-client.js '{"url":"${URL_BASE}/firmware.bin","bytes":${size},"count":${count},"deadlineMs":180000}'`),
    tables: [{ caption: 'Per round', header: ['server', 'downloads', 'round', 'complete', 'failed', 'last done (s)', 'peak RSS (MiB)'], rows }],
    targets: stormTargets(runs),
    notes: ctx.httpServers.map((s) => `${s.name}: ${s.notes}`),
    raw: runs,
  };
}

export const httpThroughput: Section = { id: 'http-throughput', title: 'HTTP throughput', run: runThroughput };
export const httpStorm: Section = { id: 'http-storm', title: 'HTTP storm', run: runStorm };
