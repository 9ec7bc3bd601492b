/**
 * What the device timeline and the dashboard cost (issue 13, "speed and memory"): the
 * 500-device PXE-like TFTP storm and the DHCP DORA rate, each run with device records
 * off, on, and on with one browser (Debian's chromium through puppeteer-core, as the
 * dashboard e2e drives it) showing the dashboard live. The three variants alternate
 * within each round (A/B interleaved on a shared machine); medians over rounds. Device
 * records are switched by the appliance's `deviceRecords` option through
 * test/bench/serve-main.ts, a bench-only seam: `serve` always keeps them. Also the
 * heap taken by the timelines of 10,000 devices (timeline-memory.ts).
 */
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import puppeteer, { type Browser } from 'puppeteer-core';
import { lossPercent, parsePerfdhcp, rateArgs } from './dhcp.js';
import { benchNodeFlags, benchScopeYaml } from './benchboot.js';
import { BENCH_NET, type Bench } from './lab.js';
import { openUpRoot, startProcess, type RunningServer, type ServerSpec } from './servers.js';
import { alternate, type Section, type SectionContext, type SectionResult, type TargetResult } from './section.js';
import { CONFIG_BYTES, stormOnce, writePatternFile, type StormRun, type StormShape } from './tftp.js';
import { fmt, fmtSpread, spread } from './util.js';

const HERE = dirname(fileURLToPath(import.meta.url));
const SERVE_MAIN = join(HERE, 'serve-main.js');
const MEMORY_SCRIPT = join(HERE, 'timeline-memory.js');
const CHROMIUM = '/usr/bin/chromium';
const MIB = 1024 * 1024;
// Patient devices (retry a busy answer until the deadline): on a loaded machine a PXE-like device that fails on busy leaves a run without a time.
const STORM: StormShape = { label: '500 × 2 MiB', devices: 500, firmwareMiB: 2 };
/** The MAC the client interface is reserved under, so that its storm transfers are filed in a device timeline. */
const CLIENT_MAC_FILE = 'client-mac';

interface Variant {
  readonly name: string;
  readonly records: boolean;
  readonly browser: boolean;
}

const VARIANTS: readonly Variant[] = [
  { name: 'records off', records: false, browser: false },
  { name: 'records on', records: true, browser: false },
  { name: 'records on + browser', records: true, browser: true },
];

function scopeYaml(bench: Bench, clientMac: string): string {
  return benchScopeYaml(bench.serverIf) + ['reservations:', `  - { mac: "${clientMac}", ip: ${BENCH_NET.clientIp} }`, ''].join('\n');
}

/** Starts chromium inside the server namespace on the dashboard and waits until its live stream is connected. */
async function openDashboard(bench: Bench, runDir: string): Promise<Browser> {
  const wrapper = join(runDir, 'chromium-in-netns.sh');
  writeFileSync(wrapper, `#!/bin/sh\nexec ip netns exec ${bench.server.name} ${CHROMIUM} "$@"\n`);
  chmodSync(wrapper, 0o755);
  const browser = await puppeteer.launch({
    executablePath: wrapper,
    pipe: true,
    headless: true,
    userDataDir: join(runDir, 'chromium-profile'),
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--no-proxy-server'],
  });
  try {
    const page = await browser.newPage();
    await page.goto('http://127.0.0.1:8067/', { waitUntil: 'domcontentloaded', timeout: 30_000 });
    await page.waitForFunction(`document.getElementById('live-state')?.textContent === 'live'`, { timeout: 30_000 });
    return browser;
  } catch (err) {
    await browser.close();
    throw err;
  }
}

