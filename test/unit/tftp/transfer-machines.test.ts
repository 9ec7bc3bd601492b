/**
 * The pure transfer state machines (sender.ts, receiver.ts) on a fake clock: lock-step
 * and windowed rules, lost and duplicate ACKs, block-number wrap past 65535, retries
 * exhausted, window back-off and recovery; then both machines wired to each other over
 * a simulated lossy link.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { TftpSender, type SenderActions, type SenderOptions, type TransferResult } from '../../../src/tftp/sender.js';
import { describeTransferFailure } from '../../../src/tftp/transfer-outcome.js';
import { TftpReceiver, type ReceiverActions, type ReceiverOptions } from '../../../src/tftp/receiver.js';

type Event = string;

function recordingSender(opts: Partial<SenderOptions> = {}, ready = 1_000_000, final?: number) {
  const events: Event[] = [];
  let result: TransferResult | undefined;
  const actions: SenderActions = {
    sendOack: () => events.push('OACK'),
    sendData: (b) => events.push(`DATA ${b}`),
    sendError: (code) => events.push(`ERROR ${code}`),
    needData: (t) => events.push(`NEED ${t}`),
    pace: () => events.push('PACE'),
    finish: (r) => {
      result = r;
      events.push(r.kind === 'ok' ? 'FINISH ok' : 'FINISH failed');
    },
  };
  const s = new TftpSender({ windowsize: 1, timeoutMs: 1000, maxRetries: 3, withOack: false, ...opts }, actions);
  s.onDataReady(ready, final, 0);
  const take = (): Event[] => events.splice(0);
  return { s, take, result: () => result };
}

test('RFC 1350: lock-step sends DATA 1 at once, then one block per ACK', () => {
  const { s, take } = recordingSender({}, 100, 3);
  s.start(0);
  assert.deepEqual(take(), ['DATA 1']);
  s.onAck(1, 10);
  assert.deepEqual(take(), ['DATA 2']);
  s.onAck(2, 20);
  assert.deepEqual(take(), ['DATA 3']);
  s.onAck(3, 30);
  assert.deepEqual(take(), ['FINISH ok']);
});

test('RFC 2347: with an OACK, DATA 1 waits for ACK 0; other ACKs meanwhile are stray', () => {
  const { s, take } = recordingSender({ withOack: true }, 100, 2);
  s.start(0);
  assert.deepEqual(take(), ['OACK']);
  s.onAck(1, 5);
  assert.deepEqual(take(), []);
  assert.equal(s.stats.strayAcks, 1);
  s.onAck(0, 10);
  assert.deepEqual(take(), ['DATA 1']);
});

test('RFC 2347: a lost ACK 0 makes the OACK go again after the timeout', () => {
  const { s, take } = recordingSender({ withOack: true }, 100, 2);
  s.start(0);
  take();
  s.onTick(999);
  assert.deepEqual(take(), [], 'not before the deadline');
  s.onTick(1000);
  assert.deepEqual(take(), ['OACK']);
});

test('lost ACK: the block is resent after the timeout, and the timeout doubles each time (backoff)', () => {
  const { s, take } = recordingSender({ maxRetries: 5 }, 100, 10);
  s.start(0);
  take();
  assert.equal(s.deadline, 1000);
  s.onTick(1000);
  assert.deepEqual(take(), ['DATA 1']);
  assert.equal(s.deadline, 3000, 'second wait is 2 s');
  s.onTick(3000);
  assert.deepEqual(take(), ['DATA 1']);
  assert.equal(s.deadline, 7000, 'third wait is 4 s');
  s.onAck(1, 7100);
  assert.deepEqual(take(), ['DATA 2']);
  assert.equal(s.deadline, 8100, 'an ACK brings the timeout back to 1 s');
});

test('RFC 1123 §4.2.3.1: a duplicate ACK never causes a duplicate DATA in lock-step (Sorcerer\'s Apprentice)', () => {
  const { s, take } = recordingSender({}, 100, 10);
  s.start(0);
  s.onAck(1, 10);
  assert.deepEqual(take(), ['DATA 1', 'DATA 2']);
  s.onAck(1, 20);
  s.onAck(1, 21);
  assert.deepEqual(take(), []);
  assert.equal(s.stats.duplicateAcks, 2);
  s.onAck(2, 30);
  assert.deepEqual(take(), ['DATA 3']);
});

test('an ACK for a block never sent is ignored', () => {
  const { s, take } = recordingSender({}, 100, 10);
  s.start(0);
  take();
  s.onAck(7, 10);
  assert.deepEqual(take(), []);
  assert.equal(s.stats.strayAcks, 1);
});

test('retries exhausted: after maxRetries timeouts in a row the sender sends ERROR and fails', () => {
  const { s, take, result } = recordingSender({ maxRetries: 2 }, 100, 10);
  s.start(0);
  s.onTick(1000);
  s.onTick(3000);
  assert.deepEqual(take(), ['DATA 1', 'DATA 1', 'DATA 1']);
  s.onTick(7000);
  assert.deepEqual(take(), ['ERROR 0', 'FINISH failed']);
  const r = result();
  assert.ok(r && r.kind !== 'ok' && /2 retries/.test(describeTransferFailure(r)));
  assert.equal(s.deadline, undefined);
});

test('the peer\'s ERROR ends the transfer (e.g. a PXE client after a tsize probe)', () => {
  const { s, take, result } = recordingSender({}, 100, 10);
  s.start(0);
  take();
  s.onPeerError(0, 'TFTP Aborted');
  assert.deepEqual(take(), ['FINISH failed']);
  const r = result();
  assert.ok(r && r.kind !== 'ok' && describeTransferFailure(r).includes('TFTP Aborted'));
});

test('data not read yet: the sender asks for it and continues when it is ready', () => {
  const { s, take } = recordingSender({ windowsize: 4 }, 2);
  s.start(0);
  assert.deepEqual(take(), ['DATA 1', 'DATA 2', 'NEED 4']);
  s.onDataReady(8, undefined, 5);
  assert.deepEqual(take(), ['DATA 3', 'DATA 4']);
});

test('block numbers wrap past 65535 to 0: a 70000-block transfer finishes (files > 32 MB at blksize 512)', () => {
  const wires: number[] = [];
  let ok = false;
  const s = new TftpSender(
    { windowsize: 1, timeoutMs: 1000, maxRetries: 3, withOack: false },
    {
      sendOack: () => undefined,
      sendData: (b) => wires.push(b & 0xffff),
      sendError: () => assert.fail('no error expected'),
      needData: () => assert.fail('all data ready'),
      pace: () => assert.fail('no pause in lock-step'),
      finish: (r) => (ok = r.kind === 'ok'),
    },
  );
  s.onDataReady(70000, 70000, 0);
  s.start(0);
  for (let i = 0; i < 70000; i++) {
    const w = wires[wires.length - 1];
    assert.notEqual(w, undefined);
    s.onAck(w ?? -1, i);
  }
  assert.ok(ok);
  assert.equal(wires[65534], 65535);
  assert.equal(wires[65535], 0, 'after 65535 comes 0');
  assert.equal(wires[65536], 1);
});

test('RFC 7440: a window of blocks goes out at once; an ACK for the last one sends the next window', () => {
  const { s, take } = recordingSender({ windowsize: 4 }, 100, 12);
  s.start(0);
  assert.deepEqual(take(), ['DATA 1', 'DATA 2', 'DATA 3', 'DATA 4']);
  s.onAck(4, 10);
  assert.deepEqual(take(), ['DATA 5', 'DATA 6', 'DATA 7', 'DATA 8']);
});

test('RFC 7440 §4: an ACK inside the window reports a gap: resend from the block after it, in half-size bursts', () => {
  const { s, take } = recordingSender({ windowsize: 4 }, 100, 40);
  s.start(0);
  s.onAck(4, 10);
  take();
  s.onAck(6, 20); // blocks 7 and 8 did not arrive
  assert.equal(s.cwnd, 2);
  assert.deepEqual(take(), ['DATA 7', 'DATA 8', 'PACE'], 'a burst of 2, then a pause');
  s.onPace(21);
  assert.deepEqual(take(), ['DATA 9', 'DATA 10'], 'the rest of the window after the pause: the receiver still gets a whole window');
  s.onAck(10, 30);
  assert.equal(s.cwnd, 4, 'a completed window doubles the burst again');
  assert.deepEqual(take(), ['DATA 11', 'DATA 12', 'DATA 13', 'DATA 14']);
});

test('RFC 7440 §4: a repeated ACK means the next block was lost: resend from there once per ACK value', () => {
  const { s, take } = recordingSender({ windowsize: 4 }, 100, 40);
  s.start(0);
  s.onAck(4, 10);
  take();
  s.onAck(4, 11); // the receiver saw a gap right after block 4
  assert.equal(s.cwnd, 2);
  assert.deepEqual(take(), ['DATA 5', 'DATA 6', 'PACE']);
  s.onAck(4, 12); // the same report again: no second resend
  assert.deepEqual(take(), []);
});

test('window back-off and recovery: a timeout halves the burst and doubles the timeout; completed windows restore both', () => {
  const { s, take } = recordingSender({ windowsize: 8 }, 1000, 1000);
  s.start(0);
  take();
  s.onTick(1000);
  assert.equal(s.cwnd, 4);
  assert.deepEqual(take(), ['DATA 1', 'DATA 2', 'DATA 3', 'DATA 4', 'PACE']);
  assert.equal(s.deadline, 3000);
  s.onPace(1001);
  assert.deepEqual(take(), ['DATA 5', 'DATA 6', 'DATA 7', 'DATA 8']);
  s.onAck(8, 1100);
  assert.equal(s.cwnd, 8, 'grown back, never above the negotiated windowsize');
  assert.equal(s.deadline, 2100, 'timeout back to 1 s');
  assert.deepEqual(take(), ['DATA 9', 'DATA 10', 'DATA 11', 'DATA 12', 'DATA 13', 'DATA 14', 'DATA 15', 'DATA 16'], 'no pause at full size');
});

function recordingReceiver(opts: Partial<ReceiverOptions> = {}) {
  const events: Event[] = [];
  const delivered: number[] = [];
  let result: TransferResult | undefined;
  const actions: ReceiverActions = {
    sendAck: (w) => events.push(`ACK ${w}`),
    sendStart: () => events.push('START'),
    deliver: (b, d) => delivered.push(b, d.length),
    sendError: (code) => events.push(`ERROR ${code}`),
    finish: (r) => {
      result = r;
      events.push(r.kind === 'ok' ? 'FINISH ok' : 'FINISH failed');
    },
    holdLast: () => events.push('HOLD'),
  };
  const r = new TftpReceiver({ blksize: 8, windowsize: 1, timeoutMs: 1000, maxRetries: 3, ...opts }, actions);
  return { r, take: () => events.splice(0), delivered, result: () => result };
}
const full = new Uint8Array(8);
const short = new Uint8Array(3);

test('RFC 1350: the receiver ACKs each block and finishes on a short block', () => {
  const { r, take, delivered, result } = recordingReceiver();
  r.start(0);
  assert.deepEqual(take(), ['START']);
  r.onData(1, full, 1);
  r.onData(2, short, 2);
  assert.deepEqual(take(), ['ACK 1', 'ACK 2', 'FINISH ok']);
  assert.deepEqual(delivered, [1, 8, 2, 3]);
  assert.deepEqual(result(), { kind: 'ok' });
});

test('RFC 1350 §6: a file that is a multiple of blksize ends with an empty block', () => {
  const { r, take } = recordingReceiver();
  r.start(0, false);
  r.onData(1, full, 1);
  assert.equal(r.done, false, 'a full block is never the last');
  r.onData(2, new Uint8Array(0), 2);
  assert.deepEqual(take(), ['ACK 1', 'ACK 2', 'FINISH ok']);
});

test('a repeated block (our ACK was lost) is re-ACKed in lock-step and not delivered twice', () => {
  const { r, take, delivered } = recordingReceiver();
  r.start(0, false);
  r.onData(1, full, 1);
  r.onData(1, full, 2);
  r.onData(1, full, 3);
  assert.deepEqual(take(), ['ACK 1', 'ACK 1', 'ACK 1']);
  assert.deepEqual(delivered, [1, 8]);
});

test('RFC 1350 §6: after the last ACK the receiver dallies and re-ACKs a retransmitted last block', () => {
  const { r, take } = recordingReceiver();
  r.start(0, false);
  r.onData(1, short, 10);
  assert.equal(r.dallyUntil, 1010);
  r.onData(1, short, 500);
  assert.deepEqual(take(), ['ACK 1', 'FINISH ok', 'ACK 1']);
});

test('a block larger than blksize is refused with ERROR 4', () => {
  const { r, take } = recordingReceiver();
  r.start(0, false);
  r.onData(1, new Uint8Array(9), 1);
  assert.deepEqual(take(), ['ERROR 4', 'FINISH failed']);
});

test('receiver timeout: the opening is resent before any DATA, the last ACK after; then it gives up', () => {
  const { r, take } = recordingReceiver({ maxRetries: 2 });
  r.start(0);
  r.onTick(1000);
  assert.deepEqual(take(), ['START', 'START']);
  r.onData(1, full, 1500);
  r.onTick(2499);
  r.onTick(2500);
  assert.deepEqual(take(), ['ACK 1', 'ACK 1']);
  r.onTick(4500);
  r.onTick(8500);
  assert.deepEqual(take(), ['ACK 1', 'ERROR 0', 'FINISH failed']);
});

test('RFC 7440: one ACK per window of blocks, none in between', () => {
  const { r, take } = recordingReceiver({ windowsize: 4 });
  r.start(0, false);
  for (let b = 1; b <= 4; b++) r.onData(b, full, b);
  assert.deepEqual(take(), ['ACK 4']);
  r.onData(5, full, 5);
  r.onData(6, full, 6);
  r.onData(7, full, 7);
  assert.deepEqual(take(), []);
  r.onData(8, full, 8);
  assert.deepEqual(take(), ['ACK 8']);
});

test('RFC 7440 §4: a gap (block 3 lost) gets one ACK for the last in-order block, then the resent blocks continue', () => {
  const { r, take, delivered } = recordingReceiver({ windowsize: 4 });
  r.start(0, false);
  r.onData(1, full, 1);
  r.onData(2, full, 2);
  r.onData(4, full, 3);
  r.onData(5, full, 4);
  assert.deepEqual(take(), ['ACK 2'], 'once per gap');
  r.onData(3, full, 5);
  r.onData(4, full, 6);
  r.onData(5, full, 7);
  r.onData(6, short, 8);
  assert.deepEqual(take(), ['ACK 6', 'FINISH ok']);
  assert.deepEqual(delivered.filter((_, i) => i % 2 === 0), [1, 2, 3, 4, 5, 6]);
});

test('receiver: block numbers wrap past 65535 to 0', () => {
  const { r, take, delivered } = recordingReceiver();
  r.start(0, false);
  for (let b = 1; b <= 65537; b++) r.onData(b & 0xffff, full, b);
  r.onData(65538 & 0xffff, short, 70000);
  const acks = take();
  assert.equal(acks[65534], 'ACK 65535');
  assert.equal(acks[65535], 'ACK 0');
  assert.equal(acks.at(-1), 'FINISH ok');
  assert.equal(delivered.length / 2, 65538);
});

test('holdFinalAck: the last ACK waits until the upload is saved; retransmissions meanwhile are ignored', () => {
  const { r, take } = recordingReceiver({ holdFinalAck: true });
  r.start(0, false);
  r.onData(1, short, 1);
  assert.deepEqual(take(), ['HOLD']);
  r.onData(1, short, 900);
  r.onTick(5000);
  assert.deepEqual(take(), []);
  r.releaseFinal(5001);
  assert.deepEqual(take(), ['ACK 1', 'FINISH ok']);
});

/** Wires a sender and a receiver through a link that loses datagrams by a pattern, on simulated time. */
function simulate(blocks: number, windowsize: number, lose: (n: number) => boolean): { ok: boolean; got: number[]; time: number } {
  const queue: { at: number; fn: () => void }[] = [];
  let now = 0;
  let n = 0;
  const link = (fn: () => void): void => {
    if (lose(n++)) return;
    queue.push({ at: now + 1, fn });
  };
  let senderResult: TransferResult | undefined;
  let receiverResult: TransferResult | undefined;
  const got: number[] = [];
  const receiver: TftpReceiver = new TftpReceiver(
    { blksize: 4, windowsize, timeoutMs: 50, maxRetries: 20 },
    {
      sendAck: (w) => link(() => sender.onAck(w, now)),
      sendStart: () => link(() => sender.onAck(0, now)),
      deliver: (b) => got.push(b),
      sendError: () => undefined,
      finish: (r) => (receiverResult = r),
    },
  );
  const sender: TftpSender = new TftpSender(
    { windowsize, timeoutMs: 40, maxRetries: 20, withOack: true },
    {
      sendOack: () => link(() => receiver.start(now)),
      sendData: (b) => {
        const data = new Uint8Array(b === blocks ? 1 : 4);
        link(() => receiver.onData(b & 0xffff, data, now));
      },
      sendError: () => undefined,
      needData: () => undefined,
      pace: () => queue.push({ at: now + 1, fn: () => sender.onPace(now) }),
      finish: (r) => (senderResult = r),
    },
  );
  sender.onDataReady(blocks, blocks, 0);
  sender.start(0);
  for (let steps = 0; steps < 1_000_000 && !(senderResult && receiverResult); steps++) {
    queue.sort((a, b) => a.at - b.at);
    const nextTimer = Math.min(sender.deadline ?? Infinity, receiver.deadline ?? Infinity);
    const next = queue[0];
    if (next && next.at <= nextTimer) {
      queue.shift();
      now = next.at;
      next.fn();
    } else if (nextTimer !== Infinity) {
      now = nextTimer;
      sender.onTick(now);
      receiver.onTick(now);
    } else break;
  }
  return { ok: Boolean(senderResult?.kind === 'ok' && receiverResult?.kind === 'ok'), got, time: now };
}

