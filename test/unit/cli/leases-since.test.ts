/**
 * `--since TIME` of `benchboot leases` and `leases release`: a duration back from now or a
 * date and time, UTC unless it names a zone; anything else is a usage error naming both forms.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseSince } from '../../../src/cli/leases.js';
import { isBenchbootError } from '../../../src/errors.js';

const NOW = Date.parse('2026-12-05T08:00:00Z');

test('durations count back from now; times without a zone are UTC', () => {
  const cases: [string, string][] = [
    ['10m', '2026-12-05T07:50:00.000Z'],
    ['1h30m', '2026-12-05T06:30:00.000Z'],
    ['90', '2026-12-05T07:58:30.000Z'],
    ['2026-12-05T07:00:00Z', '2026-12-05T07:00:00.000Z'],
    ['2026-12-05 07:00', '2026-12-05T07:00:00.000Z'],
    ['2026-12-05T09:00:00+02:00', '2026-12-05T07:00:00.000Z'],
    ['2026-12-05T07:00:00.250Z', '2026-12-05T07:00:00.250Z'],
  ];
  for (const [text, iso] of cases) assert.equal(new Date(parseSince(text, NOW)).toISOString(), iso, text);
});

test('anything else is BB_USAGE naming both forms', () => {
  for (const text of ['yesterday', '', '10 minutes', '2026-13-45T99:00', '-5m']) {
    assert.throws(() => parseSince(text, NOW), (err) => isBenchbootError(err, 'BB_USAGE') && /duration back from now .* UTC time/.test(err.message), text);
  }
});
