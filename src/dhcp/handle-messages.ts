/**
 * The other messages a server answers (RFC 2131 §4.3): DISCOVER → OFFER with the
 * address held as 'offered', DECLINE → quarantine, RELEASE → 'released', INFORM →
 * options only.
 */
import { IPV4_ZERO } from '../net/ipv4.js';
import { DHCP_MESSAGE_TYPE, OFFER_HOLD_SECONDS } from './constants.js';
import { buildReplyOptions } from './build-boot-options.js';
import { chooseAddress } from './choose-address.js';
import type { LeaseChange } from './lease.js';
import { drop, event, fileOf, fitReply, lease, positiveReply, relayInfo, reply, replyHeader, requestedList, type EngineResult, type Exchange } from './exchange.js';

/** RFC 2131 §4.3.1: DHCPDISCOVER → DHCPOFFER, address held as 'offered'. */
export function discover(x: Exchange): EngineResult {
  const requested = x.facts.requestedIp;
  const choice = chooseAddress(x.scope, x.leases, {
    clientKey: x.clientKey,
    mac: x.mac,
    ...(x.clientId !== undefined ? { clientId: x.clientId } : {}),
    ...(requested !== undefined ? { requested } : {}),
    serverAddress: x.ctx.serverAddress,
    now: x.now,
  });
  if (choice.kind === 'exhausted') return drop({ kind: 'pool-exhausted' }, [], event(x, 'exhausted'));
  const offer = positiveReply(x, DHCP_MESSAGE_TYPE.OFFER, choice.ip, x.scope.leaseSeconds);
  if (typeof offer === 'string') return drop({ kind: 'unencodable', reply: 'other', detail: offer });
  // A client's live binding stays 'bound' (it may just be rebooting); otherwise hold the offer.
  const existing = x.leases.get(x.scope.name, choice.ip);
  const isLiveBinding = existing?.clientKey === x.clientKey && existing.state === 'bound' && existing.expiresAt > x.now;
  const pending = x.leases.findByClient(x.scope.name, x.clientKey);
  // The client's earlier pending offer of another address is withdrawn: one offer per client.
  const withdrawn: LeaseChange[] = pending?.state === 'offered' && pending.ip !== choice.ip ? [{ kind: 'delete', scope: x.scope.name, ip: pending.ip }] : [];
  const changes: LeaseChange[] = isLiveBinding
    ? []
    : [...withdrawn, { kind: 'put', lease: lease(x, choice.ip, 'offered', x.now + OFFER_HOLD_SECONDS * 1000) }];
  return reply(x, offer, DHCP_MESSAGE_TYPE.OFFER, changes, event(x, 'offered', { ip: choice.ip, source: choice.source, ...fileOf(offer.packet) }));
}

function isForUs(x: Exchange): boolean {
  const serverId = x.facts.serverId;
  return serverId === undefined || serverId === x.ctx.serverAddress;
}

/** RFC 2131 §4.3.3: the client found the address in use; quarantine it. */
export function decline(x: Exchange): EngineResult {
  if (!isForUs(x)) return drop({ kind: 'for-other-server', message: 'DECLINE' });
  const ip = x.facts.requestedIp;
  if (ip === undefined) return drop({ kind: 'no-requested-address', message: 'DECLINE' });
  const record = x.leases.get(x.scope.name, ip);
  if (record?.clientKey !== x.clientKey) return drop({ kind: 'not-held-by-client', message: 'DECLINE', ip });
  const message = x.facts.message;
  const quarantined = lease(x, ip, 'declined', x.now + x.scope.declineSeconds * 1000);
  const ev = event(x, 'declined', { ip, message: message ?? `address ${ip} is in use by another device` });
  return drop({ kind: 'declined' }, [{ kind: 'put', lease: quarantined }], ev);
}

/** RFC 2131 §4.3.4: the client gives its address back; free, remembered for that client. */
export function release(x: Exchange): EngineResult {
  if (!isForUs(x)) return drop({ kind: 'for-other-server', message: 'RELEASE' });
  const ip = x.request.ciaddr;
  const record = x.leases.get(x.scope.name, ip);
  if (ip === IPV4_ZERO || record?.clientKey !== x.clientKey || record.state !== 'bound') {
    return drop({ kind: 'not-held-by-client', message: 'RELEASE', ip });
  }
  return drop({ kind: 'released' }, [{ kind: 'put', lease: lease(x, ip, 'released', x.now) }], event(x, 'released', { ip }));
}

/** RFC 2131 §4.3.5: configuration only — no lease, no lease time, yiaddr 0, unicast to ciaddr. */
export function inform(x: Exchange): EngineResult {
  const requested = requestedList(x);
  const options = buildReplyOptions({
    scope: x.scope,
    ...(x.clientClass !== undefined ? { clientClass: x.clientClass } : {}),
    ...(x.policy !== undefined ? { policy: x.policy } : {}),
    ...(x.policy?.hostname !== undefined ? { hostname: x.policy.hostname } : {}),
    messageType: DHCP_MESSAGE_TYPE.ACK,
    serverId: x.ctx.serverAddress,
    requested,
    ...(x.clientId !== undefined ? { clientId: x.clientId } : {}),
    ...relayInfo(x),
  });
  const encoded = fitReply(x, { ...replyHeader(x, IPV4_ZERO, x.request.ciaddr, true), options }, requested);
  if (typeof encoded === 'string') return drop({ kind: 'unencodable', reply: 'other', detail: encoded });
  const ip = x.request.ciaddr !== IPV4_ZERO ? { ip: x.request.ciaddr } : {};
  return reply(x, encoded, DHCP_MESSAGE_TYPE.ACK, [], event(x, 'informed', { ...ip, ...fileOf(encoded.packet) }));
}
