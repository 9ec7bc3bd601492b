/**
 * The device statuses as appliance events (issue 13 point 5): the terminal live
 * view shows each device's status and diagnosis, and they change in two ways. A
 * change of the book (a lease, a file delivered or not found, a reset) is checked
 * for that device within {@link STATUS_COALESCE_MS}, once however many changes came
 * meanwhile (one timer for every device changed since the last check: a DHCP
 * exchange is four changes in a few milliseconds, usually checked once); time passing (settled → provisioned, no file after the
 * lease, stopped asking, gone) is checked every {@link STATUS_CHECK_MS} for the
 * devices already reported. A `device-status` event goes out only when the status
 * or its words differ from the last one sent for that device.
 *
 * At start every device the book holds (restored from the state directory) is sent in
 * one `devices-restored` event with its status as the rules give it (a provisioned
 * device stays provisioned, no zombie; one silent too long is gone), so the view shows
 * what `benchboot devices` lists. A device evicted from a full book is sent as
 * `device-removed`, and its row goes.
 */
import type { Clock, TimerHandle } from '../clock.js';
import { formatMacColons, type DeviceBook, type DeviceChange, type DeviceStatus } from '../devices/index.js';
import type { DeviceViewEvent, RestoredDevice } from '../ui/events.js';

/** How often time-derived statuses are checked (ms): well under the shortest threshold (settle, 20 s). */
export const STATUS_CHECK_MS = 5_000;

/** How long after a book change the device's status is checked (ms): its changes meanwhile are checked once. */
export const STATUS_COALESCE_MS = 100;

/** What a {@link DeviceStatusFeed} reads and where it sends. */
export interface DeviceStatusFeedOptions {
  readonly book: DeviceBook;
  readonly clock: Clock;
  readonly emit: (event: DeviceViewEvent) => void;
}

/** Sends a device's status whenever it changes, from book changes and a timer. */
export class DeviceStatusFeed {
  /** Last status line sent, by canonical MAC (bounded by the book: an evicted device leaves). */
  private readonly sent = new Map<string, string>();
  private unsubscribe: (() => void) | undefined;
  private timer: TimerHandle | undefined;
  /** Devices changed since the last check of changes, and that check's timer. */
  private readonly changed = new Set<string>();
  private changedTimer: TimerHandle | undefined;

  constructor(private readonly options: DeviceStatusFeedOptions) {}

  /** Sends every device the book holds (one event), then follows the book and starts the timer. */
  start(): void {
    if (this.unsubscribe) return;
    this.sendAll();
    this.unsubscribe = this.options.book.subscribe((change) => this.onChange(change));
    this.schedule();
  }

  /** Stops following the book and the timer. */
  stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    this.timer?.cancel();
    this.timer = undefined;
    this.changedTimer?.cancel();
    this.changedTimer = undefined;
    this.changed.clear();
  }

  private onChange(change: DeviceChange): void {
    if (change.kind !== 'evicted') {
      this.changed.add(change.mac);
      this.changedTimer ??= this.options.clock.setTimer(STATUS_COALESCE_MS, () => this.checkChanged());
      return;
    }
    const { mac, reason } = change.eviction;
    this.changed.delete(mac);
    this.sent.delete(mac);
    this.options.emit({ kind: 'device-removed', at: change.atMs, mac: formatMacColons(mac), reason });
  }

  private sendAll(): void {
    const { book, clock } = this.options;
    const at = clock.now();
    const devices: RestoredDevice[] = [];
    for (const { record, status } of book.view(at)) {
      this.sent.set(record.mac, lineOf(status));
      const ip = record.facts.lastIp;
      devices.push({ mac: formatMacColons(record.mac), status: status.status, reason: status.reason, ...(ip === undefined ? {} : { ip }) });
    }
    if (devices.length > 0) this.options.emit({ kind: 'devices-restored', at, devices });
  }

  private checkChanged(): void {
    this.changedTimer = undefined;
    for (const mac of this.changed) this.check(mac);
    this.changed.clear();
  }

  /** Sends the status of `mac` when it differs from the last one sent. */
  private check(mac: string): void {
    const { book, clock } = this.options;
    const at = clock.now();
    const status = book.status(mac, at);
    if (!status) {
      this.sent.delete(mac);
      return;
    }
    const line = lineOf(status);
    if (this.sent.get(mac) === line) return;
    this.sent.set(mac, line);
    const ip = book.get(mac)?.facts.lastIp;
    this.options.emit({ kind: 'device-status', at, mac: formatMacColons(mac), status: status.status, reason: status.reason, ...(ip === undefined ? {} : { ip }) });
  }

  private schedule(): void {
    this.timer = this.options.clock.setTimer(STATUS_CHECK_MS, () => {
      for (const mac of [...this.sent.keys()]) this.check(mac);
      this.schedule();
    });
  }
}

/** What is compared to decide whether a device's status changed: the status and its words. */
function lineOf(status: DeviceStatus): string {
  return `${status.status}\n${status.diagnosis}`;
}
