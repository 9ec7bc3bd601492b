/**
 * The product's DHCP policy (vendor profiles + inventory) as named table cases, each
 * fed through the pure engine so the assertions are on what the device receives:
 * options present or absent, their bytes, siaddr/sname/file, and the event's profile.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProvisioningPolicy } from '../../../src/appliance/dhcp-policy.js';
import type { EngineResult } from '../../../src/dhcp/engine.js';
import { getOption, getOptionText, type DhcpPacket } from '../../../src/dhcp/packet.js';
import type { Scope } from '../../../src/config/scope.js';
import { InventoryIndex, loadInventory } from '../../../src/inventory/index.js';
import { toHex } from '../../../src/net/bytes.js';
import { Bench, benchScope, ip, type RequestSpec } from '../dhcp/fixtures.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);
const CISCO_VC = 'Cisco Systems, Inc. IP Phone CP-8841';

/** The bench scope with defaults for 66 and 150 (as a file that does not set them) and a profiles list. */
function mixedScope(over: Partial<Scope> = {}): Scope {
  return benchScope({
    boot: { nextServer: ip('10.9.0.1'), tftpServerName: '10.9.0.1', tftpServers: [ip('10.9.0.1')] },
    defaultedOptions: [66, 150],
    profiles: ['cisco-phone', 'yealink', 'pxe-bios', 'pxe-uefi'],
    ...over,
  });
}

const INVENTORY = loadInventory(
  'mac,ip,hostname,profile\n' +
    '00:00:5e:00:53:01,10.9.0.50,lobby-phone,\n' +
    '00:00:5e:00:53:02,,desk-7,cisco-phone\n',
  { file: 'bench.csv' },
);

interface Case {
  readonly name: string;
  readonly scope?: Scope;
  readonly inventory?: boolean;
  /** The port serve runs HTTP on (undefined: no HTTP). */
  readonly httpPort?: number;
  readonly request: RequestSpec;
  readonly check: (p: DhcpPacket, r: Extract<EngineResult, { kind: 'reply' }>) => void;
}

const vc = (s: string): RequestSpec['extra'] => [{ code: 60, data: text(s) }];

