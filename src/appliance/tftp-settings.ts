/**
 * The appliance's TFTP settings: what the TFTP side of `serve` is configured with,
 * checked against the ONE table of the limits a technician may set (tftp-limits.ts).
 * {@link tftpConfig} checks a request against that table (BB_TFTP_OPTIONS for a
 * number out of range, BB_TFTP_CONFIG for too many alternates or a bad default
 * rule) before anything starts; {@link tftpSettingsOf} is what status reports.
 */
import { BLKSIZE_MIN } from '../tftp/negotiate.js';
import { compileDefaultRules, MAX_ALTERNATES, type DefaultRule } from '../tftp/resolve-path.js';
import { RECOMMENDED_MAX_WINDOW_BYTES, RECOMMENDED_MIN_WINDOW_BLOCKS, type TftpServerOptions } from '../tftp/server-options.js';
import { DEFAULT_UPLOAD_QUOTA_BYTES } from '../tftp/inbox-space.js';
import { DEFAULT_MAX_UPLOAD_VERSIONS } from '../tftp/upload-prune.js';
import { DEFAULT_UPLOAD_FILE_MODE } from '../tftp/uploads.js';
import { ERRORS } from '../errors.js';
import { checkRange, checkTftpLimit, defaultTransfersCeiling, MAX_SERVE_TRANSFERS, type TftpLimitName } from './tftp-limits.js';

export * from './tftp-limits.js';

/** The TFTP server settings the appliance passes through unchanged. */
export type ApplianceTftpServerLimits = Pick<TftpServerOptions, 'portRange' | 'maxPerClient' | 'transfersCeiling' | 'maxBlksize' | 'mtu' | 'maxWindowsize' | 'maxWindowBytes' | 'minWindowBlocks' | 'timeoutMs' | 'maxTimeoutSeconds' | 'minBytesPerSecond' | 'retries' | 'busyPollMicros' | 'queueWaitMs' | 'workers' | 'workerUrl'>;

/** TFTP settings of the appliance. */
export interface ApplianceTftpConfig {
  readonly root: string;
  /** Enables uploads (WRQ) into this directory. */
  readonly uploadDir?: string;
  readonly port: number;
  readonly maxTransfers: number;
  /**
   * Addresses to listen on. Default: the served interfaces' own addresses (never
   * 0.0.0.0, so TFTP is not offered on the laptop's other networks).
   */
  readonly listenAddresses?: readonly string[];
  /** Up to ten directories searched after the root, in order. */
  readonly alternates?: readonly string[];
  /** Default files for names found nowhere (first matching glob wins). */
  readonly defaults?: readonly DefaultRule[];
  /** Match file names ignoring case. */
  readonly caseInsensitive?: boolean;
  /** A tftpd-hpa style remap file, read at start (errors name the file and line). */
  readonly mapFile?: string;
  /** Replace an upload of the same name instead of keeping every version. */
  readonly overwriteUploads?: boolean;
  /** Largest upload in bytes: the storage's limit and the server's tsize check. */
  readonly maxUploadBytes?: number;
  /** Permission bits of saved uploads (default 0o600, owner only). */
  readonly uploadMode?: number;
  /** Total bytes the upload directory may hold (default 1 GiB). */
  readonly uploadQuotaBytes?: number;
  /** Most versions kept per upload name, the first included, or `all` (default 10). */
  readonly maxUploadVersions?: number | 'all';
  /** Bytes kept available on the upload directory's file system (default 5 %, at most 256 MiB). */
  readonly minFreeBytes?: number;
  /** Transfer and negotiation limits handed to the TFTP server as they are. */
  readonly server?: ApplianceTftpServerLimits;
}

/** The storage and server settings in force, as status reports them (paths as configured). */
export interface ApplianceTftpSettings {
  readonly alternates: readonly string[];
  readonly defaults: readonly DefaultRule[];
  readonly caseInsensitive: boolean;
  readonly mapFile?: string;
  readonly overwriteUploads: boolean;
  readonly maxUploadBytes?: number;
  /** Permission bits of saved uploads (when uploads are on). */
  readonly uploadMode?: number;
  readonly uploadQuotaBytes?: number;
  readonly maxUploadVersions?: number | 'all';
  readonly minFreeBytes?: number;
  readonly maxTransfers: number;
  readonly server: ApplianceTftpServerLimits;
}


/** The window-bytes request: `auto` (64K, at least two blocks) or a byte count (0 = no limit) with its text. */
export type WindowBytesRequest = { readonly kind: 'auto' } | { readonly kind: 'bytes'; readonly bytes: number; readonly text: string };

/** A port range as given (`text` is how the technician wrote it, for messages). */
export interface PortRangeRequest {
  readonly lo: number;
  readonly hi: number;
  readonly text: string;
}