/** The server of one variant: serve-main, the client's address leased (its transfers then have a device), and the browser when asked. */
function specOf(variant: Variant, clientMac: string): ServerSpec {
  return {
    name: variant.name,
    notes: `${variant.records ? 'device records on' : 'device records off (deviceRecords: false)'}${variant.browser ? ', one chromium tab on the dashboard' : ''}`,
    windowsize: true,
    async start(bench, { runDir, root }) {
      const scopes = join(runDir, 'scopes');
      mkdirSync(scopes);
      writeFileSync(join(scopes, 'bench.yaml'), scopeYaml(bench, clientMac));
      const args = [...benchNodeFlags(), SERVE_MAIN, variant.records ? 'records-on' : 'records-off', '--scopes', scopes, '--tftp-root', root ?? join(runDir, 'tftp'), '--leases', join(runDir, 'leases'), '--force', '--no-live', '--no-http', '--max-per-client', '200'];
      mkdirSync(root ?? join(runDir, 'tftp'), { recursive: true });
      const server = await startProcess(bench, process.execPath, args, { port: 69, logPath: join(runDir, 'serve.log') });
      let browser: Browser | undefined;
      try {
        const got = await bench.client.exec('udhcpc', ['-i', bench.clientIf, '-n', '-q', '-f', '-t', '5', '-T', '1', '-s', '/bin/true'], 20_000);
        if (got.code !== 0) throw new Error(`udhcpc in the client namespace: exit ${got.code} ${got.stderr.slice(-300)}`);
        if (variant.browser) browser = await openDashboard(bench, runDir);
      } catch (err) {
        await server.stop();
        throw err;
      }
      return withBrowser(server, browser);
    },
  };
}

function withBrowser(server: RunningServer, browser: Browser | undefined): RunningServer {
  if (!browser) return server;
  return {
    ...server,
    stop: async () => {
      await browser.close().catch(() => undefined);
      await server.stop();
    },
  };
}

interface DhcpRun {
  readonly variant: string;
  readonly round: number;
  /** DORA per second perfdhcp offered. */
  readonly offered: number;
  readonly acksPerSecond: number;
  /** Datagrams the server namespace's kernel dropped because the socket's receive buffer was full (Udp RcvbufErrors). */
  readonly kernelDrops: number;
  readonly loss: number;
  readonly cpuPer1000: number;
  readonly load: number;
  readonly error?: string;
}

async function dhcpOnce(ctx: SectionContext, bench: Bench, spec: ServerSpec, round: number, rate: number, seconds: number): Promise<DhcpRun> {
  const runDir = join(bench.dir, `timeline-dhcp-${rate}-${spec.name.replace(/\W+/g, '-')}-${round}`);
  mkdirSync(runDir);
  const load = loadavg()[0] ?? NaN;
  let server: RunningServer | undefined;
  try {
    server = await spec.start(bench, { runDir });
    const cpu0 = server.cpuSeconds();
    const drops0 = await receiveBufferDrops(bench);
    const r = await bench.client.exec('perfdhcp', rateArgs(bench.clientIf, rate, seconds), (seconds + 30) * 1000);
    const cpu = server.cpuSeconds() - cpu0;
    const kernelDrops = (await receiveBufferDrops(bench)) - drops0;
    const stats = parsePerfdhcp(r.stdout);
    if (!stats) throw new Error(`perfdhcp gave no report (exit ${r.code}) ${r.stderr.slice(-300)}`);
    const run = { variant: spec.name, round, offered: rate, acksPerSecond: stats.acksReceived / seconds, kernelDrops, loss: lossPercent(stats), cpuPer1000: (cpu * 1000) / Math.max(1, stats.acksReceived), load };
    ctx.log(`  timeline dhcp ${spec.name}: ${fmt(run.acksPerSecond)} ACK/s offered ${rate}/s, loss ${fmt(run.loss, 1)} %, ${kernelDrops} dropped by the kernel, ${fmt(run.cpuPer1000, 3)} CPU s per 1000 ACKs, load ${fmt(load, 2)}`);
    return run;
  } catch (err) {
    ctx.log(`  timeline dhcp ${spec.name} failed: ${(err as Error).message}`);
    return { variant: spec.name, round, offered: rate, acksPerSecond: NaN, kernelDrops: NaN, loss: NaN, cpuPer1000: NaN, load, error: (err as Error).message };
  } finally {
    await server?.stop();
  }
}

