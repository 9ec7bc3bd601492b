/**
 * TFTP sections, servers in the server namespace, clients in the client namespace,
 * veth MTU 65535 so that even 65464-byte blocks travel unfragmented:
 *
 * - tftp-throughput: one 64 MiB file fetched by real clients — atftp (blksize and,
 *   where the server negotiates it, RFC 7440 windowsize), curl (blksize, lock-step)
 *   and tftp-hpa (512-byte lock-step only) — at blksize 512, 1468, 8192 and 65464,
 *   windowsize 1, 4, 16, 64; MB/s and server CPU seconds per GiB.
 * - tftp-storm: N devices at the same moment each fetch the same firmware and their
 *   own small config (test/bench/storm-client.ts, one Node process driving every
 *   transfer); time until the last device finishes, failures, busy refusals, server
 *   CPU and peak RSS. Two shapes: 500 × 8 MiB and 50 × 100 MiB.
 */
import { closeSync, mkdirSync, openSync, rmSync, statSync, writeSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BENCH_NET, type Bench } from './lab.js';
import { openUpRoot, type RunningServer, type ServerSpec } from './servers.js';
import { alternate, type Section, type SectionContext, type SectionResult, type TargetResult } from './section.js';
import type { StormClientKind, StormOutcome, StormPlan } from './storm-client.js';
import { BLOCK_SIZES } from './udp.js';
import { fmt, fmtSpread, processTree, sleep, spread, TreeRssSampler, type Spread } from './util.js';

const STORM_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'storm-client.js');
const MIB = 2 ** 20;
const GIB = 2 ** 30;
const WINDOW_SIZES = [1, 4, 16, 64] as const;

/**
 * Writes a file whose every 4-byte-aligned uint32 (little endian) equals its offset
 * divided by 4, so a receiver can check any block cheaply.
 */
export function writePatternFile(path: string, bytes: number): void {
  const chunk = Buffer.alloc(MIB);
  const fd = openSync(path, 'w');
  try {
    for (let offset = 0; offset < bytes; offset += chunk.length) {
      for (let i = 0; i < chunk.length; i += 4) chunk.writeUInt32LE(((offset + i) / 4) >>> 0, i);
      writeSync(fd, chunk, 0, Math.min(chunk.length, bytes - offset));
    }
  } finally {
    closeSync(fd);
  }
}

/** Waits until a forking server has reaped its transfer processes (their CPU then shows in cutime/cstime). */
async function settle(server: RunningServer): Promise<void> {
  for (let i = 0; i < 40 && processTree(server.pid).length > 1; i++) await sleep(50);
}

type ClientName = 'atftp' | 'curl' | 'tftp-hpa';

interface Job {
  readonly client: ClientName;
  readonly blksize: number;
  readonly windowsize: number;
}

function jobsFor(spec: ServerSpec): Job[] {
  const jobs: Job[] = [];
  for (const blksize of BLOCK_SIZES) {
    for (const windowsize of spec.windowsize ? WINDOW_SIZES : [1]) jobs.push({ client: 'atftp', blksize, windowsize });
    jobs.push({ client: 'curl', blksize, windowsize: 1 });
  }
  jobs.push({ client: 'tftp-hpa', blksize: 512, windowsize: 1 });
  return jobs;
}

/** The client command line for one job (program and arguments). */
export function clientCommand(job: Job, file: string, out: string): [string, string[]] {
  const host = BENCH_NET.serverIp;
  switch (job.client) {
    case 'atftp': {
      const opts: string[] = [];
      if (job.blksize !== 512) opts.push('--option', `blksize ${job.blksize}`);
      if (job.windowsize !== 1) opts.push('--option', `windowsize ${job.windowsize}`);
      return ['atftp', [...opts, '-g', '-r', file, '-l', out, host, '69']];
    }
    case 'curl':
      return ['curl', ['-sS', '--tftp-blksize', String(job.blksize), '-o', out, `tftp://${host}:69/${file}`]];
    case 'tftp-hpa':
      return ['tftp', ['-m', 'binary', host, '69', '-c', 'get', file, out]];
  }
}

