/**
 * What the appliance is given and what it offers (appliance.ts builds it).
 */
import type { Clock } from '../clock.js';
import type { Scope } from '../config/scope.js';
import type { ControlRequest } from '../control/protocol.js';
import type { Lease } from '../dhcp/lease.js';
import type { NewClientRateSetting } from '../dhcp/new-client-limit.js';
import type { DhcpBindingFactory } from '../dhcp/server.js';
import type { RetentionLimits } from '../devices/index.js';
import type { Logger } from '../log.js';
import type { PrivilegedJobs } from '../net/privileged.js';
import type { ApplianceEvent } from '../ui/events.js';
import type { ApplianceDevices } from './devices.js';
import type { ApplianceHttpConfig } from './http.js';
import type { ApplianceLinkOptions } from './links.js';
import type { ScopeSource } from './scope-source.js';
import type { ApplianceStatus } from './status.js';
import type { ApplianceSyslogConfig } from './syslog.js';
import type { ApplianceTftpConfig } from './tftp-settings.js';
import type { ApplianceWebConfig } from './web.js';

/** Everything the appliance composes. */
export interface ApplianceOptions {
  readonly scopes: ScopeSource;
  readonly tftp: ApplianceTftpConfig;
  /** State directory: lease journal, snapshot, lock and control socket. */
  readonly stateDir: string;
  /**
   * DHCP sockets: `systemBindings({ port, bind: privileged.bindDhcp })` on a real machine,
   * `loopbackBindings` in tests. A reload that adds an interface binds through it.
   */
  readonly dhcpBindings: DhcpBindingFactory;
  /**
   * The jobs that need root (src/net/privileged.ts): TFTP's, syslog's, HTTP's and the
   * dashboard's listening sockets are bound through it. Absent: each part binds its own
   * (a single process, tests). Under a privilege split these are requests to the root parent.
   */
  readonly privileged?: PrivilegedJobs;
  /** At most this many new clients per scope get an address per second (`serve --new-client-rate`); absent: no limit. */
  readonly newClientRate?: NewClientRateSetting;
  readonly logger: Logger;
  readonly clock: Clock;
  /** Called with every appliance event (live view, tests). Exceptions are logged. */
  readonly onEvent?: (event: ApplianceEvent) => void;
  /** Open the control socket in the state directory (default true). */
  readonly control?: boolean;
  /** The device inventory (`serve --inventory FILE`): reservations, host names, profiles and template variables. */
  readonly inventory?: string;
  /** Device logs (UDP syslog on the served addresses) filed in the timelines; absent: not received. */
  readonly syslog?: ApplianceSyslogConfig;
  /** Serve the same tree over HTTP on these ports (http.ts); absent: no HTTP. */
  readonly http?: ApplianceHttpConfig;
  /** The web dashboard (`serve --web`); none when absent. */
  readonly web?: ApplianceWebConfig;
  /**
   * Keep device records and timelines (default true, as `serve` always does). False runs
   * without the device book, its files and its statuses: the benchmark's seam for what
   * they cost (test/bench/timeline.ts), not a serve option.
   */
  readonly deviceRecords?: boolean;
  /** Retention of the device records (default DEFAULT_RETENTION, src/devices/record.ts). */
  readonly deviceRetention?: Partial<RetentionLimits>;
  /** Watch the served links and serve them again when they come back (links.ts); absent: not watched. */
  readonly links?: ApplianceLinkOptions;
}

/** The outcome of a reload. */
export interface ReloadOutcome {
  readonly scopes: readonly string[];
}

/** A composed appliance. */
export interface Appliance {
  /** Opens the lease store, starts DHCP, TFTP and the control socket. */
  start(): Promise<void>;
  /** Stops accepting, lets TFTP transfers finish for up to `graceMs`, flushes the journal. */
  stop(graceMs: number): Promise<void>;
  /**
   * Re-reads the scopes. Leases and transfers in flight are kept. An invalid new
   * set is rejected (logged, the old scopes stay) and the error is thrown.
   */
  reload(): Promise<ReloadOutcome>;
  status(): ApplianceStatus;
  leases(): readonly Lease[];
  /** The scopes in force. */
  scopes(): readonly Scope[];
  /** The answer to one control request (what the control socket calls). */
  handleControl(request: ControlRequest): Promise<unknown>;
  /** The device book and its store (between start and stop). */
  devices(): ApplianceDevices | undefined;
}