/** The server namespace's count of UDP datagrams dropped on a full receive buffer (/proc/net/snmp `Udp: RcvbufErrors`). */
async function receiveBufferDrops(bench: Bench): Promise<number> {
  const lines = (await bench.server.execOk('cat', ['/proc/net/snmp'])).split('\n').filter((l) => l.startsWith('Udp: '));
  const names = (lines[0] ?? '').split(/\s+/);
  const values = (lines[1] ?? '').split(/\s+/);
  const value = Number(values[names.indexOf('RcvbufErrors')]);
  if (lines.length < 2 || !Number.isFinite(value)) throw new Error('no Udp RcvbufErrors in /proc/net/snmp');
  return value;
}

interface MemoryRun {
  readonly devices: number;
  readonly events: number;
  readonly heapBytes: number;
  readonly bytesPerEvent: number;
  readonly estimatedTypicalBoundBytes: number;
}

async function timelineMemory(bench: Bench, perDevice: number): Promise<MemoryRun | undefined> {
  const r = await bench.client.exec(process.execPath, ['--expose-gc', '--max-old-space-size=4096', MEMORY_SCRIPT, '10000', String(perDevice)], 300_000);
  if (r.code !== 0) return undefined;
  return JSON.parse(r.stdout.trim().split('\n').pop() ?? '{}') as MemoryRun;
}

function prepareRoot(root: string): void {
  mkdirSync(root);
  const files = [`firmware-${STORM.firmwareMiB}.bin`];
  writePatternFile(join(root, files[0] ?? ''), STORM.firmwareMiB * MIB);
  for (let i = 0; i < STORM.devices; i++) {
    const name = `SEP${i}.cnf.xml`;
    writeFileSync(join(root, name), `<device><id>${i}</id>`.padEnd(CONFIG_BYTES - 9, ' ') + '</device>');
    files.push(name);
  }
  openUpRoot(root, files);
}

async function runTimeline(ctx: SectionContext): Promise<SectionResult> {
  const rounds = Math.max(3, ctx.rounds);
  const dhcpSeconds = ctx.quick ? 4 : 10;
  const dhcpRate = 12_000;
  // Well below what every variant answers here: every exchange completes, so CPU per ACK is the cost of one exchange.
  const belowRate = 1_500;
  const deadlineMs = 120_000;
  const bench = await ctx.bench(65535);
  const storms: (StormRun & { load: number })[] = [];
  const dhcp: DhcpRun[] = [];
  const memory: (MemoryRun | undefined)[] = [];
  try {
    const root = join(bench.dir, 'tftp-root');
    prepareRoot(root);
    const clientMac = (await bench.client.execOk('cat', [`/sys/class/net/${bench.clientIf}/address`])).trim();
    writeFileSync(join(bench.dir, CLIENT_MAC_FILE), clientMac);
    const specs = VARIANTS.map((v) => specOf(v, clientMac));
    for (let round = 0; round < rounds; round++) {
      ctx.log(`timeline: round ${round + 1}/${rounds}`);
      for (const spec of alternate(specs, round)) {
        const load = loadavg()[0] ?? NaN;
        storms.push({ ...(await stormOnce(ctx, bench, spec, root, STORM, round, deadlineMs)), load });
      }
      for (const spec of alternate(specs, round)) dhcp.push(await dhcpOnce(ctx, bench, spec, round, dhcpRate, dhcpSeconds));
      for (const spec of alternate(specs, round)) dhcp.push(await dhcpOnce(ctx, bench, spec, round, belowRate, dhcpSeconds));
    }
    ctx.log('timeline: memory of 10,000 devices');
    for (const perDevice of [10, 200]) memory.push(await timelineMemory(bench, perDevice));
  } finally {
    await bench.close();
  }
  return report(ctx, rounds, { storms, dhcp, memory, dhcpRate, belowRate, dhcpSeconds });
}

interface Measured {
  readonly storms: readonly (StormRun & { load: number })[];
  readonly dhcp: readonly DhcpRun[];
  readonly memory: readonly (MemoryRun | undefined)[];
  readonly dhcpRate: number;
  readonly belowRate: number;
  readonly dhcpSeconds: number;
}