interface Transfer extends Job {
  readonly server: string;
  readonly round: number;
  readonly mbPerSecond: number;
  readonly cpuSecondsPerGiB: number;
  readonly error?: string;
}

async function transfer(
  bench: Bench,
  server: RunningServer,
  job: Job,
  file: string,
  size: number,
  out: string,
  limitMs: number,
): Promise<{ mbs: number; cpuPerGiB: number; timedOut: boolean; error?: string }> {
  rmSync(out, { force: true });
  const [cmd, args] = clientCommand(job, file, out);
  const cpu0 = server.cpuSeconds();
  const t0 = performance.now();
  const r = await bench.client.exec(cmd, args, limitMs);
  const seconds = (performance.now() - t0) / 1000;
  await settle(server);
  const cpu = server.cpuSeconds() - cpu0;
  let got = -1;
  try {
    got = statSync(out).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  rmSync(out, { force: true });
  if (r.code !== 0 || got !== size) {
    const why = r.timedOut ? `timed out after ${limitMs / 1000} s (< ${fmt(size / (limitMs / 1000) / 1e6, 2)} MB/s)` : `exit ${r.code}`;
    return { mbs: NaN, cpuPerGiB: NaN, timedOut: r.timedOut, error: `${why}, ${got} of ${size} bytes received: ${(r.stderr || r.stdout).trim().slice(-200)}` };
  }
  return { mbs: size / seconds / 1e6, cpuPerGiB: cpu / (size / GIB), timedOut: false };
}

function key(server: string, job: Job): string {
  return `${server}|${job.client}|${job.blksize}|${job.windowsize}`;
}

async function runThroughput(ctx: SectionContext): Promise<SectionResult> {
  const size = (ctx.quick ? 16 : 64) * MIB;
  const bench = await ctx.bench(65535);
  const root = join(bench.dir, 'tftp-root');
  mkdirSync(root);
  writePatternFile(join(root, 'big.bin'), size);
  openUpRoot(root, ['big.bin']);
  const out = join('/dev/shm', `${bench.lab.prefix}-tftp-out`);
  const limitMs = ctx.quick ? 20_000 : 30_000;
  const transfers: Transfer[] = [];
  const timedOut = new Set<string>();
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      ctx.log(`tftp-throughput: round ${round + 1}/${ctx.rounds}`);
      for (const spec of alternate(ctx.tftpServers, round)) {
        const runDir = join(bench.dir, `tput-${spec.name}-${round}`);
        mkdirSync(runDir);
        const server = await spec.start(bench, { root, runDir });
        try {
          for (const job of jobsFor(spec)) {
            if (timedOut.has(key(spec.name, job))) {
              transfers.push({ ...job, server: spec.name, round, mbPerSecond: NaN, cpuSecondsPerGiB: NaN, error: 'timed out in an earlier round; not repeated' });
              continue;
            }
            const r = await transfer(bench, server, job, 'big.bin', size, out, limitMs);
            if (r.timedOut) timedOut.add(key(spec.name, job));
            ctx.log(`  ${spec.name} ${job.client} blksize ${job.blksize} ws ${job.windowsize}: ${r.error ? `FAILED ${r.error}` : `${fmt(r.mbs)} MB/s, ${fmt(r.cpuPerGiB, 2)} CPU s/GiB`}`);
            transfers.push({ ...job, server: spec.name, round, mbPerSecond: r.mbs, cpuSecondsPerGiB: r.cpuPerGiB, error: r.error });
          }
        } finally {
          await server.stop();
        }
      }
    }
  } finally {
    rmSync(out, { force: true });
    await bench.close();
  }

  const cells = new Map<string, { mbs: Spread; cpu: Spread; failures: number; job: Job; server: string }>();
  for (const t of transfers) {
    const k = key(t.server, t);
    if (cells.has(k)) continue;
    const mine = transfers.filter((x) => key(x.server, x) === k);
    cells.set(k, {
      server: t.server,
      job: t,
      mbs: spread(mine.map((x) => x.mbPerSecond)),
      cpu: spread(mine.map((x) => x.cpuSecondsPerGiB)),
      failures: mine.filter((x) => x.error !== undefined).length,
    });
  }
  const med = (server: string, job: Job): number => cells.get(key(server, job))?.mbs.median ?? NaN;
  const hasBb = ctx.tftpServers.some((s) => s.name === 'benchboot');
  const rows = [...cells.values()]
    .sort((a, b) => a.job.client.localeCompare(b.job.client) || a.job.blksize - b.job.blksize || a.job.windowsize - b.job.windowsize || a.server.localeCompare(b.server))
    .map((c) => [
      c.job.client,
      String(c.job.blksize),
      String(c.job.windowsize),
      c.server,
      fmtSpread(c.mbs),
      fmtSpread(c.cpu, 2),
      String(c.failures),
      hasBb && c.server !== 'benchboot' ? fmt(med('benchboot', c.job) / c.mbs.median, 2) : '—',
    ]);

  const targets: TargetResult[] = [];
  // benchboot's side failing (every round timed out) is a miss; the peer failing where benchboot finished is a pass.
  const judge = (name: string, a: number, b: number, wanted: number, what: string): void => {
    const ratio = a / b;
    const why = !Number.isFinite(a) ? ' (benchboot’s transfers failed)' : !Number.isFinite(b) ? ' (the peer’s transfers failed)' : '';
    const met = !hasBb ? undefined : !Number.isFinite(a) ? false : !Number.isFinite(b) ? true : ratio >= wanted;
    targets.push({ target: name, measured: `${what}: ${fmt(a)} vs ${fmt(b)} MB/s = ${fmt(ratio, 2)}×${why}`, met });
  };
  const atftp = (blksize: number, windowsize: number): Job => ({ client: 'atftp', blksize, windowsize });
  judge('TFTP windowsize 16 @ blksize 1468 ≥ 1.0× atftpd windowsize 16', med('benchboot', atftp(1468, 16)), med('atftpd', atftp(1468, 16)), 1.0, 'atftp client');
  for (const b of BLOCK_SIZES) {
    const lock = med('benchboot', atftp(b, 1));
    const windows = WINDOW_SIZES.filter((w) => w > 1).map((w) => med('benchboot', atftp(b, w)));
    const worst = windows.some((x) => !Number.isFinite(x)) ? NaN : Math.min(...windows);
    judge(`TFTP blksize ${b}: every windowsize ≥ lock-step`, worst, lock, 1.0, 'atftp client, slowest of ws 4/16/64 vs ws 1');
  }
  for (const b of BLOCK_SIZES) {
    for (const client of ['atftp', 'curl'] as const) {
      const job: Job = { client, blksize: b, windowsize: 1 };
      judge(`TFTP lock-step blksize ${b} ≥ 0.8× tftpd-hpa (${client})`, med('benchboot', job), med('tftpd-hpa', job), 0.8, `${client} client`);
    }
  }
  const tftpHpaJob: Job = { client: 'tftp-hpa', blksize: 512, windowsize: 1 };
  judge('TFTP lock-step blksize 512 ≥ 0.8× tftpd-hpa (tftp-hpa client)', med('benchboot', tftpHpaJob), med('tftpd-hpa', tftpHpaJob), 0.8, 'tftp-hpa client');

  return {
    id: 'tftp-throughput',
    title: `TFTP throughput (${size / MIB} MiB file)`,
    method: [
      `One ${size / MIB} MiB file, one transfer at a time, written by the client to tmpfs (/dev/shm) and its size checked; MB/s = 10^6 bytes per second of wall time around the client process.`,
      'Veth MTU 65535: every block size travels in one unfragmented datagram.',
      'Clients: atftp 0.8.0 (blksize and windowsize options), curl (--tftp-blksize, lock-step only), tftp-hpa 5.2 (no blksize option: 512-byte lock-step only).',
      'windowsize > 1 is run only against servers that negotiate RFC 7440 (benchboot, atftpd); tftpd-hpa and dnsmasq answer lock-step.',
      'Server CPU is the usage of a cgroup holding the server and all it forks (tftpd-hpa forks per transfer) over the transfer, per GiB sent.',
      `A transfer is stopped after ${limitMs / 1000} s and counted as failed; a combination that timed out is not repeated in later rounds.`,
      'Clients keep the kernel’s default socket receive buffer (net.core.rmem_default, 208 KiB here; it cannot be raised per namespace on this kernel): a window of blksize × windowsize bytes larger than that overflows it and the transfer falls back on retransmission timeouts.',
      'Servers alternate within each round; the ratio column is benchboot ÷ that server for the same client, blksize and windowsize.',
    ],
    commands: [
      `atftp [--option "blksize B"] [--option "windowsize W"] -g -r big.bin -l /dev/shm/out ${BENCH_NET.serverIp} 69`,
      `curl -sS --tftp-blksize B -o /dev/shm/out tftp://${BENCH_NET.serverIp}:69/big.bin`,
      `tftp -m binary ${BENCH_NET.serverIp} 69 -c get big.bin /dev/shm/out`,
    ],
    tables: [{ caption: 'Throughput, median (min–max) over rounds', header: ['client', 'blksize', 'windowsize', 'server', 'MB/s', 'server CPU s/GiB', 'failed', 'benchboot ÷ server'], rows }],
    targets,
    notes: ctx.tftpServers.map((s) => `${s.name}: ${s.notes}`),
    raw: { fileBytes: size, transfers },
  };
}

