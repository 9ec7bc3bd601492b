/** Profile choice with real vendor class strings, each profile's options as bytes, and the profile show text. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { toHex } from '../../../src/net/bytes.js';
import { parseIpv4 } from '../../../src/net/ipv4.js';
import { clientIdText, formatProfile, formatProfileList, getProfile, matchProfile, PROFILES, profileIds, resolveProfileOptions, type DeviceFacts, type Profile } from '../../../src/profiles/index.js';

const ALL = PROFILES.map((p) => p.id);
const MAC = '00:00:5e:00:53:01'; // documentation OUI: matches no profile's OUI list

function profileOf(id: string): Profile {
  const p = getProfile(id);
  assert.ok(p, id);
  return p;
}

test('matchProfile with real vendor class strings, table cases', () => {
  const cases: [Partial<DeviceFacts>, string | undefined, string][] = [
    [{ vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' }, 'cisco-phone', 'Cisco 8841'],
    [{ vendorClass: 'Cisco Systems, Inc. IP Phone CP-7941G\0' }, 'cisco-phone', 'trailing NUL (wazo-provd notes it)'],
    [{ vendorClass: 'ciscopnp' }, 'cisco-pnp', 'PnP agent'],
    [{ vendorClass: 'PXEClient:Arch:00007:UNDI:003016', arch: 7 }, 'pxe-uefi', 'x64 UEFI'],
    [{ vendorClass: 'PXEClient:Arch:00009:UNDI:003016', arch: 9 }, 'pxe-uefi', 'arch 9, as x64 firmware sends it'],
    [{ vendorClass: 'PXEClient:Arch:00000:UNDI:002001', arch: 0 }, 'pxe-bios', 'BIOS'],
    [{ vendorClass: 'PXEClient:Arch:00007:UNDI:003010', arch: 7, userClass: 'iPXE' }, 'ipxe', 'iPXE also says PXEClient: no boot loop'],
    [{ vendorClass: 'HTTPClient:Arch:00016', arch: 16 }, undefined, 'UEFI HTTP boot: no profile yet'],
    [{ vendorClass: 'Juniper-ex2300-24p' }, 'juniper-ztp', 'Juniper EX2300'],
    [{ vendorClass: 'AastraIPPhone6867i' }, 'mitel-sip', 'Aastra SIP phone'],
    [{ vendorClass: 'ipphone.mitel.com' }, 'mitel', 'MiNET phone'],
    [{ vendorClass: 'ccp.avaya.com' }, 'avaya', 'Avaya J-series'],
    [{ vendorClass: 'Polycom-VVX410' }, 'polycom', 'Polycom VVX'],
    [{ vendorClass: 'yealink' }, 'yealink', 'Yealink'],
    [{ vendorClass: 'Grandstream GXP2170 dslforum.org' }, 'grandstream', 'Grandstream phone'],
    [{ vendorClass: 'HT8XX dslforum.org' }, 'grandstream', 'Grandstream ATA'],
    [{ vendorClass: 'snom D785' }, 'snom', 'Snom'],
    [{ vendorClass: 'Arista;DCS-7050SX-64' }, 'arista-ztp', 'Arista'],
    [{ vendorClass: 'udhcp 1.36.1' }, undefined, 'a plain Linux client'],
    [{ mac: '00:15:65:4a:a9:37' }, 'yealink', 'no vendor class: Yealink OUI fallback'],
    [{ mac: '00:15:65:4a:a9:37', vendorClass: 'Polycom-VVX410' }, 'polycom', 'the vendor class beats an OUI'],
  ];
  for (const [facts, want, edge] of cases) assert.equal(matchProfile({ mac: MAC, ...facts }, ALL)?.profile.id, want, edge);
});

test('matchProfile: scope list order, allowed list, forced profile, reason', () => {
  const phone: DeviceFacts = { mac: '00:1b:d4:aa:bb:cc', vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' };
  assert.deepEqual(matchProfile(phone, ['polycom', 'cisco-phone']), { profile: profileOf('cisco-phone'), reason: 'vendor-class' });
  assert.equal(matchProfile(phone, ['polycom']), undefined, 'a profile the scope does not list is never chosen');
  assert.equal(matchProfile(phone, ['polycom', 'cisco-ios']), undefined, 'a device that said what it is never gets another profile by OUI');
  assert.deepEqual(matchProfile({ mac: phone.mac }, ['polycom', 'cisco-ios']), { profile: profileOf('cisco-ios'), reason: 'oui' }, 'OUI only when nothing matched explicitly');
  assert.deepEqual(matchProfile(phone, ['cisco-phone'], 'cisco-ios'), { profile: profileOf('cisco-ios'), reason: 'forced' }, 'a row forces one');
  assert.equal(matchProfile(phone, ['nope', 'cisco-phone'])?.profile.id, 'cisco-phone', 'unknown ids are skipped');
  assert.equal(matchProfile({ mac: MAC, userClass: 'iPXE' }, ['ipxe'])?.reason, 'user-class');
  assert.equal(profileIds().size, PROFILES.length, 'ids are unique');
});

/** Option 61 as IOS sends it: type 0, then the ASCII text (Cisco AutoInstall guide's hex form `0063.6973.636f.2d…`). */
const iosClientId = (text: string): Uint8Array => Uint8Array.from([0, ...Buffer.from(text, 'ascii')]);

