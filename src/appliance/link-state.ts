/**
 * Where each served interface stands while `serve` runs (links.ts keeps it up to date):
 * serving, or why not. `status`, the log and the live view word it with
 * {@link formatLinkState}.
 */
import type { LinkCondition } from '../net/link-watch.js';

/** One served interface's state. */
export type LinkState =
  | { readonly kind: 'serving' }
  /** The link is down (no carrier, set down) or gone (unplugged): nothing is served on it. */
  | { readonly kind: Exclude<LinkCondition, 'up'> }
  /** It came back and another DHCP server answers there (the office LAN?): not served. */
  | { readonly kind: 'other-server'; readonly servers: string }
  /** It came back without an IPv4 address to serve from. */
  | { readonly kind: 'no-address' }
  /** It came back with an address outside its scope file's subnet: that scope is not served. */
  | { readonly kind: 'moved'; readonly scopes: string; readonly was: string; readonly now: string }
  /** Serving it again failed (a socket could not be bound...). */
  | { readonly kind: 'failed'; readonly error: string };

/** A served interface's state as status reports it. */
export interface InterfaceLinkStatus {
  readonly interface: string;
  /** `serving`, `down`, `gone`, `other-server`, `no-address`, `moved` or `failed`. */
  readonly state: LinkState['kind'];
  /** Since when (wall time, ms since the epoch). */
  readonly since: number;
  /** In words, e.g. `gone (unplugged?): not served until it comes back`. */
  readonly detail: string;
}

/** The state in words. */
export function formatLinkState(name: string, s: LinkState): string {
  switch (s.kind) {
    case 'serving':
      return `${name}: serving`;
    case 'down':
      return `${name} is down (no carrier?): not served until it is up again`;
    case 'gone':
      return `${name} is gone (unplugged?): not served until it comes back`;
    case 'other-server':
      return `${name} came back and another DHCP server answers there (${s.servers}): not served; unplug it from that network and plug it back`;
    case 'no-address':
      return `${name} came back without an IPv4 address: not served (give it one, or serve with --address)`;
    case 'moved':
      return `${name} came back as ${s.now}, outside scope ${s.scopes} (it was ${s.was}): not served; fix the address or the scope file and plug it back`;
    case 'failed':
      return `${name} came back but could not be served again: ${s.error}`;
  }
}
