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
 * temporary `--address` is removed) and the command returns 0.
 *
 *     sudo benchboot serve --interface eth1
 *     sudo benchboot serve --interface eth1 --address 10.10.0.1/24 --upload-dir ./backups
 *     sudo benchboot serve --scopes ./scopes --tftp-root /srv/tftp
 */
import { resolve } from 'node:path';
import { systemClock } from '../clock.js';
import { createAppliance, derivedScopes, preflight, scopeFiles, type Appliance, type DerivedInterface, type ScopeSource } from '../appliance.js';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../dhcp/probe.js';
import { systemBindings } from '../dhcp/server.js';
import { BenchbootError, errorMessage, isBenchbootError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { addAddressHint, addTemporaryAddress, parseAddressSpec, type InterfaceAddressSpec, type TemporaryAddress } from '../net/address.js';
import { findInterface, listInterfaces, type NetworkInterface } from '../net/interfaces.js';
import { formatCidr, ipv4ToInt, type Ipv4 } from '../net/ipv4.js';
import { createLiveView, type LiveView } from '../ui/live-view.js';
import { defineCommand, writeLine, type CliIo, type CommandContext, type GlobalArgs } from './output.js';

/** The options of `benchboot serve`, each one used below. */
export const SERVE_OPTIONS = {
  interface: {
    type: 'string',
    array: true,
    requiresArg: true,
    describe: 'Interface to serve (repeatable). Without --scopes its IPv4 address makes the scope',
  },
  scopes: {
    type: 'string',
    normalize: true,
    requiresArg: true,
    describe: 'Serve the scope files of this directory (with --interface: only the scopes for those interfaces)',
  },
  address: {
    type: 'string',
    requiresArg: true,
    describe: 'Give the (one) --interface this address for the run, e.g. 10.10.0.1/24; removed again on exit',
  },
  'tftp-root': { type: 'string', default: './tftp', normalize: true, requiresArg: true, describe: 'Directory the TFTP server sends files from' },
  'upload-dir': { type: 'string', normalize: true, requiresArg: true, describe: 'Accept TFTP uploads (WRQ, e.g. router config backups) into this directory' },
  'tftp-port': { type: 'number', default: 69, requiresArg: true, describe: 'TFTP server port' },
  'dhcp-port': { type: 'number', default: 67, requiresArg: true, describe: 'DHCP server port (devices use 67; other values are for tests)' },
  leases: { type: 'string', default: './leases', normalize: true, requiresArg: true, describe: 'State directory: lease journal, snapshot and control socket' },
  'max-transfers': { type: 'number', default: 30, requiresArg: true, describe: 'TFTP transfers at once; more are answered "busy" and devices retry' },
  force: { type: 'boolean', default: false, describe: 'Start even when another DHCP server answers on a served interface' },
  live: { type: 'boolean', default: true, describe: 'Live view on a terminal (--no-live: log lines instead)' },
  'probe-timeout': { type: 'number', default: DEFAULT_PROBE_TIMEOUT_MS / 1000, requiresArg: true, describe: 'Seconds to listen for another DHCP server before starting' },
  grace: { type: 'number', default: 5, requiresArg: true, describe: 'Seconds transfers in flight may take to finish on SIGINT/SIGTERM' },
} as const;

/** Parsed arguments of `benchboot serve`. */
export interface ServeArgs extends GlobalArgs {
  interface: string[] | undefined;
  scopes: string | undefined;
  address: string | undefined;
  'tftp-root': string;
  'upload-dir': string | undefined;
  'tftp-port': number;
  'dhcp-port': number;
  leases: string;
  'max-transfers': number;
  force: boolean;
  live: boolean;
  'probe-timeout': number;
  grace: number;
}

/** The process facilities serve needs: signals and the terminal. */
export interface ServeProcess {
  /** Subscribes to a signal; returns the unsubscribe function. */
  onSignal(signal: 'SIGHUP' | 'SIGINT' | 'SIGTERM', handler: () => void): () => void;
}

/** The real process. */
export function systemServeProcess(): ServeProcess {
  return {
    onSignal(signal, handler) {
      process.on(signal, handler);
      return () => process.off(signal, handler);
    },
  };
}

function checkPort(value: number, name: string, allowZero: boolean): void {
  if (!Number.isInteger(value) || value < (allowZero ? 0 : 1) || value > 65535) throw new BenchbootError('BB_USAGE', `--${name} ${value}: give a port 1..65535`);
}

/** Checks option combinations and ranges; throws BB_USAGE naming the option. */
export function validateServeArgs(args: ServeArgs): void {
  const ifaces = args.interface ?? [];
  if (ifaces.length === 0 && args.scopes === undefined) {
    throw new BenchbootError('BB_USAGE', 'say what to serve: --interface IF (scope from its address) or --scopes DIR (scope files)');
  }
  if (new Set(ifaces).size !== ifaces.length) throw new BenchbootError('BB_USAGE', '--interface names the same interface twice');
  if (args.address !== undefined && ifaces.length !== 1) {
    throw new BenchbootError('BB_USAGE', '--address needs exactly one --interface (the one that gets the address)');
  }
  checkPort(args['tftp-port'], 'tftp-port', false);
  checkPort(args['dhcp-port'], 'dhcp-port', false);
  if (!Number.isInteger(args['max-transfers']) || args['max-transfers'] < 1 || args['max-transfers'] > 10_000) {
    throw new BenchbootError('BB_USAGE', `--max-transfers ${args['max-transfers']}: give 1..10000`);
  }
  if (!(args['probe-timeout'] >= 0.5 && args['probe-timeout'] <= 30)) throw new BenchbootError('BB_USAGE', `--probe-timeout ${args['probe-timeout']}: give 0.5..30 seconds`);
  if (!(args.grace >= 0 && args.grace <= 300)) throw new BenchbootError('BB_USAGE', `--grace ${args.grace}: give 0..300 seconds`);
}

function isUsable(ip: Ipv4): boolean {
  // 169.254/16 link-local addresses are what a laptop gives itself when nobody serves DHCP.
  return ipv4ToInt(ip) >>> 16 !== ((169 << 8) | 254);
}

/** The interface, or BB_INTERFACE naming the ones that exist. */
async function requireInterface(name: string): Promise<NetworkInterface> {
  const iface = await findInterface(name);
  if (iface) return iface;
  const known = (await listInterfaces()).filter((i) => !i.isLoopback).map((i) => i.name);
  throw new BenchbootError('BB_INTERFACE', `interface ${name} does not exist (this machine has: ${known.join(', ') || 'none'})`);
}

/** The message for an interface without IPv4: the exact command, and the --address way. */
export function noAddressMessage(name: string): string {
  return [
    `interface ${name} has no IPv4 address, so there is no subnet to serve. Give it one:`,
    `  ${addAddressHint(name)}`,
    `or let benchboot add one for this run and remove it on exit:`,
    `  sudo benchboot serve --interface ${name} --address 10.10.0.1/24`,
  ].join('\n');
}

interface Prepared {
  readonly source: ScopeSource;
  readonly interfaces: readonly string[];
  readonly ownAddresses: readonly Ipv4[];
  readonly temporary: readonly TemporaryAddress[];
}

/** Resolves interfaces and addresses (adding `--address` when asked) and the scope source. */
async function prepare(args: ServeArgs, logger: Logger): Promise<Prepared> {
  const names = args.interface ?? [];
  const spec: InterfaceAddressSpec | undefined = args.address === undefined ? undefined : parseAddressSpec(args.address);
  const temporary: TemporaryAddress[] = [];
  const derived: DerivedInterface[] = [];
  try {
    for (const name of names) {
      const iface = await requireInterface(name);
      const usable = iface.addresses.filter((a) => isUsable(a.address));
      if (spec) {
        const has = iface.addresses.some((a) => a.address === spec.address && a.prefix === spec.prefix);
        const tmp = await addTemporaryAddress(name, spec, has);
        temporary.push(tmp);
        if (tmp.added) logger.info('added a temporary address; it is removed on exit', { interface: name, address: `${spec.address}/${spec.prefix}` });
        derived.push({ name, address: spec.address, prefix: spec.prefix });
        continue;
      }
      const first = usable[0];
      if (!first) throw new BenchbootError('BB_INTERFACE', noAddressMessage(name));
      if (usable.length > 1 && args.scopes === undefined) {
        logger.warn('the interface has several IPv4 addresses; serving the first', { interface: name, address: `${first.address}/${first.prefix}` });
      }
      derived.push({ name, address: first.address, prefix: first.prefix });
    }
    const source = args.scopes === undefined ? derivedScopes(derived) : scopeFiles(args.scopes, names);
    const scopes = await source.load();
    const interfaces = [...new Set(scopes.map((s) => s.interface))];
    const ownAddresses: Ipv4[] = [];
    for (const name of interfaces) {
      const iface = await requireInterface(name);
      ownAddresses.push(...iface.addresses.map((a) => a.address));
    }
    return { source, interfaces, ownAddresses, temporary };
  } catch (err) {
    await removeTemporary(temporary, logger);
    throw err;
  }
}

async function removeTemporary(list: readonly TemporaryAddress[], logger: Logger): Promise<void> {
  for (const t of list) {
    try {
      await t.remove();
      if (t.added) logger.info('removed the temporary address', { interface: t.ifname, address: `${t.spec.address}/${t.spec.prefix}` });
    } catch (err) {
      logger.error('could not remove the temporary address', { code: 'BB_INTERFACE', err: errorMessage(err) });
    }
  }
}

function isTty(io: CliIo): boolean {
  return 'isTTY' in io.stdout && io.stdout.isTTY === true;
}

/**
 * Runs serve until SIGINT/SIGTERM. Returns 0 after a clean stop; throws a
 * BenchbootError when it cannot start (nothing is left behind).
 */
export async function runServe(args: ServeArgs, ctx: CommandContext, proc: ServeProcess = systemServeProcess()): Promise<number> {
  validateServeArgs(args);
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
  const prepared = await prepare(args, logger);
  // Signals are ours from here on, so that Ctrl-C during the probe still removes a temporary address.
  let stopSignal: string | undefined;
  let wake: (() => void) | undefined;
  let appliance: Appliance | undefined;
  const requestStop = (signal: string): void => {
    if (stopSignal !== undefined) {
      logger.warn('already stopping; waiting for transfers in flight', { signal });
      return;
    }
    stopSignal = signal;
    logger.info('signal received, stopping', { signal });
    wake?.();
  };
  const offs = [
    proc.onSignal('SIGINT', () => requestStop('SIGINT')),
    proc.onSignal('SIGTERM', () => requestStop('SIGTERM')),
    proc.onSignal('SIGHUP', () => {
      const running = appliance;
      if (!running) {
        logger.info('SIGHUP before the server started: nothing to reload yet');
        return;
      }
      logger.info('SIGHUP: reloading scopes');
      running.reload().catch((err: unknown) => logger.debug('reload failed (already logged)', { err: errorMessage(err) }));
    }),
  ];
  let view: LiveView | undefined;
  try {
    await preflight({
      probeInterfaces: prepared.interfaces,
      ownAddresses: prepared.ownAddresses,
      dhcpPort: args['dhcp-port'],
      tftpPort: args['tftp-port'],
      force: args.force,
      probeTimeoutMs: Math.round(args['probe-timeout'] * 1000),
      clock: systemClock,
      logger,
    });
    if (stopSignal !== undefined) return 0;
    const scopesNow = await prepared.source.load();
    if (live) {
      view = createLiveView({
        stream: ctx.io.stdout,
        serving: scopesNow.map((s) => `${s.interface} ${formatCidr(s.subnet)} (${s.name})`),
        clock: systemClock,
      });
    }
    const liveView = view;
    const started = createAppliance({
      scopes: prepared.source,
      tftp: {
        root: resolve(args['tftp-root']),
        ...(args['upload-dir'] === undefined ? {} : { uploadDir: resolve(args['upload-dir']) }),
        port: args['tftp-port'],
        maxTransfers: args['max-transfers'],
      },
      stateDir: resolve(args.leases),
      dhcpBindings: systemBindings({ port: args['dhcp-port'] }),
      logger: root,
      clock: systemClock,
      ...(liveView ? { onEvent: (e) => liveView.update(e) } : {}),
    });
    await started.start().catch((err: unknown) => {
      if (!isBenchbootError(err, 'BB_TFTP_ROOT')) throw err;
      const hint = `create it (mkdir -p ${args['tftp-root']}) and put the files devices ask for there, or pass --tftp-root DIR`;
      throw new BenchbootError('BB_TFTP_ROOT', `${err.message}; ${hint}`, { cause: err });
    });
    appliance = started;
    if (stopSignal === undefined) await new Promise<void>((r) => (wake = r));
    await started.stop(Math.round(args.grace * 1000)).catch((err: unknown) => logger.error('stop failed', { code: 'BB_INTERNAL', err: errorMessage(err) }));
  } finally {
    for (const off of offs) off();
    view?.stop();
    await removeTemporary(prepared.temporary, logger);
  }
  await new Promise<void>((r) => root.end(() => r()));
  if (!args.json && !live) writeLine(ctx.io.stderr, 'benchboot stopped.');
  return 0;
}

/** `benchboot serve`. */
export const serveCommand = defineCommand<ServeArgs>({
  command: 'serve',
  describe: 'Serve DHCP and TFTP on the given interfaces until Ctrl-C',
  builder: (y) => y.options(SERVE_OPTIONS),
  examples: [
    ['sudo benchboot serve --interface eth1', 'Scope from eth1\'s address, files from ./tftp'],
    ['sudo benchboot serve --interface eth1 --address 10.10.0.1/24', 'Give eth1 an address for this run (removed on exit)'],
    ['sudo benchboot serve --scopes ./scopes --upload-dir ./backups', 'Serve the scope files and accept config backups'],
  ],
  run: (args, ctx) => runServe(args, ctx),
});
