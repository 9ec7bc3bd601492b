/** Option encoders, each against the example in the vendor's (or RFC's) documentation. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromHex, toHex } from '../../../src/net/bytes.js';
import {
  decodeSubOptions,
  encodeAvaya,
  encodeCiscoPnp,
  encodeJuniperZtp,
  encodeMitel,
  encodeSubOptions,
  encodeVendorClass,
  encodeVendorSpecific,
  formatCiscoPnp,
  OptionEncodeError,
} from '../../../src/profiles/index.js';

const ascii = (s: string): string => Buffer.from(s, 'ascii').toString('hex');

test('option 43 sub-option TLVs: the Cisco WLC example (community.cisco.com "DHCP Option 43": f108c0a80a05c0a80a14)', () => {
  // Sub-option 0xf1, length 8, controllers 192.168.10.5 and 192.168.10.20.
  const data = encodeSubOptions([{ code: 0xf1, data: fromHex('c0a80a05c0a80a14') }]);
  assert.equal(toHex(data), 'f108c0a80a05c0a80a14');
  assert.deepEqual(decodeSubOptions(data).map((s) => [s.code, toHex(s.data)]), [[0xf1, 'c0a80a05c0a80a14']]);
});

test('sub-option limits, table cases', () => {
  const cases: [() => unknown, RegExp, string][] = [
    [() => encodeSubOptions([{ code: 255, data: new Uint8Array(1) }]), /code 255 is outside 0..254/, 'code 255 ends the list, cannot be used'],
    [() => encodeSubOptions([{ code: 1, data: new Uint8Array(256) }]), /sub-option 1 is 256 bytes/, 'one sub-option over 255'],
    [() => encodeSubOptions([{ code: 1, data: new Uint8Array(200) }, { code: 2, data: new Uint8Array(60) }]), /the sub-option list is 264 bytes/, 'total over one option (no RFC 3396 split)'],
    [() => decodeSubOptions(fromHex('0105aa')), /runs past the end/, 'a length past the end'],
  ];
  for (const [run, want, edge] of cases) assert.throws(run, (e: unknown) => e instanceof OptionEncodeError && want.test(e.message), edge);
  assert.equal(toHex(encodeSubOptions([{ code: 0, data: new Uint8Array(0) }])), '0000', 'code 0 (Juniper) with empty data');
  assert.deepEqual(decodeSubOptions(fromHex('0101aaff0101bb')).length, 1, '255 ends the list');
});

test('Mitel option 125 with RFC 3925 framing: the example of the Mitel 5560 IPT engineering guidelines (p. 244)', () => {
  const example = 'id:ipphone.mitel.com;sw_tftp=10.37.20.11;call_srv=10.37.18.11,10.37.10.11;vlan=1056;l2p=6;dscp=46';
  const pairs: [string, string][] = [['sw_tftp', '10.37.20.11'], ['call_srv', '10.37.18.11,10.37.10.11'], ['vlan', '1056'], ['l2p', '6'], ['dscp', '46']];
  const str = encodeMitel(pairs, 'option-125');
  assert.equal(Buffer.from(str).toString('ascii'), example);
  const opt125 = encodeVendorSpecific([{ enterprise: 1027, data: str }]);
  // enterprise-number 1027 = 00000403, data-len, then the string (RFC 3925 §4).
  assert.equal(toHex(opt125), `00000403${example.length.toString(16).padStart(2, '0')}${ascii(example)}`);
});

test("Mitel's own limits: 250 characters in 125, 255 in 43; no empty values", () => {
  const long: [string, string][] = [['call_srv', 'a'.repeat(220)]];
  assert.equal(encodeMitel(long, 'option-125').length, 250, '250 exactly fits option 125');
  const longer: [string, string][] = [['call_srv', 'a'.repeat(221)]];
  assert.throws(() => encodeMitel(longer, 'option-125'), /251 bytes, more than the 250 allowed/, '251 is over option 125');
  assert.equal(encodeMitel(longer, 'option-43').length, 251, '251 still fits option 43');
  assert.throws(() => encodeMitel([['vlan', '']], 'option-43'), /must be non-empty/, 'Mitel refuses "tag="');
  assert.throws(() => encodeMitel([['vlan', '1;dscp=0']], 'option-43'), /without ";"/, 'a value smuggling another tag');
});

test('Cisco PnP option 43: the Cisco Network PnP guide example "5A1N;B2;K4;I172.19.45.222;J80"', () => {
  const target = { serverIp: '172.19.45.222', port: 80, transport: 'http' as const };
  assert.equal(formatCiscoPnp(target), '5A1N;B2;K4;I172.19.45.222;J80');
  assert.equal(toHex(encodeCiscoPnp(target)), ascii('5A1N;B2;K4;I172.19.45.222;J80'));
  assert.equal(formatCiscoPnp({ serverIp: '10.0.0.1', port: 443, transport: 'https', debug: true }), '5A1D;B2;K5;I10.0.0.1;J443', 'K5 = HTTPS, D = debug on');
  // oliverl-21/Open_PnP_Server README: "5A1D;K4;B2;I198.18.168.3;J8080". The agent reads
  // the fields by their letter; benchboot writes B before K, as Cisco's example does.
  assert.equal(formatCiscoPnp({ serverIp: '198.18.168.3', port: 8080, transport: 'http', debug: true }), '5A1D;B2;K4;I198.18.168.3;J8080');
  assert.throws(() => formatCiscoPnp({ serverIp: 'pnp.lab', port: 80, transport: 'http' }), /not an IPv4 address/, 'B2 means an IPv4 address');
  assert.throws(() => formatCiscoPnp({ serverIp: '10.0.0.1', port: 0, transport: 'http' }), /port 0/, 'port 0');
});

test('Avaya option 242: the Avaya J100 guide example "HTTPSRVR=1.2.3.4,L2Q=1,L2QVLAN=20"', () => {
  const data = encodeAvaya([['HTTPSRVR', '1.2.3.4'], ['L2Q', '1'], ['L2QVLAN', '20']]);
  assert.equal(toHex(data), ascii('HTTPSRVR=1.2.3.4,L2Q=1,L2QVLAN=20'));
  assert.throws(() => encodeAvaya([['httpsrvr', '1.2.3.4']]), /upper-case/, 'parameter names are upper-case');
  assert.throws(() => encodeAvaya([['L2Q', '']]), /non-empty/, 'empty value');
});

test('Juniper ZTP option 43: the openfibernet/juniper-ztp dhcpd.conf example (image, config, transfer mode http)', () => {
  const image = 'images/junos-arm-32-18.1R3.3.tgz';
  const data = encodeJuniperZtp({ imageFile: image, configFile: 'default.conf', transferMode: 'http' });
  // 00 image file name, 01 config file name, 03 transfer mode: text sub-options in code order.
  const want = `00${image.length.toString(16).padStart(2, '0')}${ascii(image)}010c${ascii('default.conf')}0304${ascii('http')}`;
  assert.equal(toHex(data), want);
  assert.equal(toHex(encodeJuniperZtp({ configFile: 'a', imageType: 'symlink', altImageFile: 'b', httpPort: 8080 })), `0101${ascii('a')}0207${ascii('symlink')}0401${ascii('b')}0504${ascii('8080')}`, 'sub-options 02, 04, 05');
  assert.throws(() => encodeJuniperZtp({ transferMode: 'tftp' }), /at least an image or a configuration file/);
});

test('RFC 3925 option 124 V-I vendor class and option 125 limits', () => {
  // Enterprise 3561 (Broadband Forum), one class "abc": 00000de9, data-len 4, len 3, "abc".
  assert.equal(toHex(encodeVendorClass([{ enterprise: 3561, classes: [Buffer.from('abc')] }])), `00000de90403${ascii('abc')}`);
  assert.throws(() => encodeVendorSpecific([{ enterprise: 1027, data: new Uint8Array(251) }]), /option 125 is 256 bytes/, 'total over 255');
  assert.throws(() => encodeVendorSpecific([{ enterprise: -1, data: new Uint8Array(1) }]), /not a 32-bit number/, 'negative enterprise');
});