export interface StormShape {
  readonly label: string;
  readonly devices: number;
  readonly firmwareMiB: number;
  readonly client?: StormClientKind;
}

export interface StormRun {
  readonly server: string;
  readonly shape: string;
  readonly round: number;
  readonly outcome: StormOutcome | undefined;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly error?: string;
}

const STORM_BLKSIZE = 1468;
/** Storm client processes (one per core of the 2-core reference machine). */
const STORM_PROCESSES = 2;

/** Adds up the outcomes of the processes that played one storm. */
export function mergeOutcomes(parts: readonly StormOutcome[]): StormOutcome {
  const sum = (f: (o: StormOutcome) => number): number => parts.reduce((s, o) => s + f(o), 0);
  const finishMs = parts.flatMap((o) => o.finishMs).sort((a, b) => a - b);
  const failed = sum((o) => o.failedDevices);
  return {
    devices: sum((o) => o.devices),
    completedDevices: sum((o) => o.completedDevices),
    failedDevices: failed,
    refusals: sum((o) => o.refusals),
    timeouts: sum((o) => o.timeouts),
    restarts: sum((o) => o.restarts),
    badData: sum((o) => o.badData),
    bytes: sum((o) => o.bytes),
    lastFinishMs: finishMs.length > 0 && failed === 0 ? (finishMs[finishMs.length - 1] ?? NaN) : NaN,
    finishMs,
    errors: parts.flatMap((o) => o.errors).slice(0, 20),
  };
}
export const CONFIG_BYTES = 3000;

