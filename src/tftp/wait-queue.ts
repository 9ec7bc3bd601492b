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
  readonly timer: TimerHandle;
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
  offer(key: string, client: string, same: string, item: T): Enqueued {
    if (this.waiting.some((w) => w.key === key && w.same === same)) return 'duplicate';
    const restarted = this.waiting.find((w) => w.client === client && w.same === same);
    if (restarted) {
      restarted.key = key;
      restarted.item = item;
      return 'moved';
    }
    if (this.o.maxWaitMs <= 0 || this.waiting.length >= this.maxLength) return 'full';
    const since = this.o.clock.now();
    const entry: Waiting<T> = {
      key,
      client,
      same,
      item,
      since,
      timer: this.o.clock.setTimer(this.o.maxWaitMs, () => {
        if (this.remove(entry)) this.o.onTimeout(entry.item, this.o.clock.now() - since);
      }),
    };
    this.waiting.push(entry);
    return 'queued';
  }

  /** Takes the oldest request whose client `mayStart`; undefined when none may. */
  take(mayStart: (client: string) => boolean): { item: T; waitedMs: number } | undefined {
    const i = this.waiting.findIndex((w) => mayStart(w.client));
    const w = this.waiting[i];
    if (w === undefined) return undefined;
    this.waiting.splice(i, 1);
    w.timer.cancel();
    return { item: w.item, waitedMs: this.o.clock.now() - w.since };
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
