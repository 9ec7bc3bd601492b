/**
 * The option registry: lookup by name/code, value encoding from scope-file values
 * (with readable errors) and decoding back for display, per option type.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex, fromHex, DecodeError } from '../../../src/net/bytes.js';
import { findOption, listOptions } from '../../../src/dhcp/options/registry.js';
import type { OptionDef } from '../../../src/dhcp/options/registry.js';
import { decodeOptionValue, encodeOptionValue, formatOptionValue } from '../../../src/dhcp/options/value.js';

function def(nameOrCode: string | number): OptionDef {
  const d = findOption(nameOrCode);
  assert.ok(d, `option ${nameOrCode} is registered`);
  return d;
}

test('findOption: by name, alias, code, numeric text and option-N', () => {
  assert.equal(def('tftp-servers').code, 150);
  assert.equal(def('tftp-server-name').code, 66);
  assert.equal(def('ntp-servers').code, 42);
  assert.equal(def('domain-search').code, 119);
  assert.equal(def('classless-static-routes').code, 121);
  assert.equal(def('vendor-specific').code, 43);
  assert.equal(def('router').code, 3);
  assert.equal(def(150).name, 'tftp-servers');
  assert.equal(def('150').name, 'tftp-servers');
  assert.equal(def('option-200').type, 'hex');
  assert.equal(def(200).name, 'option-200');
  assert.equal(findOption(0), undefined, 'Pad is framing, not an option');
  assert.equal(findOption(255), undefined, 'End is framing, not an option');
  assert.equal(findOption(256), undefined);
  assert.equal(findOption('no-such-option'), undefined);
});

test('registry covers the codes the brief names, each with an RFC reference', () => {
  const required = [1, 3, 6, 12, 15, 28, 42, 43, 51, 53, 54, 55, 57, 58, 59, 60, 61, 66, 67, 77, 82, 93, 94, 97, 119, 121, 150, 160, 242, 252];
  for (const code of required) {
    const d = def(code);
    assert.notEqual(d.name, `option-${code}`, `${code} has a name`);
    assert.match(d.rfc, /RFC \d+/);
    assert.match(d.name, /^[a-z0-9]+(-[a-z0-9]+)*$/, `${d.name} is kebab-case`);
  }
  const names = listOptions().map((d) => d.name);
  assert.equal(new Set(names).size, names.length, 'names are unique');
});

interface Case {
  readonly name: string;
  readonly option: string | number;
  readonly value: unknown;
  readonly hex: string;
  /** What decodeOptionValue gives back, when it differs from `value`. */
  readonly decoded?: unknown;
}

const CASES: readonly Case[] = [
  { name: 'RFC 2132 §3.3 subnet mask', option: 1, value: '255.255.255.0', hex: 'ffffff00' },
  { name: 'RFC 5859 option 150 list', option: 'tftp-servers', value: ['10.0.0.1', '10.0.0.2'], hex: '0a0000010a000002' },
  { name: 'ip-list from comma text', option: 'ntp-servers', value: '10.0.0.1, 10.0.0.2', hex: '0a0000010a000002', decoded: ['10.0.0.1', '10.0.0.2'] },
  { name: 'RFC 2132 §9.4 option 66 text', option: 66, value: 'tftp.lab', hex: '746674702e6c6162' },
  { name: 'RFC 2132 §9.2 lease time u32', option: 51, value: 86400, hex: '00015180' },
  { name: 'RFC 2132 §3.4 time offset is signed', option: 2, value: -3600, hex: 'fffff1f0' },
  { name: 'RFC 2132 §5.1 MTU u16', option: 26, value: 1500, hex: '05dc' },
  { name: 'RFC 2132 §4.1 bool', option: 19, value: true, hex: '01' },
  { name: 'RFC 2132 §9.8 u8 list', option: 55, value: [1, 3, 6, 150], hex: '01030696' },
  { name: 'RFC 4578 §2.1 arch list', option: 93, value: [7, 9], hex: '00070009' },
  { name: 'raw hex for unknown code', option: 200, value: 'deadbeef', hex: 'deadbeef' },
  {
    name: 'RFC 3397 §2 domain search without compression',
    option: 'domain-search',
    value: ['lab.example', 'example'],
    hex: '036c6162076578616d706c6500076578616d706c6500',
  },
  {
    name: 'RFC 3442 §3 routes, /0 default and /24 with 3 significant octets',
    option: 121,
    value: ['0.0.0.0/0 via 10.0.0.1', '192.168.5.0/24 10.0.0.254'],
    hex: '000a00000118c0a8050a0000fe',
    decoded: [
      { destination: '0.0.0.0/0', router: '10.0.0.1' },
      { destination: '192.168.5.0/24', router: '10.0.0.254' },
    ],
  },
  {
    name: 'RFC 2132 §8.4 vendor sub-options',
    option: 43,
    value: [{ code: 1, hex: '0a000001' }, { code: 2, string: 'ab' }],
    hex: '01040a00000102026162',
    decoded: [{ code: 1, hex: '0a000001' }, { code: 2, hex: '6162' }],
  },
  { name: 'RFC 2132 §9.14 client id from MAC → type 1', option: 61, value: '00:1b:d4:aa:bb:cc', hex: '01001bd4aabbcc', decoded: { type: 1, hex: '001bd4aabbcc' } },
  { name: 'RFC 3004 §4 user class list', option: 77, value: ['phones', 'lab'], hex: '0670686f6e6573036c6162' },
  { name: 'iPXE plain user class text', option: 77, value: 'iPXE', hex: '69505845' },
];

