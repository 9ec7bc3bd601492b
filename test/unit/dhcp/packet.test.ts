/**
 * The DHCP codec against real packets (test/fixtures/vectors/dhcp.json), malformed
 * input, property-based round trips, RFC 3396 splitting, overload and size limits,
 * and an independent parser (npm `dhcp`) reading benchboot's replies.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import fc from 'fast-check';
import { DecodeError, fromHex, toHex } from '../../../src/net/bytes.js';
import type { Ipv4 } from '../../../src/net/ipv4.js';
import {
  clientMac,
  decodeDhcpPacket,
  emptyDhcpPacket,
  encodeDhcpPacket,
  encodingLengthDhcpPacket,
  getMessageType,
  getOption,
  maxReplyLength,
} from '../../../src/dhcp/packet.js';
import type { DhcpOption, DhcpPacket } from '../../../src/dhcp/packet.js';

interface VectorOption {
  readonly code: number;
  readonly len?: number;
  readonly hex?: string;
}
interface Vector {
  readonly id: string;
  readonly tags: readonly string[];
  readonly hex: string;
  readonly decoded: {
    readonly op: number;
    readonly htype: number;
    readonly hlen: number;
    readonly hops: number;
    readonly xid: number;
    readonly secs: number;
    readonly flags: number;
    readonly ciaddr: string;
    readonly yiaddr: string;
    readonly siaddr: string;
    readonly giaddr: string;
    readonly chaddr: string;
    readonly sname: string | null;
    readonly file: string | null;
    readonly magic_cookie: string | null;
    readonly message_type: number | null;
    readonly options: readonly VectorOption[] | null;
    readonly sname_options?: readonly VectorOption[];
    readonly file_options?: readonly VectorOption[];
    readonly end_option_present?: boolean;
  };
}

const VECTORS = JSON.parse(readFileSync(new URL('../../../../test/fixtures/vectors/dhcp.json', import.meta.url), 'utf8')) as Vector[];

/** tshark's option list without Pad and End, as { code, hex }. */
function realOptions(list: readonly VectorOption[] | undefined): { code: number; hex: string }[] {
  return (list ?? []).filter((o) => o.code !== 0 && o.code !== 255).map((o) => ({ code: o.code, hex: o.hex ?? '' }));
}

function ours(p: DhcpPacket): { code: number; hex: string }[] {
  return p.options.map((o) => ({ code: o.code, hex: toHex(o.data) }));
}

function checkFields(v: Vector, p: DhcpPacket): void {
  const d = v.decoded;
  for (const f of ['op', 'htype', 'hlen', 'hops', 'xid', 'secs', 'flags', 'ciaddr', 'yiaddr', 'siaddr', 'giaddr'] as const) {
    assert.equal(p[f], d[f], `${v.id}: ${f}`);
  }
  assert.equal(toHex(p.chaddr.subarray(0, p.hlen)), d.chaddr, `${v.id}: chaddr`);
  if (d.sname !== null) assert.equal(p.sname, d.sname, `${v.id}: sname`);
  if (d.file !== null) assert.equal(p.file, d.file, `${v.id}: file`);
  if (d.magic_cookie === null) {
    assert.equal(p.isBootp, true, `${v.id}: no cookie → BOOTP`);
    return;
  }
  assert.equal(getMessageType(p) ?? null, d.message_type, `${v.id}: message type`);
  // RFC 3396 §5 order: options field, then file, then sname.
  // Option 52 is framing: the codec consumes it.
  const main = realOptions(d.options ?? []).filter((o) => o.code !== 52 || (d.sname_options === undefined && d.file_options === undefined));
  const expected = [...main, ...realOptions(d.file_options), ...realOptions(d.sname_options)];
  assert.deepEqual(ours(p), expected, `${v.id}: options in wire order`);
}

function endOffset(bytes: Uint8Array, p: DhcpPacket): number {
  // Walk the main options area to its End (no Pad in the records this is used on).
  let at = 240;
  for (let i = 0; i < p.options.length; i++) at += 2 + (bytes[at + 1] ?? 0);
  return at + 1;
}