const CASES: readonly Case[] = [
  {
    name: 'Cisco phone: 150 present, 66 withheld, siaddr = first 150 address, profile on the event',
    request: { type: 1, mac: '00:00:5e:00:99:01', extra: vc(CISCO_VC), prl: [1, 3, 66, 150] },
    check: (p, r) => {
      assert.equal(toHex(getOption(p, 150) ?? new Uint8Array()), '0a090001');
      assert.equal(getOption(p, 66), undefined, 'no default 66 beside 150');
      assert.equal(p.siaddr, '10.9.0.1');
      assert.equal(r.event.profile, 'cisco-phone');
    },
  },
  {
    name: 'Cisco phone: sname is never a dotted IP',
    scope: mixedScope({ boot: { nextServer: ip('10.9.0.1'), serverName: '10.9.0.1', tftpServerName: '10.9.0.1', tftpServers: [ip('10.9.0.1')] } }),
    request: { type: 1, mac: '00:00:5e:00:99:01', extra: vc(CISCO_VC) },
    check: (p) => assert.equal(p.sname, ''),
  },
  {
    name: 'Cisco phone: explicit scope 150 list wins and siaddr follows its first address',
    scope: mixedScope({ boot: { nextServer: ip('10.9.0.1'), tftpServerName: '10.9.0.1', tftpServers: [ip('10.9.0.5'), ip('10.9.0.6')] }, defaultedOptions: [66] }),
    request: { type: 1, mac: '00:00:5e:00:99:01', extra: vc(CISCO_VC) },
    check: (p) => {
      assert.equal(toHex(getOption(p, 150) ?? new Uint8Array()), '0a0900050a090006');
      assert.equal(p.siaddr, '10.9.0.5');
    },
  },
  {
    name: 'Yealink on the same scope: 66 present (sent unasked), no profile 150',
    request: { type: 1, mac: '00:00:5e:00:99:02', extra: vc('yealink SIP-T46G'), prl: [1, 3] },
    check: (p, r) => {
      assert.equal(getOptionText(p, 66), '10.9.0.1');
      assert.equal(r.event.profile, 'yealink');
    },
  },
  {
    name: 'Yealink with HTTP on port 80: 66 is the HTTP server URL, port left out',
    httpPort: 80,
    request: { type: 1, mac: '00:00:5e:00:99:02', extra: vc('yealink SIP-T46G'), prl: [1, 3] },
    check: (p) => assert.equal(toHex(getOption(p, 66) ?? new Uint8Array()), toHex(text('http://10.9.0.1/'))),
  },
  {
    name: 'Yealink with HTTP on 6970 only: the URL names the port',
    httpPort: 6970,
    request: { type: 1, mac: '00:00:5e:00:99:02', extra: vc('yealink SIP-T46G'), prl: [1, 3] },
    check: (p) => assert.equal(getOptionText(p, 66), 'http://10.9.0.1:6970/'),
  },
  {
    name: 'Yealink with HTTP on: an options-list 66 in the scope still wins',
    httpPort: 80,
    scope: mixedScope({ options: [{ code: 66, data: text('tftp.bench'), always: true }] }),
    request: { type: 1, mac: '00:00:5e:00:99:02', extra: vc('yealink SIP-T46G'), prl: [1, 3, 66] },
    check: (p) => assert.equal(getOptionText(p, 66), 'tftp.bench'),
  },
  {
    name: 'Yealink with HTTP on: a tftpServerName the scope file sets still wins',
    httpPort: 80,
    scope: mixedScope({ defaultedOptions: [150] }),
    request: { type: 1, mac: '00:00:5e:00:99:02', extra: vc('yealink SIP-T46G'), prl: [1, 3, 66] },
    check: (p) => assert.equal(getOptionText(p, 66), '10.9.0.1'),
  },
  {
    name: 'Cisco phone with HTTP on: still no 66 (it finds HTTP on 6970 by itself)',
    httpPort: 80,
    request: { type: 1, mac: '00:00:5e:00:99:01', extra: vc(CISCO_VC), prl: [1, 3, 66, 150] },
    check: (p) => assert.equal(getOption(p, 66), undefined),
  },
  {
    name: 'explicit scope option 66 is still sent to a Cisco phone (explicit wins)',
    scope: mixedScope({ defaultedOptions: [150] }),
    request: { type: 1, mac: '00:00:5e:00:99:01', extra: vc(CISCO_VC) },
    check: (p) => assert.equal(getOptionText(p, 66), '10.9.0.1'),
  },
  {
    name: 'explicit options-list 66 is still sent to a Cisco phone',
    scope: mixedScope({ options: [{ code: 66, data: text('tftp.bench'), always: true }] }),
    request: { type: 1, mac: '00:00:5e:00:99:01', extra: vc(CISCO_VC) },
    check: (p) => assert.equal(getOptionText(p, 66), 'tftp.bench'),
  },
  {
    name: 'an inventory row forces a profile (no vendor class sent)',
    inventory: true,
    request: { type: 1, mac: '00:00:5e:00:53:02' },
    check: (p, r) => {
      assert.equal(r.event.profile, 'cisco-phone');
      assert.equal(getOption(p, 66), undefined);
      assert.equal(getOptionText(p, 12), 'desk-7', 'row hostname → option 12');
    },
  },
  {
    name: 'row hostname → option 12 without a profile list on the scope',
    scope: benchScope(),
    inventory: true,
    request: { type: 1, mac: '00:00:5e:00:53:02' },
    check: (p) => assert.equal(getOptionText(p, 12), 'desk-7'),
  },
  {
    name: 'OUI fallback: a Cisco OUI with no vendor class gets the cisco-phone answer',
    request: { type: 1, mac: '00:1b:d4:00:00:09' },
    check: (p, r) => {
      assert.equal(r.event.profile, 'cisco-phone');
      assert.equal(getOption(p, 66), undefined);
    },
  },
  {
    name: 'the vendor class beats the OUI: a Yealink vendor class on a Cisco OUI is Yealink',
    request: { type: 1, mac: '00:1b:d4:00:00:09', extra: vc('yealink W60B') },
    check: (_p, r) => assert.equal(r.event.profile, 'yealink'),
  },
  {
    name: 'IOS client identifier (option 61 `cisco-<mac>-Vl1`) on a non-listed Cisco OUI: cisco-ios, 66 and 150',
    scope: mixedScope({ profiles: ['cisco-phone', 'cisco-ios'] }),
    request: { type: 1, mac: '00:19:e8:a5:0a:81', clientId: Uint8Array.from([0, ...text('cisco-0019.e8a5.0a81-Vl1')]) },
    check: (p, r) => {
      assert.equal(r.event.profile, 'cisco-ios');
      assert.equal(getOptionText(p, 66), '10.9.0.1');
      assert.equal(toHex(getOption(p, 150) ?? new Uint8Array()), '0a090001');
    },
  },
  {
    name: 'a Cisco phone on a switch-only scope is not cisco-ios by its Cisco OUI',
    scope: mixedScope({ profiles: ['cisco-ios'] }),
    request: { type: 1, mac: '00:1b:d4:00:00:0a', extra: vc(CISCO_VC) },
    check: (_p, r) => assert.equal(r.event.profile, undefined),
  },
  {
    name: 'PXE arch 7 → ipxe.efi in option 67 and in the file field',
    request: { type: 1, mac: '00:00:5e:00:99:03', extra: [{ code: 60, data: text('PXEClient:Arch:00007:UNDI:003016') }, { code: 93, data: Uint8Array.of(0, 7) }] },
    check: (p) => {
      assert.equal(getOptionText(p, 67), 'ipxe.efi');
      assert.equal(p.file, 'ipxe.efi');
    },
  },
  {
    name: 'no profile matches: the scope answer unchanged (66 default sent)',
    request: { type: 1, mac: '00:00:5e:00:99:04', extra: vc('SomethingElse') },
    check: (p, r) => {
      assert.equal(getOptionText(p, 66), '10.9.0.1');
      assert.equal(r.event.profile, undefined);
    },
  },
];

