/**
 * Busy polling for request/answer traffic (TFTP lock-step): after a datagram that the
 * peer answers at once (a DATA block, an ACK), the event loop keeps polling its sockets
 * without blocking for a short window instead of going to sleep in epoll.
 *
 * Why: in lock-step every block costs one round trip, and on virtual machines and
 * laptops most of a round trip is the time a sleeping thread takes to wake up
 * (scheduler, inter-processor interrupt), not the protocol work. Measured on the bench
 * veth pair: a Node server sleeping between blocks moves about 4 MB/s at blksize 512;
 * the same server polling for up to 200 µs after each block, about 8 MB/s. It is the
 * idea of Linux's SO_BUSY_POLL, done in user space because Node cannot set it.
 *
 * The cost is CPU: the loop spins while it waits. It is bounded three ways: a window per
 * sent datagram; per transfer ({@link BusyPollSession}) spinning is only done while the
 * peer's last answer came within the window, so a slow device (a phone across a switch
 * answering after milliseconds) never makes the server spin; and only while at most
 * {@link BUSY_POLL_MAX_SESSIONS} transfers run. With more, the loop rarely sleeps anyway,
 * and spinning would only take CPU from everything else on the machine (measured: a storm
 * of 100 transfers took 15.6 s with spinning instead of 13.3 s without, the clients on
 * the same two cores starved).
 *
 * Spinning = a chain of `setImmediate` callbacks: while one is pending, libuv polls
 * with a zero timeout and every other event (timers, other sockets, file reads) is
 * served as usual.
 */

/** What the poller needs from its surroundings (tests pass a fake). */
export interface BusyPollHost {
  /** Monotonic time in milliseconds with sub-millisecond resolution. */
  now(): number;
  /** Runs `fn` after the current poll phase (Node: setImmediate). */
  immediate(fn: () => void): void;
}

const nodeHost: BusyPollHost = {
  now: () => performance.now(),
  immediate: (fn) => {
    setImmediate(fn);
  },
};

/** Keeps the event loop polling until the latest deadline asked for has passed. */
export interface BusyPoller {
  /** The window in microseconds (0 = busy polling off). */
  readonly windowMicros: number;
  /** Keeps polling for one window from now (unless more than BUSY_POLL_MAX_SESSIONS sessions are open). */
  hold(): void;
  /** Sessions open now. */
  readonly sessions: number;
  /** True while the loop is spinning. */
  readonly spinning: boolean;
  /** Spin loop turns so far (for tests and counters). */
  readonly turns: number;
  /** A per-transfer view that spins only while the peer answers within the window. */
  session(): BusyPollSession;
}

/** One transfer's use of the poller. */
export interface BusyPollSession {
  /** A datagram the peer answers at once was sent. */
  sent(): void;
  /** The peer's answer arrived. */
  answered(): void;
  /** The transfer ended (idempotent). */
  close(): void;
}

/** A session that never spins: what a poller with window 0 hands out, and the drivers' default. */
export const noBusyPollSession: BusyPollSession = {
  sent: () => undefined,
  answered: () => undefined,
  close: () => undefined,
};

/** Busy polling is done only while at most this many sessions (transfers) are open. */
export const BUSY_POLL_MAX_SESSIONS = 4;

/** Most busy polling allowed per datagram: beyond a few ms, sleeping is the better deal. */
export const MAX_BUSY_POLL_MICROS = 10_000;

/** Creates a poller with a window of `windowMicros` (0 = off: hold() and sessions do nothing). */
export function createBusyPoller(windowMicros: number, host: BusyPollHost = nodeHost): BusyPoller {
  if (!Number.isInteger(windowMicros) || windowMicros < 0 || windowMicros > MAX_BUSY_POLL_MICROS) {
    throw new RangeError(`busy poll window must be an integer 0..${MAX_BUSY_POLL_MICROS} µs, got ${windowMicros}`);
  }
  const windowMs = windowMicros / 1000;
  let until = 0;
  let spinning = false;
  let turns = 0;
  let open = 0;
  const turn = (): void => {
    turns++;
    if (host.now() < until) host.immediate(turn);
    else spinning = false;
  };
  /** Polls until `now` + one window (`now` given by a caller that just read the clock). */
  const holdFrom = (now: number): void => {
    if (windowMicros === 0 || open > BUSY_POLL_MAX_SESSIONS) return;
    until = now + windowMs;
    if (!spinning) {
      spinning = true;
      host.immediate(turn);
    }
  };
  return {
    windowMicros,
    hold: () => holdFrom(host.now()),
    get spinning() {
      return spinning;
    },
    get turns() {
      return turns;
    },
    get sessions() {
      return open;
    },
    session(): BusyPollSession {
      if (windowMicros === 0) return noBusyPollSession;
      let sentAt = -1;
      // Optimistic start: spin for the first answer, then follow what the peer does.
      let lastAnswerMs = 0;
      let closed = false;
      open++;
      return {
        close() {
          if (closed) return;
          closed = true;
          open--;
        },
        sent() {
          sentAt = host.now();
          if (lastAnswerMs <= windowMs) holdFrom(sentAt);
        },
        answered() {
          if (sentAt >= 0) lastAnswerMs = host.now() - sentAt;
          sentAt = -1;
        },
      };
    },
  };
}