/** Records whose bytes up to End must come back exactly: no Pad inside, no overload, clean fixed fields. */
function keepsWireOrder(v: Vector, bytes: Uint8Array): boolean {
  const hasPad = (v.decoded.options ?? []).some((o) => o.code === 0);
  const clean = (f: string | null, raw: Uint8Array): boolean =>
    f !== null && raw.subarray(new TextEncoder().encode(f).length).every((b) => b === 0);
  return (
    !hasPad &&
    !v.tags.includes('malformed') &&
    v.decoded.magic_cookie !== null &&
    v.decoded.sname_options === undefined &&
    v.decoded.file_options === undefined &&
    clean(v.decoded.sname, bytes.subarray(44, 108)) &&
    clean(v.decoded.file, bytes.subarray(108, 236))
  );
}

for (const v of VECTORS) {
  const isMalformed = v.tags.includes('malformed');
  test(`vector ${v.id}${isMalformed ? ' (malformed)' : ''}`, () => {
    const bytes = fromHex(v.hex);
    let decoded: DhcpPacket;
    try {
      decoded = decodeDhcpPacket(bytes).value;
    } catch (err) {
      assert.ok(err instanceof DecodeError, `${v.id}: only DecodeError may be thrown, got ${String(err)}`);
      assert.ok(isMalformed, `${v.id}: a valid record must decode (${err.message})`);
      return;
    }
    if (isMalformed && v.decoded.end_option_present === false) assert.fail(`${v.id}: a missing End must be refused`);
    checkFields(v, decoded);

    // Re-encode. Byte-exact up to End where wire order was kept: no Pad inside the
    // options, no overload, and fixed fields holding only their text.
    const again = encodeDhcpPacket(decoded, { maxLength: 1500, minLength: 0 });
    checkFields(v, decodeDhcpPacket(again).value);
    const exact = keepsWireOrder(v, bytes);
    if (exact) {
      const end = endOffset(bytes, decoded);
      assert.equal(toHex(again.subarray(0, end)), toHex(bytes.subarray(0, end)), `${v.id}: byte-exact up to End`);
      assert.equal(again.length, end, `${v.id}: nothing after End without padding`);
    }
  });
}

test('the byte-exact re-encode check covers most records', () => {
  const exactCount = VECTORS.filter((v) => keepsWireOrder(v, fromHex(v.hex))).length;
  assert.ok(exactCount >= 70, `${exactCount} records are compared byte for byte`);
});

test('no-cookie BOOTP decision: decodes as BOOTP with the vendor area kept and re-encodes identically', () => {
  const v = VECTORS.find((x) => x.id === 'malformed-no-magic-cookie');
  assert.ok(v);
  const bytes = fromHex(v.hex);
  const p = decodeDhcpPacket(bytes).value;
  assert.equal(p.isBootp, true);
  assert.equal(p.options.length, 0);
  assert.equal(toHex(encodeDhcpPacket(p)), v.hex);
});

const FIXED = 236;
function header(overrides: Partial<Record<'hlen', number>> = {}): Uint8Array {
  const b = new Uint8Array(FIXED + 4);
  b[0] = 1;
  b[1] = 1;
  b[2] = overrides.hlen ?? 6;
  b.set([99, 130, 83, 99], FIXED);
  return b;
}
function withOptions(hex: string, base = header()): Uint8Array {
  const o = fromHex(hex);
  const b = new Uint8Array(base.length + o.length);
  b.set(base);
  b.set(o, base.length);
  return b;
}

const MALFORMED: readonly { name: string; bytes: Uint8Array }[] = [
  { name: 'empty datagram', bytes: new Uint8Array(0) },
  { name: 'truncated inside the fixed header', bytes: header().subarray(0, 100) },
  { name: 'hlen over 16', bytes: withOptions('ff', header({ hlen: 17 })) },
  { name: 'cookie but no End', bytes: withOptions('350101') },
  { name: 'option length runs past the end', bytes: withOptions('3510') },
  { name: 'length byte missing', bytes: withOptions('35') },
  { name: 'overload value 7', bytes: withOptions('340107ff') },
];

for (const m of MALFORMED) {
  test(`malformed input → DecodeError: ${m.name}`, () => {
    assert.throws(() => decodeDhcpPacket(m.bytes), DecodeError);
  });
}

test('a header with only a cookie and End decodes; Pad bytes are skipped', () => {
  const p = decodeDhcpPacket(withOptions('0000350101' + '00' + 'ff' + '000000')).value;
  assert.deepEqual(ours(p), [{ code: 53, hex: '01' }]);
});