/** What the TFTP side of the appliance is asked for, before checking. */
export interface TftpRequest {
  readonly root: string;
  readonly uploadDir?: string;
  readonly port: number;
  /** The DHCP port, which a transfer port range must not contain. */
  readonly dhcpPort: number;
  readonly maxTransfers: number;
  readonly alternates: readonly string[];
  readonly defaults: readonly DefaultRule[];
  readonly caseInsensitive: boolean;
  readonly mapFile?: string;
  readonly overwriteUploads: boolean;
  readonly maxUploadBytes?: number;
  readonly uploadMode?: number;
  readonly uploadQuotaBytes?: number;
  readonly maxUploadVersions?: number | 'all';
  readonly minFreeBytes?: number;
  readonly limits: { readonly [K in TftpLimitName]?: number | undefined };
  readonly maxPerClient?: number;
  /** `--transfers-ceiling` (default: defaultTransfersCeiling of maxTransfers). */
  readonly transfersCeiling?: number;
  readonly windowBytes: WindowBytesRequest;
  readonly portRange?: PortRangeRequest;
}

/** Checks that a transfer port range lies inside 1..65535 with LO <= HI. Throws BB_TFTP_OPTIONS. */
export function checkPortBounds(range: PortRangeRequest): readonly [number, number] {
  if (range.lo < 1 || range.hi > 65535 || range.lo > range.hi) {
    throw ERRORS.portRangeBounds.create({ text: range.text });
  }
  return [range.lo, range.hi];
}

/** Checks a transfer port range: inside 1..65535, ordered, and clear of the TFTP and DHCP ports. */
function checkPortRange(range: PortRangeRequest | undefined, ports: readonly (readonly [number, string])[]): readonly [number, number] | undefined {
  if (range === undefined) return undefined;
  checkPortBounds(range);
  for (const [port, what] of ports) {
    if (port >= range.lo && port <= range.hi) throw ERRORS.portRangeClash.create({ text: range.text, option: what, port });
  }
  return [range.lo, range.hi];
}

/** The window limit in bytes (0 = none); throws BB_TFTP_OPTIONS below one smallest block. */
function windowBytesOf(request: WindowBytesRequest): number {
  if (request.kind === 'auto') return RECOMMENDED_MAX_WINDOW_BYTES;
  if (request.bytes !== 0 && request.bytes < BLKSIZE_MIN) {
    throw ERRORS.windowBytesTooSmall.create({ text: request.text, min: BLKSIZE_MIN });
  }
  return request.bytes;
}

/** Checks the limits of a request and returns the server limits they make. */
export function tftpServerLimits(request: TftpRequest): ApplianceTftpServerLimits {
  const maxBlksize = checkTftpLimit('maxBlksize', request.limits.maxBlksize);
  const mtu = checkTftpLimit('mtu', request.limits.mtu);
  const maxWindowsize = checkTftpLimit('maxWindowsize', request.limits.maxWindowsize);
  const maxWindowBytes = windowBytesOf(request.windowBytes);
  const maxPerClient = checkRange(request.maxPerClient, 'max-per-client', 1, request.maxTransfers, ' (at most --max-transfers)');
  const timeoutMs = checkTftpLimit('timeoutMs', request.limits.timeoutMs);
  const maxTimeoutSeconds = checkTftpLimit('maxTimeoutSeconds', request.limits.maxTimeoutSeconds);
  const minBytesPerSecond = checkTftpLimit('minBytesPerSecond', request.limits.minBytesPerSecond);
  const retries = checkTftpLimit('retries', request.limits.retries);
  const busyPollMicros = checkTftpLimit('busyPollMicros', request.limits.busyPollMicros);
  const queueWaitMs = checkTftpLimit('queueWaitMs', request.limits.queueWaitMs);
  const workers = checkTftpLimit('workers', request.limits.workers);
  const portRange = checkPortRange(request.portRange, [
    [request.port, 'tftp-port'],
    [request.dhcpPort, 'dhcp-port'],
  ]);
  // By default the limit adapts no higher than a --port-range has sockets for (beyond them a transfer fails instead of waiting).
  const roomOfRange = portRange === undefined ? Infinity : Math.max(request.maxTransfers, portRange[1] - portRange[0] + 1);
  const transfersCeiling = checkRange(request.transfersCeiling ?? Math.min(roomOfRange, defaultTransfersCeiling(request.maxTransfers)), 'transfers-ceiling', request.maxTransfers, MAX_SERVE_TRANSFERS, ' (at least --max-transfers)');
  return {
    ...(portRange === undefined ? {} : { portRange }),
    ...(maxPerClient === undefined ? {} : { maxPerClient }),
    transfersCeiling,
    ...(maxBlksize === undefined ? {} : { maxBlksize }),
    ...(mtu === undefined ? {} : { mtu }),
    ...(maxWindowsize === undefined ? {} : { maxWindowsize }),
    ...(maxWindowBytes === 0 ? {} : { maxWindowBytes }),
    ...(request.windowBytes.kind === 'auto' ? { minWindowBlocks: RECOMMENDED_MIN_WINDOW_BLOCKS } : {}),
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
    ...(maxTimeoutSeconds === undefined ? {} : { maxTimeoutSeconds }),
    ...(minBytesPerSecond === undefined ? {} : { minBytesPerSecond }),
    ...(retries === undefined ? {} : { retries }),
    ...(busyPollMicros === undefined ? {} : { busyPollMicros }),
    ...(queueWaitMs === undefined ? {} : { queueWaitMs }),
    ...(workers === undefined ? {} : { workers }),
  };
}

