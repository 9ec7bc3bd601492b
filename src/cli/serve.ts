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
 *     sudo benchboot serve --interface eth1 --alternate /srv/cluster2 --default-file 'SEP*.cnf.xml=XMLDefault.cnf.xml'
 *
 * The TFTP options (alternates, default files, map file, upload policy, blksize,
 * port range, timeouts) are checked before anything starts: {@link serveTftpSettings}
 * turns them into the appliance's TFTP settings or throws BB_USAGE (bad syntax),
 * BB_TFTP_OPTIONS (a number out of range) or BB_TFTP_CONFIG (too many alternates,
 * a bad default rule); {@link checkServeTftpFiles} then reads the map file
 * (BB_TFTP_CONFIG naming file and line) and checks the alternates (BB_TFTP_ROOT).
 */
import { constants as fsConstants } from 'node:fs';
import { resolve } from 'node:path';
import { systemClock } from '../clock.js';
import {
  createAppliance,
  derivedScopes,
  preflight,
  scopeFiles,
  type Appliance,
  type ApplianceTftpConfig,
  type ApplianceTftpServerLimits,
  type DerivedInterface,
  type ScopeSource,
} from '../appliance.js';
import type { Scope } from '../config/scope.js';
import { DEFAULT_PROBE_TIMEOUT_MS } from '../dhcp/probe.js';
import { systemBindings } from '../dhcp/server.js';
import { BenchbootError, errorMessage, isBenchbootError } from '../errors.js';
import { createLogger, type Logger } from '../log.js';
import { addAddressHint, addTemporaryAddress, parseAddressSpec, type InterfaceAddressSpec, type TemporaryAddress } from '../net/address.js';
import { BUSY_POLL_MAX_SESSIONS, MAX_BUSY_POLL_MICROS } from '../net/busy-poll.js';
import { findInterface, listInterfaces, type NetworkInterface } from '../net/interfaces.js';
import { formatCidr, ipv4ToInt, type Ipv4 } from '../net/ipv4.js';
import { loadRemapFile } from '../tftp/fs-storage.js';
import { DEFAULT_BUSY_POLL_MICROS, RECOMMENDED_MAX_WINDOW_BYTES, RECOMMENDED_MIN_WINDOW_BLOCKS } from '../tftp/server.js';
import { BLKSIZE_MAX, BLKSIZE_MIN, DATAGRAM_OVERHEAD_BYTES, WINDOWSIZE_MAX } from '../tftp/negotiate.js';
import { compileDefaultRules, MAX_ALTERNATES, type DefaultRule } from '../tftp/resolve-path.js';
import { createLiveView, type LiveView } from '../ui/live-view.js';
import { requireDirectory } from './doctor.js';
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
  'max-transfers': { type: 'number', default: 200, requiresArg: true, describe: 'TFTP transfers at once; more are answered "busy" and devices retry (Cisco\'s TFTP service uses 30)' },
  force: { type: 'boolean', default: false, describe: 'Start even when another DHCP server answers on a served interface' },
  live: { type: 'boolean', default: true, describe: 'Live view on a terminal (--no-live: log lines instead)' },
  'probe-timeout': { type: 'number', default: DEFAULT_PROBE_TIMEOUT_MS / 1000, requiresArg: true, describe: 'Seconds to listen for another DHCP server before starting' },
  grace: { type: 'number', default: 5, requiresArg: true, describe: 'Seconds transfers in flight may take to finish on SIGINT/SIGTERM' },
  alternate: {
    type: 'string',
    array: true,
    normalize: true,
    requiresArg: true,
    describe: `Directory searched after --tftp-root when a file is not there (repeatable, at most ${MAX_ALTERNATES}, in order)`,
  },
  'default-file': {
    type: 'string',
    array: true,
    requiresArg: true,
    describe: "PATTERN=FILE: a request matching the glob that is found nowhere gets FILE (repeatable, first match wins), e.g. 'SEP*.cnf.xml=XMLDefault.cnf.xml'",
  },
  'map-file': { type: 'string', normalize: true, requiresArg: true, describe: 'tftpd-hpa style remap rules applied to every request name (like in.tftpd --map-file)' },
  'case-insensitive': { type: 'boolean', default: false, describe: 'Find files whatever the case of the requested name' },
  'overwrite-uploads': { type: 'boolean', default: false, describe: 'An upload replaces the file of the same name (default: every version is kept, dated)' },
  'max-upload-size': { type: 'string', requiresArg: true, describe: 'Largest upload: bytes, or with K, M, G (x1024), e.g. 64M (default 64M)' },
  'max-blksize': { type: 'number', requiresArg: true, describe: `Largest TFTP block size granted (${BLKSIZE_MIN}..${BLKSIZE_MAX}, default ${BLKSIZE_MAX})` },
  mtu: { type: 'number', requiresArg: true, describe: `Path MTU of the bench network: block size is capped at MTU-${DATAGRAM_OVERHEAD_BYTES}` },
  'max-windowsize': { type: 'number', requiresArg: true, describe: `Largest TFTP windowsize granted (1..${WINDOWSIZE_MAX}, default 64)` },
  'max-window-bytes': {
    type: 'string',
    default: 'auto',
    requiresArg: true,
    describe: 'Largest TFTP window in bytes (blksize x windowsize); windowsize is answered lower so a window fits a client\'s default receive buffer. auto = 64K but at least 2 blocks; 0 = no limit',
  },
  'port-range': { type: 'string', requiresArg: true, describe: 'LO-HI: UDP ports for TFTP transfer sockets, for firewalls (default: ports the system picks)' },
  'max-per-client': { type: 'number', requiresArg: true, describe: 'TFTP transfers at once from one address (default: --max-transfers)' },
  'tftp-timeout': { type: 'number', requiresArg: true, describe: 'TFTP retransmission timeout in milliseconds when the client asks none (10..255000, default 1000)' },
  'tftp-retries': { type: 'number', requiresArg: true, describe: 'TFTP timeouts in a row before a transfer fails (0..100, default 5)' },
  'busy-poll': {
    type: 'number',
    default: DEFAULT_BUSY_POLL_MICROS,
    requiresArg: true,
    describe: `Microseconds to keep polling for a TFTP client's answer instead of sleeping (0..${MAX_BUSY_POLL_MICROS}; only with up to ${BUSY_POLL_MAX_SESSIONS} transfers running and clients that answer that fast). 0 = off: less CPU, slower lock-step`,
  },
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
  alternate: string[] | undefined;
  'default-file': string[] | undefined;
  'map-file': string | undefined;
  'case-insensitive': boolean;
  'overwrite-uploads': boolean;
  'max-upload-size': string | undefined;
  'max-blksize': number | undefined;
  mtu: number | undefined;
  'max-windowsize': number | undefined;
  'max-window-bytes': string;
  'port-range': string | undefined;
  'max-per-client': number | undefined;
  'tftp-timeout': number | undefined;
  'tftp-retries': number | undefined;
  'busy-poll': number;
}

