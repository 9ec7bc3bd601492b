/** IPv4/MAC parsing and arithmetic: the strict forms scope files accept, and the edge cases. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import {
  cidrBroadcast,
  cidrContains,
  cidrHosts,
  intToIpv4,
  ipv4FromBytes,
  ipv4ToBytes,
  ipv4ToInt,
  isIpv4,
  maskToPrefix,
  parseCidr,
  parseIpv4,
  parseMac,
  prefixToMask,
  macFromBytes,
  macToBytes,
  writeIpv4,
} from '../../../src/net/ipv4.js';

test('strict dotted quads are accepted, lenient forms that ipaddr.js allows are refused', () => {
  for (const ok of ['0.0.0.0', '10.10.0.1', '255.255.255.255', '192.168.1.254']) assert.equal(isIpv4(ok), true, ok);
  for (const bad of ['0xc0.168.1.1', '010.0.0.1', '10.0.1', '10.0.0.256', '10.0.0.1 ', '1.2.3.4.5', '', 'a.b.c.d', '3232235777']) {
    assert.equal(isIpv4(bad), false, bad);
  }
  assert.throws(() => parseIpv4('10.0.0.300'), /"10.0.0.300" is not an IPv4 address/);
});

test('uint32 conversion round-trips at the extremes', () => {
  for (const ip of ['0.0.0.0', '255.255.255.255', '128.0.0.1', '10.10.0.1']) {
    assert.equal(intToIpv4(ipv4ToInt(parseIpv4(ip))), ip);
  }
  assert.equal(ipv4ToInt(parseIpv4('255.255.255.255')), 0xffffffff);
  assert.deepEqual([...ipv4ToBytes(parseIpv4('10.1.2.3'))], [10, 1, 2, 3]);
  assert.equal(ipv4FromBytes(Uint8Array.of(9, 9, 10, 1, 2, 3), 2), '10.1.2.3');
});

test('CIDR parsing refuses host bits unless told otherwise, and computes hosts and broadcast', () => {
  assert.deepEqual(parseCidr('10.10.0.0/24'), { network: '10.10.0.0', prefix: 24 });
  assert.throws(() => parseCidr('10.10.0.1/24'), /host bits set; the subnet is 10.10.0.0\/24/);
  assert.deepEqual(parseCidr('10.10.0.1/24', false), { network: '10.10.0.0', prefix: 24 });
  assert.throws(() => parseCidr('10.0.0.0/33'), /prefix length 33/);
  assert.throws(() => parseCidr('10.0.0.0'), /not a subnet/);
  const c = parseCidr('10.10.0.0/24');
  assert.equal(cidrBroadcast(c), '10.10.0.255');
  assert.deepEqual(cidrHosts(c), { first: '10.10.0.1', last: '10.10.0.254' });
  assert.deepEqual(cidrHosts(parseCidr('10.0.0.0/31')), { first: '10.0.0.0', last: '10.0.0.1' });
  assert.equal(cidrContains(c, parseIpv4('10.10.0.255')), true);
  assert.equal(cidrContains(c, parseIpv4('10.10.1.0')), false);
  assert.equal(cidrContains(parseCidr('0.0.0.0/0'), parseIpv4('8.8.8.8')), true);
});

test('netmask and prefix convert both ways; a non-contiguous mask has no prefix', () => {
  assert.equal(prefixToMask(24), '255.255.255.0');
  assert.equal(prefixToMask(0), '0.0.0.0');
  assert.equal(prefixToMask(32), '255.255.255.255');
  assert.equal(maskToPrefix(parseIpv4('255.255.240.0')), 20);
  assert.equal(maskToPrefix(parseIpv4('255.0.255.0')), undefined);
});

test('MACs in colon, dash, bare and Cisco dotted forms normalise to lowercase colon form', () => {
  for (const form of ['00:1B:D4:AA:BB:CC', '00-1b-d4-aa-bb-cc', '001bd4aabbcc', '001b.d4aa.bbcc']) {
    assert.equal(parseMac(form), '00:1b:d4:aa:bb:cc', form);
  }
  for (const bad of ['00:1b:d4:aa:bb', '00:1b-d4:aa:bb:cc', 'zz:1b:d4:aa:bb:cc', '']) assert.throws(() => parseMac(bad), /not a MAC/, bad);
  assert.equal(macFromBytes(Uint8Array.of(0, 0x1b, 0xd4, 0xaa, 0xbb, 0xcc)), '00:1b:d4:aa:bb:cc');
  assert.deepEqual([...macToBytes(parseMac('00:1b:d4:aa:bb:cc'))], [0, 0x1b, 0xd4, 0xaa, 0xbb, 0xcc]);
});

/** The strict rule as a regular expression, the reference the one-pass checker must match. */
const STRICT_QUAD = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

test('isIpv4 agrees with the strict dotted-quad rule on near-miss text', () => {
  const part = fc.oneof(fc.integer({ min: 0, max: 300 }).map(String), fc.constantFrom('', '00', '01', '007', '0x1', '-1', '+1', ' 1', '1 ', '256', '1000', 'a'));
  const quadLike = fc.array(part, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.'));
  fc.assert(
    fc.property(fc.oneof(quadLike, fc.string({ maxLength: 16 })), (text) => {
      assert.equal(isIpv4(text), STRICT_QUAD.test(text), JSON.stringify(text));
    }),
    { numRuns: 5000 },
  );
  for (const bad of ['1.2.3.4.', '.1.2.3.4', '1..2.3', '1.2.3.4\n', '１.2.3.4']) assert.equal(isIpv4(bad), false, bad);
});

test('ipv4ToInt, intToIpv4, ipv4ToBytes and writeIpv4 agree for any address', () => {
  fc.assert(
    fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
      const ip = intToIpv4(n);
      assert.equal(isIpv4(ip), true);
      assert.equal(ipv4ToInt(ip), n);
      const b = ipv4ToBytes(ip);
      assert.deepEqual([...b], [n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff]);
      const into = new Uint8Array(6);
      writeIpv4(into, 1, ip);
      assert.deepEqual([...into.subarray(1, 5)], [...b]);
      assert.equal(ipv4FromBytes(into, 1), ip);
    }),
    { numRuns: 2000 },
  );
});

test('macFromBytes writes every byte as two lowercase hex digits, any length', () => {
  fc.assert(
    fc.property(fc.uint8Array({ maxLength: 16 }), (bytes) => {
      const expected = [...bytes].map((x) => x.toString(16).padStart(2, '0')).join(':');
      assert.equal(macFromBytes(bytes), expected);
    }),
  );
});
