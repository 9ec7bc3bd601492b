/**
 * What the DHCP server is to the product: its options (scopes, the lease journal port,
 * logger, clock, socket bindings, the event callback) and the running server's
 * methods, including the operator's release and its typed outcome.
 *
 *     const store = await openLeaseStore({ dir: './leases', now: Date.now(), logger });
 *     const server = createDhcpServer({ scopes, journal: store, initialLeases: store.loaded,
 *       logger, clock: systemClock, bindings: systemBindings() });
 *     await server.start();
 */
import type { Clock } from '../clock.js';
import type { Logger } from '../log.js';
import type { Ipv4 } from '../net/ipv4.js';
import type { DhcpBinding, DhcpBindingFactory } from './bindings.js';
import type { DhcpCountersSnapshot } from './counters.js';
import type { Lease } from './lease.js';
import type { DhcpLeaseEvent } from './lease-events.js';
import type { LeaseJournal } from './lease-journal.js';
import type { NewClientRateSetting } from './new-client-limit.js';
import type { DhcpPolicy } from './request-policy.js';
import type { Scope } from './scope.js';

/** Options of `createDhcpServer`. */
export interface DhcpServerOptions {
  readonly scopes: readonly Scope[];
  /** Where changes are made durable before an ACK leaves (the LeaseStore). */
  readonly journal: LeaseJournal;
  /** Leases replayed by the store at open. */
  readonly initialLeases?: readonly Lease[];
  readonly logger: Logger;
  readonly clock: Clock;
  readonly bindings: DhcpBindingFactory;
  /** Called once per lease event. Exceptions are logged, not propagated. */
  readonly onEvent?: (event: DhcpLeaseEvent) => void;
  /** The product's per-request decoration (vendor profiles, inventory); none: answers come from the scope alone. */
  readonly policy?: DhcpPolicy;
  /** At most this many clients a scope has no record of get an address per second (new-client-limit.ts); absent: no limit. */
  readonly newClientRate?: NewClientRateSetting;
  /** How often expired leases are swept (default 5 s). */
  readonly sweepIntervalMs?: number;
}

/** A running DHCP server. */
export interface DhcpServer {
  /** Checks interfaces, binds sockets, starts the expiry sweep. */
  start(): Promise<void>;
  /** Closes the sockets and waits for in-flight datagrams (their journal writes included). */
  stop(): Promise<void>;
  /** Replaces the scopes; binds new interfaces and closes those no scope names any more. */
  reload(scopes: readonly Scope[]): Promise<void>;
  /**
   * Closes the sockets of one interface (its link went away) and binds it no more,
   * reloads included, until {@link resume}. Leases are kept.
   */
  pause(interfaceName: string): Promise<void>;
  /** Binds the interface again through the binding factory (a new ifindex, a new address), for the scopes in force. */
  resume(interfaceName: string): Promise<void>;
  counters(): DhcpCountersSnapshot;
  /** Every lease the table holds (offered ones included). */
  leases(): readonly Lease[];
  /** The leases of one address (one per scope at most), without copying the table. */
  leasesAt(ip: Ipv4): readonly Lease[];
  /** The bound sockets (after start). */
  bindings(): readonly DhcpBinding[];
  /**
   * Releases the bound lease of `ip` on the operator's request: the engine's release
   * rule, journaled before it counts, one log line and one `released` event, as for a
   * client's DHCPRELEASE. Rejects when the journal fails (the table keeps the change).
   */
  release(ip: Ipv4): Promise<ReleaseOutcome>;
}

/** The outcome of {@link DhcpServer.release}. */
export type ReleaseOutcome =
  | { readonly kind: 'released'; readonly lease: Lease }
  /** No lease of that address is bound. */
  | { readonly kind: 'not-bound' }
  /** The lease belongs to a scope no served interface answers for any more. */
  | { readonly kind: 'not-served'; readonly scope: string };