/**
 * Checks a TFTP request (no file is read here) and returns the appliance's TFTP
 * settings. Throws BB_TFTP_CONFIG for too many alternates or a bad default rule,
 * BB_TFTP_OPTIONS for a limit out of range.
 */
export function tftpConfig(request: TftpRequest): ApplianceTftpConfig {
  if (request.alternates.length > MAX_ALTERNATES) {
    throw ERRORS.tooManyAlternates.create({ count: request.alternates.length, max: MAX_ALTERNATES });
  }
  const compiled = compileDefaultRules(request.defaults, request.caseInsensitive);
  if (compiled.kind === 'invalid') throw ERRORS.badDefaultRule.create({ problem: compiled.message });
  const server = tftpServerLimits(request);
  return {
    root: request.root,
    ...(request.uploadDir === undefined ? {} : { uploadDir: request.uploadDir }),
    port: request.port,
    maxTransfers: request.maxTransfers,
    alternates: request.alternates,
    defaults: request.defaults,
    caseInsensitive: request.caseInsensitive,
    ...(request.mapFile === undefined ? {} : { mapFile: request.mapFile }),
    overwriteUploads: request.overwriteUploads,
    ...(request.maxUploadBytes === undefined ? {} : { maxUploadBytes: request.maxUploadBytes }),
    ...(request.uploadMode === undefined ? {} : { uploadMode: request.uploadMode }),
    ...uploadRoomOf(request),
    server,
  };
}

/** The inbox's room settings that were given (the storage checks their ranges). */
function uploadRoomOf(t: Pick<ApplianceTftpConfig, 'uploadQuotaBytes' | 'maxUploadVersions' | 'minFreeBytes'>): Pick<ApplianceTftpConfig, 'uploadQuotaBytes' | 'maxUploadVersions' | 'minFreeBytes'> {
  return {
    ...(t.uploadQuotaBytes === undefined ? {} : { uploadQuotaBytes: t.uploadQuotaBytes }),
    ...(t.maxUploadVersions === undefined ? {} : { maxUploadVersions: t.maxUploadVersions }),
    ...(t.minFreeBytes === undefined ? {} : { minFreeBytes: t.minFreeBytes }),
  };
}

/** The inbox's quota and version cap in force (defaults filled in); the floor only when given (its default depends on the disk). */
function uploadRoomInForce(t: ApplianceTftpConfig): Pick<ApplianceTftpConfig, 'uploadQuotaBytes' | 'maxUploadVersions' | 'minFreeBytes'> {
  return {
    uploadQuotaBytes: t.uploadQuotaBytes ?? DEFAULT_UPLOAD_QUOTA_BYTES,
    ...(t.overwriteUploads === true ? {} : { maxUploadVersions: t.maxUploadVersions ?? DEFAULT_MAX_UPLOAD_VERSIONS }),
    ...(t.minFreeBytes === undefined ? {} : { minFreeBytes: t.minFreeBytes }),
  };
}

/** The settings in force as status reports them. */
export function tftpSettingsOf(t: ApplianceTftpConfig): ApplianceTftpSettings {
  return {
    alternates: t.alternates ?? [],
    defaults: t.defaults ?? [],
    caseInsensitive: t.caseInsensitive ?? false,
    ...(t.mapFile === undefined ? {} : { mapFile: t.mapFile }),
    overwriteUploads: t.overwriteUploads ?? false,
    ...(t.maxUploadBytes === undefined ? {} : { maxUploadBytes: t.maxUploadBytes }),
    ...(t.uploadDir === undefined ? {} : { uploadMode: t.uploadMode ?? DEFAULT_UPLOAD_FILE_MODE }),
    ...(t.uploadDir === undefined ? {} : uploadRoomInForce(t)),
    maxTransfers: t.maxTransfers,
    server: t.server ?? {},
  };
}
