/**
 * Which TFTP clients retry on "server busy": a device whose lease a profile marked
 * `retriesOnBusy` recognises by an explicit rule (Cisco phones by their option 60).
 * The OUI alone is not enough: Cisco switches share the phones' OUIs and do not retry.
 * Everyone else waits for a slot over the limits (PXE firmware fails at the first error).
 */
import { PROFILES, ruleHolds } from '../profiles/index.js';
import type { RequesterLookup } from '../provision/tftp-storage.js';

const RETRYING = PROFILES.filter((p) => p.retriesOnBusy === true);

/** The TFTP server's `retriesOnBusy` predicate over the appliance's leases. */
export function retriesOnBusy(requesterOf: RequesterLookup): (peer: { readonly address: string }) => boolean {
  return (peer) => {
    const r = requesterOf(peer.address)?.requester;
    if (r?.vendorClass === undefined) return false;
    const facts = { vendorClass: r.vendorClass, mac: r.mac ?? '' };
    return RETRYING.some((p) => p.match.rules.some((rule) => ruleHolds(rule, facts)));
  };
}