test('fuzz: random bytes and mutated real packets only ever throw DecodeError', () => {
  const seeds = VECTORS.map((v) => fromHex(v.hex));
  fc.assert(
    fc.property(fc.integer({ min: 0, max: seeds.length - 1 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 8 }), fc.nat(), (i, edits, cut) => {
      const seed = seeds[i] ?? new Uint8Array(0);
      const b = Uint8Array.from(seed.subarray(0, seed.length - (cut % 40)));
      for (const [at, val] of edits) if (b.length > 0) b[at % b.length] = val;
      try {
        decodeDhcpPacket(b);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
    }),
    { numRuns: 2000 },
  );
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 600 }), (b) => {
      try {
        decodeDhcpPacket(b);
      } catch (err) {
        if (!(err instanceof DecodeError)) throw err;
      }
    }),
    { numRuns: 500 },
  );
});

const ipArb = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((p) => p.join('.') as Ipv4);
const optionArb: fc.Arbitrary<DhcpOption> = fc.record({
  code: fc.integer({ min: 1, max: 254 }).filter((c) => c !== 52),
  data: fc.uint8Array({ maxLength: 300 }),
});
const packetArb: fc.Arbitrary<DhcpPacket> = fc.record({
  op: fc.constantFrom(1, 2),
  htype: fc.constant(1),
  hlen: fc.integer({ min: 0, max: 16 }),
  hops: fc.nat(255),
  xid: fc.nat(0xffffffff),
  secs: fc.nat(0xffff),
  flags: fc.nat(0xffff),
  ciaddr: ipArb,
  yiaddr: ipArb,
  siaddr: ipArb,
  giaddr: ipArb,
  chaddr: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  sname: fc.oneof(fc.constant(''), fc.stringMatching(/^[a-z0-9.-]{1,64}$/)),
  file: fc.oneof(fc.constant(''), fc.stringMatching(/^[a-zA-Z0-9./_-]{1,128}$/)),
  options: fc.array(optionArb, { maxLength: 12 }),
});

/** Options as a reader sees them: one joined value per code, in first-seen order (RFC 3396). */
function joined(p: Pick<DhcpPacket, 'options'>): [number, string][] {
  const codes = [...new Set(p.options.map((o) => o.code))];
  return codes.map((c) => [c, toHex(getOption(p, c) ?? new Uint8Array(0))]);
}

test('property: decode(encode(p)) gives p back (fields and joined options), encodingLength agrees', () => {
  fc.assert(
    fc.property(packetArb, (p) => {
      let bytes: Uint8Array;
      try {
        bytes = encodeDhcpPacket(p, { maxLength: 1500 });
      } catch (err) {
        // Only "does not fit" may be refused; never silently truncated.
        assert.ok(err instanceof RangeError && /do not fit/.test(err.message), String(err));
        return;
      }
      assert.equal(bytes.length, encodingLengthDhcpPacket(p, { maxLength: 1500 }));
      assert.ok(bytes.length >= 300 && bytes.length <= 1500);
      const q = decodeDhcpPacket(bytes).value;
      for (const f of ['op', 'htype', 'hlen', 'hops', 'xid', 'secs', 'flags', 'ciaddr', 'yiaddr', 'siaddr', 'giaddr'] as const) {
        assert.equal(q[f], p[f]);
      }
      assert.deepEqual(q.chaddr, p.chaddr);
      assert.equal(q.sname, p.sname);
      assert.equal(q.file, p.file);
      assert.deepEqual(joined(q), joined(p));
    }),
    { numRuns: 300 },
  );
});

function reply(options: DhcpOption[], over: Partial<DhcpPacket> = {}): DhcpPacket {
  return { ...emptyDhcpPacket(), op: 2, xid: 0x1234, options, ...over };
}

test('RFC 3396 §4: a 600-byte option is split into 255+255+90 and joined again', () => {
  const data = Uint8Array.from({ length: 600 }, (_, i) => i & 0xff);
  const bytes = encodeDhcpPacket(reply([{ code: 43, data }]), { maxLength: 1500 });
  const p = decodeDhcpPacket(bytes).value;
  assert.deepEqual(p.options.map((o) => o.data.length), [255, 255, 90]);
  assert.deepEqual(getOption(p, 43), data);
});

