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
  serveLinkOptions,
  TftpDirectoryError,
  type ApplianceHttpConfig,
  type ApplianceWebConfig,
  type PreparedInterfaces,
  type TftpDirectoryKind,
} from '../appliance/index.js';
import type { TemporaryAddress } from '../net/address.js';
import { systemBindings } from '../dhcp/server.js';
import { ERRORS, errorMessage } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { formatCidr } from '../net/ipv4.js';
import { directJobs, type PrivilegedJobs } from '../net/privileged.js';
import { createLiveView, type LiveView } from '../ui/live-view.js';
import { inventoryFileOf } from './device-flags.js';
import { defineCommand, writeLine, type CliIo, type CommandContext } from './output.js';
import { serveHttpConfig, serveNewClientRate, serveSyslog, serveTarget, serveWebConfig, validateServeArgs, type ServeTftpSettings } from './serve-args.js';
import { serveClock } from './serve-clock.js';
import { SERVE_OPTIONS, type ServeArgs } from './serve-options.js';
import { FORCED_CLEANUP_MS, FORCED_EXIT_CODE, ServeSignals, systemServeProcess, type ServeProcess } from './serve-process.js';
import { runServeChild, runServeParent, serveMode } from './serve-privilege.js';

export { FORCED_EXIT_CODE, SERVE_STEPS, systemServeProcess, type ServeProcess, type ServeStep } from './serve-process.js';

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

/** Warns about settings that work but surprise, and logs the map file read. */
function logTftpSettings(settings: ServeTftpSettings, remapRules: number, maxTransfers: number, logger: Logger): void {
  const range = settings.server?.portRange;
  const most = settings.server?.transfersCeiling ?? maxTransfers; // never under --max-transfers
  if (range && range[1] - range[0] + 1 < most) {
    logger.warn(`the TFTP port range is smaller than ${most > maxTransfers ? '--transfers-ceiling' : '--max-transfers'}: when it is full, new transfers fail instead of waiting`, {
      portRange: `${range[0]}-${range[1]}`,
      maxTransfers,
      transfersCeiling: most,
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
  /** The temporary addresses of the run (`--address`), removed on exit. */
  readonly temporary: TemporaryAddress[];
  readonly signals: ServeSignals;
  /** The inventory file (absolute), when one is given or ./inventory.csv exists. */
  readonly inventory: string | undefined;
  readonly proc: ServeProcess;
  /** The HTTP ports (undefined with --no-http). */
  readonly http: ApplianceHttpConfig | undefined;
  /** The dashboard (`--web`, `--no-web`). */
  readonly web: ApplianceWebConfig | undefined;
  /** The jobs that need root: here, or requests to the root parent (src/priv/). */
  readonly jobs: PrivilegedJobs;
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
    bindDhcp: (r) => run.jobs.bindDhcp(r),
  });
  await proc.step?.('preflight');
  if (signals.stopSignal !== undefined) return;
  const view = run.live
    ? createLiveView({ stream: run.ctx.io.stdout, serving: prepared.scopes.map((s) => `${s.interface} ${formatCidr(s.subnet)} (${s.name})`), clock: systemClock })
    : undefined;
  if (view) setView(view);
  const syslog = serveSyslog(args);
  const newClientRate = serveNewClientRate(args);
  const appliance = createAppliance({
    scopes: prepared.source,
    tftp: run.tftp,
    stateDir: resolve(args.leases),
    ...(run.inventory === undefined ? {} : { inventory: run.inventory }),
    ...(syslog === undefined ? {} : { syslog }),
    ...(run.web === undefined ? {} : { web: run.web }),
    dhcpBindings: systemBindings({ port: args['dhcp-port'], bind: (r) => run.jobs.bindDhcp(r) }),
    privileged: run.jobs,
    ...(newClientRate === undefined ? {} : { newClientRate }),
    ...(run.http === undefined ? {} : { http: run.http }),
    logger: run.root,
    clock: serveClock(run.logger),
    ...(view ? { onEvent: (e) => view.update(e) } : {}),
    links: serveLinkOptions(serveTarget(args), { probeTimeoutMs: Math.round(args['probe-timeout'] * 1000), force: args.force, clock: systemClock, temporary: run.temporary, logger: run.logger, addAddress: (i, spec, has) => run.jobs.addAddress(i, spec, has), bindDhcp: (r) => run.jobs.bindDhcp(r) }),
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
export async function runServe(args: ServeArgs, ctx: CommandContext, proc: ServeProcess = systemServeProcess(), jobs: PrivilegedJobs = directJobs): Promise<number> {
  const tftp = validateServeArgs(args);
  const http = serveHttpConfig(args);
  const web = serveWebConfig(args.web);
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
    const prepared = await prepareInterfaces(serveTarget(args), logger, temporary, (i, spec, has) => jobs.addAddress(i, spec, has));
    await proc.step?.('interfaces');
    await serveUntilStopped({ args, ctx, root, logger, live, tftp, prepared, temporary, signals, inventory, proc, http, web, jobs }, (v) => (view = v));
  } finally {
    await undo();
    signals.dispose();
  }
  await new Promise<void>((r) => root.end(() => r()));
  if (!args.json && !live) writeLine(ctx.io.stderr, 'benchboot stopped.');
  return 0;
}

/**
 * serve as the command runs it: started as root, a root parent that only binds and
 * hands sockets over, and the appliance as an unprivileged child (serve-privilege.ts);
 * otherwise everything in this one process.
 */
function runServeCommand(args: ServeArgs, ctx: CommandContext): Promise<number> {
  switch (serveMode(ctx.io.env)) {
    case 'child':
      return runServeChild((jobs, proc) => runServe(args, ctx, proc, jobs));
    case 'root':
      return runServeParent(args, ctx);
    case 'single':
      if (args.user !== undefined) throw ERRORS.usage.create({ message: '--user needs serve to be started as root (with sudo); without it serve runs as the user who started it' });
      return runServe(args, ctx);
  }
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
  run: (args, ctx) => runServeCommand(args, ctx),
});
