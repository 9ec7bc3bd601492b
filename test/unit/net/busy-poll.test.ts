/**
 * Busy polling: the spin loop runs for one window after hold() and then stops by itself;
 * a transfer spins only while its peer answers within the window; nothing spins beyond
 * BUSY_POLL_MAX_SESSIONS open transfers; window 0 never spins. Driven on a fake host
 * (manual clock, manual immediate queue), plus the wiring in driveSender/driveReceiver
 * and one check on Node's real event loop that the loop stops and the process can idle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUSY_POLL_MAX_SESSIONS, createBusyPoller, type BusyPollHost, type BusyPollSession } from '../../../src/net/busy-poll.js';
import { FakeClock } from '../../../src/clock.js';
import { MemoryNetwork } from '../../../src/net/udp.js';
import { BlockFeed } from '../../../src/tftp/block-feed.js';
import { driveReceiver } from '../../../src/tftp/receive-driver.js';
import { driveSender } from '../../../src/tftp/send-driver.js';

function fakeHost() {
  let now = 1000;
  const queue: (() => void)[] = [];
  const host: BusyPollHost = {
    now: () => now,
    immediate: (fn) => {
      queue.push(fn);
    },
  };
  return {
    host,
    advance(ms: number) {
      now += ms;
    },
    /** Runs the queued immediates once (one event-loop turn); returns how many ran. */
    turn(): number {
      const fns = queue.splice(0);
      for (const fn of fns) fn();
      return fns.length;
    },
    get queued() {
      return queue.length;
    },
  };
}

test('hold() spins for one window, then the loop stops on its own', () => {
  const h = fakeHost();
  const p = createBusyPoller(200, h.host);
  p.hold();
  assert.equal(p.spinning, true);
  assert.equal(h.queued, 1, 'one immediate at a time, never a growing queue');
  h.advance(0.1);
  h.turn();
  assert.equal(p.spinning, true, '100 µs into a 200 µs window: still polling');
  assert.equal(h.queued, 1);
  h.advance(0.15);
  h.turn();
  assert.equal(p.spinning, false, 'past the window: stopped');
  assert.equal(h.queued, 0, 'nothing left scheduled that would keep the process busy');
  assert.equal(p.turns, 2);
});

test('a second hold() inside the window extends it instead of starting a second loop', () => {
  const h = fakeHost();
  const p = createBusyPoller(200, h.host);
  p.hold();
  h.advance(0.15);
  p.hold();
  assert.equal(h.queued, 1);
  h.advance(0.1);
  h.turn();
  assert.equal(p.spinning, true, '250 µs after the first hold, 100 µs after the second');
  h.advance(0.2);
  h.turn();
  assert.equal(p.spinning, false);
});

test('window 0 is off: no spinning, sessions do nothing', () => {
  const h = fakeHost();
  const p = createBusyPoller(0, h.host);
  p.hold();
  const s = p.session();
  s.sent();
  assert.equal(p.spinning, false);
  assert.equal(h.queued, 0);
  assert.equal(p.sessions, 0);
});

test('a session spins while the peer answers within the window and stops when it answers late', () => {
  const h = fakeHost();
  const p = createBusyPoller(200, h.host);
  const s = p.session();
  s.sent();
  assert.equal(p.spinning, true, 'optimistic for the first answer');
  h.advance(0.5); // the answer takes 500 µs: a slow device
  h.turn();
  s.answered();
  assert.equal(p.spinning, false);
  s.sent();
  assert.equal(p.spinning, false, 'after a late answer, the next block does not spin');
  h.advance(0.05);
  s.answered(); // this one came back in 50 µs
  s.sent();
  assert.equal(p.spinning, true, 'a quick answer turns spinning back on');
  s.close();
});

test(`more than ${BUSY_POLL_MAX_SESSIONS} open sessions: nobody spins; closing them brings it back`, () => {
  const h = fakeHost();
  const p = createBusyPoller(200, h.host);
  const sessions: BusyPollSession[] = [];
  for (let i = 0; i < BUSY_POLL_MAX_SESSIONS + 1; i++) sessions.push(p.session());
  assert.equal(p.sessions, BUSY_POLL_MAX_SESSIONS + 1);
  sessions[0]?.sent();
  assert.equal(p.spinning, false, 'a storm keeps the loop busy anyway: spinning would only take CPU from the rest');
  sessions[1]?.close();
  sessions[1]?.close(); // idempotent
  assert.equal(p.sessions, BUSY_POLL_MAX_SESSIONS);
  sessions[0]?.sent();
  assert.equal(p.spinning, true);
});

test('the window is validated', () => {
  assert.throws(() => createBusyPoller(-1), RangeError);
  assert.throws(() => createBusyPoller(1.5), RangeError);
  assert.throws(() => createBusyPoller(10_001), RangeError);
});

test('on the real event loop the spin ends shortly after the window', async () => {
  const p = createBusyPoller(200);
  p.hold();
  assert.equal(p.spinning, true);
  // Bounded wait for the loop to stop (not a timing assertion: it only has to stop).
  for (let i = 0; i < 100 && p.spinning; i++) await new Promise((resolve) => setTimeout(resolve, 10));
  assert.equal(p.spinning, false);
  assert.ok(p.turns >= 1);
  assert.ok(!process.getActiveResourcesInfo().includes('Immediate'), 'no immediate left behind');
});

function recordingSession() {
  const calls: string[] = [];
  const session: BusyPollSession = {
    sent: () => calls.push('sent'),
    answered: () => calls.push('answered'),
    close: () => calls.push('close'),
  };
  return { calls, session };
}

test('driveSender and driveReceiver report each datagram that awaits an answer, each answer, and the end', async () => {
  const net = new MemoryNetwork();
  const clock = new FakeClock(0);
  const a = net.bind('10.0.0.1');
  const b = net.bind('10.0.0.2');
  const data = Uint8Array.from({ length: 1300 }, (_, i) => i & 0xff);
  const feed = new BlockFeed((offset, length) => Promise.resolve(data.slice(offset, offset + length)), data.length, 'octet', 512);
  const tx = recordingSession();
  const rx = recordingSession();
  const received: number[] = [];
  const receiver = driveReceiver({
    endpoint: b,
    peer: a.local(),
    clock,
    blksize: 512,
    windowsize: 1,
    timeoutMs: 1000,
    maxRetries: 3,
    opening: undefined,
    deliver: (d) => received.push(...d),
    busyPoll: rx.session,
  });
  const sender = driveSender({ endpoint: a, peer: b.local(), clock, feed, windowsize: 1, timeoutMs: 1000, maxRetries: 3, busyPoll: tx.session });
  const [s, r] = await Promise.all([sender.done, receiver.done]);
  assert.ok(s.result.kind === 'ok' && r.result.kind === 'ok');
  assert.deepEqual(received, Array.from(data));
  // Three DATA blocks (512, 512, 276), each acknowledged; the session closed at the end.
  assert.deepEqual(tx.calls, ['sent', 'answered', 'sent', 'answered', 'sent', 'answered', 'close']);
  // The receiver answers each DATA with an ACK; the last ACK is sent as the transfer ends.
  assert.equal(rx.calls.filter((c) => c === 'answered').length, 3);
  assert.equal(rx.calls.filter((c) => c === 'sent').length, 3);
  assert.equal(rx.calls.filter((c) => c === 'close').length, 1);
});