for (const c of CASES) {
  test(`encode/decode: ${c.name}`, () => {
    const d = def(c.option);
    const bytes = encodeOptionValue(d, c.value);
    assert.equal(toHex(bytes), c.hex);
    const back = decodeOptionValue(d, bytes);
    assert.deepEqual(back, c.decoded ?? c.value);
    assert.equal(toHex(encodeOptionValue(d, back)), c.hex, 'the decoded value encodes to the same bytes');
  });
}

test('encode errors are readable RangeErrors naming the option', () => {
  assert.throws(() => encodeOptionValue(def(150), ['10.0.0.300']), {
    name: 'RangeError',
    message: 'option 150 (tftp-servers): "10.0.0.300" is not an IPv4 address',
  });
  assert.throws(() => encodeOptionValue(def(26), 70000), /option 26 \(interface-mtu\): 70000 is not an integer from 0 to 65535/);
  assert.throws(() => encodeOptionValue(def(66), ''), /empty text/);
  assert.throws(() => encodeOptionValue(def(121), '10.0.0.1/24 via 10.0.0.254'), /host bits/);
  assert.throws(() => encodeOptionValue(def(119), 'bad..name'), /not a domain name/);
  assert.throws(() => encodeOptionValue(def(200), 'xyz'), /not a hex string/);
  assert.throws(() => encodeOptionValue(def(43), [{ code: 1 }]), /needs "hex" or "string"/);
  assert.throws(() => encodeOptionValue(def(3), null), /no value/);
});

test('sub-options: PXE End (255) is kept; text in option 43 (Aruba) reads as hex; both encode back', () => {
  const pxe = fromHex('0601030807800001c0a8100aff');
  const list = decodeOptionValue(def(43), pxe);
  assert.deepEqual(list, [{ code: 6, hex: '03' }, { code: 8, hex: '800001c0a8100a' }, { code: 255, hex: '' }]);
  assert.equal(toHex(encodeOptionValue(def(43), list)), toHex(pxe));
  const aruba = fromHex('3137322e31382e362e3337');
  assert.equal(decodeOptionValue(def(43), aruba), '3137322e31382e362e3337');
  assert.equal(toHex(encodeOptionValue(def(43), decodeOptionValue(def(43), aruba))), toHex(aruba));
});

test('RFC 3397 §2 decode follows compression pointers', () => {
  // "lab.example" then "test" + pointer to "example" at offset 4.
  const bytes = fromHex('036c6162076578616d706c6500' + '0474657374c004');
  assert.deepEqual(decodeOptionValue(def(119), bytes), ['lab.example', 'test.example']);
  assert.throws(() => decodeOptionValue(def(119), fromHex('c000')), DecodeError, 'a pointer to itself is refused');
});

test('decode refuses wrong lengths with DecodeError; format falls back to hex', () => {
  assert.throws(() => decodeOptionValue(def(1), fromHex('ffff')), DecodeError);
  assert.throws(() => decodeOptionValue(def(121), fromHex('18c0a8')), DecodeError);
  assert.equal(formatOptionValue(def(1), fromHex('ffff')).startsWith('0xffff'), true);
  assert.equal(formatOptionValue(def(150), fromHex('0a000001')), '["10.0.0.1"]');
});

test('text options drop a trailing NUL some firmware sends', () => {
  assert.equal(decodeOptionValue(def(12), fromHex('6e617331' + '00')), 'nas1');
});

test('every option in the real vectors decodes for display or yields DecodeError, never another error', async () => {
  const { readFileSync } = await import('node:fs');
  const vectors = JSON.parse(readFileSync(new URL('../../../../test/fixtures/vectors/dhcp.json', import.meta.url), 'utf8')) as {
    id: string;
    decoded: { options: { code: number; hex?: string }[] | null };
  }[];
  let decoded = 0;
  const refused: string[] = [];
  for (const v of vectors) {
    for (const o of v.decoded.options ?? []) {
      if (o.code === 0 || o.code === 255 || o.hex === undefined) continue;
      const d = def(o.code);
      try {
        decodeOptionValue(d, fromHex(o.hex));
        decoded++;
      } catch (err) {
        assert.ok(err instanceof DecodeError, `${v.id} option ${o.code}: ${String(err)}`);
        refused.push(`${v.id}:${o.code}`);
      }
    }
  }
  assert.ok(decoded > 500, `${decoded} options decoded`);
  // Only the option the fixture marks as broken is refused.
  assert.deepEqual(refused, ['crafted-static-routes-33-bad-length:33']);
});

test('options the engine sets itself are marked not configurable', () => {
  for (const code of [50, 51, 52, 53, 54, 55, 57, 61, 82]) assert.equal(def(code).configurable, false, `option ${code}`);
  for (const code of [3, 6, 42, 43, 66, 67, 150, 242]) assert.equal(def(code).configurable, true, `option ${code}`);
});
