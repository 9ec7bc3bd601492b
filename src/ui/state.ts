/**
 * The live view's state as a pure reducer over appliance events: one row per
 * device (by MAC), with its status from the device book, the transfers in flight
 * with what is needed for rate and ETA, and running totals. No terminal, no clock:
 * times come from the events.
 */
import { canonicalMac } from '../devices/identity.js';
import type { DeviceStatusName, StatusReason } from '../devices/status-reason.js';
import type { ApplianceEvent, DeviceStatusEvent, RestoredDevice } from './events.js';

/** One device seen on the wire. */
export interface DeviceRow {
  readonly mac: string;
  readonly vendorClass?: string;
  readonly hostname?: string;
  readonly ip: string;
  readonly leaseState: string;
  /** The last file this device asked for (by its leased IP), if any. */
  readonly lastFile?: string;
  /** Its status in the device book, once the book reported one. */
  readonly status?: DeviceStatusName;
  /** Why it has that status. */
  readonly reason?: StatusReason;
}

/** One transfer in flight. */
export interface TransferRow {
  readonly id: string;
  readonly peer: string;
  readonly file: string;
  readonly direction: 'read' | 'write';
  readonly size?: number;
  readonly bytes: number;
  readonly startedAt: number;
  /** Time of the last progress report. */
  readonly updatedAt: number;
}

/** Running totals. */
export interface Totals {
  /** Devices whose lease is currently bound. */
  readonly leases: number;
  readonly transfersDone: number;
  readonly failures: number;
  readonly busyRefusals: number;
}

/** Everything the live view shows. */
export interface ViewState {
  /** What is served, e.g. `eth1 10.10.0.0/24 (scope lab)`; set once at start. */
  readonly serving: readonly string[];
  /** Devices in the order they were first seen. */
  readonly devices: readonly DeviceRow[];
  readonly transfers: readonly TransferRow[];
  readonly totals: Totals;
  /** The latest notable messages (reloads, failures), newest last, at most MAX_NOTICES. */
  readonly notices: readonly string[];
  /** Served interfaces that are not served now (down, gone...), by name, in words. */
  readonly linksDown: Readonly<Record<string, string>>;
}

/** How many notices the view keeps. */
export const MAX_NOTICES = 4;

/** The state before any event. */
export function initialViewState(serving: readonly string[]): ViewState {
  return {
    serving,
    devices: [],
    transfers: [],
    totals: { leases: 0, transfersDone: 0, failures: 0, busyRefusals: 0 },
    notices: [],
    linksDown: {},
  };
}

function addNotice(notices: readonly string[], text: string): readonly string[] {
  return [...notices, text].slice(-MAX_NOTICES);
}

/** Sets the "last file" of the device holding `ip` (the newest row wins if an address moved). */
function withLastFile(devices: readonly DeviceRow[], ip: string, lastFile: string): readonly DeviceRow[] {
  const owner = devices.findLast((d) => d.ip === ip);
  return owner ? devices.map((d) => (d === owner ? { ...d, lastFile } : d)) : devices;
}

function countBound(devices: readonly DeviceRow[]): number {
  return devices.filter((d) => d.leaseState === 'bound').length;
}

/** The row of `mac`: the same text (the usual case), else the same MAC in another spelling (`00:1b:…`, `001b…`). */
function rowOf(devices: readonly DeviceRow[], mac: string): DeviceRow | undefined {
  const exact = devices.find((d) => d.mac === mac);
  const key = exact === undefined ? canonicalMac(mac) : undefined;
  return exact ?? (key === undefined ? undefined : devices.find((d) => canonicalMac(d.mac) === key));
}

/** The state after a lease event: the device's row takes the address and lease state. */
function withLease(state: ViewState, event: Extract<ApplianceEvent, { kind: 'lease' }>): ViewState {
  const existing = rowOf(state.devices, event.mac);
  const row: DeviceRow = {
    ...existing,
    mac: existing?.mac ?? event.mac,
    ip: event.ip,
    leaseState: event.state,
    ...(event.vendorClass !== undefined ? { vendorClass: event.vendorClass } : {}),
    ...(event.hostname !== undefined ? { hostname: event.hostname } : {}),
  };
  const devices = existing ? state.devices.map((d) => (d === existing ? row : d)) : [...state.devices, row];
  return { ...state, devices, totals: { ...state.totals, leases: countBound(devices) } };
}

/** The state after a transfer started: a new transfer row, and the file on its device's row. */
function withTransferStarted(state: ViewState, event: Extract<ApplianceEvent, { kind: 'transfer-started' }>): ViewState {
  const row: TransferRow = {
    id: event.id,
    peer: event.peer,
    file: event.file,
    direction: event.direction,
    bytes: 0,
    startedAt: event.at,
    updatedAt: event.at,
    ...(event.size !== undefined ? { size: event.size } : {}),
  };
  const devices = withLastFile(state.devices, event.peer, event.file);
  return { ...state, devices, transfers: [...state.transfers.filter((t) => t.id !== event.id), row] };
}

