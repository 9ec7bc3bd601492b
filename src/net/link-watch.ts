/**
 * Watching the served links: a USB adapter unplugged and plugged back, a cable pulled,
 * an address changed. {@link compareLinks} is the pure decision (two observations of one
 * interface → what changed); {@link LinkWatcher} polls and reports the changes one at a
 * time (the next poll waits until the report is handled).
 *
 * Why polling `/sys/class/net` and `os.networkInterfaces()` rather than netlink (`ip
 * monitor`): it needs no privilege, no child process to supervise and no text format of
 * another program to parse; a change missed between two polls (a link deleted and made
 * again within a second) still shows as a new ifindex; and for the one to four
 * interfaces a bench serves, one poll a second costs a few file reads. The price is up to
 * a second of delay, well inside a device's DHCP retry.
 */
import { readFile } from 'node:fs/promises';
import type { Clock, TimerHandle } from '../clock.js';
import { errorMessage } from '../errno.js';
import { findInterface, isInterfaceName, type InterfaceAddress } from './interfaces.js';

/** One look at one interface. */
export type LinkObservation =
  | { readonly present: false }
  | {
      readonly present: true;
      readonly ifindex: number;
      /** Administratively up and carrying (operstate up, or unknown for drivers that do not say). */
      readonly isUp: boolean;
      readonly addresses: readonly InterfaceAddress[];
    };

/** Where a served link stands: usable, present but down (no carrier, set down), or gone. */
export type LinkCondition = 'up' | 'down' | 'gone';

/** The condition of an observation. */
export function conditionOf(o: LinkObservation): LinkCondition {
  if (!o.present) return 'gone';
  return o.isUp ? 'up' : 'down';
}

/** What changed on a served link between two observations. */
export type LinkChange =
  /** It went down or away (or from down to gone): do not serve it. */
  | { readonly kind: 'lost'; readonly name: string; readonly condition: 'down' | 'gone' }
  /** It is up again, or it was replaced (a new ifindex) while we looked away: bind again. */
  | { readonly kind: 'back'; readonly name: string; readonly ifindex: number; readonly addresses: readonly InterfaceAddress[] }
  /** Still up on the same ifindex, with other IPv4 addresses. */
  | { readonly kind: 'readdressed'; readonly name: string; readonly ifindex: number; readonly addresses: readonly InterfaceAddress[] };

function sameAddresses(a: readonly InterfaceAddress[], b: readonly InterfaceAddress[]): boolean {
  const key = (l: readonly InterfaceAddress[]): string =>
    l
      .map((x) => `${x.address}/${x.prefix}`)
      .sort()
      .join(',');
  return key(a) === key(b);
}

/** The change from `before` to `now` on interface `name`, or undefined when nothing that matters changed. */
export function compareLinks(name: string, before: LinkObservation, now: LinkObservation): LinkChange | undefined {
  const was = conditionOf(before);
  if (!now.present) return was === 'gone' ? undefined : { kind: 'lost', name, condition: 'gone' };
  if (!now.isUp) return was === 'down' ? undefined : { kind: 'lost', name, condition: 'down' };
  const { ifindex, addresses } = now;
  if (!before.present || !before.isUp || before.ifindex !== ifindex) return { kind: 'back', name, ifindex, addresses };
  return sameAddresses(before.addresses, addresses) ? undefined : { kind: 'readdressed', name, ifindex, addresses };
}

/** Reads `/sys/class/net/<name>/<file>` as text; undefined when it is not there. */
async function readSysNet(name: string, file: string): Promise<string | undefined> {
  try {
    return (await readFile(`/sys/class/net/${name}/${file}`, 'utf8')).trim();
  } catch {
    return undefined; // the interface went away between two reads: the next look says so
  }
}

/** IFF_UP in `/sys/class/net/<name>/flags` (linux/if.h). */
const IFF_UP = 0x1;

/** Looks at one interface on this machine (no privilege needed). */
export async function observeLink(name: string): Promise<LinkObservation> {
  if (!isInterfaceName(name)) return { present: false };
  const iface = await findInterface(name);
  if (!iface) return { present: false };
  const [operstate, flags] = await Promise.all([readSysNet(name, 'operstate'), readSysNet(name, 'flags')]);
  const adminUp = flags === undefined ? false : (Number.parseInt(flags, 16) & IFF_UP) !== 0;
  const isUp = adminUp && (operstate === 'up' || operstate === 'unknown');
  return { present: true, ifindex: iface.ifindex, isUp, addresses: iface.addresses };
}

/** What a {@link LinkWatcher} needs. */
export interface LinkWatcherOptions {
  readonly names: readonly string[];
  readonly clock: Clock;
  /** Time between two looks (default {@link DEFAULT_LINK_POLL_MS}). */
  readonly intervalMs?: number;
  /** Looks at one interface (default: {@link observeLink}). */
  readonly observe?: (name: string) => Promise<LinkObservation>;
  /** Handles one change; the watcher looks again only after it settled. */
  readonly onChange: (change: LinkChange) => Promise<void>;
  /** A look or a handler failed (the watcher goes on). */
  readonly onError: (err: string) => void;
}

/** How often the served links are looked at. */
export const DEFAULT_LINK_POLL_MS = 1000;

/** Polls the served links and reports each change in order. */
export class LinkWatcher {
  private readonly last = new Map<string, LinkObservation>();
  private timer: TimerHandle | undefined;
  private running = false;
  private polling: Promise<void> = Promise.resolve();

  constructor(private readonly o: LinkWatcherOptions) {}

  /** Takes the first look (the links as they are when serving starts), then polls. */
  async start(): Promise<void> {
    const observe = this.o.observe ?? observeLink;
    for (const name of this.o.names) this.last.set(name, await observe(name));
    this.running = true;
    this.schedule();
  }

  /** The last look at `name` (after start). */
  observed(name: string): LinkObservation | undefined {
    return this.last.get(name);
  }

  /** Stops polling; waits for a change being handled. */
  async stop(): Promise<void> {
    this.running = false;
    this.timer?.cancel();
    this.timer = undefined;
    await this.polling;
  }

  private schedule(): void {
    if (!this.running) return;
    this.timer = this.o.clock.setTimer(this.o.intervalMs ?? DEFAULT_LINK_POLL_MS, () => {
      this.polling = this.poll().finally(() => this.schedule());
    });
  }

  /** One look at every link; each change is handled before the next link is compared. */
  async poll(): Promise<void> {
    const observe = this.o.observe ?? observeLink;
    for (const name of this.o.names) {
      if (!this.running) return;
      try {
        const now = await observe(name);
        const change = compareLinks(name, this.last.get(name) ?? { present: false }, now);
        this.last.set(name, now);
        if (change) await this.o.onChange(change);
      } catch (err) {
        this.o.onError(`${name}: ${errorMessage(err)}`);
      }
    }
  }
}
