/**
 * RFC 2131 §4.3.2, DHCPREQUEST: which state the client is in (SELECTING, INIT-REBOOT,
 * RENEWING/REBINDING) and the answer each gets: ACK with a 'bound' lease, NAK, or
 * silence (a non-authoritative server, another server's client).
 */
import { cidrContains, IPV4_ZERO } from '../net/ipv4.js';
import type { Ipv4 } from '../net/ipv4.js';
import { DHCP_MESSAGE_TYPE } from './constants.js';
import { isPoolAddressFor, isUsableBy } from './choose-address.js';
import type { LeaseChange } from './lease.js';
import type { RequestFacts } from './request-facts.js';
import { drop, event, fileOf, lease, leaseMs, nak, positiveReply, reply, type EngineResult, type Exchange } from './exchange.js';

/** RFC 2131 §4.3.2: the client state a DHCPREQUEST is sent in. */
export type RequestState = 'selecting' | 'init-reboot' | 'renewing' | 'invalid';

/** RFC 2131 §4.3.2: SELECTING has option 54; INIT-REBOOT has option 50 and no ciaddr; RENEWING/REBINDING has ciaddr. */
export function requestState(facts: Pick<RequestFacts, 'serverId' | 'requestedIp' | 'packet'>): RequestState {
  if (facts.serverId !== undefined) return 'selecting';
  if (facts.packet.ciaddr === IPV4_ZERO) return facts.requestedIp !== undefined ? 'init-reboot' : 'invalid';
  return 'renewing';
}

export function requestMessage(x: Exchange): EngineResult {
  switch (requestState(x.facts)) {
    case 'selecting':
      return selecting(x);
    case 'init-reboot': {
      const ip = x.facts.requestedIp;
      return ip === undefined ? drop({ kind: 'no-requested-address', message: 'INIT-REBOOT' }) : confirm(x, ip, 'init-reboot');
    }
    case 'renewing':
      return confirm(x, x.request.ciaddr, 'renewing');
    case 'invalid':
      return drop({ kind: 'unknown-request-state' });
  }
}

/** RFC 2131 §4.3.2 SELECTING: ours → ACK (or NAK if the offer is gone); not ours → withdraw our offer silently. */
function selecting(x: Exchange): EngineResult {
  const serverId = x.facts.serverId;
  const own = x.leases.findByClient(x.scope.name, x.clientKey);
  if (serverId !== x.ctx.serverAddress) {
    if (own?.state === 'offered') {
      const changes: LeaseChange[] = [{ kind: 'delete', scope: x.scope.name, ip: own.ip }];
      return drop({ kind: 'chose-other-server', ...(serverId !== undefined ? { serverId } : {}) }, changes, event(x, 'withdrawn', { ip: own.ip }));
    }
    return drop({ kind: 'for-other-server', message: 'REQUEST', ...(serverId !== undefined ? { serverId } : {}) });
  }
  const ip = x.facts.requestedIp ?? (x.request.ciaddr !== IPV4_ZERO ? x.request.ciaddr : undefined);
  if (ip === undefined) return drop({ kind: 'no-requested-address', message: 'SELECTING REQUEST' });
  if (!isAddressFor(x, ip)) return nak(x, ip, `${ip} is not available`);
  return ack(x, ip);
}

/** True when `ip` may be bound to this client: its reservation, or a usable pool address. */
function isAddressFor(x: Exchange, ip: Ipv4): boolean {
  if (x.reservation) return x.reservation.ip === ip && isUsableBy(x.leases.get(x.scope.name, ip), x.clientKey, x.now);
  return isPoolAddressFor(x.scope, x.leases, ip, { clientKey: x.clientKey, serverAddress: x.ctx.serverAddress, now: x.now });
}

/**
 * RFC 2131 §4.3.2 INIT-REBOOT and RENEWING/REBINDING: the client names its address.
 * - Known (our record of this client on that address, or its reservation) and still
 *   valid → ACK (extend).
 * - Wrong (other subnet, another client's, quarantined, not ours to give, or the client
 *   holds a different live binding) → NAK when authoritative, silence otherwise.
 * - No record of the client: an authoritative server ACKs a free pool address (the
 *   lease file was lost; the client keeps its address), a non-authoritative one stays
 *   silent as §4.3.2 says ("MUST remain silent").
 */
function confirm(x: Exchange, ip: Ipv4, state: 'init-reboot' | 'renewing'): EngineResult {
  const label = state === 'init-reboot' ? 'INIT-REBOOT' : 'RENEWING/REBINDING';
  const refuse = (why: string): EngineResult =>
    x.scope.authoritative ? nak(x, ip, why) : drop({ kind: 'silent-refusal', message: label, why });
  if (!cidrContains(x.scope.subnet, ip)) return refuse(`${ip} is not on this network`);
  const isKnown = x.leases.get(x.scope.name, ip)?.clientKey === x.clientKey || x.reservation?.ip === ip;
  const usable = isAddressFor(x, ip);
  if (isKnown) return usable ? ack(x, ip) : refuse(`${ip} is no longer available to this client`);
  const own = x.leases.findByClient(x.scope.name, x.clientKey);
  if (own !== undefined && own.state === 'bound' && own.expiresAt > x.now) return refuse(`this client's address is ${own.ip}, not ${ip}`);
  if (x.reservation !== undefined) return refuse(`this client's reserved address is ${x.reservation.ip}, not ${ip}`);
  if (!x.scope.authoritative) return drop({ kind: 'unknown-client', message: label });
  return usable ? ack(x, ip) : nak(x, ip, `${ip} is not available`);
}

/** DHCPACK with a 'bound' lease of scope.leaseSeconds. */
function ack(x: Exchange, ip: Ipv4): EngineResult {
  const encoded = positiveReply(x, DHCP_MESSAGE_TYPE.ACK, ip, x.scope.leaseSeconds);
  if (typeof encoded === 'string') return drop({ kind: 'unencodable', reply: 'other', detail: encoded });
  const changes: LeaseChange[] = [{ kind: 'put', lease: lease(x, ip, 'bound', x.now + leaseMs(x.scope)) }];
  return reply(x, encoded, DHCP_MESSAGE_TYPE.ACK, changes, event(x, 'bound', { ip, ...fileOf(encoded.packet) }));
}
