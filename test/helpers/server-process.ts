/**
 * Drives `dhcp-server-main` as a child process: waits for its `ready` line,
 * collects its `event` lines and its stderr, stops it with SIGTERM or kills it
 * with SIGKILL (by PID, only the child we started).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** Path of the compiled helper program. */
export const DHCP_SERVER_MAIN = fileURLToPath(new URL('./dhcp-server-main.js', import.meta.url));

/** The `ready` line's content. */
export interface ServerReady {
  readonly pid: number;
  readonly port: number;
  readonly leases: number;
  readonly bindings: readonly { interface: string; address: string; port: number }[];
}

/** A running helper process. */
export class ServerProcess {
  readonly events: Record<string, unknown>[] = [];
  /** The `counters` line printed at a clean stop. */
  counters: Record<string, unknown> | undefined;
  stderr = '';
  readonly ready: Promise<ServerReady>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;

  constructor(readonly child: ChildProcess) {
    let buffer = '';
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
    this.ready = new Promise<ServerReady>((resolve, reject) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        buffer += chunk.toString();
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.startsWith('ready ')) resolve(JSON.parse(line.slice(6)) as ServerReady);
          else if (line.startsWith('event ')) this.events.push(JSON.parse(line.slice(6)) as Record<string, unknown>);
          else if (line.startsWith('counters ')) this.counters = JSON.parse(line.slice(9)) as Record<string, unknown>;
        }
      });
      void this.exited.then(({ code, signal }) => reject(new Error(`dhcp-server-main exited (code ${code}, signal ${signal}) before ready: ${this.stderr}`)));
    });
    // Avoid an unhandled rejection when nobody awaits `ready` after an early kill.
    this.ready.catch(() => undefined);
    child.stderr?.on('data', (chunk: Buffer) => {
      this.stderr = (this.stderr + chunk.toString()).slice(-20_000);
    });
  }

  /** SIGKILL, then wait for the exit. */
  async kill(): Promise<void> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (clean stop), then wait; SIGKILL after `graceMs`. */
  async stop(graceMs = 5000): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return this.exited;
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), graceMs);
    const r = await this.exited;
    clearTimeout(timer);
    return r;
  }
}

/** Starts the helper with `args` in this machine's namespace (loopback tests). */
export function startServerProcess(args: readonly string[]): ServerProcess {
  return new ServerProcess(spawn(process.execPath, [DHCP_SERVER_MAIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] }));
}
