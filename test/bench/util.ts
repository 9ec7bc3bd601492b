/**
 * Small helpers shared by the benchmark sections: order statistics over rounds,
 * per-process CPU and memory from /proc (CPU summed with reaped children, so a
 * forking server such as tftpd-hpa is charged for its transfer processes), a
 * process-tree RSS sampler, and sleeping.
 */
import { mkdirSync, readFileSync, readdirSync, rmdirSync, writeFileSync } from 'node:fs';

/** Clock ticks per second of /proc/PID/stat times (USER_HZ, 100 on Linux x86). */
export const USER_HZ = 100;

/** Sleeps `ms` milliseconds. */
export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Median, minimum and maximum of the finite samples (NaN fields when there are none). */
export interface Spread {
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly n: number;
}

/** Computes the median (mean of the middle two for even counts), min and max. */
export function spread(samples: readonly number[]): Spread {
  const xs = samples.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (xs.length === 0) return { median: NaN, min: NaN, max: NaN, n: 0 };
  const mid = Math.floor(xs.length / 2);
  const lo = xs[mid - 1] ?? NaN;
  const hi = xs[mid] ?? NaN;
  const median = xs.length % 2 === 1 ? hi : (lo + hi) / 2;
  return { median, min: xs[0] ?? NaN, max: xs[xs.length - 1] ?? NaN, n: xs.length };
}

/** CPU and memory of one process as /proc reports them. */
export interface ProcSample {
  /** utime + stime + cutime + cstime, in seconds. */
  readonly cpuSeconds: number;
  /** VmHWM (peak resident set) in bytes. */
  readonly hwmBytes: number;
  /** VmRSS (current resident set) in bytes. */
  readonly rssBytes: number;
}

/** Reads CPU seconds (own + reaped children) and VmHWM/VmRSS of `pid`; undefined when it is gone. */
export function readProc(pid: number): ProcSample | undefined {
  let stat: string;
  let status: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    status = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT' || (err as NodeJS.ErrnoException).code === 'ESRCH') return undefined;
    throw err;
  }
  // Fields after the parenthesised command name: state is field 3, utime 14 .. cstime 17.
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(rest[i] ?? 0), 0);
  return { cpuSeconds: ticks / USER_HZ, hwmBytes: statusKb(status, 'VmHWM') * 1024, rssBytes: statusKb(status, 'VmRSS') * 1024 };
}

function statusKb(status: string, key: string): number {
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  return m ? Number(m[1]) : 0;
}

/** Parent pid of every process now visible in /proc. */
function parentMap(): Map<number, number> {
  const parents = new Map<number, number>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      parents.set(Number(name), Number(rest[1] ?? 0));
    } catch (err) {
      // A process that exits between readdir and read is normal; anything else is not.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT' && (err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
    }
  }
  return parents;
}

/** `pid` and all its live descendants. */
export function processTree(pid: number): number[] {
  const parents = parentMap();
  const tree = [pid];
  for (let i = 0; i < tree.length && i < 10_000; i++) {
    const p = tree[i];
    for (const [child, parent] of parents) if (parent === p) tree.push(child);
  }
  return tree;
}

/**
 * Samples the summed RSS of a process tree every `everyMs` until stopped, keeping
 * the peak. For single-process servers this equals VmHWM within one sample; for
 * forking ones (tftpd-hpa) it counts every live transfer process.
 */
export class TreeRssSampler {
  private peak = 0;
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly pid: number,
    everyMs = 250,
  ) {
    this.sample();
    this.timer = setInterval(() => this.sample(), everyMs);
  }

  private sample(): void {
    let sum = 0;
    for (const p of processTree(this.pid)) sum += readProc(p)?.rssBytes ?? 0;
    if (sum > this.peak) this.peak = sum;
  }

  /** Stops sampling and returns the peak summed RSS in bytes. */
  stop(): number {
    clearInterval(this.timer);
    this.sample();
    return this.peak;
  }
}

/** Formats a number with `digits` decimals, or '—' when it is not finite. */
export function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '—';
}

/** "median (min–max)" of a spread. */
export function fmtSpread(s: Spread, digits = 1): string {
  if (s.n === 0) return '—';
  if (s.n === 1) return fmt(s.median, digits);
  return `${fmt(s.median, digits)} (${fmt(s.min, digits)}–${fmt(s.max, digits)})`;
}

let cgroupRoot: string | null | undefined;
const liveCgroups = new Set<string>();

function findCgroup2(): string | null {
  if (cgroupRoot !== undefined) return cgroupRoot;
  const line = readFileSync('/proc/self/mounts', 'utf8')
    .split('\n')
    .find((l) => l.split(' ')[2] === 'cgroup2');
  cgroupRoot = line?.split(' ')[1] ?? null;
  return cgroupRoot;
}

/**
 * A cgroup v2 group holding one server process and everything it forks, so its CPU
 * time (cpu.stat usage_usec, always present in v2) includes transfer processes that
 * exited and were never waited for. Created beside the bench's own cgroup-v2 root;
 * removed when the server stops (and at exit, if still there).
 */
export class CpuGroup {
  private constructor(private readonly path: string) {}

  /** Creates the group and moves `pid` into it; undefined when cgroup v2 is not usable here. */
  static create(name: string, pid: number): CpuGroup | undefined {
    const root = findCgroup2();
    if (root === null) return undefined;
    const path = `${root}/${name}`;
    try {
      mkdirSync(path);
      liveCgroups.add(path);
      writeFileSync(`${path}/cgroup.procs`, String(pid));
      return new CpuGroup(path);
    } catch (err) {
      if (liveCgroups.has(path)) removeGroup(path);
      process.stderr.write(`bench: no cgroup CPU accounting (${(err as Error).message}); using /proc times\n`);
      return undefined;
    }
  }

  /** CPU seconds used by every process that was ever in the group. */
  cpuSeconds(): number {
    const m = /^usage_usec (\d+)$/m.exec(readFileSync(`${this.path}/cpu.stat`, 'utf8'));
    return m ? Number(m[1]) / 1e6 : NaN;
  }

  /** Removes the group once its processes are gone (retries briefly while they exit). */
  async remove(): Promise<void> {
    for (let i = 0; i < 40; i++) {
      if (removeGroup(this.path)) return;
      await sleep(50);
    }
    process.stderr.write(`bench: could not remove cgroup ${this.path}\n`);
  }
}

function removeGroup(path: string): boolean {
  try {
    rmdirSync(path);
    liveCgroups.delete(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      liveCgroups.delete(path);
      return true;
    }
    if ((err as NodeJS.ErrnoException).code === 'EBUSY') return false;
    throw err;
  }
}

/** Removes the groups still there (empty ones only; the kernel refuses the others). */
export function removeLeftoverGroups(): void {
  for (const path of liveCgroups) {
    try {
      rmdirSync(path);
    } catch (err) {
      process.stderr.write(`bench: leftover cgroup ${path}: ${(err as Error).message}\n`);
    }
  }
}

process.on('exit', removeLeftoverGroups);