test('clientIdText: only a type-0 printable option 61 reads as text', () => {
  assert.equal(clientIdText(iosClientId('cisco-0006.53b7.8e71-fa3/0')), 'cisco-0006.53b7.8e71-fa3/0');
  assert.equal(clientIdText('00636973636f2d303030362e353362372e386537312d6661332f30'), 'cisco-0006.53b7.8e71-fa3/0', 'the hex a lease keeps');
  assert.equal(clientIdText(Uint8Array.from([1, 0x00, 0x19, 0xe8, 0xa5, 0x0a, 0x81])), undefined, 'type 1 is a hardware address');
  assert.equal(clientIdText(Uint8Array.from([0, 0x63, 0x0a])), undefined, 'a control byte is not text');
  assert.equal(clientIdText(undefined), undefined);
});

test('cisco-ios is recognised by the IOS client identifier first, its OUI only as a fallback', () => {
  const IOS_MAC = '00:19:e8:a5:0a:81'; // a Cisco OUI none of the profiles lists
  const cases: [Partial<DeviceFacts>, string | undefined, string | undefined, string][] = [
    [{ mac: IOS_MAC, clientIdText: clientIdText(iosClientId('cisco-0019.e8a5.0a81-Vl1')) }, 'cisco-ios', 'client-id', 'Catalyst switch on VLAN 1'],
    [{ mac: 'b4:14:89:6c:12:c0', clientIdText: clientIdText(iosClientId('cisco-b414.896c.12c0-Vl1')) }, 'cisco-ios', 'client-id', '2960-X first boot (capture)'],
    [{ mac: '00:06:53:b7:8e:71', clientIdText: clientIdText(iosClientId('cisco-0006.53b7.8e71-fa3/0')) }, 'cisco-ios', 'client-id', 'router, Cisco guide example'],
    [{ mac: IOS_MAC, clientIdText: clientIdText(iosClientId('cisco-5254.0006.dbd9-Gi0/1')) }, 'cisco-ios', 'client-id', 'routed port'],
    [{ mac: '00:1b:d4:aa:bb:cc' }, 'cisco-phone', 'oui', 'no option 60 or 61: the shared Cisco OUI, first listed profile wins'],
    [{ mac: '00:1b:d4:aa:bb:cc', vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' }, 'cisco-phone', 'vendor-class', 'a Cisco phone on a Cisco OUI is a phone'],
    [{ mac: IOS_MAC, clientIdText: 'cisco-0019.e8a5.0a81' }, undefined, undefined, 'no interface part: not the IOS form'],
    [{ mac: IOS_MAC, clientIdText: 'myrouter' }, undefined, undefined, 'a configured client-id says nothing'],
    [{ mac: IOS_MAC, vendorClass: 'ciscopnp', clientIdText: 'FOC2012X0AB' }, 'cisco-pnp', 'vendor-class', 'IOS XE PnP discover'],
  ];
  const ids = ['cisco-phone', 'cisco-pnp', 'cisco-ios'];
  for (const [facts, want, reason, edge] of cases) {
    const got = matchProfile({ mac: MAC, ...facts }, ids);
    assert.equal(got?.profile.id, want, edge);
    assert.equal(got?.reason, reason, `${edge}: reason`);
  }
  const phone: DeviceFacts = { mac: '00:1b:d4:aa:bb:cc', vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' };
  assert.equal(matchProfile(phone, ['cisco-ios']), undefined, 'a Cisco phone on a switch-only scope is not matched as cisco-ios');
  assert.equal(matchProfile(phone, ALL)?.profile.id, 'cisco-phone');
  assert.deepEqual(matchProfile({ mac: '00:1b:d4:aa:bb:cc' }, ['cisco-ios']), { profile: profileOf('cisco-ios'), reason: 'oui' }, 'a silent device on a Cisco OUI, switch-only scope');
});

const SERVER = parseIpv4('10.10.0.1');
const ascii = (s: string): string => Buffer.from(s, 'ascii').toString('hex');

const MITEL_STRING = 'id:ipphone.mitel.com;sw_tftp=10.10.0.1;call_srv=10.10.0.1;vlan=1;l2p=6;dscp=46';
const MITEL_LEN = MITEL_STRING.length.toString(16).padStart(2, '0');

test("each profile's options as bytes, with the server's address filled in", () => {
  const cases: [string, number | undefined, [number, string][], string][] = [
    ['cisco-phone', undefined, [[150, '0a0a0001']], '150 = the server (RFC 5859), no 66'],
    ['cisco-ios', undefined, [[150, '0a0a0001'], [66, ascii('10.10.0.1')]], '150 and 66'],
    ['cisco-pnp', undefined, [[43, ascii('5A1N;B2;K4;I10.10.0.1;J80')]], 'PnP string, default server = benchboot'],
    ['polycom', undefined, [[160, ascii('tftp://10.10.0.1')], [66, ascii('10.10.0.1')]], '160 and 66'],
    ['yealink', undefined, [[66, ascii('10.10.0.1')]], '66 only'],
    ['avaya', undefined, [[242, ascii('HTTPSRVR=10.10.0.1,L2Q=0,L2QVLAN=0')]], '242 string'],
    ['mitel', undefined, [[125, `00000403${MITEL_LEN}${ascii(MITEL_STRING)}`]], '125 framed by enterprise 1027, data-len, string'],
    ['juniper-ztp', undefined, [[43, `010c${ascii('juniper.conf')}0304${ascii('tftp')}`], [150, '0a0a0001']], 'no image unless set'],
    ['arista-ztp', undefined, [[67, ascii('http://10.10.0.1:8080/bootstrap')]], 'bootstrap URL'],
    ['pxe-bios', 0, [[67, ascii('undionly.kpxe')]], 'BIOS'],
    ['pxe-uefi', 11, [[67, ascii('ipxe-arm64.efi')]], 'ARM64 UEFI'],
    ['pxe-uefi', 0, [], 'no file for an architecture it does not serve'],
    ['ipxe', undefined, [[67, ascii('boot.ipxe')]], 'iPXE script'],
  ];
  for (const [id, arch, want, edge] of cases) {
    const got = resolveProfileOptions(profileOf(id), { server: SERVER, arch }).map((o) => [o.code, toHex(o.data)]);
    assert.deepEqual(got, want, `${id}: ${edge}`);
  }
  assert.deepEqual(profileOf('cisco-phone').withholds, [66], 'Cisco phones get no default 66');
});

test('with HTTP served, the phones that take a URL in 66 get the HTTP server; the others keep the address', () => {
  const cases: [string, number, [number, string][], string][] = [
    ['yealink', 80, [[66, ascii('http://10.10.0.1/')]], 'port 80 left out'],
    ['yealink', 6970, [[66, ascii('http://10.10.0.1:6970/')]], 'another port named'],
    ['polycom', 80, [[160, ascii('http://10.10.0.1/')], [66, ascii('http://10.10.0.1/')]], '160 is read before 66: both the URL'],
    ['grandstream', 80, [[66, ascii('http://10.10.0.1/')]], 'config server path'],
    ['snom', 8080, [[66, ascii('http://10.10.0.1:8080/')]], 'setting server'],
    ['mitel-sip', 80, [[66, ascii('10.10.0.1')]], 'a TFTP server only'],
    ['cisco-ios', 80, [[150, '0a0a0001'], [66, ascii('10.10.0.1')]], 'IOS autoinstall: TFTP'],
    ['cisco-phone', 80, [[150, '0a0a0001']], 'no 66: the phone tries HTTP on 6970 itself'],
  ];
  for (const [id, httpPort, want, edge] of cases) {
    const got = resolveProfileOptions(profileOf(id), { server: SERVER, httpPort }).map((o) => [o.code, toHex(o.data)]);
    assert.deepEqual(got, want, `${id}: ${edge}`);
  }
});

test('profile parameters: overrides from the scope, and refusals', () => {
  const pnp = resolveProfileOptions(profileOf('cisco-pnp'), { server: SERVER, params: { pnp_server: '10.10.0.9', pnp_port: '8080' } });
  assert.equal(Buffer.from(pnp[0]?.data ?? []).toString(), '5A1N;B2;K4;I10.10.0.9;J8080');
  const img = resolveProfileOptions(profileOf('juniper-ztp'), { server: SERVER, params: { image_file: 'junos.tgz' } });
  assert.equal(toHex(img[0]?.data ?? new Uint8Array()), `0009${ascii('junos.tgz')}010c${ascii('juniper.conf')}0304${ascii('tftp')}`);
  assert.throws(() => resolveProfileOptions(profileOf('cisco-pnp'), { server: SERVER, params: { pnp_server: 'pnp.lab' } }), /not an IPv4 address/);
  assert.throws(() => resolveProfileOptions(profileOf('mitel'), { server: SERVER, params: { call_server: '' } }), /must be non-empty/);
});

test('every profile has sources, a description and resolvable options', () => {
  for (const p of PROFILES) {
    assert.ok(p.sources.some((s) => s.startsWith('PROVISIONING.md')), `${p.id} cites its PROVISIONING.md row`);
    assert.ok(p.description.length > 0);
    assert.doesNotThrow(() => resolveProfileOptions(p, { server: SERVER, arch: 7 }), p.id);
  }
});

test('profile show and list text', () => {
  const show = formatProfile(profileOf('cisco-phone'), { server: SERVER });
  assert.equal(
    show.split('\n').slice(0, 5).join('\n'),
    [
      'cisco-phone: Cisco IP phones (CUCM/CME): option 150, never 66 beside it',
      'matches: option 60 starts with "Cisco Systems, Inc. IP Phone" or "Cisco Systems Inc. Wireless Phone"; MAC OUI 00:1b:d4, 00:1e:7a, 00:23:33, 00:25:84, 00:07:0e, 64:16:8d, f4:cf:e2 (fallback)',
      '',
      'CODE  NAME          BYTES     MEANING',
      '150   tftp-servers  0a0a0001  10.10.0.1',
    ].join('\n'),
  );
  assert.match(show, /withholds scope defaults: 66/);
  assert.match(show, /normal misses: CTLSEP\{MAC\}\.tlv, ITLSEP\{MAC\}\.tlv/);
  assert.match(formatProfile(profileOf('mitel'), { server: SERVER }), /^125 +vivso +00000403\S* +enterprise 1027, "id:ipphone\.mitel\.com;sw_tftp=10\.10\.0\.1;/m);
  const list = formatProfileList(PROFILES).split('\n');
  assert.equal(list.length, PROFILES.length + 1);
  assert.match(list[0] ?? '', /^PROFILE +SENDS +DESCRIPTION$/);
  assert.match(list[1] ?? '', /^cisco-phone +150 +Cisco IP phones/);
});