export async function stormOnce(ctx: SectionContext, bench: Bench, spec: ServerSpec, root: string, shape: StormShape, round: number, deadlineMs: number): Promise<StormRun> {
  const runDir = join(bench.dir, `storm-${spec.name}-${shape.devices}x${shape.firmwareMiB}-${shape.client ?? 'patient'}-${round}`);
  mkdirSync(runDir);
  let server: RunningServer | undefined;
  try {
    server = await spec.start(bench, { root, runDir });
    const base: Omit<StormPlan, 'devices' | 'firstDevice' | 'startAtMs'> = {
      server: BENCH_NET.serverIp,
      port: 69,
      firmware: `firmware-${shape.firmwareMiB}.bin`,
      firmwareBytes: shape.firmwareMiB * MIB,
      configPattern: 'SEP{i}.cnf.xml',
      configBytes: CONFIG_BYTES,
      blksize: STORM_BLKSIZE,
      deadlineMs,
      ...(shape.client === undefined ? {} : { client: shape.client }),
    };
    const cpu0 = server.cpuSeconds();
    const sampler = new TreeRssSampler(server.pid);
    // Node processes need a moment to start: all of them fire at the same instant.
    const startAtMs = Date.now() + 1500;
    const plans: StormPlan[] = [];
    for (let p = 0; p < STORM_PROCESSES; p++) {
      const first = Math.floor((p * shape.devices) / STORM_PROCESSES);
      const next = Math.floor(((p + 1) * shape.devices) / STORM_PROCESSES);
      if (next > first) plans.push({ ...base, devices: next - first, firstDevice: first, startAtMs });
    }
    const results = await Promise.all(plans.map((plan) => bench.client.exec(process.execPath, [STORM_SCRIPT, JSON.stringify(plan)], deadlineMs + 30_000)));
    await settle(server);
    const cpu = server.cpuSeconds() - cpu0;
    const peak = Math.max(sampler.stop(), server.hwmBytes());
    const parts = results.map((r) => {
      if (r.code !== 0) throw new Error(`storm client exit ${r.code}: ${r.stderr.slice(-500)}`);
      return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as StormOutcome;
    });
    const outcome = mergeOutcomes(parts);
    ctx.log(
      `  tftp-storm ${shape.label} ${spec.name}: last done ${fmt(outcome.lastFinishMs / 1000, 2)} s, failed ${outcome.failedDevices}, refusals ${outcome.refusals}, timeouts ${outcome.timeouts}, bad ${outcome.badData}, cpu ${fmt(cpu, 2)} s, peak RSS ${fmt(peak / MIB)} MiB`,
    );
    return { server: spec.name, shape: shape.label, round, outcome, cpuSeconds: cpu, peakRssBytes: peak };
  } catch (err) {
    ctx.log(`  tftp-storm ${shape.label} ${spec.name} failed: ${(err as Error).message}`);
    return { server: spec.name, shape: shape.label, round, outcome: undefined, cpuSeconds: NaN, peakRssBytes: NaN, error: (err as Error).message };
  } finally {
    await server?.stop();
  }
}

