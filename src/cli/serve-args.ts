/**
 * `benchboot serve`'s arguments turned into what the appliance is asked for: sizes
 * (`64M`), default-file rules (`PATTERN=FILE`) and port ranges (`LO-HI`) are parsed
 * here (BB_USAGE for bad syntax); the ranges of the TFTP limits are the appliance's
 * (src/appliance/tftp-settings.ts: BB_TFTP_OPTIONS, BB_TFTP_CONFIG).
 */
import { isIPv4 } from 'node:net';
import { resolve } from 'node:path';
import {
  checkPortBounds,
  DEFAULT_HTTP_PORTS,
  MAX_SERVE_TRANSFERS,
  SYSLOG_PORT,
  tftpConfig,
  type ApplianceHttpConfig,
  type ApplianceSyslogConfig,
  type ApplianceTftpConfig,
  type ApplianceWebConfig,
  type NewClientRateSetting,
  type ServeTarget,
  type WindowBytesRequest,
} from '../appliance/light.js';
import { ERRORS } from '../errors.js';
import { parseAddressSpec } from '../net/address.js';
import type { DefaultRule } from '../tftp/resolve-path.js';
import { MIN_MAX_UPLOAD_VERSIONS } from '../tftp/upload-prune.js';
import type { ServeArgs, ServeTftpArgs } from './serve-options.js';

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
    throw ERRORS.badSize.create({ option, text: JSON.stringify(text) });
  }
  return bytes;
}

/** Parses one `--default-file PATTERN=FILE` (split at the first `=`). Throws BB_USAGE. */
export function parseDefaultFile(text: string): DefaultRule {
  const eq = text.indexOf('=');
  const pattern = eq < 0 ? '' : text.slice(0, eq).trim();
  const file = eq < 0 ? '' : text.slice(eq + 1).trim();
  if (pattern === '' || file === '') {
    throw ERRORS.badDefaultFile.create({ text: JSON.stringify(text) });
  }
  return { pattern, file };
}

/** Parses `--port-range LO-HI` (1..65535, LO <= HI). Throws BB_USAGE for the form, BB_TFTP_OPTIONS for the numbers. */
export function parsePortRange(text: string): readonly [number, number] {
  const m = /^\s*(\d{1,5})\s*-\s*(\d{1,5})\s*$/.exec(text);
  if (!m) throw ERRORS.badPortRangeForm.create({ text: JSON.stringify(text) });
  return checkPortBounds({ lo: Number(m[1]), hi: Number(m[2]), text });
}

/** Parses `--upload-mode`: octal permission bits 0..0777 (`0640`, `640`, `0o640`). Throws BB_USAGE. */
export function parseUploadMode(text: string): number {
  const m = /^\s*(?:0o?)?([0-7]{1,3})\s*$/i.exec(text);
  if (!m?.[1]) throw ERRORS.badUploadMode.create({ text: JSON.stringify(text) });
  return parseInt(m[1], 8);
}

/** Parses `--max-versions`: a whole number of at least 2, or `all`. Throws BB_USAGE. */
export function parseMaxVersions(text: string): number | 'all' {
  if (text.trim().toLowerCase() === 'all') return 'all';
  const n = /^\s*\d+\s*$/.test(text) ? Number(text) : NaN;
  if (!Number.isSafeInteger(n) || n < MIN_MAX_UPLOAD_VERSIONS) throw ERRORS.badMaxVersions.create({ text: JSON.stringify(text) });
  return n;
}

/** Parses `--min-free`: 0 (no floor) or a size. Throws BB_USAGE. */
export function parseMinFree(text: string): number {
  return /^\s*0+\s*$/.test(text) ? 0 : parseSize(text, 'min-free');
}

/** `--max-window-bytes`: `auto`, 0 (no limit) or a size. */
function windowBytesOf(text: string): WindowBytesRequest {
  if (text.trim().toLowerCase() === 'auto') return { kind: 'auto' };
  return { kind: 'bytes', bytes: /^\s*0+\s*$/.test(text) ? 0 : parseSize(text, 'max-window-bytes'), text };
}

/** `--min-transfer-rate`: 0 (off) or a size per second (`4K`, `4K/s`). Throws BB_USAGE. */
function minTransferRateOf(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const perSecond = text.replace(/\/s\s*$/i, '');
  return /^\s*0+\s*$/.test(perSecond) ? 0 : parseSize(perSecond, 'min-transfer-rate');
}

/** Options that only make sense with --upload-dir. Throws BB_USAGE. */
function checkUploadOptions(args: ServeTftpArgs): void {
  if (args['overwrite-uploads'] && args['max-versions'] !== undefined) throw ERRORS.versionsWithOverwrite.create();
  if (args['upload-dir'] !== undefined) return;
  for (const option of ['overwrite-uploads', 'max-upload-size', 'upload-mode', 'upload-quota', 'max-versions', 'min-free'] as const) {
    if (args[option] !== undefined && args[option] !== false) throw ERRORS.needsUploadDir.create({ option });
  }
}

