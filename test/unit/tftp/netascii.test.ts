/** netascii (RFC 1350 §5, NVT ASCII of RFC 764): LF ↔ CR LF, CR ↔ CR NUL, across block boundaries. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { NetasciiDecoder, encodeNetascii } from '../../../src/tftp/netascii.js';

const bytes = (s: string): number[] => Array.from(Buffer.from(s, 'latin1'));

test('encoding: LF becomes CR LF, a bare CR becomes CR NUL, other bytes pass', () => {
  assert.deepEqual(Array.from(encodeNetascii(Buffer.from('a\nb\rc\r\n', 'latin1'))), bytes('a\r\nb\r\0c\r\0\r\n'));
  const plain = Buffer.from('no line ends');
  assert.equal(encodeNetascii(plain), plain, 'nothing to convert: the same buffer, no copy');
});

test('decoding: CR LF becomes LF, CR NUL becomes CR', () => {
  const d = new NetasciiDecoder();
  assert.deepEqual(Array.from(d.push(Buffer.from('a\r\nb\r\0c', 'latin1'))), bytes('a\nb\rc'));
  assert.equal(d.end().length, 0);
});

test('decoding: a CR at the end of one block pairs with the first byte of the next', () => {
  const d = new NetasciiDecoder();
  const out = [...d.push(Buffer.from('line\r', 'latin1')), ...d.push(Buffer.from('\nnext\r', 'latin1')), ...d.push(Buffer.from('\0', 'latin1'))];
  assert.deepEqual(out, bytes('line\nnext\r'));
});

test('decoding: a dangling CR at the very end is kept', () => {
  const d = new NetasciiDecoder();
  assert.deepEqual(Array.from(d.push(Buffer.from('x\r', 'latin1'))), bytes('x'));
  assert.deepEqual(Array.from(d.end()), bytes('\r'));
});

test('decode(encode(x)) = x for any bytes, whatever the block size', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 300 }), fc.integer({ min: 1, max: 17 }), (input, blk) => {
      const wire = encodeNetascii(input);
      const d = new NetasciiDecoder();
      const out: number[] = [];
      for (let i = 0; i < wire.length; i += blk) out.push(...d.push(wire.subarray(i, i + blk)));
      out.push(...d.end());
      assert.deepEqual(out, Array.from(input));
    }),
    { numRuns: 300 },
  );
});
