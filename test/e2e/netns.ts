/**
 * The e2e harness: private network namespaces joined by veth pairs, with names that
 * carry a per-run prefix, commands run inside them with a time bound, and teardown
 * that always happens (after the test, on failure, on SIGINT/SIGTERM, at exit).
 *
 * Only addresses inside the namespaces a lab made are ever used: every test subnet
 * lives on links that exist only between those namespaces.
 */
import { execFile, spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { accessSync, constants } from 'node:fs';
import { chmod, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';

/** Result of a bounded command. */
export interface CommandResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly timedOut: boolean;
}

/** Runs a command (not in a namespace) with a time bound; never rejects. */
export function run(cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile(cmd, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 32 * 1024 * 1024 }, (err, stdout, stderr) => {
      const e = err as (NodeJS.ErrnoException & { killed?: boolean; signal?: NodeJS.Signals; code?: number | string }) | null;
      resolve({
        code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
        signal: e?.signal ?? null,
        stdout: String(stdout),
        stderr: String(stderr),
        timedOut: Boolean(e?.killed),
      });
    });
  });
}

/** Runs a command and throws with its output when it fails. */
export async function runOk(cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
  const r = await run(cmd, args, timeoutMs);
  if (r.code !== 0) {
    throw new Error(`${cmd} ${args.join(' ')} failed (code ${r.code}${r.timedOut ? ', timed out' : ''}): ${r.stderr || r.stdout}`);
  }
  return r.stdout;
}

/** True when the process runs as root. */
export function isRoot(): boolean {
  return typeof process.getuid === 'function' && process.getuid() === 0;
}

/** Full path of a program on PATH (plus the sbin directories), or undefined. */
export function which(program: string): string | undefined {
  if (program.includes('/')) return canExec(program) ? program : undefined;
  const dirs = (process.env.PATH ?? '').split(delimiter).concat(['/usr/sbin', '/sbin', '/usr/local/sbin']);
  for (const d of dirs) {
    const p = join(d, program);
    if (canExec(p)) return p;
  }
  return undefined;
}