async function runStorm(ctx: SectionContext): Promise<SectionResult> {
  // Issue 15: the PXE-like and phone-like devices fail on "busy" (at once, or after 5
  // retries 1 s apart) where the patient ones hide it by retrying until the deadline.
  const strict: StormShape[] = [
    { label: '500 × 2 MiB PXE-like', devices: 500, firmwareMiB: 2, client: 'pxe' },
    { label: '500 × 2 MiB phone-like', devices: 500, firmwareMiB: 2, client: 'phone' },
  ];
  const shapes: StormShape[] = ctx.quick
    ? [{ label: '100 × 8 MiB', devices: 100, firmwareMiB: 8 }, { label: '10 × 32 MiB', devices: 10, firmwareMiB: 32 }, ...strict]
    : [{ label: '500 × 8 MiB', devices: 500, firmwareMiB: 8 }, { label: '50 × 100 MiB', devices: 50, firmwareMiB: 100 }, ...strict];
  const deadlineMs = ctx.quick ? 120_000 : 300_000;
  const bench = await ctx.bench(65535);
  const root = join(bench.dir, 'tftp-root');
  mkdirSync(root);
  const files: string[] = [];
  for (const s of shapes) {
    const name = `firmware-${s.firmwareMiB}.bin`;
    if (!files.includes(name)) {
      writePatternFile(join(root, name), s.firmwareMiB * MIB);
      files.push(name);
    }
  }
  const maxDevices = Math.max(...shapes.map((s) => s.devices));
  for (let i = 0; i < maxDevices; i++) {
    const name = `SEP${i}.cnf.xml`;
    writeFileSync(join(root, name), `<device><id>${i}</id>`.padEnd(CONFIG_BYTES - 9, ' ') + '</device>');
    files.push(name);
  }
  openUpRoot(root, files);
  const runs: StormRun[] = [];
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      for (const shape of shapes) {
        ctx.log(`tftp-storm: ${shape.label}, round ${round + 1}/${ctx.rounds}`);
        for (const spec of alternate(ctx.tftpServers, round)) runs.push(await stormOnce(ctx, bench, spec, root, shape, round, deadlineMs));
      }
    }
  } finally {
    await bench.close();
  }

  const summary = shapes.flatMap((shape) =>
    ctx.tftpServers.map((spec) => {
      const mine = runs.filter((r) => r.server === spec.name && r.shape === shape.label);
      return {
        shape: shape.label,
        server: spec.name,
        seconds: spread(mine.map((r) => (r.outcome && r.outcome.failedDevices === 0 ? r.outcome.lastFinishMs / 1000 : NaN))),
        failedDevices: mine.reduce((s, r) => s + (r.outcome ? r.outcome.failedDevices : shape.devices), 0),
        refusals: spread(mine.map((r) => r.outcome?.refusals ?? NaN)),
        timeouts: spread(mine.map((r) => r.outcome?.timeouts ?? NaN)),
        badData: mine.reduce((s, r) => s + (r.outcome?.badData ?? 0), 0),
        cpu: spread(mine.map((r) => r.cpuSeconds)),
        rssMiB: spread(mine.map((r) => r.peakRssBytes / MIB)),
      };
    }),
  );
  const hasBb = ctx.tftpServers.some((s) => s.name === 'benchboot');
  const find = (shape: string, server: string): (typeof summary)[number] | undefined => summary.find((s) => s.shape === shape && s.server === server);
  const first = shapes[0];
  const second = shapes[1];
  const targets: TargetResult[] = [];
  if (first && second) {
    const bb = find(first.label, 'benchboot');
    const dm = find(first.label, 'dnsmasq');
    const bb2 = find(second.label, 'benchboot');
    targets.push(
      { target: `TFTP storm ${first.label}: zero failures`, measured: bb ? `${bb.failedDevices} failed devices, ${bb.badData} bad blocks over ${ctx.rounds} rounds` : 'benchboot not measured', met: bb ? bb.failedDevices === 0 && bb.badData === 0 : undefined },
      {
        target: `TFTP storm ${first.label}: no slower than dnsmasq`,
        measured: bb && dm ? `${fmt(bb.seconds.median, 2)} s vs ${fmt(dm.seconds.median, 2)} s` : 'benchboot not measured',
        met: bb && dm && Number.isFinite(bb.seconds.median) ? !Number.isFinite(dm.seconds.median) || bb.seconds.median <= dm.seconds.median : undefined,
      },
      { target: `TFTP storm ${first.label}: peak RSS < 300 MB`, measured: bb ? `${fmt((bb.rssMiB.max * MIB) / 1e6)} MB (max over rounds)` : 'benchboot not measured', met: bb && Number.isFinite(bb.rssMiB.max) ? bb.rssMiB.max * MIB < 300e6 : undefined },
      { target: `TFTP storm ${second.label}: memory bounded (peak RSS < 300 MB)`, measured: bb2 ? `${fmt((bb2.rssMiB.max * MIB) / 1e6)} MB (max over rounds)` : 'benchboot not measured', met: bb2 && Number.isFinite(bb2.rssMiB.max) ? bb2.rssMiB.max * MIB < 300e6 : undefined },
    );
  }
  for (const shape of strict) {
    const bb = find(shape.label, 'benchboot');
    const dm = find(shape.label, 'dnsmasq');
    targets.push(
      { target: `TFTP storm ${shape.label}, default flags: zero failed devices`, measured: bb ? `${bb.failedDevices} failed devices over ${ctx.rounds} rounds` : 'benchboot not measured', met: bb ? bb.failedDevices === 0 : undefined },
      {
        target: `TFTP storm ${shape.label}: no slower than dnsmasq`,
        measured: bb && dm ? `${fmt(bb.seconds.median, 2)} s vs ${fmt(dm.seconds.median, 2)} s` : 'benchboot not measured',
        met: bb && dm && Number.isFinite(bb.seconds.median) ? !Number.isFinite(dm.seconds.median) || bb.seconds.median <= dm.seconds.median : undefined,
      },
    );
  }
  return {
    id: 'tftp-storm',
    title: 'TFTP boot storm',
    method: [
      `Client: test/bench/storm-client.ts, ${STORM_PROCESSES} Node processes in the client namespace, each driving half of the devices (own socket/TID per transfer); both send all their RRQs at one agreed instant. Each device fetches the firmware then its own ${CONFIG_BYTES}-byte SEP<n>.cnf.xml, lock-step with blksize ${STORM_BLKSIZE}.`,
      `A device resends after 1 s of silence (5 times, then restarts the file); an ERROR other than "file not found" counts as a busy refusal and the device asks again after 1–2 s; devices keep trying (as phones do) and one that has not finished within the ${deadlineMs / 1000} s deadline has failed.`,
      'Every firmware block is checked against the file pattern (bad blocks are counted). Time is from the first RRQ to the last device’s last byte; only storms without failed devices give a time.',
      'Server CPU: cgroup usage of the server and all it forks; peak RSS: VmHWM of the server process and the sampled RSS sum of its process tree (tftpd-hpa forks per transfer), whichever is larger.',
      'PXE-like devices fail at the first busy refusal; phone-like ones retry it 5 times, 1 s apart, then fail (issue 15). benchboot runs with serve\'s default flags; the peers as their notes say.',
      ctx.quick ? 'Quick mode: 100 × 8 MiB and 10 × 32 MiB instead of 500 × 8 MiB and 50 × 100 MiB.' : 'Full mode: 500 × 8 MiB and 50 × 100 MiB.',
    ],
    commands: [`node dist/test/bench/storm-client.js '{"server":"${BENCH_NET.serverIp}","port":69,"devices":N,"firmware":"firmware-M.bin",…,"blksize":${STORM_BLKSIZE}}'`],
    tables: [
      {
        caption: 'Storms, median (min–max) over rounds; failed devices and bad blocks summed over rounds',
        header: ['storm', 'server', 'last device done s', 'failed devices', 'busy refusals', 'timeouts', 'bad blocks', 'server CPU s', 'peak RSS MiB', 'server ÷ benchboot time'],
        rows: summary.map((s) => [
          s.shape,
          s.server,
          fmtSpread(s.seconds, 2),
          String(s.failedDevices),
          fmtSpread(s.refusals, 0),
          fmtSpread(s.timeouts, 0),
          String(s.badData),
          fmtSpread(s.cpu, 2),
          fmtSpread(s.rssMiB, 1),
          hasBb ? fmt(s.seconds.median / (find(s.shape, 'benchboot')?.seconds.median ?? NaN), 2) : '—',
        ]),
      },
    ],
    targets,
    notes: ctx.tftpServers.map((s) => `${s.name}: ${s.notes}`),
    raw: { summary, runs },
  };
}

/** The TFTP throughput section. */
export const tftpThroughput: Section = { id: 'tftp-throughput', title: 'TFTP throughput', run: runThroughput };

/** The TFTP boot-storm section. */
export const tftpStorm: Section = { id: 'tftp-storm', title: 'TFTP boot storm', run: runStorm };
