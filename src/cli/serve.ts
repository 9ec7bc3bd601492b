/**
 * `benchboot serve`: the appliance as a command. With `--interface eth1` and no
 * scope file it derives the scope from the interface's address (pool = rest of the
 * subnet, router/DNS/66/150/siaddr = the laptop); with `--scopes DIR` it serves the
 * scope files. Before the first lease it refuses when UDP 67/69 are taken or another
 * DHCP server answers (unless --force). On a terminal it draws the live view;
 * without one, or with --json, it writes structured log lines only.
 *
 * This module is the process layer: SIGHUP reloads the scopes, SIGINT/SIGTERM stop
 * (transfers in flight get `--grace` seconds, the lease journal is flushed, a
 * temporary `--address` is removed) and the command returns 0. The options are in
 * serve-options.ts, their parsing in serve-args.ts; what runs is src/appliance/.
 *
 *     sudo benchboot serve --interface eth1
 *     sudo benchboot serve --interface eth1 --address 10.10.0.1/24 --upload-dir ./backups
 *     sudo benchboot serve --scopes ./scopes --tftp-root /srv/tftp
 *     sudo benchboot serve --interface eth1 --alternate /srv/cluster2 --default-file 'SEP*.cnf.xml=XMLDefault.cnf.xml'
 */
import { resolve } from 'node:path';
import { systemClock } from '../clock.js';
import {
  checkTftpFiles,
  createAppliance,
  preflight,
  prepareInterfaces,
  removeTemporary,
  TftpDirectoryError,
  type Appliance,
  type ApplianceHttpConfig,
  type PreparedInterfaces,
  type TftpDirectoryKind,
} from '../appliance/index.js';
import type { TemporaryAddress } from '../net/address.js';
import { systemBindings } from '../dhcp/server.js';
import { ERRORS, errorMessage } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { formatCidr } from '../net/ipv4.js';
import { createLiveView, type LiveView } from '../ui/live-view.js';
import { inventoryFileOf } from './device-flags.js';
import { defineCommand, writeLine, type CliIo, type CommandContext } from './output.js';
import { serveHttpConfig, serveSyslog, serveTarget, validateServeArgs, type ServeTftpSettings } from './serve-args.js';
import { SERVE_OPTIONS, type ServeArgs } from './serve-options.js';

/** The start-up steps of serve, in order (a stop request is honoured at each). */
export const SERVE_STEPS = ['signals', 'interfaces', 'probe', 'preflight', 'serving'] as const;
/** One start-up step. */
export type ServeStep = (typeof SERVE_STEPS)[number];

/** The process facilities serve needs: signals, and leaving at once on a second Ctrl-C. */
export interface ServeProcess {
  /** Subscribes to a signal; returns the unsubscribe function. */
  onSignal(signal: 'SIGHUP' | 'SIGINT' | 'SIGTERM', handler: () => void): () => void;
  /** Ends the process now with `code` (a second stop signal, after undoing what can be undone). */
  exit(code: number): void;
  /**
   * Called as each start-up step is reached, and awaited (tests send a signal there and
   * resolve once it is handled, as if it had come during that step; the real process
   * has none). The probe step is not awaited: the probe is cut short by the stop itself.
   */
  step?(step: ServeStep): void | Promise<void>;
}

/** The real process. */
export function systemServeProcess(): ServeProcess {
  return {
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    },
    exit(code) {
      process.exit(code);
    },
  };
}

/** Exit code of a run ended by a second stop signal (128 + SIGINT, as shells report it). */
export const FORCED_EXIT_CODE = 130;
/** How long the forced exit waits for a temporary address to be removed. */
const FORCED_CLEANUP_MS = 3000;

function isTty(io: CliIo): boolean {
  return 'isTTY' in io.stdout && io.stdout.isTTY === true;
}

/** What to tell the technician to do about an unusable TFTP directory. */
function directoryHint(kind: TftpDirectoryKind, args: ServeArgs): string {
  switch (kind) {
    case 'uploads':
      return `create it (mkdir -p ${args['upload-dir'] ?? ''}) writable by this user, or leave out --upload-dir`;
    case 'root':
      return `create it (mkdir -p ${args['tftp-root']}) and put the files devices ask for there, or pass --tftp-root DIR`;
    case 'alternate':
      return 'create it or leave out that option';
  }
}

