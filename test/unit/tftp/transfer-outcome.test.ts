/**
 * Transfer outcomes are typed values formatted only at the edge, and one back-off rule
 * serves the sender, the receiver and the client's request loop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { backoff } from '../../../src/tftp/backoff.js';
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
