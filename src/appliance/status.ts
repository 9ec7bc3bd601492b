/**
 * What `status` reports, built by one pure function from snapshots the running
 * appliance takes (scopes, leases, TFTP and DHCP counters, reload counts, the
 * clock): {@link buildStatus} reads no socket, file or clock of its own, so it is
 * table-tested.
 */
import { poolSize } from '../config/defaults.js';
import type { Scope } from '../config/scope.js';
import { inPool } from '../dhcp/choose-address.js';
import type { DhcpCountersSnapshot } from '../dhcp/counters.js';
import type { Lease } from '../dhcp/lease.js';
import { isLeaseFree } from '../dhcp/lease-table.js';
import { formatCidr, type Ipv4 } from '../net/ipv4.js';
import type { DeviceStatusName } from '../devices/index.js';
import type { TftpCounters, TransferInfo } from '../tftp/server.js';
import type { InboxRoom } from '../tftp/uploads.js';
import type { HttpCounters, HttpTransferInfo } from '../http/server.js';
import type { SkippedHttpPort } from './http.js';
import type { ApplianceTftpSettings } from './tftp-settings.js';
import type { SyslogStatus } from './syslog.js';
import type { InterfaceLinkStatus } from './link-state.js';

/** The HTTP server as status sees it (issue 14): where it listens, the default ports it left out and why. */
export interface HttpSnapshot {
  readonly listen: readonly string[];
  readonly skipped: readonly SkippedHttpPort[];
  readonly counters: Readonly<HttpCounters>;
  readonly transfers: readonly HttpTransferInfo[];
}

/** Lease counts of one scope at one moment. */
export interface ScopeLeaseCounts {
  /** Addresses in the scope's pool ranges. */
  readonly pool: number;
  readonly bound: number;
  readonly offered: number;
  /** DECLINEd addresses still quarantined. */
  readonly declined: number;
  /** Pool addresses nobody holds (pool minus bound, offered and declined addresses inside the ranges). */
  readonly free: number;
}

/**
 * Counts the leases of `scope` at `now`: a lease the lease table deems free
 * (released, or its `expiresAt` passed) holds nothing; reserved addresses outside
 * the ranges are counted as bound but never taken from `free`.
 */
export function countScopeLeases(scope: Scope, leases: readonly Lease[], now: number): ScopeLeaseCounts {
  const pool = poolSize(scope.ranges);
  let bound = 0;
  let offered = 0;
  let declined = 0;
  const held = new Set<Ipv4>();
  for (const l of leases) {
    if (l.scope !== scope.name || isLeaseFree(l, now)) continue;
    if (l.state === 'bound') bound++;
    else if (l.state === 'offered') offered++;
    else if (l.state === 'declined') declined++;
    if (inPool(scope, l.ip)) held.add(l.ip);
  }
  return { pool, bound, offered, declined, free: pool - held.size };
}

/** The web dashboard's URL, or why it is off (serve --web / --no-web). */
export type WebState = { readonly url: string } | { readonly off: string };

/** What `status` reports. */
export interface ApplianceStatus {
  readonly pid: number;
  readonly startedAt: number;
  readonly scopeSource: string;
  readonly scopes: readonly {
    readonly name: string;
    readonly interface: string;
    readonly subnet: string;
    readonly source?: string;
    /** Lease counts at the moment of the status. */
    readonly leases: ScopeLeaseCounts;
  }[];
  readonly tftp: {
    readonly listen: readonly string[];
    readonly root: string;
    readonly uploadDir?: string;
    readonly settings: ApplianceTftpSettings;
    /** Absent when not running. */
    readonly counters?: Readonly<TftpCounters>;
    readonly transfers: readonly TransferInfo[];
    /** How full the upload directory is, and uploads refused because it was swapped (absent when uploads are off or not running). */
    readonly uploads?: InboxRoom;
  };
  /** Absent when not running or with --no-http. */
  readonly http?: HttpSnapshot;
  /** Absent when not running. */
  readonly dhcp?: DhcpCountersSnapshot;
  readonly leases: { readonly bound: number; readonly offered: number; readonly total: number };
  readonly reloads: { readonly ok: number; readonly rejected: number };
  /** Devices by status (absent when not running). */
  readonly devices?: Readonly<Record<DeviceStatusName, number>>;
  /** Device logs received, or why not (absent when not running). */
  readonly syslog?: SyslogStatus;
  /** The dashboard (absent with --no-web). */
  readonly web?: WebState;
  /** Each served interface: serving, or why not (link down, gone...); absent when links are not watched. */
  readonly links?: readonly InterfaceLinkStatus[];
}

