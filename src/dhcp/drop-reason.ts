/**
 * Why the engine answers a request with silence: a discriminated union with typed
 * fields. Counters are keyed by `kind`; the server's debug line is `formatDropReason`.
 * Nothing turns the text back into a key.
 */
import type { Ipv4 } from '../net/ipv4.js';
import { messageTypeName } from './constants.js';
import type { RelayField } from './select-scope.js';

/** The DHCP message a drop is about, as the RFC names it. */
export type DroppedMessage = 'REQUEST' | 'SELECTING REQUEST' | 'INIT-REBOOT' | 'RENEWING/REBINDING' | 'DECLINE' | 'RELEASE';

/** Why a request gets no answer (RFC 2131 §4.3 says when a server stays silent). */
export type DropReason =
  | { readonly kind: 'not-a-request' }
  /** A BOOTP request (no option 53): BOOTP is not served. */
  | { readonly kind: 'bootp-not-served' }
  /** No scope for the interface (direct) or the relay's giaddr. */
  | { readonly kind: 'no-scope'; readonly interfaceName: string; readonly relay?: Ipv4 }
  /**
   * A relay field (giaddr, option 118, option 82 link selection) points away from the
   * interface the request arrived on: into `ownerScope` of `ownerInterface`, or (giaddr)
   * outside every scope of the arrival interface (issue 11 point 4).
   */
  | {
      readonly kind: 'relay-crosses-interface';
      readonly interfaceName: string;
      readonly field: RelayField;
      readonly address: Ipv4;
      readonly ownerScope?: string;
      readonly ownerInterface?: string;
    }
  /** Neither option 61 nor chaddr (hlen 0). */
  | { readonly kind: 'no-client-identity' }
  | { readonly kind: 'unhandled-message-type'; readonly messageType: number }
  | { readonly kind: 'pool-exhausted' }
  /** A client the scope has no record of, over the scope's new-client rate (./new-client-limit.ts). */
  | { readonly kind: 'rate-limited'; readonly scope: string }
  /** The reply cannot be encoded within the client's limits; `detail` is the encoder's message. */
  | { readonly kind: 'unencodable'; readonly reply: 'nak' | 'other'; readonly detail: string }
  /** A message that needs option 50 (or ciaddr) came without it. */
  | { readonly kind: 'no-requested-address'; readonly message: DroppedMessage }
  /** A REQUEST with neither option 54, option 50 nor ciaddr (RFC 2131 §4.3.2). */
  | { readonly kind: 'unknown-request-state' }
  /** SELECTING for another server: our offer to this client is withdrawn. */
  | { readonly kind: 'chose-other-server'; readonly serverId?: Ipv4 }
  /** A message with another server's identifier (option 54). */
  | { readonly kind: 'for-other-server'; readonly message: DroppedMessage; readonly serverId?: Ipv4 }
  /** Not authoritative: a NAK this server would send is left out (`why`: the NAK's message). */
  | { readonly kind: 'silent-refusal'; readonly message: DroppedMessage; readonly why: string }
  /** Not authoritative and no record of the client (RFC 2131 §4.3.2: "MUST remain silent"). */
  | { readonly kind: 'unknown-client'; readonly message: DroppedMessage }
  /** DECLINE/RELEASE of an address this client does not hold. */
  | { readonly kind: 'not-held-by-client'; readonly message: DroppedMessage; readonly ip: Ipv4 }
  /** Accepted DECLINE (no reply is due). */
  | { readonly kind: 'declined' }
  /** Accepted RELEASE (no reply is due). */
  | { readonly kind: 'released' };

/** The kinds, for counters and tests. */
export type DropKind = DropReason['kind'];

/** One line of text for a drop (the server's debug log). */
export function formatDropReason(r: DropReason): string {
  switch (r.kind) {
    case 'not-a-request':
      return 'not a BOOTREQUEST';
    case 'bootp-not-served':
      return 'BOOTP request without a DHCP message type (BOOTP is not served)';
    case 'no-scope':
      return `no scope for ${r.relay !== undefined ? `relay ${r.relay}` : `interface ${r.interfaceName}`}`;
    case 'relay-crosses-interface':
      return r.ownerScope !== undefined
        ? `${r.field} ${r.address} lies in scope ${r.ownerScope} of interface ${r.ownerInterface ?? '?'}, not of ${r.interfaceName} where the request arrived`
        : `${r.field} ${r.address} lies outside every scope of interface ${r.interfaceName} where the request arrived`;
    case 'no-client-identity':
      return 'no client identifier and no hardware address';
    case 'unhandled-message-type':
      return `message type ${messageTypeName(r.messageType)} is not handled by a server`;
    case 'pool-exhausted':
      return 'pool exhausted';
    case 'rate-limited':
      return `new clients of scope ${r.scope} arrive faster than the new-client rate`;
    case 'unencodable':
      return r.reply === 'nak' ? `NAK cannot be encoded: ${r.detail}` : r.detail;
    default:
      return formatExchangeDrop(r);
  }
}

function formatExchangeDrop(r: DropReason): string {
  switch (r.kind) {
    case 'no-requested-address':
      return `${r.message} without a requested address`;
    case 'unknown-request-state':
      return 'REQUEST without server identifier, requested address or ciaddr';
    case 'chose-other-server':
      return `client chose server ${r.serverId ?? 'unknown'}`;
    case 'for-other-server':
      return r.message === 'REQUEST' ? `REQUEST for server ${r.serverId ?? 'unknown'}` : `${r.message} for another server`;
    case 'silent-refusal':
      return `${r.message}: ${r.why} (not authoritative: silent)`;
    case 'unknown-client':
      return `${r.message}: no record of this client (not authoritative: silent)`;
    case 'not-held-by-client':
      return r.message === 'RELEASE' ? `RELEASE of ${r.ip}, which is not bound to this client` : `${r.message} of ${r.ip}, which is not leased to this client`;
    case 'declined':
      return 'address declined by the client';
    case 'released':
      return 'address released by the client';
    default:
      return r.kind;
  }
}
