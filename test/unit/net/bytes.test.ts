/** The bounds-checked cursors every codec reads through. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ByteReader, ByteWriter, DecodeError, fromHex, toHex } from '../../../src/net/bytes.js';

test('reads big-endian integers and byte runs and tracks the offset', () => {
  const r = new ByteReader(fromHex('01 0203 04050607 aabb'));
  assert.equal(r.u8(), 1);
  assert.equal(r.u16(), 0x0203);
  assert.equal(r.u32(), 0x04050607);
  assert.equal(r.offset, 7);
  assert.equal(toHex(r.take(2)), 'aabb');
  assert.equal(r.remaining, 0);
});

test('a read past the end is a DecodeError naming the offset, never a RangeError or garbage', () => {
  const r = new ByteReader(fromHex('0102'));
  r.u8();
  assert.throws(() => r.u16('block number'), (e: unknown) => e instanceof DecodeError && e.offset === 1 && /truncated block number/.test(e.reason));
  assert.throws(() => r.take(5), DecodeError);
  assert.throws(() => r.take(-1), DecodeError);
});

test('a reader limited to a sub-range stops at its own end', () => {
  const r = new ByteReader(fromHex('00112233'), 1, 3);
  assert.equal(r.u16(), 0x1122);
  assert.throws(() => r.u8(), DecodeError);
  assert.equal(new ByteReader(fromHex('6100620063'), 0).indexOf(0), 1);
});

test('the writer refuses to overflow its buffer', () => {
  const w = new ByteWriter(new Uint8Array(5));
  w.u8(1).u16(0x0203).zero(1);
  assert.throws(() => w.u16(1), RangeError);
  w.put(Uint8Array.of(9));
  assert.equal(toHex(w.bytes), '0102030009');
});

test('hex parsing refuses odd lengths and non-hex digits', () => {
  assert.throws(() => fromHex('abc'), RangeError);
  assert.throws(() => fromHex('zz'), RangeError);
  assert.equal(toHex(fromHex('DE:AD be ef')), 'deadbeef');
});