/** The TFTP server as status sees it at one moment (absent when not running). */
export interface TftpSnapshot {
  readonly listen: readonly string[];
  readonly counters: Readonly<TftpCounters>;
  readonly transfers: readonly TransferInfo[];
  readonly uploads?: InboxRoom;
}

/** Everything {@link buildStatus} reads, taken at one moment. */
export interface StatusSnapshot {
  readonly pid: number;
  readonly startedAt: number;
  readonly now: number;
  /**
   * The wall-clock time of a time of the appliance's clock (steady-clock.ts). The status
   * shows start and transfer times in wall time: `benchboot status` subtracts them from
   * its own Date.now(). Identity when absent.
   */
  readonly toWall?: (t: number) => number;
  readonly scopeSource: string;
  readonly scopes: readonly Scope[];
  readonly leases: readonly Lease[];
  readonly tftpRoot: string;
  readonly uploadDir?: string;
  readonly tftpSettings: ApplianceTftpSettings;
  readonly tftp?: TftpSnapshot;
  readonly http?: HttpSnapshot;
  readonly dhcp?: DhcpCountersSnapshot;
  readonly reloads: { readonly ok: number; readonly rejected: number };
  /** Devices by status (absent when not running). */
  readonly devices?: Readonly<Record<DeviceStatusName, number>>;
  readonly syslog?: SyslogStatus;
  readonly web?: WebState;
  readonly links?: readonly InterfaceLinkStatus[];
}

/** The upload room as a snapshot field (none when uploads are off). */
export function uploadsOf(room: InboxRoom | undefined): { readonly uploads?: InboxRoom } {
  return room === undefined ? {} : { uploads: room };
}

/** The status of the appliance from one snapshot (pure). */
export function buildStatus(s: StatusSnapshot): ApplianceStatus {
  const wall = s.toWall ?? ((t: number): number => t);
  return {
    pid: s.pid,
    startedAt: wall(s.startedAt),
    scopeSource: s.scopeSource,
    scopes: s.scopes.map((scope) => ({
      name: scope.name,
      interface: scope.interface,
      subnet: formatCidr(scope.subnet),
      ...(scope.source ? { source: scope.source } : {}),
      leases: countScopeLeases(scope, s.leases, s.now),
    })),
    tftp: {
      listen: s.tftp ? s.tftp.listen : [],
      root: s.tftpRoot,
      ...(s.uploadDir === undefined ? {} : { uploadDir: s.uploadDir }),
      settings: s.tftpSettings,
      ...(s.tftp ? { counters: s.tftp.counters } : {}),
      transfers: s.tftp ? s.tftp.transfers.map((x) => ({ ...x, startedAt: wall(x.startedAt) })) : [],
      ...(s.tftp?.uploads ? { uploads: s.tftp.uploads } : {}),
    },
    ...(s.http ? { http: s.http } : {}),
    ...(s.dhcp ? { dhcp: s.dhcp } : {}),
    leases: {
      bound: s.leases.filter((l) => l.state === 'bound').length,
      offered: s.leases.filter((l) => l.state === 'offered').length,
      total: s.leases.length,
    },
    reloads: s.reloads,
    ...(s.devices ? { devices: s.devices } : {}),
    ...(s.syslog ? { syslog: s.syslog } : {}),
    ...(s.web ? { web: s.web } : {}),
    ...(s.links ? { links: s.links } : {}),
  };
}
