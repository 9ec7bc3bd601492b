/**
 * Requests waiting for a transfer slot (issue 15). Over `maxTransfers` (or a client's
 * `maxPerClient`) a request is not refused at once: PXE firmware gives up at the first
 * TFTP error, so in a boot storm every "busy" answer is a failed boot. It waits here,
 * first come first served, and starts when a slot frees; its client's retransmitted
 * requests are absorbed meanwhile (they are the same request). The wait is bounded:
 * after `maxWaitMs` the request gets "busy" after all, as does one arriving when the
 * queue holds `maxLength` requests.
 *
 * A client at its own limit never holds up the others: `take` passes over its requests
 * to the first one whose client may start one.
 *
 * A client that asks for the same file again from a new port (a new TID: it gave up on
 * the old one and started over, as PXE firmware and phones do after a few silent
 * retransmissions) takes over its waiting request, place in the queue included: started
 * for the old port, the transfer would only send to a socket nobody reads and hold a
 * slot until its retries ran out, and in a storm such zombies take every slot.
 *
 * For the same reason a request whose client went silent is dropped when its turn comes:
 * a waiting client retransmits its request every timeout, so one not heard for longer
 * than its `staleMs` (see {@link staleAfterMs}) gave up, and its turn goes to the next.
 */
import type { Clock, TimerHandle } from '../clock.js';

/** Most requests waiting at once (a request and a timer each: a few hundred bytes). */
export const MAX_WAITING = 10_000;

/** One request in the queue. */
interface Waiting<T> {
  /** The client's TID, `address:port` (a restarted client moves it to its new port). */
  key: string;
  /** The client's address (its per-client limit). */
  readonly client: string;
  /** What makes a repeated request the same one. */
  readonly same: string;
  item: T;
  readonly since: number;
  /** When the client's request was last heard (offered again: a retransmission, or from a new port). */
  heardAt: number;
  /** Silence after which the client counts as gone. */
  readonly staleMs: number;
  readonly timer: TimerHandle;
}

/** Least silence before a waiting client counts as gone, whatever its timeout. */
export const MIN_STALE_MS = 10_000;

/**
 * How long a waiting client may go unheard before it counts as gone: four of its
 * retransmission timeouts (`timeoutMs`: what it asked for, else the server's), at least
 * {@link MIN_STALE_MS}. Clients retransmit a request every timeout, some backing off,
 * and give up after a few.
 */
export function staleAfterMs(timeoutMs: number): number {
  return Math.max(MIN_STALE_MS, 4 * timeoutMs);
}

/** The outcome of offering a request to the queue (`moved`: the client started over from a new port). */
export type Enqueued = 'queued' | 'duplicate' | 'moved' | 'full';

/** Settings of a queue. */
export interface WaitQueueOptions<T> {
  readonly clock: Clock;
  /** How long a request may wait; 0: no queue (every offer is `full`). */
  readonly maxWaitMs: number;
  readonly maxLength?: number;
  /** A request waited `maxWaitMs` without a slot (it has left the queue). */
  readonly onTimeout: (item: T, waitedMs: number) => void;
  /** A request whose client was silent longer than its staleMs was dropped at its turn (no answer is sent). */
  readonly onStale?: (item: T, silentMs: number) => void;
}

/** The waiting requests, oldest first. */
export class WaitQueue<T> {
  private readonly waiting: Waiting<T>[] = [];
  private readonly maxLength: number;

  constructor(private readonly o: WaitQueueOptions<T>) {
    this.maxLength = o.maxLength ?? MAX_WAITING;
  }

  /** Requests waiting now. */
  get length(): number {
    return this.waiting.length;
  }

  /**
   * Adds a request, unless the same client TID already waits with the same request
   * (`duplicate`: a retransmission, absorbed), the client waits for it from another port
   * (`moved`: it started over; the entry now answers the new port) or there is no room
   * (`full`).
   */
  offer(key: string, client: string, same: string, item: T, staleMs = Infinity): Enqueued {
    const now = this.o.clock.now();
    const repeated = this.waiting.find((w) => w.key === key && w.same === same);
    if (repeated) {
      repeated.heardAt = now;
      return 'duplicate';
    }
    const restarted = this.waiting.find((w) => w.client === client && w.same === same);
    if (restarted) {
      restarted.key = key;
      restarted.item = item;
      restarted.heardAt = now;
      return 'moved';
    }
    if (this.o.maxWaitMs <= 0 || this.waiting.length >= this.maxLength) return 'full';
    const since = now;
    const entry: Waiting<T> = {
      key,
      client,
      same,
      item,
      since,
      heardAt: now,
      staleMs,
      timer: this.o.clock.setTimer(this.o.maxWaitMs, () => {
        if (this.remove(entry)) this.o.onTimeout(entry.item, this.o.clock.now() - since);
      }),
    };
    this.waiting.push(entry);
    return 'queued';
  }

  /** Takes the oldest request whose client `mayStart`, dropping silent ones on the way; undefined when none may. */
  take(mayStart: (client: string) => boolean): { item: T; waitedMs: number } | undefined {
    const now = this.o.clock.now();
    for (let i = 0; i < this.waiting.length; ) {
      const w = this.waiting[i];
      if (w === undefined) break;
      const silentMs = now - w.heardAt;
      const stale = silentMs > w.staleMs;
      if (!stale && !mayStart(w.client)) {
        i++;
        continue;
      }
      this.waiting.splice(i, 1);
      w.timer.cancel();
      if (!stale) return { item: w.item, waitedMs: now - w.since };
      this.o.onStale?.(w.item, silentMs);
    }
    return undefined;
  }

  /** Takes `item` out of the queue (its client went away); false when it is not there. */
  withdraw(item: T): boolean {
    const entry = this.waiting.find((w) => w.item === item);
    if (entry === undefined) return false;
    entry.timer.cancel();
    return this.remove(entry);
  }

  /** Empties the queue (the server stops); returns what waited, oldest first. */
  drain(): T[] {
    const all = this.waiting.splice(0);
    for (const w of all) w.timer.cancel();
    return all.map((w) => w.item);
  }

  private remove(entry: Waiting<T>): boolean {
    const i = this.waiting.indexOf(entry);
    if (i < 0) return false;
    this.waiting.splice(i, 1);
    return true;
  }
}
