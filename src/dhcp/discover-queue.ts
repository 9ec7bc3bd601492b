/**
 * DISCOVERs take their turn after everything else when the server is behind. A
 * DISCOVER only starts an exchange; a REQUEST finishes one the server already spent
 * an OFFER on. Over capacity, a server that answers datagrams in arrival order loses
 * REQUESTs in the socket's full buffer as often as DISCOVERs, so the exchanges it
 * completes fall with the square of the share it reads (issue 13 measured half the
 * ACKs gone for a fifth more work per packet). Here every other message is answered
 * as it is read, and DISCOVERs wait in a queue that is worked on after the
 * socket reads of each turn of the event loop, for at most `turnMs` per turn (at
 * least one each turn). When `max` are waiting, a new DISCOVER is dropped and
 * counted: its client sends another (RFC 2131 §4.1 retransmits, PXE firmware too),
 * and the socket keeps being read, so REQUESTs are not lost behind it.
 *
 * Unloaded, the queue is empty at every turn and a DISCOVER waits for the rest of
 * the turn only (microseconds). Each interface has its own queue and time slice.
 */

/**
 * DISCOVERs waiting at most: about what the socket's 4 MiB receive buffer holds, so a
 * pause of the event loop (a GC, a snapshot) loses no more than it did before the
 * queue (64 lost 1.5 % of a 2,000 DORA/s run); full, the oldest has waited about 0.3 s.
 */
export const DISCOVER_QUEUE_MAX = 4096;
/** Longest time given to waiting DISCOVERs per event-loop turn (ms). */
export const DISCOVER_TURN_MS = 2;

/** Seams of a {@link DiscoverQueue} (tests drive them by hand). */
export interface DiscoverQueueOptions {
  readonly max?: number;
  readonly turnMs?: number;
  /** Runs `fn` after the I/O of this turn (default setImmediate). */
  readonly defer?: (fn: () => void) => void;
  /** A monotonic time in ms (default performance.now). */
  readonly now?: () => number;
}

/** The DISCOVERs waiting for their turn. */
export class DiscoverQueue {
  private readonly waiting: (() => void)[] = [];
  private readonly max: number;
  private readonly turnMs: number;
  private readonly defer: (fn: () => void) => void;
  private readonly now: () => number;
  private scheduled = false;
  private droppedCount = 0;

  constructor(options: DiscoverQueueOptions = {}) {
    this.max = options.max ?? DISCOVER_QUEUE_MAX;
    this.turnMs = options.turnMs ?? DISCOVER_TURN_MS;
    this.defer = options.defer ?? ((fn) => void setImmediate(fn));
    this.now = options.now ?? (() => performance.now());
  }

  /** Queues the answer to one DISCOVER; false (not queued, counted) when `max` are waiting. */
  push(answer: () => void): boolean {
    if (this.waiting.length >= this.max) {
      this.droppedCount++;
      return false;
    }
    this.waiting.push(answer);
    if (!this.scheduled) {
      this.scheduled = true;
      this.defer(() => this.turn());
    }
    return true;
  }

  /** DISCOVERs waiting now. */
  size(): number {
    return this.waiting.length;
  }

  /** DISCOVERs dropped because the queue was full, since start. */
  dropped(): number {
    return this.droppedCount;
  }

  /** Forgets every waiting DISCOVER (the server stops). */
  clear(): void {
    this.waiting.length = 0;
  }

  private turn(): void {
    this.scheduled = false;
    const start = this.now();
    let answered = 0;
    try {
      while (answered < this.waiting.length && (answered === 0 || this.now() - start < this.turnMs)) this.waiting[answered++]?.();
    } finally {
      this.waiting.splice(0, answered);
      if (this.waiting.length > 0) {
        this.scheduled = true;
        this.defer(() => this.turn());
      }
    }
  }
}

/** A queue per interface: a storm on one link neither sheds nor delays another link's DISCOVERs. */
export class DiscoverQueues {
  private readonly queues = new Map<string, DiscoverQueue>();

  constructor(private readonly options: DiscoverQueueOptions = {}) {}

  /** The queue of `interfaceName`, made on first use. */
  of(interfaceName: string): DiscoverQueue {
    let queue = this.queues.get(interfaceName);
    if (queue === undefined) {
      queue = new DiscoverQueue(this.options);
      this.queues.set(interfaceName, queue);
    }
    return queue;
  }

  /** Forgets every waiting DISCOVER of every interface (the server stops). */
  clear(): void {
    for (const queue of this.queues.values()) queue.clear();
  }
}
