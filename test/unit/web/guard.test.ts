/**
 * The dashboard's pure decisions as named table cases: which Host headers pass
 * (DNS rebinding), same-origin POSTs, cookie and Bearer reading, the line diff of
 * two config versions, and `--web` parsing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bearerToken, cookieValue, isHostAllowed, isSameOrigin, tokenMatches } from '../../../src/web/guard.js';
import { diffLines } from '../../../src/web/line-diff.js';
import { uploadBase } from '../../../src/web/uploads.js';
import { serveWebConfig } from '../../../src/cli/serve-args.js';
import { isBenchbootError } from '../../../src/errors.js';

test('Host header cases', () => {
  const loop = { address: '127.0.0.1', port: 8067 };
  const bench = { address: '10.10.0.1', port: 8067, token: 't' };
  const any = { address: '0.0.0.0', port: 8067, token: 't' };
  const cases: [string, string | undefined, typeof loop, boolean][] = [
    ['loopback by address', '127.0.0.1:8067', loop, true],
    ['loopback by localhost', 'localhost:8067', loop, true],
    ['loopback by [::1]', '[::1]:8067', loop, true],
    ['a rebinding name', 'attacker.example:8067', loop, false],
    ['another port', '127.0.0.1:8068', loop, false],
    ['no port means 80', '127.0.0.1', loop, false],
    ['no Host at all', undefined, loop, false],
    ['bench address', '10.10.0.1:8067', bench, true],
    ['localhost is not the bench address', 'localhost:8067', bench, false],
    ['every address: an IP literal', '192.168.1.5:8067', any, true],
    ['every address: a name', 'rebind.example:8067', any, false],
  ];
  for (const [name, host, rules, expected] of cases) assert.equal(isHostAllowed(host, rules), expected, name);
});

test('origin, cookie, bearer and token comparison', () => {
  assert.equal(isSameOrigin('http://127.0.0.1:8067', '127.0.0.1:8067'), true);
  assert.equal(isSameOrigin('http://evil.example', '127.0.0.1:8067'), false);
  assert.equal(isSameOrigin(undefined, '127.0.0.1:8067'), false, 'no Origin');
  assert.equal(cookieValue('a=1; benchboot_token=xyz; b=2', 'benchboot_token'), 'xyz');
  assert.equal(cookieValue(undefined, 'benchboot_token'), undefined);
  assert.equal(bearerToken('Bearer abc'), 'abc');
  assert.equal(bearerToken('Basic abc'), undefined);
  assert.equal(tokenMatches('abc', 'abc'), true);
  assert.equal(tokenMatches('abd', 'abc'), false);
  assert.equal(tokenMatches('ab', 'abc'), false, 'different length');
});

test('line diff: removed before added, common lines kept', () => {
  assert.deepEqual(diffLines('a\nb\nc\n', 'a\nx\nc\n'), [
    { kind: 'same', text: 'a' },
    { kind: 'removed', text: 'b' },
    { kind: 'added', text: 'x' },
    { kind: 'same', text: 'c' },
  ]);
  assert.deepEqual(diffLines('', 'a\n'), [{ kind: 'added', text: 'a' }], 'from empty');
  assert.deepEqual(diffLines('a\n', ''), [{ kind: 'removed', text: 'a' }], 'to empty');
  assert.equal(uploadBase('r1-confg.2026-12-05T03-10-00.123Z-2'), 'r1-confg');
  assert.equal(uploadBase('r1-confg'), 'r1-confg');
});

test('--web parsing', () => {
  assert.equal(serveWebConfig(false), undefined, '--no-web');
  assert.deepEqual(serveWebConfig(undefined), { address: '127.0.0.1', port: 8067, explicit: false });
  assert.deepEqual(serveWebConfig('10.0.0.1:9000'), { address: '10.0.0.1', port: 9000, explicit: true });
  assert.deepEqual(serveWebConfig('localhost:0'), { address: '127.0.0.1', port: 0, explicit: true });
  for (const bad of ['8067', 'example.com:80', '10.0.0.1:70000', '300.1.1.1:80']) assert.throws(() => serveWebConfig(bad), (e: unknown) => isBenchbootError(e, 'BB_USAGE'), bad);
});