function report(ctx: SectionContext, rounds: number, m: Measured): SectionResult {
  const stormSeconds = (name: string): number[] => m.storms.filter((r) => r.server === name).map((r) => (r.outcome && r.outcome.failedDevices === 0 ? r.outcome.lastFinishMs / 1000 : NaN));
  const base = spread(stormSeconds('records off'));
  const saturated = m.dhcp.filter((r) => r.offered === m.dhcpRate);
  const baseDhcp = spread(saturated.filter((r) => r.variant === 'records off').map((r) => r.acksPerSecond));
  const stormRows = VARIANTS.map((v) => {
    const mine = m.storms.filter((r) => r.server === v.name);
    const secs = spread(stormSeconds(v.name));
    return [v.name, fmtSpread(secs, 2), String(mine.reduce((s, r) => s + (r.outcome ? r.outcome.failedDevices : STORM.devices), 0)), fmtSpread(spread(mine.map((r) => r.cpuSeconds)), 2), fmtSpread(spread(mine.map((r) => r.peakRssBytes / MIB)), 1), fmt(secs.median / base.median, 3), fmtSpread(spread(mine.map((r) => r.load)), 2)];
  });
  const dhcpRows = VARIANTS.map((v) => {
    const mine = saturated.filter((r) => r.variant === v.name);
    const rate = spread(mine.map((r) => r.acksPerSecond));
    return [v.name, fmtSpread(rate, 0), fmtSpread(spread(mine.map((r) => r.loss)), 1), fmtSpread(spread(mine.map((r) => r.kernelDrops)), 0), fmtSpread(spread(mine.map((r) => r.cpuPer1000)), 3), fmt(rate.median / baseDhcp.median, 3), fmtSpread(spread(mine.map((r) => r.load)), 2)];
  });
  const targets: TargetResult[] = [];
  for (const v of VARIANTS.slice(1)) {
    const s = spread(stormSeconds(v.name)).median / base.median;
    targets.push({ target: `TFTP storm ${STORM.label}, ${v.name}: at most 5 % slower than records off`, measured: `${fmt((s - 1) * 100, 1)} % (median ${fmt(spread(stormSeconds(v.name)).median, 2)} s vs ${fmt(base.median, 2)} s)`, met: Number.isFinite(s) ? s <= 1.05 : undefined });
    const d = spread(saturated.filter((r) => r.variant === v.name).map((r) => r.acksPerSecond)).median / baseDhcp.median;
    targets.push({ target: `DHCP DORA rate, ${v.name}: at most 5 % lower than records off`, measured: `${fmt((1 - d) * 100, 1)} % lower (median ${fmt(d * baseDhcp.median, 0)} vs ${fmt(baseDhcp.median, 0)} ACK/s)`, met: Number.isFinite(d) ? d >= 0.95 : undefined });
  }
  const memRows = m.memory.map((r, i) => (r ? [`10,000 × ${i === 0 ? 10 : 200}`, String(r.events), fmt(r.heapBytes / 1e6, 1), fmt(r.bytesPerEvent, 0), fmt(r.estimatedTypicalBoundBytes / 1e6, 0)] : [`10,000 × ${i === 0 ? 10 : 200}`, 'failed', '—', '—', '—']));
  const full = m.memory[1];
  targets.push({ target: 'Timelines of 10,000 devices: bounded and reported', measured: full ? `${fmt(full.heapBytes / 1e6, 0)} MB heap at the full retention (200 events each), estimate ${fmt(full.estimatedTypicalBoundBytes / 1e6, 0)} MB` : 'not measured', met: full ? full.heapBytes <= full.estimatedTypicalBoundBytes : undefined });
  return {
    id: 'timeline',
    title: 'Device timeline and dashboard cost',
    method: [
      `Three variants of benchboot serve (test/bench/serve-main.js: serve's options and defaults, the appliance's deviceRecords switch as a bench-only seam): device records off; on; on with one headless chromium (puppeteer-core, in the server namespace) showing the dashboard's live page. The variants alternate within each of ${rounds} rounds; medians (min–max).`,
      `Storm: ${STORM.label} from test/bench/storm-client.ts as in the tftp-storm section, patient devices (a busy answer is retried until the deadline, so every run gives a time on a loaded machine). The client's address is reserved in the scope for its MAC and leased (udhcpc) before the storm, so every transfer is a file event in a device timeline (journaled, status checked, pushed to the dashboard): 1,000 file events per storm, all on the one client device (its timeline keeps 200).`,
      `DHCP: perfdhcp offers ${m.dhcpRate} DORA/s for ${m.dhcpSeconds} s (above what the server answers on this machine), 2 timeline records and 4 DHCP events per client; the figure is ACKs per second received, and server CPU per 1,000 ACKs. "Kernel drops" are the server namespace's UDP RcvbufErrors during the run: datagrams the kernel dropped because the server had not read its socket yet. Over capacity the server also answers DISCOVERs whose REQUEST the kernel then drops, and with records on each of those offers is a device record too, so the rate falls by more than the records' cost per exchange.`,
      `DHCP below capacity: perfdhcp offers ${m.belowRate} DORA/s for ${m.dhcpSeconds} s, which every variant answers; server CPU per 1,000 ACKs is the cost of an exchange, and its ratio to records off is what the records add to each one.`,
      'Memory: test/bench/timeline-memory.ts fills a DeviceBook (default retention) with 10,000 devices × 10 and × 200 events and reports the V8 heap after a full GC.',
      'The 1-minute load average before each run is in the last column: the machine is shared with other work, so spreads are wide.',
    ],
    commands: ['npm run bench -- --only timeline --quick', `node dist/test/bench/serve-main.js records-on|records-off --scopes DIR --tftp-root DIR --leases DIR --force --no-live --no-http --max-per-client 200`, 'node --expose-gc dist/test/bench/timeline-memory.js 10000 200'],
    tables: [
      { caption: `TFTP storm ${STORM.label}, median (min–max) over rounds`, header: ['variant', 'last device done s', 'failed devices', 'server CPU s', 'peak RSS MiB', '÷ records off', 'load avg'], rows: stormRows },
      { caption: 'DHCP DORA rate, median (min–max) over rounds', header: ['variant', 'ACK/s', 'loss %', 'kernel drops', 'CPU s / 1000 ACKs', '÷ records off', 'load avg'], rows: dhcpRows },
      { caption: `DHCP below capacity (${m.belowRate} DORA/s offered): CPU per exchange, median (min–max) over rounds`, header: ['variant', 'ACK/s', 'loss %', 'CPU s / 1000 ACKs', '× records off', 'load avg'], rows: belowRows(m) },
      { caption: 'Heap of the timelines of 10,000 devices', header: ['devices × events', 'events held', 'heap MB', 'bytes per event', 'estimated bound MB'], rows: memRows },
    ],
    targets,
    notes: VARIANTS.map((v) => `${v.name}: ${specOf(v, '').notes}`),
    raw: m,
  };
}

/** The rows of the below-capacity DHCP table: CPU per 1,000 ACKs and its ratio to records off. */
function belowRows(m: Measured): string[][] {
  const below = m.dhcp.filter((r) => r.offered === m.belowRate);
  const base = spread(below.filter((r) => r.variant === 'records off').map((r) => r.cpuPer1000)).median;
  return VARIANTS.map((v) => {
    const mine = below.filter((r) => r.variant === v.name);
    const cpu = spread(mine.map((r) => r.cpuPer1000));
    return [v.name, fmtSpread(spread(mine.map((r) => r.acksPerSecond)), 0), fmtSpread(spread(mine.map((r) => r.loss)), 1), fmtSpread(cpu, 3), fmt(cpu.median / base, 2), fmtSpread(spread(mine.map((r) => r.load)), 2)];
  });
}

/** The timeline-cost section. */
export const timelineCost: Section = { id: 'timeline', title: 'Device timeline and dashboard cost', run: runTimeline };