/** The serve arguments that shape the TFTP side. */
export type ServeTftpArgs = Pick<
  ServeArgs,
  | 'tftp-root'
  | 'upload-dir'
  | 'tftp-port'
  | 'dhcp-port'
  | 'max-transfers'
  | 'alternate'
  | 'default-file'
  | 'map-file'
  | 'case-insensitive'
  | 'overwrite-uploads'
  | 'max-upload-size'
  | 'max-blksize'
  | 'mtu'
  | 'max-windowsize'
  | 'max-window-bytes'
  | 'port-range'
  | 'max-per-client'
  | 'tftp-timeout'
  | 'tftp-retries'
  | 'busy-poll'
>;

/** The appliance's TFTP settings made from serve's options (paths made absolute). */
export type ServeTftpSettings = Omit<ApplianceTftpConfig, 'listenAddresses'>;

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3 };

/**
 * Parses a size: plain bytes (`65536`) or a whole number with K, M or G, each
 * x1024 (`64M`, `1G`; `64MB`, `64MiB` and lower case mean the same). Throws BB_USAGE.
 */
export function parseSize(text: string, option: string): number {
  const m = /^\s*(\d+)\s*(?:([kmg])(?:i?b)?|b)?\s*$/i.exec(text);
  const digits = m?.[1];
  const unit = SIZE_UNITS[(m?.[2] ?? '').toUpperCase()];
  const bytes = digits === undefined || unit === undefined ? NaN : Number(digits) * unit;
  if (!Number.isSafeInteger(bytes) || bytes <= 0) {
    throw new BenchbootError('BB_USAGE', `--${option} ${JSON.stringify(text)}: give a size in bytes above 0, or with K, M, G (e.g. 64M, 1G)`);
  }
  return bytes;
}

/** Parses one `--default-file PATTERN=FILE` (split at the first `=`). Throws BB_USAGE. */
export function parseDefaultFile(text: string): DefaultRule {
  const eq = text.indexOf('=');
  const pattern = eq < 0 ? '' : text.slice(0, eq).trim();
  const file = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (pattern === '' || file === '') {
    throw new BenchbootError('BB_USAGE', `--default-file ${JSON.stringify(text)}: give PATTERN=FILE, e.g. 'SEP*.cnf.xml=XMLDefault.cnf.xml'`);
  }
  return { pattern, file };
}

