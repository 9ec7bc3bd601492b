/**
 * DHCP sections, both driven by Kea's perfdhcp from the client namespace on the
 * interface facing the server:
 *
 * - dhcp-rate: the highest DORA rate each server sustains with under 1 % of
 *   exchanges lost. A short search (doubling, then bisection, short trials) finds a
 *   candidate per server, then every round runs a full-length trial at that rate,
 *   stepping down 20 % at most four times if it loses too many. Each trial starts a fresh
 *   server with an empty lease store.
 * - dhcp-storm: perfdhcp's avalanche scenario, 1,000 distinct clients whose
 *   DISCOVERs all leave at once, each retrying with back-off until it holds a lease.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_NET, type Bench } from './lab.js';
import type { RunningServer, ServerSpec } from './servers.js';
import { alternate, type Section, type SectionContext, type SectionResult, type TargetResult } from './section.js';
import { fmt, fmtSpread, spread, TreeRssSampler } from './util.js';

/** Parsed perfdhcp statistics (DHCPv4, full DORA). */
export interface PerfdhcpStats {
  readonly rate: number;
  readonly discoversSent: number;
  readonly offersReceived: number;
  readonly requestsSent: number;
  readonly acksReceived: number;
  readonly offerAvgMs: number;
  readonly ackAvgMs: number;
  readonly offerMaxMs: number;
  readonly ackMaxMs: number;
  /** Avalanche only: seconds to provision every client. */
  readonly provisionSeconds?: number;
  /** Avalanche only: retransmitted requests. */
  readonly resent?: number;
}

function num(text: string, re: RegExp): number {
  const m = re.exec(text);
  return m ? Number(m[1]) : NaN;
}

/** Extracts the figures from perfdhcp's final report (undefined when there is none). */
export function parsePerfdhcp(out: string): PerfdhcpStats | undefined {
  const doAt = out.indexOf('***Statistics for: DISCOVER-OFFER***');
  const raAt = out.indexOf('***Statistics for: REQUEST-ACK***');
  if (doAt < 0) return undefined;
  const doPart = out.slice(doAt, raAt < 0 ? undefined : raAt);
  const raPart = raAt < 0 ? '' : out.slice(raAt);
  const took = /It took (\d+):(\d+):([\d.]+) to provision/.exec(out);
  return {
    rate: num(out, /Rate: ([\d.]+) 4-way exchanges\/second/),
    discoversSent: num(doPart, /sent packets: (\d+)/),
    offersReceived: num(doPart, /received packets: (\d+)/),
    requestsSent: raAt < 0 ? 0 : num(raPart, /sent packets: (\d+)/),
    acksReceived: raAt < 0 ? 0 : num(raPart, /received packets: (\d+)/),
    offerAvgMs: num(doPart, /avg delay: ([\d.]+) ms/),
    ackAvgMs: raAt < 0 ? NaN : num(raPart, /avg delay: ([\d.]+) ms/),
    offerMaxMs: num(doPart, /max delay: ([\d.]+) ms/),
    ackMaxMs: raAt < 0 ? NaN : num(raPart, /max delay: ([\d.]+) ms/),
    provisionSeconds: took ? Number(took[1]) * 3600 + Number(took[2]) * 60 + Number(took[3]) : undefined,
    resent: /Requests resent: (\d+)/.test(out) ? num(out, /Requests resent: (\d+)/) : undefined,
  };
}

/** Share of started exchanges that did not end with an ACK, in percent. */
export function lossPercent(s: PerfdhcpStats): number {
  if (!(s.discoversSent > 0)) return 100;
  return (100 * (s.discoversSent - s.acksReceived)) / s.discoversSent;
}

interface Trial {
  readonly server: string;
  readonly offeredRate: number;
  /** ACKs received per second of the sending period. */
  readonly achievedRate: number;
  readonly seconds: number;
  readonly stats: PerfdhcpStats | undefined;
  readonly loss: number;
  readonly ok: boolean;
  readonly cpuSeconds: number;
  readonly error?: string;
}

const CLIENTS_FOR_RATE = 50_000;
const MAX_RATE = 32_000;
let runCounter = 0;