test('sender and receiver finish together and deliver every block in order despite random loss (lock-step and windows)', () => {
  fc.assert(
    fc.property(
      fc.constantFrom(1, 2, 4, 16),
      fc.integer({ min: 1, max: 300 }),
      fc.integer({ min: 1, max: 0x7fffffff }),
      fc.integer({ min: 0, max: 20 }),
      (windowsize, blocks, seed, lossPercent) => {
        // A seeded pseudo-random link losing 0-20 % of datagrams in both directions.
        let x = seed;
        const lose = (): boolean => {
          x = (Math.imul(x, 1103515245) + 12345) & 0x7fffffff;
          return x % 100 < lossPercent;
        };
        const r = simulate(blocks, windowsize, lose);
        assert.ok(r.ok, `windowsize ${windowsize}, ${blocks} blocks, ${lossPercent} % loss`);
        assert.deepEqual(r.got, Array.from({ length: blocks }, (_, i) => i + 1));
      },
    ),
    { numRuns: 300 },
  );
});

test('a lossless windowed transfer is faster than lock-step on the same simulated link', () => {
  const lock = simulate(200, 1, () => false);
  const win = simulate(200, 16, () => false);
  assert.ok(lock.ok && win.ok);
  assert.ok(win.time < lock.time / 4, `windowed ${win.time} ticks vs lock-step ${lock.time}`);
});