/**
 * SIGINT/SIGTERM stop the run (the first: `stopping` aborts, so a probe ends at once
 * and every start-up step returns; the second: `onForce` leaves at once), SIGHUP
 * reloads the running appliance.
 */
class ServeSignals {
  stopSignal: string | undefined;
  appliance: Appliance | undefined;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  private readonly offs: (() => void)[];

  constructor(
    proc: ServeProcess,
    private readonly logger: Logger,
    private readonly onForce: () => void,
  ) {
    this.offs = [
      proc.onSignal('SIGINT', () => this.requestStop('SIGINT')),
      proc.onSignal('SIGTERM', () => this.requestStop('SIGTERM')),
      proc.onSignal('SIGHUP', () => this.reload()),
    ];
  }

  private requestStop(signal: string): void {
    if (this.stopSignal !== undefined) {
      this.logger.warn('second stop signal: leaving now (a temporary address is still removed; ACKed leases are on disk)', { signal });
      this.onForce();
      return;
    }
    this.stopSignal = signal;
    this.logger.info('signal received, stopping', { signal });
    this.stopping.abort();
    this.wake?.();
  }

  /** Aborts at the first stop signal. */
  get abort(): AbortSignal {
    return this.stopping.signal;
  }

  private reload(): void {
    const running = this.appliance;
    if (!running) {
      this.logger.info('SIGHUP before the server started: nothing to reload yet');
      return;
    }
    this.logger.info('SIGHUP: reloading scopes');
    running.reload().catch((err: unknown) => this.logger.debug('reload failed (already logged)', { err: errorMessage(err) }));
  }

  /** Resolves when a stop signal arrives (at once if one already did). */
  untilStop(): Promise<void> {
    return this.stopSignal !== undefined ? Promise.resolve() : new Promise<void>((r) => (this.wake = r));
  }

  dispose(): void {
    for (const off of this.offs) off();
  }
}

/** Warns about settings that work but surprise, and logs the map file read. */
function logTftpSettings(settings: ServeTftpSettings, remapRules: number, maxTransfers: number, logger: Logger): void {
  const range = settings.server?.portRange;
  if (range && range[1] - range[0] + 1 < maxTransfers) {
    logger.warn('the TFTP port range is smaller than --max-transfers: when it is full, new transfers fail instead of waiting', {
      portRange: `${range[0]}-${range[1]}`,
      maxTransfers,
    });
  }
  if (settings.mapFile !== undefined) logger.debug('TFTP map file read', { mapFile: settings.mapFile, rules: remapRules });
}

/** Everything one serve run holds. */
interface ServeRun {
  readonly args: ServeArgs;
  readonly ctx: CommandContext;
  readonly root: Logger;
  readonly logger: Logger;
  readonly live: boolean;
  readonly tftp: ServeTftpSettings;
  readonly prepared: PreparedInterfaces;
  readonly signals: ServeSignals;
  /** The inventory file (absolute), when one is given or ./inventory.csv exists. */
  readonly inventory: string | undefined;
  readonly proc: ServeProcess;
  /** The HTTP ports (undefined with --no-http). */
  readonly http: ApplianceHttpConfig | undefined;
}

/** Preflight, then the appliance until a stop signal (the live view, once drawn, is handed to `setView` to close). */
async function serveUntilStopped(run: ServeRun, setView: (view: LiveView) => void): Promise<void> {
  const { args, prepared, signals, proc } = run;
  if (signals.stopSignal !== undefined) return;
  await preflight({
    abort: signals.abort,
    onProbe: () => void proc.step?.('probe'),
    probeInterfaces: prepared.interfaces,
    ownAddresses: prepared.ownAddresses,
    dhcpPort: args['dhcp-port'],
    tftpPort: args['tftp-port'],
    force: args.force,
    probeTimeoutMs: Math.round(args['probe-timeout'] * 1000),
    clock: systemClock,
    logger: run.logger,
  });
  await proc.step?.('preflight');
  if (signals.stopSignal !== undefined) return;
  const view = run.live
    ? createLiveView({ stream: run.ctx.io.stdout, serving: prepared.scopes.map((s) => `${s.interface} ${formatCidr(s.subnet)} (${s.name})`), clock: systemClock })
    : undefined;
  if (view) setView(view);
  const syslog = serveSyslog(args);
  const appliance = createAppliance({
    scopes: prepared.source,
    tftp: run.tftp,
    stateDir: resolve(args.leases),
    ...(run.inventory === undefined ? {} : { inventory: run.inventory }),
    ...(syslog === undefined ? {} : { syslog }),
    dhcpBindings: systemBindings({ port: args['dhcp-port'] }),
    ...(run.http === undefined ? {} : { http: run.http }),
    logger: run.root,
    clock: systemClock,
    ...(view ? { onEvent: (e) => view.update(e) } : {}),
  });
  await appliance.start().catch((err: unknown) => {
    if (!(err instanceof TftpDirectoryError)) throw err;
    throw ERRORS.tftpDirectory.create({ message: err.message, hint: directoryHint(err.directory, args) }, { cause: err });
  });
  signals.appliance = appliance;
  await proc.step?.('serving');
  await signals.untilStop();
  await appliance.stop(Math.round(args.grace * 1000)).catch((err: unknown) => run.logger.error('stop failed', { code: 'BB_INTERNAL', err: errorMessage(err) }));
}

