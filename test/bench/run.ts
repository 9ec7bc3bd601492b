/**
 * `npm run bench`: benchboot side by side with dnsmasq, Kea and tftpd-hpa/atftpd in
 * private network namespaces. Prints a table, writes test/bench/report.{md,json}
 * (report-quick.* in quick mode).
 *
 *   npm run bench                         full mode (3 rounds)
 *   npm run bench -- --quick              1 round, short trials (development)
 *   npm run bench -- --only dhcp-rate     one section (repeatable, or comma-separated)
 *   npm run bench -- --rounds 5           more rounds
 *   npm run bench -- --servers benchboot,dnsmasq   compare only these servers
 *   npm run bench -- --only tftp-storm --update   re-run one section, keep the others of the last report
 *   npm run bench -- --profile            benchboot under node --cpu-prof (profiles in test/bench/profiles/)
 *
 * BENCH_NODE_FLAGS="--perf-basic-prof ..." passes extra node flags to benchboot (for perf).
 * BENCH_SERVE_FLAGS="--tftp-workers 2" adds flags to every `benchboot serve` the bench starts
 * (said in the report's benchboot line), e.g. to compare TFTP worker counts run by run.
 * Needs root (network namespaces). Installs the peers with test/e2e/install-deps.sh
 * when they are missing. The whole run is bounded by a watchdog.
 */
import { spawnSync } from 'node:child_process';
import { chmodSync, cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, availableParallelism, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { isRoot, which } from '../e2e/netns.js';
import { createBench } from './lab.js';
import { dhcpRate, dhcpStorm } from './dhcp.js';
import { tftpStorm, tftpThroughput } from './tftp.js';
import { udpCeiling } from './udp.js';
import { benchbootServers } from './benchboot.js';
import { atftpd, dnsmasqDhcp, dnsmasqTftp, keaDhcp, nginxHttp, tftpdHpa, TFTPD_HPA } from './servers.js';
import { httpStorm, httpThroughput } from './http.js';
import { timelineCost } from './timeline.js';
import { renderMarkdown, renderText, type BenchReport, type MachineInfo } from './report.js';
import { profileTables } from './profile.js';
import type { Section, SectionResult } from './section.js';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const SECTIONS: readonly Section[] = [udpCeiling, dhcpRate, dhcpStorm, tftpThroughput, tftpStorm, httpThroughput, httpStorm, timelineCost];
const PEER_PROGRAMS = ['ip', 'ss', 'perfdhcp', 'kea-dhcp4', 'dnsmasq', 'atftpd', 'atftp', 'tftp', 'curl', 'nginx', TFTPD_HPA];

function usage(): string {
  return `usage: npm run bench -- [--quick] [--rounds N] [--profile] [--servers benchboot,kea,dnsmasq,tftpd-hpa,atftpd,nginx] [--update] [--only ${SECTIONS.map((s) => s.id).join('|')}]...`;
}

function parseCli(argv: readonly string[]): { quick: boolean; rounds: number; only: Section[]; profile: boolean; update: boolean; servers?: string[] } {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      only: { type: 'string', multiple: true },
      profile: { type: 'boolean', default: false },
      servers: { type: 'string' },
      update: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
    strict: true,
    allowPositionals: false,
  });
  if (values.help) {
    console.log(usage());
    process.exit(0);
  }
  const rounds = values.rounds === undefined ? (values.quick ? 1 : 3) : Number(values.rounds);
  if (!Number.isInteger(rounds) || rounds < 1 || rounds > 10) throw new Error(`--rounds must be an integer from 1 to 10, got ${values.rounds}`);
  const ids = (values.only ?? []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);
  const only: Section[] = [];
  for (const id of ids) {
    const s = SECTIONS.find((x) => x.id === id);
    if (!s) throw new Error(`unknown section "${id}"; sections: ${SECTIONS.map((x) => x.id).join(', ')}`);
    if (!only.includes(s)) only.push(s);
  }
  const servers = values.servers?.split(',').map((x) => x.trim()).filter(Boolean);
  const known = ['benchboot', 'kea', 'dnsmasq', 'tftpd-hpa', 'atftpd', 'nginx'];
  for (const name of servers ?? []) if (!known.includes(name)) throw new Error(`unknown server "${name}"; servers: ${known.join(', ')}`);
  return { quick: values.quick, profile: values.profile, update: values.update, ...(servers ? { servers } : {}), rounds, only: only.length > 0 ? SECTIONS.filter((s) => only.includes(s)) : [...SECTIONS] };
}

