/**
 * The product's edge maps each typed failure of the tftp and net packages to the
 * BB_* code users always saw, keeping the message and the original error as cause.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isBenchbootError } from '../../src/errors.js';
import { NetError, type NetErrorKind } from '../../src/net/net-error.js';
import { protocolErrorCode, toBenchbootError } from '../../src/protocol-errors.js';
import { TftpClientError, TftpError, type TftpErrorKind } from '../../src/tftp/tftp-error.js';

const tftpCases: readonly [TftpErrorKind, string][] = [
  ['options', 'BB_TFTP_OPTIONS'], // a server or client setting out of range
  ['root', 'BB_TFTP_ROOT'], // a missing root, alternate or upload directory
  ['config', 'BB_TFTP_CONFIG'], // a bad remap rule or default rule
  ['socket', 'BB_SOCKET'], // cannot bind
  ['port-in-use', 'BB_PORT_IN_USE'], // port 69 taken
  ['client', 'BB_TFTP_CLIENT'], // the built-in client failed
];

const netCases: readonly [NetErrorKind, string][] = [
  ['usage', 'BB_USAGE'], // a bad --address
  ['interface', 'BB_INTERFACE'], // a missing interface or address
  ['socket', 'BB_SOCKET'], // SO_BINDTOIFINDEX refused
  ['port-in-use', 'BB_PORT_IN_USE'], // port 67 taken
];

test('every TFTP failure kind has its catalogue code, message and cause kept', () => {
  for (const [kind, code] of tftpCases) {
    const err = new TftpError(kind, `a ${kind} failure`);
    const mapped = toBenchbootError(err);
    assert.ok(isBenchbootError(mapped), kind);
    assert.equal(mapped.code, code);
    assert.equal(mapped.message, `a ${kind} failure`);
    assert.equal(mapped.cause, err);
  }
  assert.equal(protocolErrorCode(new TftpClientError('download failed', 1)), 'BB_TFTP_CLIENT');
});

test('every net failure kind has its catalogue code', () => {
  for (const [kind, code] of netCases) assert.equal(protocolErrorCode(new NetError(kind, 'x')), code, kind);
});

test('anything else passes through unchanged', () => {
  const plain = new Error('boom');
  assert.equal(toBenchbootError(plain), plain);
  assert.equal(toBenchbootError('text'), 'text');
  assert.equal(protocolErrorCode(plain), undefined);
});