/**
 * Runs serve until SIGINT/SIGTERM. Returns 0 after a clean stop; throws a
 * BenchbootError when it cannot start (nothing is left behind).
 */
export async function runServe(args: ServeArgs, ctx: CommandContext, proc: ServeProcess = systemServeProcess()): Promise<number> {
  const tftp = validateServeArgs(args);
  const http = serveHttpConfig(args);
  const remapRules = await checkTftpFiles(tftp);
  const inventory = await inventoryFileOf(args.inventory);
  const live = args.live && !args.json && isTty(ctx.io);
  // While the live view owns the terminal, log lines go only to --log-file.
  const root = createLogger({
    level: args['log-level'],
    json: args.json,
    stream: ctx.io.stderr,
    quiet: live,
    ...(args['log-file'] === undefined ? {} : { file: args['log-file'] }),
  });
  const logger = root.child({ component: 'serve' });
  logTftpSettings(tftp, remapRules, args['max-transfers'], logger);
  // Signals are ours from here on, before the first side effect (an address, the lock,
  // sockets): a Ctrl-C at any step stops cleanly, a second one leaves at once, and
  // either way a temporary address is removed. They stay ours until that is done.
  const temporary: TemporaryAddress[] = [];
  let view: LiveView | undefined;
  let cleanup: Promise<void> | undefined;
  const undo = (): Promise<void> => {
    view?.stop();
    return (cleanup ??= removeTemporary(temporary, logger));
  };
  const signals = new ServeSignals(proc, logger, () => {
    void Promise.race([undo(), new Promise((r) => setTimeout(r, FORCED_CLEANUP_MS))]).finally(() => proc.exit(FORCED_EXIT_CODE));
  });
  try {
    await proc.step?.('signals');
    const prepared = await prepareInterfaces(serveTarget(args), logger, temporary);
    await proc.step?.('interfaces');
    await serveUntilStopped({ args, ctx, root, logger, live, tftp, prepared, signals, inventory, proc, http }, (v) => (view = v));
  } finally {
    await undo();
    signals.dispose();
  }
  await new Promise<void>((r) => root.end(() => r()));
  if (!args.json && !live) writeLine(ctx.io.stderr, 'benchboot stopped.');
  return 0;
}

/** `benchboot serve`. */
export const serveCommand = defineCommand<ServeArgs>({
  command: 'serve',
  describe: 'Serve DHCP, TFTP and HTTP on the given interfaces until Ctrl-C',
  builder: (y) => y.options(SERVE_OPTIONS),
  examples: [
    ['sudo benchboot serve --interface eth1', 'Scope from eth1\'s address, files from ./tftp'],
    ['sudo benchboot serve --interface eth1 --address 10.10.0.1/24', 'Give eth1 an address for this run (removed on exit)'],
    ['sudo benchboot serve --scopes ./scopes --upload-dir ./backups', 'Serve the scope files and accept config backups'],
    [
      "sudo benchboot serve --interface eth1 --alternate /srv/cluster2 --default-file 'SEP*.cnf.xml=XMLDefault.cnf.xml'",
      'Also look in a second directory; unknown phones get the default config',
    ],
    ['sudo benchboot serve --interface eth1 --http-port 8080', 'The same files over HTTP on port 8080 only (instead of 80 and 6970)'],
    ['sudo benchboot serve --interface eth1 --map-file ./tftp.map --port-range 50000-50199 --max-blksize 1428', 'tftpd-hpa style remaps, firewall-friendly ports'],
  ],
  run: (args, ctx) => runServe(args, ctx),
});
