/**
 * The appliance's devices (issue 13 part 1): one DeviceBook fed by the DHCP and
 * TFTP events, journaled to `<stateDir>/devices/` in the background (never on the
 * DHCP fsync-before-ACK path: appends only queue), restored at start, swept on a
 * timer (Clock seam), compacted by the journal and at stop, and asked by the
 * control socket (`devices`, `device`, `device-reset`) and `status`. The book runs on
 * the server's steady clock; the store and the answers hold wall time. Status changes
 * go out as `device-status` events (device-status-feed.ts) for the live view.
 */
import { join } from 'node:path';
import { wallTimeOf, type Clock, type TimerHandle } from '../clock.js';
import {
  compactBook,
  DeviceBook,
  journalChanges,
  openJsonlDeviceStore,
  recordOnWall,
  restoreBook,
  rowOnWall,
  summarizeDevice,
  type DeviceListener,
  type DeviceObservation,
  type DeviceRecord,
  type DeviceStatus,
  type DeviceStatusName,
  type DeviceStore,
  type DeviceSummaryRow,
  type RetentionLimits,
} from '../devices/index.js';
import type { Lease } from '../dhcp/lease.js';
import { readMac, type DeviceRow, type InventoryIndex } from '../inventory/index.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { TftpServer } from '../tftp/server.js';
import type { DeviceViewEvent } from '../ui/events.js';
import { expectationsOfRecord, inventoryKeyOf } from './device-expectations.js';
import { DeviceStatusFeed } from './device-status-feed.js';
import { macOfAddress, observeLease, TftpDeviceFeed, type FileFeedSource, type LeaseEventFacts } from './device-feed.js';
import type { RenderFailure } from '../provision/index.js';

/** The directory of the device records inside the state directory. */
export const DEVICES_DIR = 'devices';

/** How often age retention is applied to the timelines (ms). */
export const DEVICE_SWEEP_MS = 60_000;

/** The device directory of a state directory. */
export function devicesDir(stateDir: string): string {
  return join(stateDir, DEVICES_DIR);
}

/** What {@link ApplianceDevices.open} needs. */
export interface ApplianceDevicesOptions {
  readonly stateDir: string;
  readonly clock: Clock;
  readonly logger: Logger;
  /** The leases of one address (the lease table's lookup), to find the device behind a TFTP peer or syslog sender. */
  readonly leasesAt: (ip: string) => readonly Lease[];
  /** The inventory in force (`serve --inventory`): a device's row names it and may list what it expects. */
  readonly inventory?: () => InventoryIndex | undefined;
  /** Receives every device's status at open, then each change and each eviction, until close (the live view). */
  readonly onStatus?: (event: DeviceViewEvent) => void;
  /** Retention of the device book (default DEFAULT_RETENTION). */
  readonly retention?: Partial<RetentionLimits>;
  /** The render failure behind a refused request, taken once (the provisioning storage notes it). */
  readonly renderFailureOf?: (peer: string, file: string) => RenderFailure | undefined;
}

/** One device as the `devices` control op answers it. */
export interface DeviceListEntry extends DeviceSummaryRow {
  /** The last file asked (latest outcome), for the table. */
  readonly lastFile?: string;
}

/** One device with its timeline, as the `device` control op answers it. */
export interface DeviceDetail {
  readonly row: DeviceListEntry;
  readonly status: DeviceStatus;
  readonly record: Readonly<DeviceRecord>;
}

/** The device book of a running appliance, with its store and timers. */
export class ApplianceDevices {
  readonly book: DeviceBook;
  private store: DeviceStore | undefined;
  private unjournal: (() => void) | undefined;
  private sweepTimer: TimerHandle | undefined;
  private readonly log: Logger;
  private readonly tftpFeed: TftpDeviceFeed;
  private statusFeed: DeviceStatusFeed | undefined;

  constructor(private readonly options: ApplianceDevicesOptions) {
    this.log = options.logger.child({ component: 'devices' });
    this.book = new DeviceBook({ ...(options.retention ? { retention: options.retention } : {}), expectationsFor: (record) => expectationsOfRecord(record, this.rowOf(record.mac, record.clientId)), onListenerError: (err) => this.log.error('a device listener failed', { code: 'BB_INTERNAL', err: errorMessage(err) }) });
    this.tftpFeed = new TftpDeviceFeed({
      now: () => options.clock.now(),
      macOf: (address) => macOfAddress(options.leasesAt(address), address),
      observe: (o) => this.observe(o),
      ...(options.renderFailureOf === undefined ? {} : { renderFailureOf: options.renderFailureOf }),
    });
  }

  /** Opens the store, restores the book from it, then journals every change and starts the sweep. */
  async open(): Promise<void> {
    const { clock, logger, stateDir } = this.options;
    const store = await openJsonlDeviceStore({ dir: devicesDir(stateDir), clock, logger: logger.child({ component: 'devices' }) });
    const restored = await restoreBook(this.book, store, clock.now());
    this.store = store;
    this.unjournal = journalChanges(this.book, store, { toWall: this.toWall });
    this.log.info('device records restored', { devices: restored.devices, entries: restored.entriesReplayed, damagedLines: restored.damagedLines, tornLines: restored.tornLines });
    this.scheduleSweep();
    if (this.options.onStatus) {
      this.statusFeed = new DeviceStatusFeed({ book: this.book, clock, emit: this.options.onStatus });
      this.statusFeed.start();
    }
  }

