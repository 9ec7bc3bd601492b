/**
 * The TFTP codec (RFC 1350 §5, RFC 2347 OACK) against every real packet in
 * test/fixtures/vectors/tftp.json, byte-exact re-encoding, malformed input, and
 * fast-check round trips of the encode/decode/encodingLength triad.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { DecodeError, fromHex, toHex } from '../../../src/net/bytes.js';
import {
  decodeTftpPacket,
  encodeTftpPacket,
  encodingLengthTftpPacket,
  readBlock,
  readOpcode,
  writeDataHeader,
  type TftpPacket,
} from '../../../src/tftp/packet.js';

interface Vector {
  id: string;
  tags: string[];
  hex: string;
  decoded: {
    opcode: number;
    filename?: string;
    mode?: string;
    options?: { name: string; value: string }[];
    block?: number;
    data_length?: number;
    error_code?: number;
    error_message?: string;
  };
}

const VECTORS = JSON.parse(readFileSync(new URL('../../../../test/fixtures/vectors/tftp.json', import.meta.url), 'utf8')) as Vector[];
const KIND_BY_OPCODE: Record<number, TftpPacket['kind']> = { 1: 'rrq', 2: 'wrq', 3: 'data', 4: 'ack', 5: 'error', 6: 'oack' };

function checkAgainstTshark(v: Vector, p: TftpPacket): void {
  const d = v.decoded;
  assert.equal(p.kind, KIND_BY_OPCODE[d.opcode], `${v.id}: opcode`);
  switch (p.kind) {
    case 'rrq':
    case 'wrq':
      assert.equal(p.filename, d.filename, `${v.id}: filename`);
      assert.equal(p.mode, d.mode, `${v.id}: mode`);
      assert.deepEqual(p.options, d.options, `${v.id}: options in wire order`);
      break;
    case 'oack':
      assert.deepEqual(p.options, d.options, `${v.id}: options in wire order`);
      break;
    case 'data':
      assert.equal(p.block, d.block, `${v.id}: block`);
      assert.equal(p.data.length, d.data_length, `${v.id}: data length`);
      break;
    case 'ack':
      assert.equal(p.block, d.block, `${v.id}: block`);
      break;
    case 'error':
      assert.equal(p.code, d.error_code, `${v.id}: error code`);
      assert.equal(p.message, d.error_message, `${v.id}: error message`);
      break;
  }
}

test('RFC 1350 §5 / RFC 2347: every well-formed real packet decodes as tshark did and re-encodes byte for byte', () => {
  let checked = 0;
  for (const v of VECTORS) {
    if (v.tags.includes('malformed')) continue;
    const bytes = fromHex(v.hex);
    const { value, bytesRead } = decodeTftpPacket(bytes);
    assert.equal(bytesRead, bytes.length, `${v.id}: consumed everything`);
    checkAgainstTshark(v, value);
    assert.equal(encodingLengthTftpPacket(value), bytes.length, `${v.id}: encodingLength`);
    assert.equal(toHex(encodeTftpPacket(value)), v.hex, `${v.id}: re-encoding`);
    checked++;
  }
  assert.ok(checked >= 35, `expected the fixture's ~38 good records, checked ${checked}`);
});

test('malformed real packets (RRQ with empty mode and empty option names) are rejected with DecodeError, never a crash', () => {
  const malformed = VECTORS.filter((v) => v.tags.includes('malformed'));
  assert.ok(malformed.length >= 1);
  for (const v of malformed) {
    assert.throws(() => decodeTftpPacket(fromHex(v.hex)), DecodeError, v.id);
  }
});

test('odd but valid packets are accepted: an RRQ with an empty file name, an OACK sent from port 69', () => {
  for (const v of VECTORS.filter((x) => x.tags.includes('odd'))) {
    const { value } = decodeTftpPacket(fromHex(v.hex));
    checkAgainstTshark(v, value);
  }
});

test('truncated and broken datagrams throw DecodeError with an offset', () => {
  const cases: [string, string][] = [
    ['empty datagram', ''],
    ['one byte', '00'],
    ['unknown opcode 7', '0007'],
    ['opcode 0', '0000'],
    ['RRQ without NUL after the file name', '000161'],
    ['RRQ without mode', '00016100'],
    ['RRQ option without a value', '000161006f6374657400626c6b73697a6500'],
    ['RRQ option value not NUL-terminated', '000161006f63746574006200613'+'1'],
    ['DATA without block number', '0003'],
    ['ACK with a half block number', '000400'],
    ['ACK with trailing bytes', '0004000100'],
    ['ERROR without a code', '0005'],
    ['OACK with an empty option name', '00060000'],
  ];
  for (const [name, hex] of cases) {
    try {
      decodeTftpPacket(fromHex(hex));
      assert.fail(`${name}: accepted`);
    } catch (err) {
      assert.ok(err instanceof DecodeError, `${name}: ${String(err)}`);
      assert.ok(err.offset >= 0 && err.offset <= hex.length / 2, `${name}: offset ${err.offset}`);
    }
  }
});

test('an ERROR message without its final NUL is still read (the message is informative)', () => {
  const { value } = decodeTftpPacket(fromHex('000500014e6f7065'));
  assert.deepEqual(value, { kind: 'error', code: 1, message: 'Nope' });
});

test('a DATA payload of 0 bytes (the last block of a multiple-of-blksize file, RFC 1350 §6) decodes', () => {
  const { value } = decodeTftpPacket(fromHex('00030007'));
  assert.equal(value.kind, 'data');
  assert.equal(value.kind === 'data' ? value.data.length : -1, 0);
});

test('the encoder refuses impossible packets instead of truncating', () => {
  assert.throws(() => encodeTftpPacket({ kind: 'ack', block: 65536 }), RangeError);
  assert.throws(() => encodeTftpPacket({ kind: 'data', block: -1, data: new Uint8Array(1) }), RangeError);
  assert.throws(() => encodeTftpPacket({ kind: 'rrq', filename: 'a\0b', mode: 'octet', options: [] }), RangeError);
  assert.throws(() => encodeTftpPacket({ kind: 'rrq', filename: 'a', mode: '', options: [] }), RangeError);
  assert.throws(() => encodeTftpPacket({ kind: 'oack', options: [{ name: '', value: '1' }] }), RangeError);
  assert.throws(() => encodeTftpPacket({ kind: 'error', code: 70000, message: 'x' }), RangeError);
});

test('fast path helpers agree with the codec', () => {
  const buf = new Uint8Array(8);
  writeDataHeader(buf, 0xabcd);
  assert.equal(readOpcode(buf), 3);
  assert.equal(readBlock(buf), 0xabcd);
  const { value } = decodeTftpPacket(buf);
  assert.equal(value.kind === 'data' ? value.block : -1, 0xabcd);
  assert.equal(readOpcode(new Uint8Array(1)), -1);
  assert.equal(readBlock(new Uint8Array(3)), -1);
});

const noNul = fc.string({ maxLength: 40 }).filter((s) => !s.includes('\0'));
const nonEmpty = noNul.filter((s) => s.length > 0);
const option = fc.record({ name: nonEmpty, value: noNul });
const packetArb: fc.Arbitrary<TftpPacket> = fc.oneof(
  fc.record({ kind: fc.constantFrom('rrq' as const, 'wrq' as const), filename: noNul, mode: nonEmpty, options: fc.array(option, { maxLength: 5 }) }),
  fc.record({ kind: fc.constant('data' as const), block: fc.integer({ min: 0, max: 65535 }), data: fc.uint8Array({ maxLength: 600 }) }),
  fc.record({ kind: fc.constant('ack' as const), block: fc.integer({ min: 0, max: 65535 }) }),
  fc.record({ kind: fc.constant('error' as const), code: fc.integer({ min: 0, max: 65535 }), message: noNul }),
  fc.record({ kind: fc.constant('oack' as const), options: fc.array(option, { maxLength: 5 }) }),
);

test('round trip: decode(encode(p)) = p and encodingLength = encoded length, for any packet', () => {
  fc.assert(
    fc.property(packetArb, (p) => {
      const bytes = encodeTftpPacket(p);
      assert.equal(bytes.length, encodingLengthTftpPacket(p));
      const { value, bytesRead } = decodeTftpPacket(bytes);
      assert.equal(bytesRead, bytes.length);
      if (p.kind === 'data' && value.kind === 'data') {
        assert.equal(value.block, p.block);
        assert.deepEqual(Array.from(value.data), Array.from(p.data));
      } else {
        assert.deepEqual(value, structuredClone(p)); // fast-check builds null-prototype records
      }
    }),
    { numRuns: 500 },
  );
});

test('decoding random bytes never throws anything but DecodeError', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 80 }), (bytes) => {
      try {
        decodeTftpPacket(bytes);
      } catch (err) {
        assert.ok(err instanceof DecodeError, String(err));
      }
    }),
    { numRuns: 2000 },
  );
});