function ensurePeers(): void {
  const missing = PEER_PROGRAMS.filter((p) => !which(p));
  if (missing.length === 0) return;
  console.error(`bench: missing ${missing.join(', ')}; running test/e2e/install-deps.sh`);
  const r = spawnSync('bash', [join(ROOT, 'test', 'e2e', 'install-deps.sh')], { stdio: 'inherit', timeout: 20 * 60_000 });
  if (r.status !== 0) throw new Error(`install-deps.sh failed (exit ${r.status})`);
  const still = PEER_PROGRAMS.filter((p) => !which(p));
  if (still.length > 0) throw new Error(`still missing after install-deps.sh: ${still.join(', ')}`);
}

function firstLine(cmd: string, args: readonly string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 5_000 });
  const text = `${r.stdout ?? ''}${r.stderr ?? ''}`.trim();
  return text.split('\n')[0] ?? '(unknown)';
}

function dpkgVersion(pkg: string): string {
  const r = spawnSync('dpkg-query', ['-W', '-f=${Version}', pkg], { encoding: 'utf8', timeout: 5_000 });
  return r.status === 0 ? `${pkg} ${r.stdout.trim()}` : `${pkg} (not a dpkg package here)`;
}

function machineInfo(): MachineInfo {
  const mem = /MemTotal:\s+(\d+) kB/.exec(readFileSync('/proc/meminfo', 'utf8'));
  return {
    date: new Date().toISOString(),
    nproc: availableParallelism(),
    memTotalMiB: mem ? Math.round(Number(mem[1]) / 1024) : NaN,
    kernel: release(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadAverage: loadavg(),
    peers: {
      dnsmasq: firstLine('dnsmasq', ['--version']),
      'kea-dhcp4': `kea-dhcp4 ${firstLine('kea-dhcp4', ['-v'])} (${dpkgVersion('kea-dhcp4-server')})`,
      perfdhcp: `perfdhcp ${firstLine('perfdhcp', ['-v'])} (${dpkgVersion('kea-admin')})`,
      'tftpd-hpa': `${dpkgVersion('tftpd-hpa')}; ${TFTPD_HPA}`.replace('(not a dpkg package here)', '(unpacked .deb)') + ` — ${firstLine(TFTPD_HPA, ['-V'])}`,
      atftpd: firstLine('atftpd', ['-V']),
      atftp: firstLine('atftp', ['-V']),
      'tftp-hpa client': firstLine('tftp', ['-V']),
      curl: firstLine('curl', ['--version']),
      nginx: `${firstLine('nginx', ['-v'])} (${dpkgVersion('nginx-light')})`,
    },
  };
}

/** The sections of an earlier report that this run does not redo (--update). */
function previousSections(path: string, redo: readonly string[]): SectionResult[] {
  let previous: BenchReport;
  try {
    previous = JSON.parse(readFileSync(path, 'utf8')) as BenchReport;
  } catch (err) {
    throw new Error(`--update needs an earlier ${path}`, { cause: err });
  }
  return previous.sections.filter((s) => !redo.includes(s.id) && s.id !== 'profile');
}

/**
 * Copies the compiled product (bin/, dist/src, dist/test/helpers, package.json) to a
 * private directory, so that a rebuild of the working tree during a long run (other
 * people compile in the same tree) cannot swap benchboot's modules mid-measurement.
 */
function snapshotBuild(): string {
  const snap = mkdtempSync(join(tmpdir(), 'benchboot-bench-build-'));
  // serve runs its protocol code as `nobody` (the root parent only binds): it must read the snapshot.
  chmodSync(snap, 0o755);
  process.on('exit', () => rmSync(snap, { recursive: true, force: true }));
  // On SIGINT/SIGTERM the e2e harness kills the lab's processes and re-raises the
  // signal, which skips 'exit' handlers: remove the snapshot before that happens.
  // (A server's empty cgroup may stay behind then: it can only go once the server
  // has died, and nothing runs after the re-raised signal.)
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.prependOnceListener(sig, () => {
      rmSync(snap, { recursive: true, force: true });
    });
  }
  cpSync(join(ROOT, 'bin'), join(snap, 'bin'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'src'), join(snap, 'dist', 'src'), { recursive: true });
  mkdirSync(join(snap, 'dist', 'test'), { recursive: true });
  cpSync(join(ROOT, 'dist', 'test', 'helpers'), join(snap, 'dist', 'test', 'helpers'), { recursive: true });
  cpSync(join(ROOT, 'package.json'), join(snap, 'package.json'));
  symlinkSync(join(ROOT, 'node_modules'), join(snap, 'node_modules'));
  return snap;
}

