/**
 * Admission of a TFTP request as a pure decision: table cases, each naming the edge it
 * covers.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { admit, ClientTally, defaultMaxPerClient, type AdmissionFacts, type AdmissionRequest } from '../../../src/tftp/admission.js';

const rrq: AdmissionRequest = { kind: 'rrq', filename: 'SEP001122334455.cnf.xml' };
const idle: AdmissionFacts = { running: 0, fromClient: 0, maxTransfers: 2, maxPerClient: 1, opening: undefined };

test('admission: ok, busy or duplicate', () => {
  const cases: readonly [string, AdmissionRequest, AdmissionFacts, 'ok' | 'busy' | 'duplicate'][] = [
    ['an idle server admits', rrq, idle, 'ok'],
    ['one below maxTransfers still admits', rrq, { ...idle, running: 1 }, 'ok'],
    ['at maxTransfers the answer is busy', rrq, { ...idle, running: 2 }, 'busy'],
    ['at maxPerClient for this address the answer is busy', rrq, { ...idle, fromClient: 1 }, 'busy'],
    ['the same request from the same TID while it opens is a duplicate', rrq, { ...idle, opening: { ...rrq } }, 'duplicate'],
    ['a duplicate wins over busy (the opening transfer answers it)', rrq, { ...idle, running: 2, opening: { ...rrq } }, 'duplicate'],
    ['another file from that TID is a new request', rrq, { ...idle, opening: { kind: 'rrq', filename: 'other' } }, 'ok'],
    ['a WRQ after an RRQ of the same name is a new request', { kind: 'wrq', filename: rrq.filename }, { ...idle, opening: rrq }, 'ok'],
  ];
  for (const [name, req, facts, want] of cases) assert.equal(admit(req, facts).kind, want, name);
});

test('the client tally counts per address and forgets addresses at zero', () => {
  const tally = new ClientTally();
  tally.add('10.0.0.5', 1);
  tally.add('10.0.0.5', 1);
  assert.equal(tally.count('10.0.0.5'), 2);
  tally.add('10.0.0.5', -1);
  tally.add('10.0.0.5', -1);
  assert.equal(tally.count('10.0.0.5'), 0);
  assert.equal(tally.count('10.0.0.6'), 0);
});

test('the per-client default is a quarter of maxTransfers, at most 8 and at least 1', () => {
  const cases: readonly [string, number, number][] = [
    ['the default 200 transfers: 8 per address, so one host never takes every slot', 200, 8],
    ["Cisco's 30: 8 (a quarter, rounded up, is 8)", 30, 8],
    ['10 transfers: 3 per address', 10, 3],
    ['a single transfer: that one', 1, 1],
    ['10,000 transfers: still 8', 10_000, 8],
  ];
  for (const [name, maxTransfers, want] of cases) assert.equal(defaultMaxPerClient(maxTransfers), want, name);
});
