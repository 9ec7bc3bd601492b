/**
 * What the DHCP server reports about leases: the `DhcpLeaseEvent` the appliance
 * receives, one log line per lease event, and the per-scope counters of replies,
 * releases and declines. The words are the lease vocabulary of ./lease.ts.
 */
import { errorMessage } from '../errno.js';
import type { Logger } from '../log.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';
import type { DhcpCounters } from './counters.js';
import type { EngineEvent } from './engine.js';
import type { Lease, LeaseEventKind } from './lease.js';
import type { RequestFacts } from './request-facts.js';

/** A lease event for the appliance (live view, logs). */
export interface DhcpLeaseEvent {
  /** A lease's life (offered, bound, released, declined, expired); `refused`: a NAK; `exhausted`: a DISCOVER found no free address (no `ip`). */
  readonly kind: LeaseEventKind | 'refused' | 'informed' | 'exhausted';
  readonly scope: string;
  readonly mac: MacAddress;
  /** The address concerned; absent only for `exhausted` and an INFORM without ciaddr. */
  readonly ip?: Ipv4;
  readonly interface: string;
  readonly hostname?: string;
  readonly vendorClass?: string;
  /** Absent for expiries (no packet). */
  readonly xid?: number;
  /** Set on a relayed exchange. */
  readonly relay?: Ipv4;
  /** The boot file the reply names, if any. */
  readonly file?: string;
  /** NAK reason or the client's DECLINE message. */
  readonly message?: string;
  /** The vendor profile the product's policy matched for this device, if any. */
  readonly profile?: string;
}

/** The appliance event of an engine event (the same word), or undefined for a withdrawn offer (internal). */
function eventKind(type: EngineEvent['type']): DhcpLeaseEvent['kind'] | undefined {
  return type === 'withdrawn' ? undefined : type;
}


/** The optional fields a lease event and its log line share. */
type EventDetails = Pick<DhcpLeaseEvent, 'hostname' | 'vendorClass' | 'file' | 'message' | 'relay' | 'profile'>;

function eventDetails(event: EngineEvent, facts: RequestFacts | undefined): EventDetails {
  return {
    ...(event.hostname !== undefined ? { hostname: event.hostname } : {}),
    ...(event.vendorClass !== undefined ? { vendorClass: event.vendorClass } : {}),
    ...(event.file !== undefined ? { file: event.file } : {}),
    ...(event.message !== undefined ? { message: event.message } : {}),
    ...(event.profile !== undefined ? { profile: event.profile } : {}),
    ...(facts?.relay.giaddr !== undefined ? { relay: facts.relay.giaddr } : {}),
  };
}

/** Counts, logs and delivers the lease events of one server. */
export class LeaseEventReporter {
  constructor(
    private readonly log: Logger,
    private readonly counters: DhcpCounters,
    private readonly onEvent: ((event: DhcpLeaseEvent) => void) | undefined,
  ) {}

  /** A sent reply or an accepted RELEASE/DECLINE: counted, logged, delivered. */
  report(event: EngineEvent, facts: RequestFacts | undefined, interfaceName: string): void {
    this.count(event);
    this.emit(event, facts, interfaceName);
  }

  /** A bound lease whose time ran out (no packet): logged and delivered as `expired`. */
  reportExpired(lease: Lease, interfaceName: string): void {
    const fields = { scope: lease.scope, mac: lease.mac, ip: lease.ip, interface: interfaceName };
    this.log.info('lease expired', fields);
    this.deliver({
      kind: 'expired',
      ...fields,
      ...(lease.hostname !== undefined ? { hostname: lease.hostname } : {}),
      ...(lease.vendorClass !== undefined ? { vendorClass: lease.vendorClass } : {}),
    });
  }

  /** Counts a sent reply or an accepted RELEASE/DECLINE under its scope. */
  private count(event: EngineEvent): void {
    switch (event.type) {
      case 'offered':
      case 'bound':
      case 'refused':
      case 'informed':
        this.counters.countReply(event.scope, event.type);
        break;
      case 'released':
        this.counters.scope(event.scope).releases++;
        break;
      case 'declined':
        this.counters.scope(event.scope).declines++;
        break;
      case 'withdrawn':
      case 'exhausted':
        break;
    }
  }

  /** One log line and one appliance event per lease event. */
  private emit(event: EngineEvent, facts: RequestFacts | undefined, interfaceName: string): void {
    const kind = eventKind(event.type);
    const quiet = event.type === 'offered' || event.type === 'withdrawn';
    const details = eventDetails(event, facts);
    // Offers are logged at debug level: build their fields only when someone reads them.
    if (!quiet || this.log.isDebugEnabled()) this.logEvent(event, kind, interfaceName, details);
    if (!kind) return;
    this.deliver({
      kind,
      scope: event.scope,
      mac: event.mac,
      interface: interfaceName,
      xid: event.xid,
      ...(event.ip !== undefined ? { ip: event.ip } : {}),
      ...details,
    });
  }

  /** The one log line of a lease event. */
  private logEvent(event: EngineEvent, kind: DhcpLeaseEvent['kind'] | undefined, interfaceName: string, details: EventDetails): void {
    const fields = {
      scope: event.scope,
      mac: event.mac,
      ip: event.ip,
      xid: event.xid,
      interface: interfaceName,
      ...(event.clientClass !== undefined ? { clientClass: event.clientClass } : {}),
      ...details,
    };
    if (event.type === 'offered' || event.type === 'withdrawn') this.log.debug(`lease ${event.type}`, fields);
    else if (event.type === 'exhausted') this.log.warn('pool exhausted: no free address to offer', fields);
    else this.log.info(`lease ${kind ?? event.type}`, fields);
  }

  /** Hands one event to the appliance; a failing handler is logged, not propagated. */
  deliver(event: DhcpLeaseEvent): void {
    try {
      this.onEvent?.(event);
    } catch (err) {
      this.log.error('lease event handler failed', { code: 'BB_INTERNAL', kind: event.kind, err: errorMessage(err) });
    }
  }
}
