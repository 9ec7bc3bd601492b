/**
 * serve's HTTP options as the parser gives them: default ports 80 and 6970 (may be
 * skipped), `--http-port` repeatable (must be served), `--no-http`, and the usage errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { serveHttpConfig } from '../../../src/cli/serve-args.js';
import { isBenchbootError } from '../../../src/errors.js';
import { parseServeArgs } from '../../helpers/cli.js';

const config = (argv: string[]) => serveHttpConfig(parseServeArgs(['--interface', 'eth1', ...argv]));

test('without options HTTP is on 80 and 6970, each skippable', () => {
  assert.deepEqual(config([]), { ports: [{ port: 80, isExplicit: false }, { port: 6970, isExplicit: false }] });
});

test('--http-port is repeatable and replaces the defaults; each must be served', () => {
  assert.deepEqual(config(['--http-port', '8080', '--http-port', '6970', '--http-port', '8080']), { ports: [{ port: 8080, isExplicit: true }, { port: 6970, isExplicit: true }] });
});

test('--no-http turns HTTP off; with --http-port, or a port out of range, it is a usage error', () => {
  assert.equal(config(['--no-http']), undefined);
  assert.throws(() => config(['--no-http', '--http-port', '80']), (err) => isBenchbootError(err, 'BB_USAGE') && /--no-http/.test(err.message));
  assert.throws(() => config(['--http-port', '70000']), (err) => isBenchbootError(err, 'BB_USAGE') && /--http-port 70000/.test(err.message));
});
