/**
 * Stopping the appliance's running parts in order: the dashboard, the control socket, syslog,
 * DHCP (no new leases), TFTP and HTTP with their grace period, the device records, then the
 * lease journal.
 * Every part is asked to stop even when an earlier one failed; the failures are
 * logged and thrown together (BB_INTERNAL).
 */
import type { ControlServer } from '../control/server.js';
import type { DhcpServer } from '../dhcp/server.js';
import { ERRORS, errorMessage } from '../errors.js';
import type { Logger } from '../log.js';
import type { LeaseStore } from '../store/backend.js';
import type { HttpServer } from '../http/server.js';
import type { TftpServer } from '../tftp/server.js';
import type { SyslogReceiver } from '../syslog/receiver.js';
import type { InboxRoom } from '../tftp/uploads.js';
import type { ApplianceDevices } from './devices.js';
import type { WebPart } from './web.js';

/** The running parts, present between start and stop. */
export interface Running {
  store?: LeaseStore;
  dhcp?: DhcpServer;
  tftp?: TftpServer;
  http?: HttpServer;
  control?: ControlServer;
  devices?: ApplianceDevices;
  syslog?: SyslogReceiver;
  web?: WebPart;
  /** The file storage (its upload directory is held open; released last) and how full its upload directory is. */
  storage?: { release(): void; stats(): { readonly uploadRoom: InboxRoom | undefined } };
}

/** Stops every part of `parts` (see the module comment); throws when any failed. */
export async function closeParts(parts: Running, graceMs: number, log: Logger): Promise<void> {
  const failures: unknown[] = [];
  const step = async (what: string, fn: (() => Promise<void>) | undefined): Promise<void> => {
    if (!fn) return;
    try {
      await fn();
    } catch (err) {
      failures.push(err);
      log.error(`stopping ${what} failed`, { code: 'BB_INTERNAL', err: errorMessage(err) });
    }
  };
  const { control, dhcp, tftp, http, store, devices, syslog, web } = parts;
  await step('dashboard', web && (() => web.close()));
  await step('control socket', control && (() => control.close()));
  await step('syslog', syslog && (() => syslog.close()));
  await step('DHCP', dhcp && (() => dhcp.stop()));
  await Promise.all([step('TFTP', tftp && (() => tftp.stop(graceMs))), step('HTTP', http && (() => http.stop(graceMs)))]);
  await step('device records', devices && (() => devices.close()));
  await step('lease store', store && (() => store.close()));
  await step('file storage', parts.storage && (async () => parts.storage?.release()));
  if (failures.length > 0) throw ERRORS.stopFailed.create({ failures: failures.map(errorMessage).join('; ') }, { cause: failures[0] });
}
