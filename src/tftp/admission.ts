/**
 * Whether a TFTP request may start a transfer, as a pure decision over the facts the
 * server counts: `ok`, `busy` (over `maxTransfers` or `maxPerClient`: answered with
 * ERROR 0 "server busy, retry later", on which Cisco phones retry) or `duplicate` (the
 * same client TID repeated its request before our first answer reached it: the
 * transfer already opening answers it). The union leaves room for a `queued` outcome.
 */

/** A request as admission sees it. */
export interface AdmissionRequest {
  readonly kind: 'rrq' | 'wrq';
  readonly filename: string;
}

/** What the server knows when a request arrives. */
export interface AdmissionFacts {
  /** Transfers running plus requests accepted and still opening. */
  readonly running: number;
  /** Of those, how many come from the request's client address. */
  readonly fromClient: number;
  readonly maxTransfers: number;
  readonly maxPerClient: number;
  /** The request from the same client TID (address:port) still being answered, if any. */
  readonly opening: AdmissionRequest | undefined;
}

/** The most transfers one address gets by default, whatever `maxTransfers` is. */
export const DEFAULT_MAX_PER_CLIENT = 8;

/**
 * The default `maxPerClient`: a quarter of `maxTransfers` (rounded up), at most
 * {@link DEFAULT_MAX_PER_CLIENT}, so that one host can never take every slot (8 of the
 * default 200). A device fetches its files one after another; only a relay or NAT puts
 * many devices behind one address, and those set the limit themselves.
 */
export function defaultMaxPerClient(maxTransfers: number): number {
  return Math.max(1, Math.min(DEFAULT_MAX_PER_CLIENT, Math.ceil(maxTransfers / 4)));
}

/** The decision. */
export type Admission = { readonly kind: 'ok' } | { readonly kind: 'busy' } | { readonly kind: 'duplicate' };

const OK: Admission = { kind: 'ok' };
const BUSY: Admission = { kind: 'busy' };
const DUPLICATE: Admission = { kind: 'duplicate' };

/** Decides whether `req` may start a transfer. */
export function admit(req: AdmissionRequest, facts: AdmissionFacts): Admission {
  const o = facts.opening;
  if (o && o.kind === req.kind && o.filename === req.filename) return DUPLICATE;
  if (facts.running >= facts.maxTransfers || facts.fromClient >= facts.maxPerClient) return BUSY;
  return OK;
}

/** Transfers per client address, for `AdmissionFacts.fromClient`. */
export class ClientTally {
  private readonly counts = new Map<string, number>();

  /** Transfers counted for `address`. */
  count(address: string): number {
    return this.counts.get(address) ?? 0;
  }

  /** Adds `delta` (1 or -1) for `address`, forgetting addresses at zero. */
  add(address: string, delta: number): void {
    const n = this.count(address) + delta;
    if (n <= 0) this.counts.delete(address);
    else this.counts.set(address, n);
  }
}
