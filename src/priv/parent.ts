/**
 * serve's root parent: the only part of `sudo benchboot serve` that stays root. It
 * starts the appliance as an unprivileged child (user.ts), then does only the child's
 * named jobs (protocol.ts), each checked against the command line (policy.ts): bind a
 * socket and hand it over, add or remove the temporary `--address`. Anything else is
 * refused and logged. It reads no packet and opens no file of the appliance's.
 *
 * Signals: SIGINT, SIGTERM, SIGHUP and SIGWINCH are passed on to the child (its own process group,
 * so a Ctrl-C reaches it once, through here); a second stop signal that the child does
 * not end within {@link PARENT_FORCE_MS} kills it. However the child ends (a clean stop,
 * a crash, `kill -9`), the addresses the parent added are removed, and the parent
 * exits with the child's code (128 + signal number when it was killed).
 */
import type { ChildProcess } from 'node:child_process';
import type dgram from 'node:dgram';
import type net from 'node:net';
import { constants as osConstants } from 'node:os';
import { errnoCode, errorMessage } from '../errno.js';
import type { Logger } from '../log.js';
import type { TemporaryAddress } from '../net/address.js';
import { isNetError } from '../net/net-error.js';
import { parseJobRequest, type JobReply, type JobRequest } from './protocol.js';
import { refusalOf, type JobPolicy } from './policy.js';

/** How long the child may take to end after a second stop signal before it is killed. */
export const PARENT_FORCE_MS = 3000;

/** What the parent does for a job: the real binders (parent-jobs.ts) or fakes in tests. */
export interface ParentJobs {
  bindDhcp(interfaceName: string, port: number): Promise<dgram.Socket>;
  bindUdp(request: Extract<JobRequest, { job: 'bind-udp' }>): Promise<dgram.Socket>;
  listenTcp(address: string, port: number): Promise<net.Server>;
  addAddress(interfaceName: string, address: string, prefix: number): Promise<TemporaryAddress>;
}

/** The process facilities of the parent. */
export interface ParentHost {
  /** Starts the unprivileged child with an IPC channel. */
  fork(): ChildProcess;
  /** Subscribes to a signal; returns the unsubscribe function. */
  onSignal(signal: 'SIGHUP' | 'SIGINT' | 'SIGTERM' | 'SIGWINCH', handler: () => void): () => void;
}

/** Counts of what the parent did and refused. */
export interface ParentCounts {
  done: number;
  refused: number;
  failed: number;
}

/** A socket about to be handed over, closed in the parent once sent. */
type Handle = { readonly handle: dgram.Socket | net.Server; close(): void };

/** The exit code of a child that ended with `code` or `signal`. */
export function exitCodeOf(code: number | null, signal: NodeJS.Signals | null): number {
  if (code !== null) return code;
  const n = signal === null ? undefined : osConstants.signals[signal];
  return 128 + (n ?? 0);
}

/** The parent (see the module comment). */
export class PrivilegedParent {
  readonly counts: ParentCounts = { done: 0, refused: 0, failed: 0 };
  private readonly added: TemporaryAddress[] = [];
  private child: ChildProcess | undefined;
  private stops = 0;
  private forceTimer: NodeJS.Timeout | undefined;
  private readonly log: Logger;

  constructor(
    private readonly policy: JobPolicy,
    private readonly jobs: ParentJobs,
    private readonly host: ParentHost,
    logger: Logger,
  ) {
    this.log = logger.child({ component: 'privileged' });
  }

  /** Runs the child until it ends; resolves with the exit code once the addresses added are removed. */
  async run(): Promise<number> {
    const child = this.host.fork();
    this.child = child;
    const offs = [
      this.host.onSignal('SIGINT', () => this.stop('SIGINT')),
      this.host.onSignal('SIGTERM', () => this.stop('SIGTERM')),
      this.host.onSignal('SIGHUP', () => child.kill('SIGHUP')),
      // The terminal tells only its foreground group that it was resized; the live view is drawn by the child.
      this.host.onSignal('SIGWINCH', () => child.kill('SIGWINCH')),
    ];
    child.on('message', (message: unknown) => void this.answer(child, message));
    try {
      const [code, signal] = await new Promise<[number | null, NodeJS.Signals | null]>((resolve) => child.once('exit', (c, s) => resolve([c, s])));
      // A stop signal passed on before the child had its handlers ends it too: that is a stop, not a crash.
      if (signal !== null && !(this.stops > 0 && (signal === 'SIGINT' || signal === 'SIGTERM'))) this.log.error('the serving process was killed', { code: 'BB_INTERNAL', signal, pid: child.pid });
      await this.removeAdded();
      return exitCodeOf(code, signal);
    } finally {
      clearTimeout(this.forceTimer);
      for (const off of offs) off();
    }
  }

