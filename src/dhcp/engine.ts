/**
 * The pure DHCP engine: RFC 2131 §4.3 as a function of (request, scopes, lease view,
 * now) that returns the reply to send, where to send it and the lease changes to
 * apply — or a drop with its reason. No sockets, files, timers, Date.now or
 * randomness: the server applies `changes` to the LeaseTable, journals them, and only
 * then sends `bytes` (the reply, encoded once here within the client's maximum message
 * size) to `destination`.
 *
 * Steps for every request: check it is a DHCP BOOTREQUEST → pick the scope (interface
 * or relay) → identify the client (option 61, else chaddr; RFC 2131 §4.2, RFC 6842) →
 * classify it (options 60/77/93) → ask the product's policy, if any, once
 * (request-policy.ts: per-device options, withheld codes, host name, boot fields) → handle its message type:
 * - DISCOVER (§4.3.1): choose an address, hold it as an 'offered' lease for
 *   OFFER_HOLD_SECONDS so two clients never get the same offer, send OFFER.
 * - REQUEST (§4.3.2): SELECTING (server id present), INIT-REBOOT (option 50, no
 *   ciaddr), RENEWING/REBINDING (ciaddr) → ACK with a 'bound' lease, NAK, or silence.
 * - DECLINE (§4.3.3): quarantine the address for scope.declineSeconds.
 * - RELEASE (§4.3.4): mark the lease 'released' (free, remembered for the client).
 * - INFORM (§4.3.5): options only; no lease, no lease time, unicast to ciaddr.
 * BOOTP requests (no option 53) are not served: benchboot hands out leases only.
 */
import type { Scope } from './scope.js';
import { BOOTP_OP, DHCP_MESSAGE_TYPE } from './constants.js';
import { findReservation } from './choose-address.js';
import { classify } from './classify.js';
import type { EngineLeases } from './lease-table.js';
import { selectScope } from './select-scope.js';

import { discover, decline, inform, release } from './handle-messages.js';
import { requestMessage } from './handle-request.js';
import { drop, type EngineContext, type EngineResult, type Exchange } from './exchange.js';

export type { EngineContext, EngineEvent, EngineResult } from './exchange.js';
export { requestState, type RequestState } from './handle-request.js';

/** The scope of the request, or the drop that says why there is none (RFC 2131 §4.3.1; issue 11 point 4). */
function chooseScope(ctx: EngineContext, scopes: readonly Scope[]): Scope | EngineResult {
  const relay = ctx.facts.relay;
  const choice = selectScope(scopes, {
    interfaceName: ctx.interfaceName,
    serverAddress: ctx.serverAddress,
    giaddr: ctx.facts.packet.giaddr,
    ...(relay.subnetSelection !== undefined ? { subnetSelection: relay.subnetSelection } : {}),
    ...(relay.linkSelection !== undefined ? { linkSelection: relay.linkSelection } : {}),
  });
  if (choice.kind === 'scope') return choice.scope;
  if (choice.kind === 'none') return drop({ kind: 'no-scope', interfaceName: ctx.interfaceName, ...(relay.giaddr !== undefined ? { relay: relay.giaddr } : {}) });
  const owner = choice.owner;
  return drop({
    kind: 'relay-crosses-interface',
    interfaceName: ctx.interfaceName,
    field: choice.field,
    address: choice.address,
    ...(owner ? { ownerScope: owner.name, ownerInterface: owner.interface } : {}),
  });
}

/** RFC 2131 §4.3: the engine's answer to one request. Never throws for any decoded packet. */
export function respond(ctx: EngineContext, scopes: readonly Scope[], leases: EngineLeases): EngineResult {
  const facts = ctx.facts;
  const request = facts.packet;
  if (request.op !== BOOTP_OP.BOOTREQUEST) return drop({ kind: 'not-a-request' });
  const type = facts.messageType;
  if (type === undefined) return drop({ kind: 'bootp-not-served' });
  const scope = chooseScope(ctx, scopes);
  if ('kind' in scope) return scope;
  const { clientId, mac, hostname } = facts;
  if (clientId === undefined && request.hlen === 0) return drop({ kind: 'no-client-identity' });
  const vendorClass = facts.classFacts.vendorClass;
  const clientClass = classify(scope, facts.classFacts);
  const reservation = findReservation(scope, mac, clientId);
  const policy = ctx.policy?.({ facts, scope, serverAddress: ctx.serverAddress, ...(clientClass !== undefined ? { clientClass } : {}) });
  const x: Exchange = {
    ctx,
    facts,
    request,
    scope,
    leases,
    now: ctx.now,
    mac,
    clientKey: facts.clientKey,
    ...(clientId !== undefined ? { clientId } : {}),
    ...(reservation !== undefined ? { reservation } : {}),
    ...(hostname !== undefined ? { hostname } : {}),
    ...(vendorClass !== undefined ? { vendorClass } : {}),
    ...(clientClass !== undefined ? { clientClass } : {}),
    ...(policy !== undefined ? { policy } : {}),
  };
  switch (type) {
    case DHCP_MESSAGE_TYPE.DISCOVER:
      return discover(x);
    case DHCP_MESSAGE_TYPE.REQUEST:
      return requestMessage(x);
    case DHCP_MESSAGE_TYPE.DECLINE:
      return decline(x);
    case DHCP_MESSAGE_TYPE.RELEASE:
      return release(x);
    case DHCP_MESSAGE_TYPE.INFORM:
      return inform(x);
    default:
      return drop({ kind: 'unhandled-message-type', messageType: type });
  }
}