/** The state after the device book reported a status: the device's row (found by MAC, or added) takes it. */
function withDeviceStatus(state: ViewState, event: DeviceStatusEvent): ViewState {
  const existing = rowOf(state.devices, event.mac);
  if (existing) {
    const row: DeviceRow = { ...existing, status: event.status, reason: event.reason };
    return { ...state, devices: state.devices.map((d) => (d === existing ? row : d)) };
  }
  const row: DeviceRow = { mac: event.mac, ip: event.ip ?? '-', leaseState: '-', status: event.status, reason: event.reason };
  return { ...state, devices: [...state.devices, row] };
}

/** The state after the book's restored devices arrived: rows updated by MAC or added, in one pass. */
function withRestored(state: ViewState, restored: readonly RestoredDevice[]): ViewState {
  const byMac = new Map<string, RestoredDevice>();
  for (const r of restored) byMac.set(canonicalMac(r.mac) ?? r.mac, r);
  const devices = state.devices.map((d) => {
    const key = canonicalMac(d.mac) ?? d.mac;
    const r = byMac.get(key);
    if (!r) return d;
    byMac.delete(key);
    return { ...d, status: r.status, reason: r.reason };
  });
  for (const r of byMac.values()) devices.push({ mac: r.mac, ip: r.ip ?? '-', leaseState: '-', status: r.status, reason: r.reason });
  return { ...state, devices };
}

/** The state after a device left the book: its row goes. */
function withoutDevice(state: ViewState, mac: string): ViewState {
  const key = canonicalMac(mac) ?? mac;
  const devices = state.devices.filter((d) => (canonicalMac(d.mac) ?? d.mac) !== key);
  return devices.length === state.devices.length ? state : { ...state, devices, totals: { ...state.totals, leases: countBound(devices) } };
}

/** Applies one event to the view state (pure). */
export function reduceView(state: ViewState, event: ApplianceEvent): ViewState {
  switch (event.kind) {
    case 'lease':
      return withLease(state, event);
    case 'transfer-started':
      return withTransferStarted(state, event);
    case 'transfer-progress':
      return {
        ...state,
        transfers: state.transfers.map((t) => (t.id === event.id ? { ...t, bytes: event.bytes, updatedAt: event.at } : t)),
      };
    case 'transfer-finished':
      return {
        ...state,
        transfers: state.transfers.filter((t) => t.id !== event.id),
        totals: { ...state.totals, transfersDone: state.totals.transfersDone + 1 },
      };
    case 'transfer-failed': {
      const t = state.transfers.find((x) => x.id === event.id);
      return {
        ...state,
        transfers: state.transfers.filter((x) => x.id !== event.id),
        totals: { ...state.totals, failures: state.totals.failures + 1 },
        notices: addNotice(state.notices, `transfer ${t ? `${t.file} to ${t.peer} ` : ''}failed: ${event.reason}`),
      };
    }
    case 'tftp-busy':
      return { ...state, totals: { ...state.totals, busyRefusals: state.totals.busyRefusals + 1 } };
    case 'tftp-refused': {
      // A device asking for a file that is not there is the most common bench problem: show it on its row.
      const devices = withLastFile(state.devices, event.peer, `${event.file} (${event.message})`);
      return {
        ...state,
        devices,
        totals: { ...state.totals, failures: state.totals.failures + 1 },
        notices: addNotice(state.notices, `${event.file} refused to ${event.peer}: ${event.message}`),
      };
    }
    case 'reload':
      return { ...state, notices: addNotice(state.notices, event.ok ? `reloaded: ${event.detail}` : `reload rejected: ${event.detail}`) };
    case 'link': {
      const { [event.interface]: _was, ...others } = state.linksDown;
      const linksDown = event.state === 'serving' ? others : { ...others, [event.interface]: event.detail };
      return { ...state, linksDown, notices: addNotice(state.notices, event.state === 'serving' ? `${event.interface} is back: serving it again` : event.detail) };
    }
    case 'device-status':
      return withDeviceStatus(state, event);
    case 'devices-restored':
      return withRestored(state, event.devices);
    case 'device-removed':
      return withoutDevice(state, event.mac);
  }
}

/** Average rate of a transfer in bytes per second, or undefined before any time passed. */
export function transferRate(t: TransferRow): number | undefined {
  const ms = t.updatedAt - t.startedAt;
  if (ms <= 0 || t.bytes <= 0) return undefined;
  return (t.bytes * 1000) / ms;
}

/** Seconds left at the average rate, or undefined when the size or rate is unknown. */
export function transferEtaSeconds(t: TransferRow): number | undefined {
  const rate = transferRate(t);
  if (rate === undefined || t.size === undefined) return undefined;
  return Math.max(0, (t.size - t.bytes) / rate);
}
