/**
 * The name an HTTP request target asks for: decoded exactly once, query dropped; what
 * the name then means is the storage's decision (shared with TFTP).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { requestNameOf } from '../../../src/http/request-name.js';
import { statusOfStorageCode } from '../../../src/http/status-codes.js';

const CASES: readonly [string, ReturnType<typeof requestNameOf>, string][] = [
  ['/SEP1.cnf.xml', { kind: 'ok', name: 'SEP1.cnf.xml' }, 'the leading slash is not part of the name'],
  ['/a/b.txt?x=1#f', { kind: 'ok', name: 'a/b.txt' }, 'query and fragment dropped'],
  ['/%2e%2e/x', { kind: 'ok', name: '../x' }, 'decoded once: the storage then refuses ..'],
  ['/%252e%252e/x', { kind: 'ok', name: '%2e%2e/x' }, 'double encoding stays literal'],
  ['/a%5Cb', { kind: 'ok', name: 'a\\b' }, 'a backslash is passed on (a separator for the storage, as in TFTP)'],
  ['/a%00b', { kind: 'ok', name: 'a\u0000b' }, 'NUL is passed on (the storage refuses control characters)'],
  ['//etc/passwd', { kind: 'ok', name: '/etc/passwd' }, 'an absolute path is passed on (the storage strips leading slashes)'],
  ['/%', { kind: 'bad', reason: 'bad-encoding' }, 'a lone percent sign'],
  ['/%c0%ae', { kind: 'bad', reason: 'bad-encoding' }, 'overlong UTF-8 is not UTF-8'],
  ['http://x/a', { kind: 'bad', reason: 'not-origin-form' }, 'absolute form is not served'],
  ['*', { kind: 'bad', reason: 'not-origin-form' }, 'asterisk form'],
];

for (const [target, want, why] of CASES) {
  test(`request name ${JSON.stringify(target)}: ${why}`, () => assert.deepEqual(requestNameOf(target), want));
}

test('storage refusals map to HTTP statuses', () => {
  assert.equal(statusOfStorageCode(1, 'read'), 404);
  assert.equal(statusOfStorageCode(2, 'read'), 403);
  assert.equal(statusOfStorageCode(3, 'write'), 413);
  assert.equal(statusOfStorageCode(6, 'write'), 409);
  assert.equal(statusOfStorageCode(0, 'read'), 500);
});