test('RFC 1542 §2.1: a reply is padded to 300 bytes; RFC 2131 §2: never over 548 without option 57', () => {
  assert.equal(encodeDhcpPacket(reply([{ code: 53, data: Uint8Array.of(2) }])).length, 300);
  const big = reply([{ code: 43, data: new Uint8Array(250) }, { code: 224, data: new Uint8Array(250) }]);
  assert.throws(() => encodeDhcpPacket(big, { maxLength: 548 }), /do not fit/);
});

test('RFC 2132 §9.10: maxReplyLength uses option 57 minus IP/UDP headers, never below 576', () => {
  assert.equal(maxReplyLength({ options: [] }), 548);
  assert.equal(maxReplyLength({ options: [{ code: 57, data: Uint8Array.of(0x04, 0xec) }] }), 1260 - 28);
  assert.equal(maxReplyLength({ options: [{ code: 57, data: Uint8Array.of(0x01, 0x00) }] }), 548);
});

test('RFC 2132 §9.3: options overflow into empty file/sname only when they do not fit', () => {
  const opts: DhcpOption[] = [
    { code: 53, data: Uint8Array.of(5) },
    { code: 43, data: new Uint8Array(200).fill(1) },
    { code: 224, data: new Uint8Array(80).fill(2) },
    { code: 225, data: new Uint8Array(40).fill(3) },
  ];
  const bytes = encodeDhcpPacket(reply(opts), { maxLength: 548 });
  assert.ok(bytes.length <= 548);
  const p = decodeDhcpPacket(bytes).value;
  assert.deepEqual(p.options.map((o) => o.code), [53, 43, 224, 225]);
  assert.equal(getOption(p, 52), undefined, 'option 52 is framing, not reported as a payload option');
  assert.equal(bytes[108], 225, 'the file field starts with the first option that did not fit');
  assert.equal(p.file, '');
  // The boot file in use: file cannot be overloaded, sname can.
  const withFile = reply(opts, { file: 'undionly.kpxe' });
  const bytes2 = encodeDhcpPacket(withFile, { maxLength: 548 });
  const p2 = decodeDhcpPacket(bytes2).value;
  assert.equal(p2.file, 'undionly.kpxe');
  assert.equal(bytes2[44], 225, 'the sname field carries the overflow');
  assert.deepEqual(p2.options.map((o) => o.code), [53, 43, 224, 225]);
  const both = reply(opts, { file: 'undionly.kpxe', sname: 'tftp.lab' });
  assert.throws(() => encodeDhcpPacket(both, { maxLength: 548 }), /do not fit/);
});

test('encoder refuses impossible packets instead of truncating', () => {
  assert.throws(() => encodeDhcpPacket(reply([], { sname: 'x'.repeat(65) })), /sname is 65 bytes, over 64/);
  assert.throws(() => encodeDhcpPacket(reply([], { file: 'f'.repeat(129) })), /file is 129 bytes, over 128/);
  assert.throws(() => encodeDhcpPacket(reply([], { chaddr: new Uint8Array(17) })), /chaddr/);
  assert.throws(() => encodeDhcpPacket(reply([], { siaddr: '10.0.0.256' as Ipv4 })), /siaddr/);
  assert.throws(() => encodeDhcpPacket(reply([{ code: 52, data: Uint8Array.of(1) }])), /option 52/);
  assert.throws(() => encodeDhcpPacket(reply([{ code: 0, data: new Uint8Array(0) }])), /option code 0/);
});

test('option 82 survives decode → encode byte for byte (RFC 3046 §2.2)', () => {
  const v = VECTORS.find((x) => x.tags.includes('opt82') && x.tags.includes('relay') && !x.tags.includes('malformed'));
  assert.ok(v);
  const p = decodeDhcpPacket(fromHex(v.hex)).value;
  const again = decodeDhcpPacket(encodeDhcpPacket(p, { maxLength: 1500 })).value;
  assert.deepEqual(getOption(again, 82), getOption(p, 82));
});

test('clientMac is the first hlen bytes of chaddr', () => {
  const chaddr = new Uint8Array(16);
  chaddr.set([0, 0x1b, 0xd4, 0xaa, 0xbb, 0xcc, 9, 9]);
  assert.equal(clientMac({ chaddr, hlen: 6 }), '00:1b:d4:aa:bb:cc');
});

