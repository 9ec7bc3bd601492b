/**
 * The table of TFTP limits and its checker: each edge of a range, non-integers, and
 * the wording the server and client validation report.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTftpLimit, formatTftpLimitProblem, TFTP_LIMITS, type TftpLimitName } from '../../../src/tftp/limits.js';

test('values at the edges pass; one past them, or a fraction, is a typed problem', () => {
  const cases: readonly [TftpLimitName, number, boolean][] = [
    ['timeoutMs', 10, true], // shortest timeout
    ['timeoutMs', 9, false], // one below
    ['timeoutMs', 255_000, true], // RFC 2349's 255 s
    ['retries', 0, true], // no retries at all
    ['retries', 101, false],
    ['mtu', 40, true], // 8-byte blocks plus 32 bytes of headers
    ['mtu', 39, false],
    ['maxBlksize', 65_464, true], // RFC 2348's largest
    ['maxBlksize', 65_465, false],
    ['windowsize', 65_535, true], // RFC 7440's largest
    ['listenPort', 0, true], // any free port
    ['port', 0, false], // a peer port is never 0
    ['maxTransfers', 1.5, false], // not a whole number
  ];
  for (const [name, value, ok] of cases) {
    const problem = checkTftpLimit(name, value);
    if (ok) assert.equal(problem, undefined, `${name} ${value}`);
    else assert.deepEqual(problem, { kind: 'out-of-range', name, value, min: TFTP_LIMITS[name].min, max: TFTP_LIMITS[name].max });
  }
});

test('a problem reads as the options validation words it', () => {
  const problem = checkTftpLimit('retries', 200);
  assert.ok(problem);
  assert.equal(formatTftpLimitProblem(problem), 'retries must be an integer 0..100, got 200');
  assert.equal(formatTftpLimitProblem(problem, 'tries'), 'tries must be an integer 0..100, got 200');
});