function canExec(p: string): boolean {
  try {
    accessSync(p, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Decides whether an e2e test can run. Returns a skip reason, or false when every
 * prerequisite is there. With BENCHBOOT_E2E=required (CI), a missing prerequisite
 * throws instead, so the run fails rather than skipping.
 */
export function e2eSkip(needs: { programs?: readonly string[] } = {}): string | false {
  const missing: string[] = [];
  if (!isRoot()) missing.push('root (network namespaces)');
  if (!which('ip')) missing.push('ip (iproute2)');
  for (const p of needs.programs ?? []) if (!which(p)) missing.push(p);
  if (missing.length === 0) return false;
  const reason = `missing ${missing.join(', ')} (run test/e2e/install-deps.sh as root)`;
  if (process.env.BENCHBOOT_E2E === 'required') {
    throw new Error(`BENCHBOOT_E2E=required but ${reason}`);
  }
  return reason;
}

/** A network namespace made by a lab. */
export class Netns {
  constructor(
    readonly name: string,
    private readonly lab: Lab,
  ) {}

  /** Runs a command inside the namespace with a time bound; never rejects. */
  exec(cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<CommandResult> {
    return run('ip', ['netns', 'exec', this.name, cmd, ...args], timeoutMs);
  }

  /** Like exec, but throws when the command fails. */
  execOk(cmd: string, args: readonly string[], timeoutMs = 15_000): Promise<string> {
    return runOk('ip', ['netns', 'exec', this.name, cmd, ...args], timeoutMs);
  }

  /**
   * Starts a long-running process in the namespace. It is killed (by PID) at
   * teardown, and after `maxMs` at the latest.
   */
  spawn(cmd: string, args: readonly string[], options: SpawnOptions & { maxMs?: number } = {}): ChildProcess {
    const { maxMs = 120_000, ...rest } = options;
    const child = spawn('ip', ['netns', 'exec', this.name, cmd, ...args], { stdio: 'pipe', ...rest });
    this.lab.track(child, maxMs);
    return child;
  }
}

/** One end of a link inside a namespace. */
export interface LinkEnd {
  readonly ns: Netns;
  readonly ifname: string;
}

let liveLabs = new Set<Lab>();
let hooksInstalled = false;

function installHooks(): void {
  if (hooksInstalled) return;
  hooksInstalled = true;
  const sweep = (): void => {
    for (const lab of liveLabs) lab.destroySync();
    liveLabs = new Set();
  };
  process.on('exit', sweep);
  for (const sig of ['SIGINT', 'SIGTERM'] as const) {
    process.once(sig, () => {
      sweep();
      process.kill(process.pid, sig);
    });
  }
}

/**
 * A set of namespaces and links with a unique prefix. Always call `destroy()`
 * (use `t.after` / `after`); exit and signal hooks also remove it.
 */
export class Lab {
  readonly prefix: string;
  private readonly namespaces: Netns[] = [];
  private readonly children = new Set<ChildProcess>();
  private linkCount = 0;
  private destroyed = false;

  constructor() {
    // Interface names are limited to 15 characters: prefix (7) + role + index fits.
    this.prefix = `bb${randomBytes(3).toString('hex').slice(0, 5)}`;
    installHooks();
    liveLabs.add(this);
  }

  /** Creates a namespace `<prefix>-<role>` with loopback up. */
  async addNamespace(role: string): Promise<Netns> {
    const name = `${this.prefix}-${role}`;
    await runOk('ip', ['netns', 'add', name]);
    const ns = new Netns(name, this);
    this.namespaces.push(ns);
    await ns.execOk('ip', ['link', 'set', 'lo', 'up']);
    return ns;
  }

  /**
   * Joins two namespaces with a veth pair and brings both ends up. Addresses are
   * optional CIDRs (e.g. '10.77.0.1/24'); a client end usually gets none (DHCP).
   */
  async link(a: Netns, b: Netns, opts: { aAddress?: string; bAddress?: string; mtu?: number } = {}): Promise<[LinkEnd, LinkEnd]> {
    const n = this.linkCount++;
    const aIf = `${this.prefix}a${n}`;
    const bIf = `${this.prefix}b${n}`;
    await runOk('ip', ['link', 'add', aIf, 'netns', a.name, 'type', 'veth', 'peer', 'name', bIf, 'netns', b.name]);
    for (const [ns, ifname, addr] of [
      [a, aIf, opts.aAddress],
      [b, bIf, opts.bAddress],
    ] as const) {
      if (opts.mtu) await ns.execOk('ip', ['link', 'set', ifname, 'mtu', String(opts.mtu)]);
      if (addr) await ns.execOk('ip', ['addr', 'add', addr, 'dev', ifname]);
      await ns.execOk('ip', ['link', 'set', ifname, 'up']);
    }
    return [
      { ns: a, ifname: aIf },
      { ns: b, ifname: bIf },
    ];
  }

  /**
   * Creates a bridge in `ns` (named `<prefix>br<k>`), optionally with an address,
   * so several client namespaces can share one broadcast domain with the server.
   */
  async bridge(ns: Netns, address?: string): Promise<string> {
    const name = `${this.prefix}br${this.linkCount++}`;
    await ns.execOk('ip', ['link', 'add', name, 'type', 'bridge']);
    if (address) await ns.execOk('ip', ['addr', 'add', address, 'dev', name]);
    await ns.execOk('ip', ['link', 'set', name, 'up']);
    return name;
  }

  /** Puts an interface of `ns` into a bridge of the same namespace. */
  async enslave(ns: Netns, ifname: string, bridge: string): Promise<void> {
    await ns.execOk('ip', ['link', 'set', ifname, 'master', bridge]);
  }

  /** @internal Kills `child` at teardown or after maxMs. */
  track(child: ChildProcess, maxMs: number): void {
    this.children.add(child);
    const timer = setTimeout(() => child.kill('SIGKILL'), maxMs);
    timer.unref();
    child.once('exit', () => {
      clearTimeout(timer);
      this.children.delete(child);
    });
  }

  /** Stops every process the lab started and removes its namespaces. */
  async destroy(): Promise<void> {
    if (this.destroyed) return;
    for (const child of this.children) child.kill('SIGKILL');
    this.children.clear();
    for (const ns of this.namespaces) {
      await killNamespacePids(ns.name);
      await run('ip', ['netns', 'del', ns.name]);
    }
    this.destroyed = true;
    liveLabs.delete(this);
  }

  /** Synchronous teardown for exit and signal hooks. */
  destroySync(): void {
    if (this.destroyed) return;
    for (const child of this.children) child.kill('SIGKILL');
    for (const ns of this.namespaces) {
      const pids = spawnSync('ip', ['netns', 'pids', ns.name], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split(/\s+/).filter(Boolean)) killPid(Number(pid));
      spawnSync('ip', ['netns', 'del', ns.name]);
    }
    this.destroyed = true;
  }
}

function killPid(pid: number): void {
  try {
    process.kill(pid, 'SIGKILL');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Kills the processes left inside a namespace this lab made (they are ours). */
async function killNamespacePids(name: string): Promise<void> {
  const r = await run('ip', ['netns', 'pids', name]);
  for (const pid of r.stdout.split(/\s+/).filter(Boolean)) killPid(Number(pid));
}

/** Waits until `predicate` is true or `timeoutMs` passes; returns whether it became true. */
export async function waitFor(predicate: () => boolean | Promise<boolean>, timeoutMs: number, stepMs = 50): Promise<boolean> {
  const end = Date.now() + timeoutMs;
  while (Date.now() < end) {
    if (await predicate()) return true;
    await new Promise((r) => setTimeout(r, stepMs));
  }
  return predicate();
}

/** Resolves with `child`'s exit code once it exits, or null when it is still running after `timeoutMs`. */
export function exitOf(child: ChildProcess, timeoutMs: number): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Collects everything `child` writes to stdout and stderr; the returned function reads it so far. */
export function collectOutput(child: ChildProcess): () => string {
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  return () => out;
}

/**
 * A lab plus a private temporary directory named after it, both removed after the
 * test (also when it fails): `const { lab, work } = await openLab(t);`.
 */
export async function openLab(t: { after(fn: () => Promise<void>): void }): Promise<{ lab: Lab; work: string }> {
  const lab = new Lab();
  const work = await mkdtemp(join(tmpdir(), `${lab.prefix}-`));
  // serve started as root runs as an unprivileged user (issue 11 point 2): it must reach the files the test puts here.
  await chmod(work, 0o755);
  t.after(async () => {
    await lab.destroy();
    await rm(work, { recursive: true, force: true });
  });
  return { lab, work };
}