async function main(): Promise<number> {
  const opts = parseCli(process.argv.slice(2));
  if (!isRoot()) {
    console.error('bench: needs root (it builds network namespaces); run it as root');
    return 2;
  }
  ensurePeers();
  const started = Date.now();
  const limitMs = opts.quick ? 15 * 60_000 : 58 * 60_000;
  const watchdog = setTimeout(() => {
    console.error(`bench: watchdog — still running after ${limitMs / 60_000} min, giving up; the reports hold the sections finished so far (namespaces are removed on exit)`);
    process.exit(3);
  }, limitMs);
  watchdog.unref();

  const profileDir = opts.profile ? join(ROOT, 'test', 'bench', 'profiles', new Date().toISOString().replace(/[:.]/g, '-')) : undefined;
  const bb = await benchbootServers(snapshotBuild(), profileDir);
  const head = spawnSync('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD'], { encoding: 'utf8', timeout: 5_000 });
  const dirty = spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'bin', 'test/helpers'], { encoding: 'utf8', timeout: 5_000 });
  const build =
    head.status === 0
      ? `built tree at commit ${head.stdout.trim()}${dirty.stdout.trim() ? ` with ${dirty.stdout.trim().split('\n').length} uncommitted file(s) under src/, bin/, test/helpers/` : ''}, copied at start`
      : 'not a git checkout';
  if (bb.missing) console.error(`bench: benchboot not in the comparison: ${bb.missing}`);
  const machine = machineInfo();
  const log = (line: string): void => {
    console.error(`[${((Date.now() - started) / 1000).toFixed(0).padStart(5)} s] ${line}`);
  };
  const picked = (spec: { name: string }): boolean => opts.servers === undefined || opts.servers.includes(spec.name);
  const ctx = {
    quick: opts.quick,
    rounds: opts.rounds,
    log,
    bench: createBench,
    dhcpServers: [...(bb.dhcp ? [bb.dhcp] : []), keaDhcp, dnsmasqDhcp].filter(picked),
    tftpServers: [...(bb.tftp ? [bb.tftp] : []), tftpdHpa, dnsmasqTftp, atftpd].filter(picked),
    httpServers: [...(bb.http ? [bb.http] : []), nginxHttp].filter(picked),
    benchbootMissing: bb.missing,
  };
  const results: SectionResult[] = [];
  const failed: { id: string; error: string }[] = [];
  const base = join(ROOT, 'test', 'bench', opts.quick ? 'report-quick' : 'report');
  const kept = opts.update ? previousSections(`${base}.json`, opts.only.map((s) => s.id)) : [];
  const write = (complete: boolean): BenchReport => {
    const order = SECTIONS.map((s) => s.id);
    const sections = [...kept, ...results].sort((a, b) => order.indexOf(a.id) - order.indexOf(b.id));
    const report: BenchReport = {
      mode: opts.quick ? 'quick' : 'full',
      rounds: opts.rounds,
      command: ['npm run bench --', ...process.argv.slice(2)].join(' ').replace(/ --$/, ''),
      machine,
      benchboot: `${bb.description}; ${build}`,
      sections,
      ...(kept.length > 0 ? { keptFrom: `sections ${kept.map((k) => k.id).join(', ')} kept from the previous report (${kept[0]?.ranAt ?? '?'}); the machine section describes this run` } : {}),
      failedSections: complete ? failed : [...failed, { id: '(run)', error: 'incomplete: written after each section; the run has not finished (or was stopped by the watchdog)' }],
      elapsedSeconds: (Date.now() - started) / 1000,
    };
    writeFileSync(`${base}.md`, renderMarkdown(report));
    writeFileSync(`${base}.json`, `${JSON.stringify(report, null, 2)}\n`);
    return report;
  };
  for (const section of opts.only) {
    log(`section ${section.id}`);
    try {
      results.push({ ...(await section.run(ctx)), ranAt: new Date().toISOString() });
    } catch (err) {
      const e = err as Error;
      log(`section ${section.id} failed: ${e.stack ?? e.message}`);
      failed.push({ id: section.id, error: e.message });
    }
    write(false);
  }
  if (profileDir !== undefined) {
    try {
      results.push({
        id: 'profile',
        title: 'Where benchboot spends its CPU (node --cpu-prof)',
        method: [`Profiles of every benchboot server process of this run are in ${profileDir}; open them in Chrome DevTools or VS Code. Below, the largest per kind.`],
        commands: ['node --cpu-prof --cpu-prof-dir=<dir> bin/benchboot.js serve …'],
        tables: profileTables(profileDir, ROOT),
        targets: [],
        notes: ['Profiling slows the server down: throughput figures of a --profile run are not comparable to a normal run.'],
        raw: { profileDir },
      });
    } catch (err) {
      failed.push({ id: 'profile', error: (err as Error).message });
    }
  }
  clearTimeout(watchdog);
  const report = write(true);
  console.log(renderText(report));
  console.log(`reports: ${base}.md, ${base}.json`);
  return failed.length === 0 ? 0 : 1;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    console.error(`bench: ${(err as Error).message ?? String(err)}`);
    process.exitCode = 2;
  },
);