/** Parses `--port-range LO-HI` (1..65535, LO <= HI). Throws BB_USAGE for the form, BB_TFTP_OPTIONS for the numbers. */
export function parsePortRange(text: string): readonly [number, number] {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!m) throw new BenchbootError('BB_USAGE', `--port-range ${JSON.stringify(text)}: give LO-HI, e.g. 50000-50199`);
  const lo = Number(m[1]);
  const hi = Number(m[2]);
  if (lo < 1 || hi > 65535 || lo > hi) {
    throw new BenchbootError('BB_TFTP_OPTIONS', `--port-range ${text}: give two ports 1..65535, the first not above the second`);
  }
  return [lo, hi];
}

function intOption(value: number | undefined, name: string, lo: number, hi: number, unit = ''): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < lo || value > hi) throw new BenchbootError('BB_TFTP_OPTIONS', `--${name} ${value}: give a whole number ${lo}..${hi}${unit}`);
  return value;
}

/**
 * Turns serve's TFTP options into the appliance's TFTP settings, checking each
 * one (no file is read here; see {@link checkServeTftpFiles}). Throws BB_USAGE for
 * syntax and options that need --upload-dir, BB_TFTP_OPTIONS for numbers out of
 * range, BB_TFTP_CONFIG for too many alternates or a bad default rule.
 */
