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
 */
import type { Clock, TimerHandle } from '../clock.js';

/** Most requests waiting at once (a request and a timer each: a few hundred bytes). */
export const MAX_WAITING = 10_000;

/** One request in the queue. */
interface Waiting<T> {
  /** The client's TID, `address:port`. */
  readonly key: string;
  /** The client's address (its per-client limit). */
  readonly client: string;
  /** What makes a repeated request the same one. */
  readonly same: string;
  readonly item: T;
  readonly since: number;
  readonly timer: TimerHandle;
}

/** The outcome of offering a request to the queue. */
export type Enqueued = 'queued' | 'duplicate' | 'full';

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
   * (`duplicate`: a retransmission, absorbed) or there is no room (`full`).
   */
  offer(key: string, client: string, same: string, item: T): Enqueued {
    if (this.waiting.some((w) => w.key === key && w.same === same)) return 'duplicate';
    if (this.o.maxWaitMs <= 0 || this.waiting.length >= this.maxLength) return 'full';
    const since = this.o.clock.now();
    const entry: Waiting<T> = {
      key,
      client,
      same,
      item,
      since,
      timer: this.o.clock.setTimer(this.o.maxWaitMs, () => {
        if (this.remove(entry)) this.o.onTimeout(item, this.o.clock.now() - since);
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
