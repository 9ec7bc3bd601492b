/**
 * The dashboard's live stream: server-sent events pushed to every open page when the
 * appliance reports something (a lease, a transfer's progress, a device book change),
 * never polled by the page. Changes mark panels dirty; one flush per interval renders
 * each dirty panel once (server-side, escaped like the first render) and sends it as
 * an SSE event named after the panel, which dashboard.js swaps into the page. The
 * device table is rendered once per filter the open pages show (the filter travels in
 * the stream's query, and a page that changes it opens a new stream, which gets its
 * table at once). A page showing one device also gets `device-status` and `timeline`
 * for that device.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { canonicalMac } from '../devices/index.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import { normalFilter, type DeviceFilter } from './render-devices.js';
import type { DashboardChange } from './source.js';

/** The panels of the overview page that are pushed live. */
export const LIVE_PANELS = ['devices', 'counters', 'transfers', 'leases', 'scopes', 'uploads'] as const;
/** One live panel. */
export type LivePanel = (typeof LIVE_PANELS)[number];

/** Coalescing interval of the pushes (ms): progress at most 5 times a second. */
export const LIVE_FLUSH_MS = 200;
/**
 * A flush waits at least this many times as long as the last one took, so rendering
 * the panels takes at most about a tenth of the time however large they grow (10,000
 * devices and their leases rendered 5 times a second cut the DHCP rate by 95 %).
 */
export const LIVE_FLUSH_COST_FACTOR = 10;
/** Longest wait between two flushes, whatever the render cost (ms). */
export const LIVE_FLUSH_MAX_MS = 5_000;

/** Most bytes queued for one slow page before it is dropped (it reconnects). */
const MAX_QUEUED_BYTES = 4 * 1024 * 1024;

/** The panels (and the device) a change makes stale. Pure. */
export function staleAfter(change: DashboardChange): { panels: LivePanel[]; mac?: string } {
  if (change.kind === 'device') {
    const c = change.change;
    const mac = c.kind === 'evicted' ? c.eviction.mac : c.mac;
    return { panels: ['devices', 'counters'], mac };
  }
  switch (change.event.kind) {
    case 'lease':
      return { panels: ['leases', 'scopes', 'counters'] };
    case 'transfer-started':
      return { panels: ['transfers', 'counters'] };
    case 'transfer-progress':
      return { panels: ['transfers'] };
    case 'transfer-finished':
    case 'transfer-failed':
      return { panels: ['transfers', 'counters', 'uploads'] };
    case 'tftp-busy':
    case 'tftp-refused':
      return { panels: ['counters'] };
    case 'reload':
    case 'link':
      return { panels: ['scopes', 'counters'] };
    case 'device-status':
    case 'device-removed':
      return { panels: ['devices', 'counters'], mac: canonicalMac(change.event.mac) ?? change.event.mac };
    case 'devices-restored':
      return { panels: ['devices', 'counters'] };
  }
}

/** One open page. */
export interface LiveClient {
  /** Canonical MAC of the device page, if it is one. */
  readonly device?: string;
  /** What the page's device table shows (default: every device). */
  readonly filter?: DeviceFilter;
  write(chunk: string): void;
  queuedBytes(): number;
  close(): void;
}

/** Renders what the hub pushes. */
export interface LiveRenderer {
  /** One panel; the device table as `filter` selects. */
  panel(panel: LivePanel, filter?: DeviceFilter): Promise<string>;
  /** The status block and timeline of a device page; undefined when the device is unknown. */
  device(mac: string): { status: string; timeline: string } | undefined;
}

/** One SSE event: `event:` then one `data:` line per line of `html`. */
export function formatSse(event: string, html: string): string {
  return `event: ${event}\n${html
    .split('\n')
    .map((line) => `data: ${line}`)
    .join('\n')}\n\n`;
}

/** The open pages and what they still need. */
export class LiveHub {
  private readonly clients = new Set<LiveClient>();
  private readonly dirty = new Set<LivePanel>();
  private readonly dirtyDevices = new Set<string>();
  private timer: TimerHandle | undefined;
  private flushing = false;
  /** Wait before the next flush: LIVE_FLUSH_MS, longer after a costly render. */
  private delayMs = LIVE_FLUSH_MS;