interface NodeDhcpParsed {
  op: number;
  xid: number;
  yiaddr: string;
  siaddr: string;
  chaddr: string;
  sname: string;
  file: string;
  options: Record<string, unknown>;
}

test('independent peer: the npm `dhcp` parser reads benchboot replies to the same values', (t) => {
  const require = createRequire(import.meta.url);
  const protocol = require('dhcp/lib/protocol.js') as { parse(b: Buffer): NodeDhcpParsed };
  const chaddr = new Uint8Array(16);
  chaddr.set([0x00, 0x1b, 0xd4, 0xaa, 0xbb, 0xcc]);
  const ip = (s: string): Uint8Array => Uint8Array.from(s.split('.').map(Number));
  const p = reply(
    [
      { code: 53, data: Uint8Array.of(5) },
      { code: 54, data: ip('10.9.0.1') },
      { code: 51, data: Uint8Array.of(0, 0, 0x0e, 0x10) },
      { code: 1, data: ip('255.255.255.0') },
      { code: 3, data: ip('10.9.0.1') },
      { code: 6, data: Uint8Array.of(...ip('10.9.0.1'), ...ip('10.9.0.2')) },
      { code: 66, data: new TextEncoder().encode('10.9.0.1') },
      { code: 67, data: new TextEncoder().encode('SEP001BD4AABBCC.cnf.xml') },
      { code: 150, data: ip('10.9.0.1') },
    ],
    { yiaddr: '10.9.0.50' as Ipv4, siaddr: '10.9.0.1' as Ipv4, chaddr, sname: 'bench', file: 'SEP001BD4AABBCC.cnf.xml', xid: 0xdeadbeef },
  );
  // node-dhcp does not know option 150 and reports it on the console; capture that.
  const errors = t.mock.method(console, 'error', () => undefined);
  const parsed = protocol.parse(Buffer.from(encodeDhcpPacket(p)));
  assert.equal(parsed.op, 2);
  assert.equal(parsed.xid, 0xdeadbeef);
  assert.equal(parsed.yiaddr, '10.9.0.50');
  assert.equal(parsed.siaddr, '10.9.0.1');
  assert.equal(parsed.chaddr, '00-1B-D4-AA-BB-CC');
  assert.equal(parsed.sname, 'bench');
  assert.equal(parsed.file, 'SEP001BD4AABBCC.cnf.xml');
  assert.equal(parsed.options['53'], 5);
  assert.equal(parsed.options['54'], '10.9.0.1');
  assert.equal(parsed.options['51'], 3600);
  assert.equal(parsed.options['1'], '255.255.255.0');
  assert.deepEqual(parsed.options['3'], ['10.9.0.1']);
  assert.deepEqual(parsed.options['6'], ['10.9.0.1', '10.9.0.2']);
  assert.equal(parsed.options['66'], '10.9.0.1');
  assert.equal(parsed.options['67'], 'SEP001BD4AABBCC.cnf.xml');
  assert.equal(errors.mock.callCount(), 1);
  assert.match(String(errors.mock.calls[0]?.arguments[0]), /150/);
});

test('a datagram cut anywhere inside the fixed header is a DecodeError naming the field it cuts', () => {
  const full = withOptions('350101ff');
  const fields = ['op', 'htype', 'hlen', 'hops', 'xid', 'secs', 'flags', 'ciaddr', 'yiaddr', 'siaddr', 'giaddr', 'chaddr', 'sname', 'file'];
  for (let length = 0; length < 236; length++) {
    assert.throws(
      () => decodeDhcpPacket(full.subarray(0, length)),
      (e: unknown) => e instanceof DecodeError && e.offset <= length && fields.some((f) => e.reason.startsWith(`truncated ${f}:`)),
      `length ${length}`,
    );
  }
});

test('decoded option values and chaddr do not change when the datagram buffer is reused', () => {
  const bytes = withOptions('3501013d0701020304050607ff');
  bytes.set([0x02, 0xaa, 0xbb, 0xcc, 0xdd, 0xee], 28);
  const p = decodeDhcpPacket(bytes).value;
  const mac = clientMac(p);
  bytes.fill(0x77, 28, 44);
  assert.equal(clientMac(p), mac);
  assert.equal(mac, '02:aa:bb:cc:dd:ee');
});