/** The upload inbox's room settings that were given (parsed; BB_USAGE naming the flag). */
function uploadRoomSettings(args: ServeTftpArgs): Pick<ServeTftpSettings, 'uploadQuotaBytes' | 'maxUploadVersions' | 'minFreeBytes'> {
  const quota = args['upload-quota'];
  const versions = args['max-versions'];
  const minFree = args['min-free'];
  return {
    ...(quota === undefined ? {} : { uploadQuotaBytes: parseSize(quota, 'upload-quota') }),
    ...(versions === undefined ? {} : { maxUploadVersions: parseMaxVersions(versions) }),
    ...(minFree === undefined ? {} : { minFreeBytes: parseMinFree(minFree) }),
  };
}

/**
 * Turns serve's TFTP options into the appliance's TFTP settings, checking each
 * one (no file is read here). Throws BB_USAGE for syntax and options that need
 * --upload-dir, BB_TFTP_OPTIONS for numbers out of range, BB_TFTP_CONFIG for too
 * many alternates or a bad default rule.
 */
export function serveTftpSettings(args: ServeTftpArgs): ServeTftpSettings {
  const defaults = (args['default-file'] ?? []).map(parseDefaultFile);
  checkUploadOptions(args);
  const maxUploadBytes = args['max-upload-size'] === undefined ? undefined : parseSize(args['max-upload-size'], 'max-upload-size');
  const uploadMode = args['upload-mode'] === undefined ? undefined : parseUploadMode(args['upload-mode']);
  const portRange = args['port-range'];
  const range = portRange === undefined ? undefined : parsePortRange(portRange);
  return tftpConfig({
    root: resolve(args['tftp-root']),
    ...(args['upload-dir'] === undefined ? {} : { uploadDir: resolve(args['upload-dir']) }),
    port: args['tftp-port'],
    dhcpPort: args['dhcp-port'],
    maxTransfers: args['max-transfers'],
    alternates: (args.alternate ?? []).map((a) => resolve(a)),
    defaults,
    caseInsensitive: args['case-insensitive'],
    ...(args['map-file'] === undefined ? {} : { mapFile: resolve(args['map-file']) }),
    overwriteUploads: args['overwrite-uploads'],
    ...(maxUploadBytes === undefined ? {} : { maxUploadBytes }),
    ...(uploadMode === undefined ? {} : { uploadMode }),
    ...uploadRoomSettings(args),
    limits: {
      maxBlksize: args['max-blksize'],
      mtu: args.mtu,
      maxWindowsize: args['max-windowsize'],
      timeoutMs: args['tftp-timeout'],
      maxTimeoutSeconds: args['max-tftp-timeout'],
      minBytesPerSecond: minTransferRateOf(args['min-transfer-rate']),
      retries: args['tftp-retries'],
      busyPollMicros: args['busy-poll'],
      queueWaitMs: args['queue-wait'],
      workers: args['tftp-workers'],
    },
    ...(args['max-per-client'] === undefined ? {} : { maxPerClient: args['max-per-client'] }),
    ...(args['transfers-ceiling'] === undefined ? {} : { transfersCeiling: args['transfers-ceiling'] }),
    windowBytes: windowBytesOf(args['max-window-bytes']),
    ...(range === undefined || portRange === undefined ? {} : { portRange: { lo: range[0], hi: range[1], text: portRange } }),
  });
}

function checkPort(value: number, name: string): void {
  if (!Number.isInteger(value) || value < 1 || value > 65535) throw ERRORS.badPort.create({ option: name, value });
}

/**
 * Checks option combinations and ranges (BB_USAGE naming the option) and returns
 * the TFTP settings they make (see {@link serveTftpSettings} for its codes).
 */
export function validateServeArgs(args: ServeArgs): ServeTftpSettings {
  const ifaces = args.interface ?? [];
  if (ifaces.length === 0 && args.scopes === undefined) {
    throw ERRORS.nothingToServe.create();
  }
  if (new Set(ifaces).size !== ifaces.length) throw ERRORS.interfaceTwice.create();
  if (args.address !== undefined && ifaces.length !== 1) {
    throw ERRORS.addressNeedsOneInterface.create();
  }
  checkPort(args['tftp-port'], 'tftp-port');
  checkPort(args['dhcp-port'], 'dhcp-port');
  if (args['syslog-port'] !== undefined) {
    checkPort(args['syslog-port'], 'syslog-port');
    if (!args.syslog) throw ERRORS.syslogPortWithoutSyslog.create();
  }
  if (!Number.isInteger(args['max-transfers']) || args['max-transfers'] < 1 || args['max-transfers'] > MAX_SERVE_TRANSFERS) {
    throw ERRORS.badMaxTransfers.create({ value: args['max-transfers'] });
  }
  if (!(args['probe-timeout'] >= 0.5 && args['probe-timeout'] <= 30)) throw ERRORS.badProbeTimeout.create({ value: args['probe-timeout'] });
  if (!(args.grace >= 0 && args.grace <= 300)) throw ERRORS.badGrace.create({ value: args.grace });
  serveNewClientRate(args);
  return serveTftpSettings(args);
}

