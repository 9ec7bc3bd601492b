/**
 * What the dashboard reads from a running appliance, as one narrow interface: the
 * appliance implements it (src/appliance/web.ts), tests can fake it. The dashboard
 * never reaches the servers, stores or files around it otherwise, except the
 * upload directory it lists and sends files from.
 */
import type { Scope } from '../config/scope.js';
import type { DeviceChange, DeviceRecord, DeviceStatus, DeviceStatusName, DeviceSummaryRow } from '../devices/index.js';
import type { DhcpCountersSnapshot } from '../dhcp/counters.js';
import type { Lease } from '../dhcp/lease.js';
import type { TftpCounters, TransferInfo } from '../tftp/server-events.js';
import type { ApplianceEvent } from '../ui/events.js';

/** One device row: the report row plus the last file asked. */
export interface DashboardDevice extends DeviceSummaryRow {
  readonly lastFile?: string;
}

/** One device with its timeline and its inventory row (secret cells already masked). */
export interface DashboardDeviceDetail {
  readonly row: DashboardDevice;
  readonly status: DeviceStatus;
  readonly record: Readonly<DeviceRecord>;
  /** The cells of its inventory row, secrets masked (inventory `redactRow`); absent without a row. */
  readonly inventoryCells?: Readonly<Record<string, string>>;
}

/** Counters of the running servers. */
export interface DashboardCounters {
  readonly dhcp?: DhcpCountersSnapshot;
  readonly tftp?: Readonly<TftpCounters>;
  readonly devices?: Readonly<Record<DeviceStatusName, number>>;
  readonly reloads: { readonly ok: number; readonly rejected: number };
}

/** What changed, as the dashboard is told: an appliance event or a device book change. */
export type DashboardChange = { readonly kind: 'appliance'; readonly event: ApplianceEvent } | { readonly kind: 'device'; readonly change: DeviceChange };

/** The running appliance as the dashboard sees it. */
export interface DashboardSource {
  devices(): readonly DashboardDevice[];
  device(mac: string): DashboardDeviceDetail | undefined;
  /** Clears a device's record the way `benchboot device reset` does (the control socket's `device-reset`). */
  resetDevice(mac: string): Promise<void>;
  leases(): readonly Lease[];
  scopes(): readonly Scope[];
  transfers(): readonly TransferInfo[];
  counters(): DashboardCounters;
  /** The upload directory (`--upload-dir`), absent when uploads are off. */
  uploadDir(): string | undefined;
  /** Wall-clock now, ms. */
  now(): number;
  /** Subscribes to changes; returns the unsubscribe function. */
  subscribe(listener: (change: DashboardChange) => void): () => void;
}