  /** Files one DHCP lease event. */
  observeLease(e: LeaseEventFacts): void {
    const atMs = this.options.clock.now();
    const lease = e.ip === undefined ? undefined : this.options.leasesAt(e.ip).find((l) => l.scope === e.scope);
    const o = observeLease(e, atMs, lease);
    if (o) this.observe(o);
  }

  /** Files a syslog message under the device holding `address`; false when no lease names one. */
  observeSyslog(address: string, message: { readonly facility: number; readonly severity: number; readonly text: string }): boolean {
    const mac = macOfAddress(this.options.leasesAt(address), address);
    if (mac === undefined) return false;
    const { facility, severity, text } = message;
    this.observe({ mac, facts: { lastIp: address }, event: { kind: 'syslog', atMs: this.options.clock.now(), facility, severity, text } });
    return true;
  }

  /** Files the transfers of `tftp` from now on. */
  watchTftp(tftp: TftpServer): void {
    this.tftpFeed.watch(tftp);
  }

  /** Files the requests of the HTTP server from now on (protocol `http`). */
  watchHttp(http: FileFeedSource): void {
    this.tftpFeed.forProtocol('http').watch(http);
  }

  /** Subscribes to the book's changes (the live view). */
  subscribe(listener: DeviceListener): () => void {
    return this.book.subscribe(listener);
  }

  /** Every device with its status, sorted by MAC; times on the wall clock. */
  list(): DeviceListEntry[] {
    const now = this.options.clock.now();
    return this.book
      .view(now)
      .map((v) => rowOnWall({ ...summarizeDevice(v), ...lastFileOf(v.record) }, this.toWall))
      .sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
  }

  /** One device with its timeline, or undefined when unknown; times on the wall clock. */
  detail(mac: string): DeviceDetail | undefined {
    const record = this.book.get(mac);
    const status = this.book.status(mac, this.options.clock.now());
    if (!record || !status) return undefined;
    return { row: rowOnWall({ ...summarizeDevice({ record, status }), ...lastFileOf(record) }, this.toWall), status, record: recordOnWall(record, this.toWall) };
  }

  /** The vendor profile the DHCP answer used for the device `mac`, as its record holds it. */
  profileIdOf(mac: string): string | undefined {
    return this.book.get(mac)?.facts.profileId;
  }

  /** Clears one device's record; false when unknown. */
  reset(mac: string): boolean {
    return this.book.reset(mac, this.options.clock.now());
  }

  /** Devices by status (every status present, zero when none). */
  countsByStatus(): Record<DeviceStatusName, number> {
    const counts: Record<DeviceStatusName, number> = { discovered: 0, leased: 0, fetching: 0, provisioned: 0, stuck: 0, gone: 0 };
    for (const v of this.book.view(this.options.clock.now())) counts[v.status.status]++;
    return counts;
  }

  /** Stops the sweep and the journal, snapshots the book and closes the store. */
  async close(): Promise<void> {
    this.sweepTimer?.cancel();
    this.sweepTimer = undefined;
    this.statusFeed?.stop();
    this.unjournal?.();
    this.unjournal = undefined;
    const store = this.store;
    this.store = undefined;
    if (!store) return;
    await compactBook(this.book, store, this.toWall);
    await store.close();
  }

  /**
   * The wall-clock time of a time of the book. The book runs on the server's steady
   * clock (durations stay true across a step of the wall clock); the store and every
   * answer carry wall time, as the lease files and `benchboot leases` do.
   */
  private readonly toWall = (t: number): number => wallTimeOf(this.options.clock, t);

  /** The inventory row of a device, by client-id, then MAC. */
  private rowOf(mac: string, clientId: string | undefined): DeviceRow | undefined {
    const index = this.options.inventory?.();
    const canonical = index === undefined ? undefined : readMac(mac);
    return canonical === undefined ? undefined : index?.lookup({ mac: canonical, ...(clientId === undefined ? {} : { clientId }) });
  }

  private observe(o: DeviceObservation): void {
    const row = this.rowOf(o.mac, o.clientId);
    // The row names the device (and its host name when the device sent none).
    if (row !== undefined) o = { ...o, facts: { ...(row.hostname === undefined ? {} : { hostname: row.hostname }), ...o.facts, inventoryKey: inventoryKeyOf(row) } };
    const r = this.book.apply(o);
    if (r.kind === 'refused') this.log.debug('an event without a usable MAC was not filed', { mac: r.mac });
  }

  private scheduleSweep(): void {
    this.sweepTimer = this.options.clock.setTimer(DEVICE_SWEEP_MS, () => {
      const dropped = this.book.sweep(this.options.clock.now());
      if (dropped > 0) this.log.debug('timeline entries past their age dropped', { dropped });
      this.scheduleSweep();
    });
  }
}

function lastFileOf(record: Readonly<DeviceRecord>): { lastFile?: string } {
  const files = record.progress.files;
  let last: (typeof files)[number] | undefined;
  for (const f of files) if (!last || f.atMs >= last.atMs) last = f;
  return last ? { lastFile: last.result === 'delivered' ? last.name : `${last.name} (${last.result})` } : {};
}
