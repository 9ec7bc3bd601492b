/**
 * The error catalogue stays in step with the docs: every code in ERROR_CODES has a
 * row in the README's error table, every code in that table exists, and
 * BenchbootError keeps its code and cause.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { BenchbootError, ERROR_CODES, ERRORS, errorMessage, isBenchbootError } from '../../src/errors.js';

const README = fileURLToPath(new URL('../../../README.md', import.meta.url));

/** Codes that appear as the first cell of a Markdown table row: | `BB_X` | meaning | */
function documentedCodes(markdown: string): Set<string> {
  const codes = new Set<string>();
  for (const m of markdown.matchAll(/^\|\s*`?(BB_[A-Z0-9_]+)`?\s*\|/gm)) if (m[1]) codes.add(m[1]);
  return codes;
}

test('every error code has a row in the README error table, and the table has no stale codes', async () => {
  let markdown: string;
  try {
    markdown = await readFile(README, 'utf8');
  } catch (err) {
    assert.fail(`README.md cannot be read (${errorMessage(err)}); it must carry the error-code table`);
  }
  const documented = documentedCodes(markdown);
  const missing = Object.keys(ERROR_CODES).filter((c) => !documented.has(c));
  assert.deepEqual(missing, [], `codes without a README row: ${missing.join(', ')}`);
  const stale = [...documented].filter((c) => !(c in ERROR_CODES));
  assert.deepEqual(stale, [], `README rows for codes that do not exist: ${stale.join(', ')}`);
});

test('codes are BB_ + upper snake case, each with a one-line meaning', () => {
  for (const [code, meaning] of Object.entries(ERROR_CODES)) {
    assert.match(code, /^BB_[A-Z0-9]+(_[A-Z0-9]+)*$/);
    assert.ok(meaning.length > 10 && !meaning.includes('\n'), code);
  }
});

test('BenchbootError carries its code and cause; isBenchbootError checks both', () => {
  const cause = new Error('EACCES');
  const err = new BenchbootError('BB_SCOPE_IO', 'scopes/a.yaml: cannot write', { cause });
  assert.equal(err.code, 'BB_SCOPE_IO');
  assert.equal(err.cause, cause);
  assert.equal(err.name, 'BenchbootError');
  assert.ok(isBenchbootError(err));
  assert.ok(isBenchbootError(err, 'BB_SCOPE_IO'));
  assert.ok(!isBenchbootError(err, 'BB_SCOPE_INVALID'));
  assert.ok(!isBenchbootError(cause));
  assert.equal(errorMessage('plain'), 'plain');
});

test('catalogue templates: placeholders filled, code kept or replaced, cause carried, every {name} known', () => {
  const err = ERRORS.interfaceMissing.create({ name: 'eth9', known: 'eth0, eth1' });
  assert.equal(err.code, 'BB_INTERFACE');
  assert.equal(err.message, 'interface eth9 does not exist (this machine has: eth0, eth1)');
  assert.equal(ERRORS.notRunning.create().message, 'the appliance is not running');
  const cause = new Error('EACCES');
  const wrapped = ERRORS.nothingWritten.create({ message: 'x.yaml already exists' }, { cause, code: 'BB_SCOPE_EXISTS' });
  assert.equal(wrapped.code, 'BB_SCOPE_EXISTS');
  assert.equal(wrapped.cause, cause);
  assert.equal(ERRORS.badSize.format({ option: 'max-upload-size', text: '"{text}"' }), '--max-upload-size "{text}": give a size in bytes above 0, or with K, M, G (e.g. 64M, 1G)');
  for (const [name, entry] of Object.entries(ERRORS)) {
    assert.ok(entry.code in ERROR_CODES, name);
    assert.ok(!entry.template.includes('${'), `${name} has a template-literal leftover`);
  }
});