for (const c of CASES) {
  test(`policy: ${c.name}`, () => {
    const bench = new Bench([c.scope ?? mixedScope()]);
    const policy = new ProvisioningPolicy(c.inventory === true ? new InventoryIndex(INVENTORY) : undefined);
    bench.policy = (input) => policy.answer(input, c.httpPort);
    const r = bench.send(c.request);
    assert.equal(r.kind, 'reply');
    if (r.kind !== 'reply') return;
    c.check(r.reply, r);
  });
}

test('policy: nothing runs without profiles or inventory (answer is undefined)', () => {
  const policy = new ProvisioningPolicy();
  const bench = new Bench([benchScope()]);
  let calls = 0;
  bench.policy = (input) => {
    calls++;
    const out = policy.answer(input);
    assert.equal(out, undefined);
    return out;
  };
  bench.send({ type: 1, extra: vc(CISCO_VC) });
  assert.equal(calls, 1, 'asked once per request');
});

test('policy: a class profiles list replaces the scope list for devices of that class', () => {
  const scope = mixedScope({ profiles: ['yealink'], classes: [{ name: 'phones', match: { vendorClass: 'Cisco' }, boot: {}, options: [], profiles: ['cisco-phone'] }] });
  const bench = new Bench([scope]);
  const policy = new ProvisioningPolicy();
  bench.policy = (input) => policy.answer(input);
  const r = bench.send({ type: 1, extra: vc(CISCO_VC) });
  assert.equal(r.kind === 'reply' && r.event.profile, 'cisco-phone');
});