/**
 * The new-client rate limit of the DHCP server: `pool` (each scope's from its pool size)
 * when neither flag is given, undefined with `--new-client-rate 0` (no limit), else the
 * rate given with `--new-client-burst` (default: the rate, at least 64). Throws BB_USAGE
 * for a rate out of 0..100000, a burst not a whole number 1..100000, or a burst without
 * a rate (or with rate 0).
 */
export function serveNewClientRate(args: Pick<ServeArgs, 'new-client-rate' | 'new-client-burst'>): NewClientRateSetting | undefined {
  const perSecond = args['new-client-rate'];
  const burst = args['new-client-burst'];
  if (burst !== undefined && (!Number.isInteger(burst) || burst < 1 || burst > 100_000)) throw ERRORS.usage.create({ message: `--new-client-burst ${burst}: give a whole number from 1 to 100000` });
  if (perSecond === undefined) {
    if (burst !== undefined) throw ERRORS.usage.create({ message: '--new-client-burst needs --new-client-rate N: the default rate is sized from each scope\'s pool' });
    return 'pool';
  }
  if (!(perSecond >= 0 && perSecond <= 100_000)) throw ERRORS.usage.create({ message: `--new-client-rate ${perSecond}: give 0 (no limit) to 100000 new clients a second` });
  if (perSecond === 0) {
    if (burst !== undefined) throw ERRORS.usage.create({ message: '--new-client-burst with --new-client-rate 0 (no limit): leave out one of them' });
    return undefined;
  }
  return { perSecond, burst: burst ?? Math.max(64, Math.ceil(perSecond)) };
}

/** The syslog settings of the appliance; undefined with --no-syslog. */
export function serveSyslog(args: Pick<ServeArgs, 'syslog' | 'syslog-port'>): ApplianceSyslogConfig | undefined {
  if (!args.syslog) return undefined;
  return { port: args['syslog-port'] ?? SYSLOG_PORT, explicit: args['syslog-port'] !== undefined };
}

/**
 * The HTTP ports of a run: `--no-http` none (undefined), `--http-port N` (repeatable)
 * exactly those, which must be free; else the defaults, each skipped when taken.
 * Throws BB_USAGE for a port out of range or `--http-port` with `--no-http`.
 */
export function serveHttpConfig(args: Pick<ServeArgs, 'http' | 'http-port'>): ApplianceHttpConfig | undefined {
  const asked = args['http-port'] ?? [];
  if (!args.http) {
    if (asked.length > 0) throw ERRORS.usage.create({ message: '--http-port and --no-http contradict each other: leave out one of them' });
    return undefined;
  }
  for (const port of asked) checkPort(port, 'http-port');
  if (asked.length === 0) return { ports: DEFAULT_HTTP_PORTS.map((port) => ({ port, isExplicit: false })) };
  return { ports: [...new Set(asked)].map((port) => ({ port, isExplicit: true })) };
}

/** What to serve: the interfaces, the scope directory and the `--address` (parsed, BB_USAGE). */
export function serveTarget(args: ServeArgs): ServeTarget {
  return {
    interfaces: args.interface ?? [],
    ...(args.scopes === undefined ? {} : { scopesDir: args.scopes }),
    ...(args.address === undefined ? {} : { address: parseAddressSpec(args.address) }),
  };
}

/** The dashboard's default address: loopback only, so nothing on the bench reaches it. */
export const DEFAULT_WEB = { address: '127.0.0.1', port: 8067 } as const;

/**
 * Where the dashboard goes: nowhere with --no-web, the default (a busy port only
 * warns), or `--web ADDR:PORT` (an IPv4 address or `localhost`; port 0 = any free
 * port). Throws BB_USAGE for another form.
 */
export function serveWebConfig(web: string | false | undefined): ApplianceWebConfig | undefined {
  if (web === false) return undefined;
  if (web === undefined) return { ...DEFAULT_WEB, explicit: false };
  const m = /^\s*(localhost|\d{1,3}(?:\.\d{1,3}){3}):(\d{1,5})\s*$/.exec(web);
  const address = m?.[1] === 'localhost' ? '127.0.0.1' : m?.[1];
  const port = Number(m?.[2]);
  if (address === undefined || !isIPv4(address) || !(port >= 0 && port <= 65535)) throw ERRORS.badWebAddress.create({ text: JSON.stringify(web) });
  return { address, port, explicit: true };
}
