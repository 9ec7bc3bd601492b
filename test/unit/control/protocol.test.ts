/**
 * Control protocol lines: requests parse or are refused with a reason; responses round-trip.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatControlRequest, formatControlResponse, parseControlRequest, parseControlResponse } from '../../../src/control/protocol.js';

test('each op parses, release carries a checked IP', () => {
  assert.deepEqual(parseControlRequest('{"id":3,"op":"status"}'), { kind: 'request', id: 3, request: { op: 'status' } });
  assert.deepEqual(parseControlRequest(formatControlRequest(7, { op: 'release', ip: '10.0.0.9' as never }).trim()), {
    kind: 'request',
    id: 7,
    request: { op: 'release', ip: '10.0.0.9' },
  });
  assert.deepEqual(parseControlRequest(formatControlRequest(8, { op: 'release-since', since: 1_764_918_000_000 }).trim()), {
    kind: 'request',
    id: 8,
    request: { op: 'release-since', since: 1_764_918_000_000 },
  });
});

test('bad lines are invalid with a reason, never a throw', () => {
  const cases: [string, RegExp][] = [
    ['not json', /not JSON/],
    ['[1]', /JSON object/],
    ['{"id":1,"op":"reboot"}', /unknown op "reboot"/],
    ['{"id":1,"op":"release","ip":"10.0.0.300"}', /dotted-quad/],
    ['{"id":1,"op":"release"}', /dotted-quad/],
    ['{"id":1,"op":"release-since","since":"10m"}', /ms since the epoch/],
    ['{"id":1,"op":"release-since","since":-1}', /ms since the epoch/],
  ];
  for (const [line, reason] of cases) {
    const p = parseControlRequest(line);
    assert.equal(p.kind, 'invalid', line);
    if (p.kind === 'invalid') assert.match(p.reason, reason);
  }
});

test('responses round-trip, errors keep code and message', () => {
  const ok = { id: 1, ok: true as const, result: { leases: 2 } };
  assert.deepEqual(parseControlResponse(formatControlResponse(ok)), ok);
  const bad = { id: 2, ok: false as const, error: { code: 'BB_USAGE', message: 'no' } };
  assert.deepEqual(parseControlResponse(formatControlResponse(bad)), bad);
  assert.throws(() => parseControlResponse('{"id":1}'), /not a control response/);
});
