/**
 * The appliance's web part: the dashboard (src/web/) started after the servers and
 * stopped first (close.ts), fed with the appliance's events and the device book's
 * changes, and reading the appliance through {@link DashboardSource}. A reset from
 * the dashboard goes through the control socket's `device-reset`, as
 * `benchboot device reset` does. The address serve was told explicitly must bind
 * (BB_WEB otherwise); the default one, when busy, only costs the dashboard (a
 * warning, and `status` says why).
 */
import { wallTimeOf, type Clock } from '../clock.js';
import type { Scope } from '../config/scope.js';
import type { ControlRequest } from '../control/protocol.js';
import type { Lease } from '../dhcp/lease.js';
import { errorMessage } from '../errors.js';
import { readMac, redactRow, type InventoryIndex } from '../inventory/index.js';
import type { Logger } from '../log.js';
import type { ApplianceEvent } from '../ui/events.js';
import type { PrivilegedJobs } from '../net/privileged.js';
import { startDashboard, type Dashboard } from '../web/server.js';
import type { DashboardChange, DashboardSource } from '../web/source.js';
import { leasesOnWall } from './control.js';
import type { ApplianceDevices } from './devices.js';
import type { ApplianceStatus, WebState } from './status.js';

/** Where serve puts the dashboard. */
export interface ApplianceWebConfig {
  readonly address: string;
  readonly port: number;
  /** Given with --web: failing to bind it is fatal. The default address only warns. */
  readonly explicit: boolean;
  /** The token beyond loopback (default: random, printed in the log). */
  readonly token?: string;
}

/** What the web part reads of the appliance. */
export interface WebHost {
  readonly devices: () => ApplianceDevices | undefined;
  readonly status: () => ApplianceStatus;
  readonly leases: () => readonly Lease[];
  readonly scopes: () => readonly Scope[];
  readonly control: (request: ControlRequest) => Promise<unknown>;
  readonly inventory: () => InventoryIndex | undefined;
  readonly uploadDir: string | undefined;
  /** Where the listening socket comes from (src/net/privileged.ts); default: the dashboard listens itself. */
  readonly listenTcp?: PrivilegedJobs['listenTcp'];
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A running (or refused) web part. */
export class WebPart {
  private readonly listeners = new Set<(change: DashboardChange) => void>();
  private dashboard: Dashboard | undefined;
  private offReason: string | undefined;
  private unsubscribeDevices: (() => void) | undefined;

  constructor(private readonly host: WebHost) {}

  /** Starts the dashboard; throws BB_WEB when an explicit address cannot be bound. */
  async open(config: ApplianceWebConfig): Promise<void> {
    const log = this.host.logger.child({ component: 'web' });
    try {
      this.dashboard = await startDashboard({ address: config.address, port: config.port, source: this.source(), clock: this.host.clock, logger: this.host.logger, ...(config.token === undefined ? {} : { token: config.token }), ...(this.host.listenTcp ? { listenTcp: this.host.listenTcp } : {}) });
    } catch (err) {
      if (config.explicit) throw err;
      this.offReason = errorMessage(err);
      log.warn('the dashboard is off; serving goes on without it', { code: 'BB_WEB', err: this.offReason });
      return;
    }
    this.unsubscribeDevices = this.host.devices()?.subscribe((change) => this.emit({ kind: 'device', change }));
    const d = this.dashboard;
    if (d.tokenUrl !== undefined) log.info('dashboard (beyond loopback: open this URL once, it holds the token)', { url: d.tokenUrl });
    else log.info('dashboard', { url: d.url });
  }

  /** Hands one appliance event to the open pages. */
  publish(event: ApplianceEvent): void {
    this.emit({ kind: 'appliance', event });
  }

  /** The dashboard's URL, or why it is off. */
  state(): WebState {
    return this.dashboard ? { url: this.dashboard.url } : { off: this.offReason ?? 'not started' };
  }

  /** Closes the dashboard and every open page. */
  async close(): Promise<void> {
    this.unsubscribeDevices?.();
    const d = this.dashboard;
    this.dashboard = undefined;
    await d?.close();
  }

  private emit(change: DashboardChange): void {
    for (const l of this.listeners) l(change);
  }

  private inventoryCells(mac: string, clientId: string | undefined): Record<string, string> | undefined {
    const canonical = readMac(mac);
    const row = canonical === undefined ? undefined : this.host.inventory()?.lookup({ mac: canonical, ...(clientId === undefined ? {} : { clientId }) });
    return row && redactRow(row);
  }

  private source(): DashboardSource {
    const h = this.host;
    return {
      devices: () => h.devices()?.list() ?? [],
      device: (mac) => {
        const d = h.devices()?.detail(mac);
        const cells = d && this.inventoryCells(d.record.mac, d.record.clientId);
        return d && { ...d, ...(cells ? { inventoryCells: cells } : {}) };
      },
      resetDevice: async (mac) => void (await h.control({ op: 'device-reset', mac })),
      // Lease times and now on the wall clock, as a person reads them (steady-clock.ts).
      leases: () => leasesOnWall(h.leases(), h.clock),
      scopes: () => h.scopes(),
      transfers: () => h.status().tftp.transfers,
      counters: () => {
        const s = h.status();
        return { ...(s.dhcp ? { dhcp: s.dhcp } : {}), ...(s.tftp.counters ? { tftp: s.tftp.counters } : {}), ...(s.devices ? { devices: s.devices } : {}), reloads: s.reloads };
      },
      uploadDir: () => h.uploadDir,
      now: () => wallTimeOf(h.clock, h.clock.now()),
      subscribe: (listener) => {
        this.listeners.add(listener);
        return () => this.listeners.delete(listener);
      },
    };
  }
}