export function serveTftpSettings(args: ServeTftpArgs): ServeTftpSettings {
  const alternates = (args.alternate ?? []).map((a) => resolve(a));
  if (alternates.length > MAX_ALTERNATES) {
    throw new BenchbootError('BB_TFTP_CONFIG', `--alternate given ${alternates.length} times: at most ${MAX_ALTERNATES} alternate locations are searched`);
  }
  const defaults = (args['default-file'] ?? []).map(parseDefaultFile);
  const compiled = compileDefaultRules(defaults, args['case-insensitive']);
  if (compiled.kind === 'invalid') throw new BenchbootError('BB_TFTP_CONFIG', `--default-file: ${compiled.message}`);
  const uploads = args['upload-dir'];
  if (uploads === undefined) {
    if (args['overwrite-uploads']) throw new BenchbootError('BB_USAGE', '--overwrite-uploads needs --upload-dir DIR (without it uploads are refused)');
    if (args['max-upload-size'] !== undefined) throw new BenchbootError('BB_USAGE', '--max-upload-size needs --upload-dir DIR (without it uploads are refused)');
  }
  const maxUploadBytes = args['max-upload-size'] === undefined ? undefined : parseSize(args['max-upload-size'], 'max-upload-size');
  const maxBlksize = intOption(args['max-blksize'], 'max-blksize', BLKSIZE_MIN, BLKSIZE_MAX);
  const mtu = intOption(args.mtu, 'mtu', BLKSIZE_MIN + DATAGRAM_OVERHEAD_BYTES, 65535);
  const maxWindowsize = intOption(args['max-windowsize'], 'max-windowsize', 1, WINDOWSIZE_MAX);
  const windowAuto = args['max-window-bytes'].trim().toLowerCase() === 'auto';
  const maxWindowBytes = windowAuto ? RECOMMENDED_MAX_WINDOW_BYTES : /^\s*0+\s*$/.test(args['max-window-bytes']) ? 0 : parseSize(args['max-window-bytes'], 'max-window-bytes');
  if (maxWindowBytes !== 0 && maxWindowBytes < BLKSIZE_MIN) {
    throw new BenchbootError('BB_TFTP_OPTIONS', `--max-window-bytes ${args['max-window-bytes']}: give 0 (no limit) or at least ${BLKSIZE_MIN} bytes`);
  }
  const maxPerClient = intOption(args['max-per-client'], 'max-per-client', 1, args['max-transfers'], ' (at most --max-transfers)');
  const timeoutMs = intOption(args['tftp-timeout'], 'tftp-timeout', 10, 255_000, ' milliseconds');
  const retries = intOption(args['tftp-retries'], 'tftp-retries', 0, 100);
  const busyPollMicros = intOption(args['busy-poll'], 'busy-poll', 0, MAX_BUSY_POLL_MICROS, ' microseconds');
  const portRange = args['port-range'] === undefined ? undefined : parsePortRange(args['port-range']);
  if (portRange) {
    for (const [port, what] of [
      [args['tftp-port'], 'tftp-port'],
      [args['dhcp-port'], 'dhcp-port'],
    ] as const) {
      if (port >= portRange[0] && port <= portRange[1]) throw new BenchbootError('BB_TFTP_OPTIONS', `--port-range ${args['port-range'] ?? ''} contains the --${what} ${port}; choose ports above it`);
    }
  }
  const server: ApplianceTftpServerLimits = {
    ...(portRange === undefined ? {} : { portRange }),
    ...(maxPerClient === undefined ? {} : { maxPerClient }),
    ...(maxBlksize === undefined ? {} : { maxBlksize }),
    ...(mtu === undefined ? {} : { mtu }),
    ...(maxWindowsize === undefined ? {} : { maxWindowsize }),
    ...(maxWindowBytes === 0 ? {} : { maxWindowBytes }),
    ...(windowAuto ? { minWindowBlocks: RECOMMENDED_MIN_WINDOW_BLOCKS } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(retries === undefined ? {} : { retries }),
    ...(busyPollMicros === undefined ? {} : { busyPollMicros }),
  };
  return {
    root: resolve(args['tftp-root']),
    ...(uploads === undefined ? {} : { uploadDir: resolve(uploads) }),
    port: args['tftp-port'],
    maxTransfers: args['max-transfers'],
    alternates,
    defaults,
    caseInsensitive: args['case-insensitive'],
    ...(args['map-file'] === undefined ? {} : { mapFile: resolve(args['map-file']) }),
    overwriteUploads: args['overwrite-uploads'],
    ...(maxUploadBytes === undefined ? {} : { maxUploadBytes }),
    server,
  };
}

/**
 * Reads what the TFTP settings name before anything starts: the map file must parse
 * (BB_TFTP_CONFIG `file:line: problem`), each alternate must be a readable
 * directory (BB_TFTP_ROOT naming it). Returns the number of remap rules.
 */
export async function checkServeTftpFiles(settings: ServeTftpSettings): Promise<number> {
  for (const [i, dir] of (settings.alternates ?? []).entries()) {
    try {
      await requireDirectory(dir, fsConstants.R_OK | fsConstants.X_OK);
    } catch (err) {
      throw new BenchbootError('BB_TFTP_ROOT', `--alternate ${dir} (location ${i + 1}) is not a readable directory (${errorMessage(err)}); create it or drop the option`, { cause: err });
    }
  }
  return settings.mapFile === undefined ? 0 : (await loadRemapFile(settings.mapFile)).length;
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

/**
 * Checks option combinations and ranges (BB_USAGE naming the option) and returns
 * the TFTP settings they make (see {@link serveTftpSettings} for its codes).
 */
export function validateServeArgs(args: ServeArgs): ServeTftpSettings {
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
  return serveTftpSettings(args);
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
  /** The scopes as loaded while preparing. */
  readonly scopes: readonly Scope[];
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
    return { source, scopes, interfaces, ownAddresses, temporary };
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
  const tftpSettings = validateServeArgs(args);
  const remapRules = await checkServeTftpFiles(tftpSettings);
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
  const range = tftpSettings.server?.portRange;
  if (range && range[1] - range[0] + 1 < args['max-transfers']) {
    logger.warn('the TFTP port range is smaller than --max-transfers: when it is full, new transfers fail instead of waiting', {
      portRange: `${range[0]}-${range[1]}`,
      maxTransfers: args['max-transfers'],
    });
  }
  if (tftpSettings.mapFile !== undefined) logger.debug('TFTP map file read', { mapFile: tftpSettings.mapFile, rules: remapRules });
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
    if (live) {
      view = createLiveView({
        stream: ctx.io.stdout,
        serving: prepared.scopes.map((s) => `${s.interface} ${formatCidr(s.subnet)} (${s.name})`),
        clock: systemClock,
      });
    }
    const liveView = view;
    const started = createAppliance({
      scopes: prepared.source,
      tftp: tftpSettings,
      stateDir: resolve(args.leases),
      dhcpBindings: systemBindings({ port: args['dhcp-port'] }),
      logger: root,
      clock: systemClock,
      ...(liveView ? { onEvent: (e) => liveView.update(e) } : {}),
    });
    await started.start().catch((err: unknown) => {
      if (!isBenchbootError(err, 'BB_TFTP_ROOT')) throw err;
      const hint = err.message.startsWith('upload directory')
        ? `create it (mkdir -p ${args['upload-dir'] ?? ''}) writable by this user, or leave out --upload-dir`
        : err.message.startsWith('TFTP root')
          ? `create it (mkdir -p ${args['tftp-root']}) and put the files devices ask for there, or pass --tftp-root DIR`
          : 'create it or leave out that option';
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
    [
      "sudo benchboot serve --interface eth1 --alternate /srv/cluster2 --default-file 'SEP*.cnf.xml=XMLDefault.cnf.xml'",
      'Also look in a second directory; unknown phones get the default config',
    ],
    ['sudo benchboot serve --interface eth1 --map-file ./tftp.map --port-range 50000-50199 --max-blksize 1428', 'tftpd-hpa style remaps, firewall-friendly ports'],
  ],
  run: (args, ctx) => runServe(args, ctx),
});
