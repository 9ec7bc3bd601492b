/**
 * The parts served beside DHCP and TFTP on the same addresses: device logs (syslog.ts)
 * and the TFTP tree over HTTP (http.ts). One place starts them and says what they are
 * doing, for the appliance's "serving" log line and its status.
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { PrivilegedJobs } from '../net/privileged.js';
import type { TftpStorage } from '../tftp/storage.js';
import type { Running } from './close.js';
import type { ApplianceDevices } from './devices.js';
import type { EventSink } from './events.js';
import { startHttpSide, type ApplianceHttpConfig, type SkippedHttpPort } from './http.js';
import type { HttpSnapshot } from './status.js';
import { startSyslog, syslogStatus, type ApplianceSyslogConfig, type SyslogSide, type SyslogStatus } from './syslog.js';
import type { ApplianceTftpConfig } from './tftp-settings.js';

/** What {@link startBeside} needs of the appliance. */
export interface BesideStart {
  readonly syslog: ApplianceSyslogConfig | undefined;
  readonly http: ApplianceHttpConfig | undefined;
  readonly tftp: ApplianceTftpConfig;
  readonly storage: TftpStorage;
  /** The served addresses. */
  readonly listen: readonly string[];
  readonly devices: ApplianceDevices | undefined;
  readonly events: EventSink;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Where HTTP's listening sockets come from (src/net/privileged.ts); default: HTTP listens itself. */
  readonly listenTcp?: PrivilegedJobs['listenTcp'];
}

/** What started beside DHCP and TFTP, and what was left out. */
export interface BesideState {
  readonly syslog: SyslogSide;
  readonly httpSkipped: readonly SkippedHttpPort[];
}

/** Starts syslog, then HTTP, recording them in `running` as they come up (so that a failure closes them). */
export async function startBeside(s: BesideStart, running: Running): Promise<BesideState> {
  const { devices, logger, clock } = s;
  const syslog = await startSyslog({ config: s.syslog, listen: s.listen, logger, sink: (address, m) => devices?.observeSyslog(address, m) ?? false });
  if ('receiver' in syslog) running.syslog = syslog.receiver;
  if (s.http === undefined) return { syslog, httpSkipped: [] };
  const maxPerClient = s.tftp.server?.maxPerClient;
  const queueWaitMs = s.tftp.server?.queueWaitMs;
  const started = await startHttpSide({
    config: s.http,
    storage: s.storage,
    listen: s.listen,
    maxTransfers: s.tftp.maxTransfers,
    ...(maxPerClient === undefined ? {} : { maxPerClient }),
    ...(queueWaitMs === undefined ? {} : { queueWaitMs }),
    logger,
    clock,
    events: s.events,
    ...(devices ? { devices } : {}),
    ...(s.listenTcp ? { listenTcp: s.listenTcp } : {}),
  });
  running.http = started.server;
  return { syslog, httpSkipped: started.skipped };
}

/** Where syslog and HTTP listen, for the "serving" log line. */
export function besideListening(running: Running): { syslog: string[] | 'off'; http: string[] | 'off' } {
  const endpoints = (part: { addresses(): { address: string; port: number }[] } | undefined): string[] | 'off' =>
    part ? part.addresses().map((a) => `${a.address}:${a.port}`) : 'off';
  return { syslog: endpoints(running.syslog), http: endpoints(running.http) };
}

/** The status of syslog and HTTP (empty when not running). */
export function besideStatus(running: Running, state: BesideState | undefined): { http?: HttpSnapshot; syslog?: SyslogStatus } {
  const { http, dhcp } = running;
  return {
    ...(http ? { http: { listen: http.addresses().map((a) => `${a.address}:${a.port}`), skipped: state?.httpSkipped ?? [], counters: http.counters(), transfers: http.transfers() } } : {}),
    ...(dhcp && state ? { syslog: syslogStatus(state.syslog) } : {}),
  };
}