  private stop(signal: 'SIGINT' | 'SIGTERM'): void {
    const child = this.child;
    if (!child) return;
    child.kill(signal);
    if (++this.stops === 2) this.forceTimer = setTimeout(() => child.kill('SIGKILL'), PARENT_FORCE_MS);
  }

  /** Removes every address the parent added (failures are logged with the command to run). */
  async removeAdded(): Promise<void> {
    for (const t of this.added.splice(0)) {
      try {
        await t.remove();
        this.log.info('removed the temporary address', { interface: t.ifname, address: `${t.spec.address}/${t.spec.prefix}` });
      } catch (err) {
        this.log.error('could not remove the temporary address', { code: 'BB_INTERFACE', err: errorMessage(err) });
      }
    }
  }

  private isAdded(interfaceName: string, address: string, prefix: number): boolean {
    return this.added.some((t) => t.ifname === interfaceName && t.spec.address === address && t.spec.prefix === prefix);
  }

  /** Answers one message of the child: the job done, failed or refused. */
  async answer(child: ChildProcess, message: unknown): Promise<void> {
    const request = parseJobRequest(message);
    const id = typeof message === 'object' && message !== null && 'id' in message && typeof message.id === 'number' ? message.id : -1;
    const refusal = request ? await refusalOf(request, this.policy, (i, a, p) => this.isAdded(i, a, p)) : 'not a request the parent knows';
    if (refusal !== undefined || !request) {
      this.counts.refused++;
      this.log.warn('refused a request of the serving process', { code: 'BB_PRIVILEGE', job: request?.job ?? 'unknown', reason: refusal });
      child.send({ kind: 'job-failed', id, message: `the privileged parent refused: ${refusal ?? ''}`, refused: true } satisfies JobReply);
      return;
    }
    try {
      const done = await this.perform(request);
      this.counts.done++;
      const reply: JobReply = { kind: 'job-done', id, ...(done.added === undefined ? {} : { added: done.added }) };
      if (done.handle) {
        const h = done.handle;
        child.send(reply, h.handle, (err) => {
          // The child holds its own descriptor now: the parent's copy must not receive or accept.
          h.close();
          if (err) this.log.error('could not hand a socket over', { code: 'BB_SOCKET', job: request.job, err: errorMessage(err) });
        });
      } else child.send(reply);
    } catch (err) {
      this.counts.failed++;
      const failed: JobReply = { kind: 'job-failed', id, message: errorMessage(err), refused: false, ...(errnoCode(err) ? { errno: errnoCode(err) } : {}), ...(isNetError(err) ? { netKind: err.kind } : {}) };
      child.send(failed);
    }
  }

  private async perform(r: JobRequest): Promise<{ handle?: Handle; added?: boolean }> {
    const dgramHandle = (s: dgram.Socket): Handle => ({ handle: s, close: () => s.close() });
    switch (r.job) {
      case 'bind-dhcp':
        return { handle: dgramHandle(await this.jobs.bindDhcp(r.interfaceName, r.port)) };
      case 'bind-udp':
        return { handle: dgramHandle(await this.jobs.bindUdp(r)) };
      case 'listen-tcp': {
        const server = await this.jobs.listenTcp(r.address, r.port);
        return { handle: { handle: server, close: () => server.close() } };
      }
      case 'add-address': {
        const t = await this.jobs.addAddress(r.interfaceName, r.address, r.prefix);
        if (t.added) {
          this.added.push(t);
          this.log.info('added a temporary address; it is removed on exit', { interface: r.interfaceName, address: `${r.address}/${r.prefix}` });
        }
        return { added: t.added };
      }
      case 'remove-address': {
        const i = this.added.findIndex((t) => t.ifname === r.interfaceName && t.spec.address === r.address && t.spec.prefix === r.prefix);
        const [t] = this.added.splice(i, 1);
        await t?.remove();
        if (t) this.log.info('removed the temporary address', { interface: t.ifname, address: `${r.address}/${r.prefix}` });
        return {};
      }
    }
  }
}