  constructor(
    private readonly render: LiveRenderer,
    private readonly clock: Clock,
    private readonly log: Logger,
  ) {}

  /** Adds a page and sends it its device table; returns the function that removes it. */
  add(client: LiveClient): () => void {
    this.clients.add(client);
    client.write('retry: 2000\n\n');
    if (client.device === undefined) {
      this.render
        .panel('devices', client.filter)
        .then((html) => this.clients.has(client) && client.write(formatSse('devices', html)))
        .catch((err: unknown) => this.log.error('a dashboard push failed', { code: 'BB_INTERNAL', err: errorMessage(err) }));
    }
    return () => this.clients.delete(client);
  }

  /** Number of open pages. */
  size(): number {
    return this.clients.size;
  }

  /** Notes a change; the panels it makes stale are pushed at the next flush. */
  notice(change: DashboardChange): void {
    if (this.clients.size === 0) return;
    const stale = staleAfter(change);
    for (const p of stale.panels) this.dirty.add(p);
    if (stale.mac !== undefined) this.dirtyDevices.add(stale.mac);
    this.schedule();
  }

  /** Marks every panel stale (time-derived statuses such as `gone` change without an event). */
  refreshAll(): void {
    if (this.clients.size === 0) return;
    for (const p of LIVE_PANELS) this.dirty.add(p);
    this.schedule();
  }

  private schedule(): void {
    this.timer ??= this.clock.setTimer(this.delayMs, () => void this.flush());
  }

  /** Closes every page and stops the timer. */
  close(): void {
    this.timer?.cancel();
    this.timer = undefined;
    for (const c of this.clients) c.close();
    this.clients.clear();
  }

  private async flush(): Promise<void> {
    this.timer = undefined;
    if (this.flushing) return this.schedule();
    this.flushing = true;
    const startedMs = this.clock.now();
    const panels = [...this.dirty];
    const devices = [...this.dirtyDevices];
    this.dirty.clear();
    this.dirtyDevices.clear();
    try {
      let chunk = '';
      for (const p of panels) if (p !== 'devices') chunk += formatSse(p, await this.render.panel(p));
      const tables = panels.includes('devices') ? await this.deviceTables() : new Map<string, string>();
      this.broadcast(chunk, tables, devices);
    } catch (err) {
      this.log.error('a dashboard push failed', { code: 'BB_INTERNAL', err: errorMessage(err) });
    } finally {
      this.flushing = false;
      const spentMs = this.clock.now() - startedMs;
      this.delayMs = Math.min(LIVE_FLUSH_MAX_MS, Math.max(LIVE_FLUSH_MS, spentMs * LIVE_FLUSH_COST_FACTOR));
    }
  }

  /** The device table of each filter the overview pages show, as SSE events keyed by filterKey. */
  private async deviceTables(): Promise<Map<string, string>> {
    const tables = new Map<string, string>();
    for (const c of this.clients) {
      const key = filterKey(c);
      if (c.device !== undefined || tables.has(key)) continue;
      tables.set(key, formatSse('devices', await this.render.panel('devices', c.filter)));
    }
    return tables;
  }

  private broadcast(chunk: string, tables: ReadonlyMap<string, string>, devices: readonly string[]): void {
    const perDevice = new Map<string, string>();
    for (const mac of devices) {
      const d = this.render.device(mac);
      if (d) perDevice.set(mac, formatSse('device-status', d.status) + formatSse('timeline', d.timeline));
    }
    for (const c of this.clients) {
      const own = c.device === undefined ? (tables.get(filterKey(c)) ?? '') : (perDevice.get(c.device) ?? '');
      if (chunk + own === '') continue;
      if (c.queuedBytes() > MAX_QUEUED_BYTES) {
        this.log.debug('a dashboard page reads too slowly; dropped (it reconnects)');
        this.clients.delete(c);
        c.close();
        continue;
      }
      c.write(chunk + own);
    }
  }
}

/** Pages with the same key show the same device table. */
function filterKey(c: LiveClient): string {
  const { status, q } = normalFilter(c.filter ?? {});
  return JSON.stringify([status, q]);
}

/** The canonical MAC of a device page's `?device=` (undefined for the overview). */
export function deviceOfQuery(text: string | string[] | undefined): string | undefined {
  return typeof text === 'string' ? canonicalMac(text) : undefined;
}
