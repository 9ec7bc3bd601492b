/**
 * Request lines cut from the byte stream: the limit holds for every line, complete
 * or not, and is counted in bytes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { LineSplitter, type NextLine } from '../../../src/control/line-splitter.js';

function drain(s: LineSplitter): NextLine[] {
  const out: NextLine[] = [];
  for (;;) {
    const next = s.next();
    out.push(next);
    if (next.kind !== 'line') return out;
  }
}

test('lines come out one at a time, across chunk boundaries', () => {
  const s = new LineSplitter(16);
  s.push(Buffer.from('{"a":1}\n{"b"'));
  s.push(Buffer.from(':2}\n{"c"'));
  assert.deepEqual(drain(s), [{ kind: 'line', text: '{"a":1}' }, { kind: 'line', text: '{"b":2}' }, { kind: 'none' }]);
  s.push(Buffer.from(':3}\n'));
  assert.deepEqual(drain(s), [{ kind: 'line', text: '{"c":3}' }, { kind: 'none' }]);
});

test('the limit applies to each line, complete or not', () => {
  const cases: [string, string, NextLine[]][] = [
    ['exactly at the limit, complete', `${'x'.repeat(8)}\n`, [{ kind: 'line', text: 'x'.repeat(8) }, { kind: 'none' }]],
    ['exactly at the limit, newline not yet here', 'x'.repeat(8), [{ kind: 'none' }]],
    ['one over, complete in the same chunk', `${'x'.repeat(9)}\n`, [{ kind: 'too-long' }]],
    ['one over, newline not yet here', 'x'.repeat(9), [{ kind: 'too-long' }]],
    ['an over-long line after a good one', `ok\n${'x'.repeat(20)}\nok\n`, [{ kind: 'line', text: 'ok' }, { kind: 'too-long' }]],
    ['counted in bytes: 3 euro signs are 9 bytes', `${'€'.repeat(3)}\n`, [{ kind: 'too-long' }]],
  ];
  for (const [edge, input, expected] of cases) {
    const s = new LineSplitter(8);
    s.push(Buffer.from(input));
    assert.deepEqual(drain(s), expected, edge);
  }
});

test('a character split between two chunks decodes whole', () => {
  const bytes = Buffer.from('é\n');
  const s = new LineSplitter(8);
  s.push(bytes.subarray(0, 1));
  assert.deepEqual(s.next(), { kind: 'none' });
  s.push(bytes.subarray(1));
  assert.deepEqual(s.next(), { kind: 'line', text: 'é' });
});

test('discard forgets what was not taken', () => {
  const s = new LineSplitter(8);
  s.push(Buffer.from('a\nb\nc'));
  assert.deepEqual(s.next(), { kind: 'line', text: 'a' });
  s.discard();
  assert.deepEqual(s.next(), { kind: 'none' });
});
