/**
 * Appliance events: what the running appliance reports about leases, transfers and
 * reloads. The live view reduces them into its state (log lines, `--json` or not,
 * come from the DHCP and TFTP servers themselves). They are plain data with the
 * time they happened (ms since the epoch).
 */
import type { LeaseEventKind } from '../dhcp/lease.js';
import type { EvictionReason } from '../devices/evict.js';
import type { DeviceStatusName, StatusReason } from '../devices/status-reason.js';

/** A lease changed state for a device: offered, bound, released, declined or expired. */
export interface LeaseEvent {
  readonly kind: 'lease';
  readonly at: number;
  readonly scope: string;
  readonly mac: string;
  readonly ip: string;
  readonly state: LeaseEventKind;
  /** Option 60 the client sent. */
  readonly vendorClass?: string;
  /** The vendor profile matched for the device, if any. */
  readonly profile?: string;
  /** Option 12 the client sent. */
  readonly hostname?: string;
}

/** A TFTP transfer was accepted. */
export interface TransferStartedEvent {
  readonly kind: 'transfer-started';
  readonly at: number;
  readonly id: string;
  readonly peer: string;
  readonly file: string;
  readonly direction: 'read' | 'write';
  /** Bytes to move, when known (file size on RRQ, tsize on WRQ). */
  readonly size?: number;
}

/** Bytes moved so far in one transfer. */
export interface TransferProgressEvent {
  readonly kind: 'transfer-progress';
  readonly at: number;
  readonly id: string;
  readonly bytes: number;
}

/** A transfer completed. */
export interface TransferFinishedEvent {
  readonly kind: 'transfer-finished';
  readonly at: number;
  readonly id: string;
  readonly bytes: number;
}

/** A transfer ended with an error (timeout, not found, client abort...). */
export interface TransferFailedEvent {
  readonly kind: 'transfer-failed';
  readonly at: number;
  readonly id: string;
  readonly reason: string;
}

/** A request was refused because the transfer limit was reached (the device retries). */
export interface TftpBusyEvent {
  readonly kind: 'tftp-busy';
  readonly at: number;
  readonly peer: string;
  readonly file: string;
}

/** A request was refused before a transfer started (file not found, access violation...). */
export interface TftpRefusedEvent {
  readonly kind: 'tftp-refused';
  readonly at: number;
  readonly peer: string;
  readonly file: string;
  readonly message: string;
}

/** The scopes were re-read (or the new files were rejected). */
export interface ReloadEvent {
  readonly kind: 'reload';
  readonly at: number;
  readonly ok: boolean;
  readonly detail: string;
}

/**
 * A device's status in the device book changed (a file delivered or refused, a lease,
 * time passing: settled, stopped asking, gone). The reason is the typed value; the
 * view words it with the device book's `formatReason`, as `devices` does.
 */
export interface DeviceStatusEvent {
  readonly kind: 'device-status';
  readonly at: number;
  /** `00:1b:d4:aa:bb:cc`. */
  readonly mac: string;
  readonly status: DeviceStatusName;
  readonly reason: StatusReason;
  /** The device's last address, when the book knows it. */
  readonly ip?: string;
}

/** One device of {@link DevicesRestoredEvent}: what a `device-status` event says of it. */
export type RestoredDevice = Omit<DeviceStatusEvent, 'kind' | 'at'>;

/**
 * The devices restored from the state directory at start, each with its status as the
 * rules give it now (a provisioned device stays provisioned; one silent too long is
 * gone). One event for the whole book, so that a large one is one step of the view.
 */
export interface DevicesRestoredEvent {
  readonly kind: 'devices-restored';
  readonly at: number;
  readonly devices: readonly RestoredDevice[];
}

/** A device left the device book (evicted from a full book, see devices/evict.ts): its row goes. */
export interface DeviceRemovedEvent {
  readonly kind: 'device-removed';
  readonly at: number;
  /** `00:1b:d4:aa:bb:cc`. */
  readonly mac: string;
  readonly reason: EvictionReason;
}

/** The events of the device book that the views show. */
export type DeviceViewEvent = DeviceStatusEvent | DevicesRestoredEvent | DeviceRemovedEvent;

/** A served interface went down or away, came back, or cannot be served (appliance/links.ts). */
export interface LinkEvent {
  readonly kind: 'link';
  readonly at: number;
  readonly interface: string;
  /** `serving`, `down`, `gone`, `other-server`, `no-address`, `moved` or `failed`. */
  readonly state: string;
  /** In words, for the view. */
  readonly detail: string;
}

/** One thing that happened in the appliance. */
export type ApplianceEvent =
  | LeaseEvent
  | TransferStartedEvent
  | TransferProgressEvent
  | TransferFinishedEvent
  | TransferFailedEvent
  | TftpBusyEvent
  | TftpRefusedEvent
  | ReloadEvent
  | LinkEvent
  | DeviceViewEvent;
