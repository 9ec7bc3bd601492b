/**
 * The process layer of `benchboot serve` (see serve.ts), in one process or as the
 * unprivileged child of a root serve: the checks, the interfaces, the preflight and the
 * appliance until a stop signal. SIGHUP reloads the scopes, SIGINT/SIGTERM stop and
 * the run returns 0. serve.ts imports this module only when it serves, so that the
 * root parent, which only holds sockets, never loads the appliance.
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
import { writeLine, type CliIo, type CommandContext } from './output.js';
import { serveHttpConfig, serveNewClientRate, serveSyslog, serveTarget, serveWebConfig, validateServeArgs, type ServeTftpSettings } from './serve-args.js';
import { serveClock } from './serve-clock.js';
import type { ServeArgs } from './serve-options.js';
import { FORCED_CLEANUP_MS, FORCED_EXIT_CODE, ServeSignals, systemServeProcess, type ServeProcess } from './serve-process.js';

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
