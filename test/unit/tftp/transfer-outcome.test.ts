/**
 * Transfer outcomes are typed values formatted only at the edge, and one back-off rule
 * serves the sender, the receiver and the client's request loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff, backoffCap, MAX_BACKOFF_WAIT_MS } from '../../../src/tftp/backoff.js';
import { describeTransferFailure, type TransferFailure } from '../../../src/tftp/transfer-outcome.js';

test('each failure reads as the sentence logs and errors have always shown', () => {
  const cases: readonly [TransferFailure, string, string][] = [
    // the peer's ERROR, seen by the server and by the client
    [{ kind: 'peer-error', code: 0, message: 'TFTP Aborted' }, 'peer sent error 0: TFTP Aborted', 'server sent error 0: TFTP Aborted'],
    // timeouts on either side
    [{ kind: 'timeout', waitingFor: 'ACK', retries: 5 }, 'no ACK after 5 retries', 'no ACK after 5 retries'],
    [{ kind: 'timeout', waitingFor: 'DATA', retries: 2 }, 'no DATA after 2 retries', 'no DATA after 2 retries'],
    // ended on this side: the message sent with the ERROR
    [{ kind: 'aborted', code: 0, message: 'server shutting down' }, 'server shutting down', 'server shutting down'],
  ];
  for (const [r, asPeer, asServer] of cases) {
    assert.equal(describeTransferFailure(r), asPeer);
    assert.equal(describeTransferFailure(r, 'server'), asServer);
  }
});

test('backoff doubles up to eight times the first wait, or up to the cap given', () => {
  assert.equal(backoff(1000, 1000), 2000);
  assert.equal(backoff(4000, 1000), 8000);
  assert.equal(backoff(8000, 1000), 8000); // capped
  assert.equal(backoff(3000, 1000, 5000), 5000); // explicit cap
});

test('backoff never grows a wait past 10 s unless the first wait is longer (a silent peer cannot hold a slot for hours)', () => {
  assert.equal(backoffCap(1000), 8000); // the default timeout keeps 1, 2, 4, 8, 8 s
  assert.equal(backoffCap(5000), MAX_BACKOFF_WAIT_MS); // a client's timeout 5: 5, 10, 10, ... s
  assert.equal(backoff(5000, 5000), 10_000);
  assert.equal(backoff(10_000, 5000), 10_000);
  assert.equal(backoff(255_000, 255_000), 255_000); // a server timeout set that long is not doubled
  // 5 retries after a 5 s first wait: given up after 5 + 10 × 5 s, not 255 s doubled for hours.
  let wait = 5000;
  let total = wait;
  for (let retry = 0; retry < 5; retry++) total += wait = backoff(wait, 5000);
  assert.equal(total, 55_000);
});