function runDir(bench: Bench, tag: string): string {
  const dir = join(bench.dir, `${tag}-${runCounter++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** perfdhcp arguments for a basic-scenario trial at `rate` DORA/s for `seconds`. */
export function rateArgs(clientIf: string, rate: number, seconds: number): string[] {
  return ['-4', '-r', String(rate), '-p', String(seconds), '-R', String(CLIENTS_FOR_RATE), '-W', '1000000', '-l', clientIf];
}

async function rateTrial(ctx: SectionContext, bench: Bench, spec: ServerSpec, rate: number, seconds: number): Promise<Trial> {
  let server: RunningServer | undefined;
  try {
    server = await spec.start(bench, { runDir: runDir(bench, `rate-${spec.name}`) });
    const cpu0 = server.cpuSeconds();
    const r = await bench.client.exec('perfdhcp', rateArgs(bench.clientIf, rate, seconds), (seconds + 30) * 1000);
    const cpu = server.cpuSeconds() - cpu0;
    const stats = parsePerfdhcp(r.stdout);
    const loss = stats ? lossPercent(stats) : 100;
    const ok = stats !== undefined && loss < 1;
    const achievedRate = stats ? stats.acksReceived / seconds : NaN;
    ctx.log(`  dhcp-rate ${spec.name} @${rate}/s ${seconds}s: ${stats ? `${fmt(achievedRate)} DORA/s, loss ${fmt(loss, 2)} %` : `no report (exit ${r.code}) ${r.stderr.slice(-300)}`}`);
    return { server: spec.name, offeredRate: rate, achievedRate, seconds, stats, loss, ok, cpuSeconds: cpu };
  } catch (err) {
    ctx.log(`  dhcp-rate ${spec.name} @${rate}/s failed: ${(err as Error).message}`);
    return { server: spec.name, offeredRate: rate, achievedRate: NaN, seconds, stats: undefined, loss: 100, ok: false, cpuSeconds: NaN, error: (err as Error).message };
  } finally {
    await server?.stop();
  }
}

/** Doubling from `start` until a trial loses ≥1 %, then `bisections` halvings; returns the highest passing rate (0 if none). */
async function searchRate(ctx: SectionContext, bench: Bench, spec: ServerSpec, seconds: number, bisections: number, trials: Trial[]): Promise<number> {
  let lo = 0;
  let hi = 0;
  for (let rate = 250; rate <= MAX_RATE; rate *= 2) {
    const t = await rateTrial(ctx, bench, spec, rate, seconds);
    trials.push(t);
    if (!t.ok) {
      hi = rate;
      break;
    }
    lo = rate;
  }
  if (hi === 0) return lo;
  for (let i = 0; i < bisections && hi - lo > 50; i++) {
    const mid = Math.round((lo + hi) / 2 / 50) * 50;
    const t = await rateTrial(ctx, bench, spec, mid, seconds);
    trials.push(t);
    if (t.ok) lo = mid;
    else hi = mid;
  }
  return lo;
}

function target(name: string, ratio: number, wanted: number, measured: string): TargetResult {
  return { target: name, measured, met: Number.isFinite(ratio) ? ratio >= wanted : undefined };
}

async function runRate(ctx: SectionContext): Promise<SectionResult> {
  const searchSeconds = ctx.quick ? 2 : 5;
  const holdSeconds = ctx.quick ? 3 : 15;
  const bench = await ctx.bench(1500);
  const trials: Trial[] = [];
  const candidates = new Map<string, number>();
  const sustained = new Map<string, Trial[]>();
  try {
    ctx.log(`dhcp-rate: search (${searchSeconds} s trials)`);
    for (const spec of ctx.dhcpServers) candidates.set(spec.name, await searchRate(ctx, bench, spec, searchSeconds, ctx.quick ? 1 : 3, trials));
    for (let round = 0; round < ctx.rounds; round++) {
      ctx.log(`dhcp-rate: round ${round + 1}/${ctx.rounds} (${holdSeconds} s holds)`);
      for (const spec of alternate(ctx.dhcpServers, round)) {
        let rate = candidates.get(spec.name) ?? 0;
        let best: Trial | undefined;
        for (let step = 0; step < 5 && rate >= 50; step++) {
          const t = await rateTrial(ctx, bench, spec, rate, holdSeconds);
          trials.push(t);
          if (t.ok) {
            best = t;
            break;
          }
          rate = Math.floor((rate * 0.8) / 10) * 10;
        }
        const list = sustained.get(spec.name) ?? [];
        if (best) list.push(best);
        sustained.set(spec.name, list);
      }
    }
  } finally {
    await bench.close();
  }

  const summary = ctx.dhcpServers.map((spec) => {
    const list = sustained.get(spec.name) ?? [];
    return {
      server: spec.name,
      roundsHeld: list.length,
      rate: spread(list.map((t) => t.achievedRate)),
      offered: spread(list.map((t) => t.offeredRate)),
      loss: spread(list.map((t) => t.loss)),
      latencyMs: spread(list.map((t) => (t.stats ? t.stats.offerAvgMs + t.stats.ackAvgMs : NaN))),
      maxLatencyMs: spread(list.map((t) => (t.stats ? Math.max(t.stats.offerMaxMs, t.stats.ackMaxMs) : NaN))),
      cpuPer1k: spread(list.map((t) => (t.stats && t.stats.acksReceived > 0 ? (1000 * t.cpuSeconds) / t.stats.acksReceived : NaN))),
    };
  });
  const rateOf = (name: string): number => summary.find((s) => s.server === name)?.rate.median ?? NaN;
  const bb = rateOf('benchboot');
  const rows = summary.map((s) => [
    s.server,
    fmtSpread(s.rate, 0),
    fmtSpread(s.offered, 0),
    `${s.roundsHeld}/${ctx.rounds}`,
    fmtSpread(s.loss, 2),
    fmtSpread(s.latencyMs, 2),
    fmtSpread(s.maxLatencyMs, 1),
    fmtSpread(s.cpuPer1k, 3),
    s.server === 'benchboot' ? '1.00' : fmt(bb / s.rate.median, 2),
  ]);
  const targets: TargetResult[] = [
    target('DHCP DORA/s ≥ 1.5× kea-dhcp4 (memfile)', bb / rateOf('kea'), 1.5, `${fmt(bb, 0)} vs ${fmt(rateOf('kea'), 0)} DORA/s = ${fmt(bb / rateOf('kea'), 2)}×`),
    target('DHCP DORA/s ≥ 10× dnsmasq', bb / rateOf('dnsmasq'), 10, `${fmt(bb, 0)} vs ${fmt(rateOf('dnsmasq'), 0)} DORA/s = ${fmt(bb / rateOf('dnsmasq'), 2)}×`),
  ];
  return {
    id: 'dhcp-rate',
    title: 'DHCP lease rate (full DORA, < 1 % lost)',
    method: [
      `perfdhcp (Kea 2.2.0) in the client namespace, basic scenario, full DORA, ${CLIENTS_FOR_RATE} simulated clients, pool ${BENCH_NET_POOL}.`,
      `Search: rates 250, 500, 1000, … doubling until a ${searchSeconds} s trial loses ≥ 1 % of exchanges, then ${ctx.quick ? 1 : 3} bisection steps.`,
      `Hold: each round runs a ${holdSeconds} s trial per server at its candidate rate (servers alternated), stepping down 20 % at most four times until < 1 % is lost. Achieved rate = ACKs received ÷ sending period.`,
      'A lost exchange is a DISCOVER without its ACK (perfdhcp drop time 1 s, 1 s grace at the end). Every trial starts a fresh server with an empty lease store.',
      'Latency is perfdhcp’s mean DISCOVER→OFFER plus mean REQUEST→ACK delay; CPU is the server’s utime+stime per 1,000 ACKs.',
    ],
    commands: [`perfdhcp ${rateArgs('<client-if>', 0, holdSeconds).join(' ').replace('-r 0', '-r <rate>')}`],
    tables: [
      {
        caption: 'Sustained DORA rate, median (min–max) over rounds',
        header: ['server', 'DORA/s achieved', 'offered rate', 'rounds held', 'loss %', 'mean DORA latency ms', 'max delay ms', 'CPU s per 1k leases', 'benchboot ÷ server'],
        rows,
      },
    ],
    targets: ctx.dhcpServers.some((s) => s.name === 'benchboot') ? targets : targets.map((t) => ({ ...t, met: undefined })),
    notes: ctx.dhcpServers.map((s) => `${s.name}: ${s.notes}`),
    raw: { candidates: Object.fromEntries(candidates), summary, trials },
  };
}

const BENCH_NET_POOL = `${BENCH_NET.poolStart}–${BENCH_NET.poolEnd} in ${BENCH_NET.subnet}`;
const STORM_CLIENTS = 1000;

/** perfdhcp arguments for the 1,000-client avalanche. */
export function stormArgs(clientIf: string): string[] {
  return ['-4', '--scenario', 'avalanche', '-R', String(STORM_CLIENTS), '-l', clientIf];
}

interface StormRun {
  readonly server: string;
  readonly round: number;
  readonly stats: PerfdhcpStats | undefined;
  readonly seconds: number;
  readonly failures: number;
  readonly cpuSeconds: number;
  readonly peakRssBytes: number;
  readonly timedOut: boolean;
  readonly error?: string;
}

async function stormRun(ctx: SectionContext, bench: Bench, spec: ServerSpec, round: number, limitMs: number): Promise<StormRun> {
  let server: RunningServer | undefined;
  try {
    server = await spec.start(bench, { runDir: runDir(bench, `storm-${spec.name}`) });
    const cpu0 = server.cpuSeconds();
    const sampler = new TreeRssSampler(server.pid);
    const started = Date.now();
    const r = await bench.client.exec('perfdhcp', stormArgs(bench.clientIf), limitMs);
    const wall = (Date.now() - started) / 1000;
    const cpu = server.cpuSeconds() - cpu0;
    const peak = Math.max(sampler.stop(), server.hwmBytes());
    const stats = parsePerfdhcp(r.stdout);
    const seconds = stats?.provisionSeconds ?? (r.timedOut ? NaN : wall);
    const failures = r.timedOut || !stats ? STORM_CLIENTS - (stats?.acksReceived ?? 0) : Math.max(0, STORM_CLIENTS - stats.acksReceived);
    ctx.log(`  dhcp-storm ${spec.name}: ${fmt(seconds, 2)} s, failures ${failures}, resent ${stats?.resent ?? '?'}, cpu ${fmt(cpu, 2)} s, peak RSS ${fmt(peak / 2 ** 20)} MiB`);
    return { server: spec.name, round, stats, seconds, failures, cpuSeconds: cpu, peakRssBytes: peak, timedOut: r.timedOut };
  } catch (err) {
    ctx.log(`  dhcp-storm ${spec.name} failed: ${(err as Error).message}`);
    return { server: spec.name, round, stats: undefined, seconds: NaN, failures: STORM_CLIENTS, cpuSeconds: NaN, peakRssBytes: NaN, timedOut: false, error: (err as Error).message };
  } finally {
    await server?.stop();
  }
}

async function runStorm(ctx: SectionContext): Promise<SectionResult> {
  const limitMs = ctx.quick ? 60_000 : 120_000;
  const bench = await ctx.bench(1500);
  const runs: StormRun[] = [];
  try {
    for (let round = 0; round < ctx.rounds; round++) {
      ctx.log(`dhcp-storm: round ${round + 1}/${ctx.rounds}`);
      for (const spec of alternate(ctx.dhcpServers, round)) runs.push(await stormRun(ctx, bench, spec, round, limitMs));
    }
  } finally {
    await bench.close();
  }
  const summary = ctx.dhcpServers.map((spec) => {
    const mine = runs.filter((r) => r.server === spec.name);
    return {
      server: spec.name,
      seconds: spread(mine.map((r) => r.seconds)),
      failures: mine.reduce((s, r) => s + r.failures, 0),
      resent: spread(mine.map((r) => r.stats?.resent ?? NaN)),
      cpu: spread(mine.map((r) => r.cpuSeconds)),
      rssMiB: spread(mine.map((r) => r.peakRssBytes / 2 ** 20)),
    };
  });
  const bb = summary.find((s) => s.server === 'benchboot');
  const kea = summary.find((s) => s.server === 'kea');
  const hasBb = bb !== undefined;
  return {
    id: 'dhcp-storm',
    title: 'DHCP boot storm (1,000 clients at once)',
    method: [
      `perfdhcp --scenario avalanche: ${STORM_CLIENTS} distinct clients (MACs) send their DISCOVERs back to back (all within well under one second), then each retries with back-off until it holds a lease.`,
      `Time is perfdhcp’s "took … to provision ${STORM_CLIENTS} clients"; a client without an ACK when perfdhcp is stopped after ${limitMs / 1000} s is a failure.`,
      'Server CPU is utime+stime from /proc/PID/stat over the storm; peak RSS is VmHWM (and the sampled process-tree RSS).',
    ],
    commands: [`perfdhcp ${stormArgs('<client-if>').join(' ')}`],
    tables: [
      {
        caption: 'Storm of 1,000, median (min–max) over rounds; failures summed over rounds',
        header: ['server', 'time to all leased s', 'failures', 'retransmissions', 'server CPU s', 'peak RSS MiB', 'server ÷ benchboot time'],
        rows: summary.map((s) => [
          s.server,
          fmtSpread(s.seconds, 2),
          String(s.failures),
          fmtSpread(s.resent, 0),
          fmtSpread(s.cpu, 2),
          fmtSpread(s.rssMiB, 1),
          bb ? fmt(s.seconds.median / bb.seconds.median, 2) : '—',
        ]),
      },
    ],
    targets: [
      { target: 'DHCP storm of 1,000: zero failures', measured: bb ? `${bb.failures} failures over ${ctx.rounds} rounds` : 'benchboot not measured', met: hasBb ? bb.failures === 0 : undefined },
      {
        target: 'DHCP storm of 1,000: no slower than Kea',
        measured: bb && kea ? `${fmt(bb.seconds.median, 2)} s vs ${fmt(kea.seconds.median, 2)} s` : 'benchboot not measured',
        met: bb && kea && Number.isFinite(bb.seconds.median) ? bb.seconds.median <= kea.seconds.median : undefined,
      },
    ],
    notes: [],
    raw: { summary, runs },
  };
}

/** The DHCP lease-rate section. */
export const dhcpRate: Section = { id: 'dhcp-rate', title: 'DHCP lease rate', run: runRate };

/** The DHCP boot-storm section. */
export const dhcpStorm: Section = { id: 'dhcp-storm', title: 'DHCP boot storm', run: runStorm };
