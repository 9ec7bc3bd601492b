/**
 * The small RFC decisions on their own, as tables: reply addressing (RFC 2131 §4.1),
 * scope selection (§4.3.1, RFC 3011), client classes (RFC 2132 §9.13, RFC 3004,
 * RFC 4578), request state (§4.3.2) and the reply option order.
 */
import { readRequestFacts } from '../../../src/dhcp/request-facts.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { replyDestination } from '../../../src/dhcp/reply-destination.js';
import { selectScope } from '../../../src/dhcp/select-scope.js';
import { classify } from '../../../src/dhcp/classify.js';
import { requestState } from '../../../src/dhcp/engine.js';
import { bootFields, buildReplyOptions, effectiveBoot } from '../../../src/dhcp/build-boot-options.js';
import type { DhcpOption } from '../../../src/dhcp/packet.js';
import { PXE_CLASSES, benchScope, ip, request } from './fixtures.js';

const ZERO = '0.0.0.0';
const DEST_CASES = [
  { rule: 'giaddr set → relay port 67, whatever the type', giaddr: '10.20.0.1', ciaddr: ZERO, type: 2, want: { kind: 'relay', address: '10.20.0.1', port: 67 } },
  { rule: 'giaddr set → NAK to the relay too', giaddr: '10.20.0.1', ciaddr: '10.9.0.5', type: 6, want: { kind: 'relay', address: '10.20.0.1', port: 67 } },
  { rule: 'giaddr 0, ciaddr set → unicast ACK to ciaddr', giaddr: ZERO, ciaddr: '10.9.0.5', type: 5, want: { kind: 'unicast', address: '10.9.0.5', port: 68 } },
  { rule: 'giaddr 0 → NAK always broadcast, even with ciaddr', giaddr: ZERO, ciaddr: '10.9.0.5', type: 6, want: { kind: 'broadcast', port: 68 } },
  { rule: 'giaddr 0, ciaddr 0 → OFFER broadcast (no unicast to a bare MAC from Node)', giaddr: ZERO, ciaddr: ZERO, type: 2, want: { kind: 'broadcast', port: 68 } },
] as const;

for (const c of DEST_CASES) {
  test(`RFC 2131 §4.1 reply destination: ${c.rule}`, () => {
    assert.deepEqual(replyDestination({ giaddr: ip(c.giaddr), ciaddr: ip(c.ciaddr) }, c.type), c.want);
  });
}

const a = benchScope({ name: 'a', interface: 'eth0', subnet: { network: ip('10.1.0.0'), prefix: 24 } });
const b = benchScope({ name: 'b', interface: 'eth0', subnet: { network: ip('10.2.0.0'), prefix: 24 } });
const c = benchScope({ name: 'c', interface: 'eth1', subnet: { network: ip('10.3.0.0'), prefix: 16 } });
const SCOPE_CASES = [
  { rule: 'direct, one scope on the interface', iface: 'eth1', server: '10.3.0.1', giaddr: ZERO, want: 'c' },
  { rule: 'direct, two scopes: the one holding our address', iface: 'eth0', server: '10.2.0.1', giaddr: ZERO, want: 'b' },
  { rule: 'direct, no scope on the interface', iface: 'wlan0', server: '192.168.1.5', giaddr: ZERO, want: 'none' },
  { rule: 'relayed: by giaddr subnet, among the scopes of the arrival interface', iface: 'eth0', server: '10.1.0.1', giaddr: '10.2.0.7', want: 'b' },
  { rule: "relayed: a giaddr inside another interface's scope crosses interfaces", iface: 'eth0', server: '10.1.0.1', giaddr: '10.3.7.1', want: 'crosses giaddr 10.3.7.1 (c)' },
  { rule: 'relayed from an unknown subnet', iface: 'eth0', server: '10.1.0.1', giaddr: '172.16.0.1', want: 'none' },
  { rule: 'option 118 names the subnet instead of giaddr (RFC 3011 §3)', iface: 'eth0', server: '10.1.0.1', giaddr: '10.1.0.254', subnetSelection: '10.2.0.0', want: 'b' },
  { rule: 'option 118 also on a direct request', iface: 'eth0', server: '10.1.0.1', giaddr: ZERO, subnetSelection: '10.2.0.0', want: 'b' },
  { rule: "option 118 naming another interface's subnet", iface: 'eth0', server: '10.1.0.1', giaddr: ZERO, subnetSelection: '10.3.0.0', want: 'crosses option 118 10.3.0.0 (c)' },
  { rule: "option 118 through a giaddr of another interface's scope", iface: 'eth0', server: '10.1.0.1', giaddr: '10.3.0.9', subnetSelection: '10.2.0.0', want: 'crosses giaddr 10.3.0.9 (c)' },
  { rule: 'option 118 through a giaddr outside every scope', iface: 'eth0', server: '10.1.0.1', giaddr: '192.0.2.1', subnetSelection: '10.2.0.0', want: 'crosses giaddr 192.0.2.1 ()' },
  { rule: 'option 82 link selection names the subnet (RFC 3527 §3)', iface: 'eth0', server: '10.1.0.1', giaddr: '10.1.0.254', linkSelection: '10.2.0.9', want: 'b' },
  { rule: "option 82 link selection naming another interface's subnet", iface: 'eth0', server: '10.1.0.1', giaddr: '10.1.0.254', linkSelection: '10.3.0.9', want: 'crosses option 82 link selection 10.3.0.9 (c)' },
  { rule: 'option 118 wins over option 82 link selection', iface: 'eth0', server: '10.1.0.1', giaddr: '10.1.0.254', subnetSelection: '10.1.0.0', linkSelection: '10.3.0.9', want: 'a' },
] as const;

for (const s of SCOPE_CASES) {
  test(`RFC 2131 §4.3.1 scope selection, relay fields never cross interfaces: ${s.rule}`, () => {
    const got = selectScope([a, b, c], {
      interfaceName: s.iface,
      serverAddress: ip(s.server),
      giaddr: ip(s.giaddr),
      ...('subnetSelection' in s ? { subnetSelection: ip(s.subnetSelection) } : {}),
      ...('linkSelection' in s ? { linkSelection: ip(s.linkSelection) } : {}),
    });
    const text = got.kind === 'scope' ? got.scope.name : got.kind === 'none' ? 'none' : `crosses ${got.field} ${got.address} (${got.owner?.name ?? ''})`;
    assert.equal(text, s.want);
  });
}

test('option 82 sub-option 5 is read as the link selection address; other sub-options are skipped', () => {
  const agent = Uint8Array.of(1, 2, 0x65, 0x30, 5, 4, 10, 2, 0, 9, 2, 1, 7);
  const facts = readRequestFacts(request({ type: 1, extra: [{ code: 82, data: agent }] }));
  assert.equal(facts.relay.linkSelection, '10.2.0.9');
  const truncated = readRequestFacts(request({ type: 1, extra: [{ code: 82, data: Uint8Array.of(5, 4, 10, 2) }] }));
  assert.equal(truncated.relay.linkSelection, undefined);
});

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const CLASS_CASES: readonly { rule: string; options: DhcpOption[]; want: string | undefined }[] = [
  { rule: 'RFC 4578 arch 0 + PXEClient → bios', options: [{ code: 60, data: enc('PXEClient:Arch:00000:UNDI:002001') }, { code: 93, data: Uint8Array.of(0, 0) }], want: 'bios' },
  { rule: 'RFC 4578 arch 9 + PXEClient → uefi', options: [{ code: 60, data: enc('PXEClient:Arch:00009:UNDI:003016') }, { code: 93, data: Uint8Array.of(0, 9) }], want: 'uefi' },
  { rule: 'arch 7 without the PXEClient vendor class → no class (every matcher must match)', options: [{ code: 93, data: Uint8Array.of(0, 7) }], want: undefined },
  { rule: "iPXE's plain user class wins over arch (first class in order)", options: [{ code: 77, data: enc('iPXE') }, { code: 93, data: Uint8Array.of(0, 7) }, { code: 60, data: enc('PXEClient') }], want: 'ipxe' },
  { rule: 'RFC 3004 list form containing iPXE', options: [{ code: 77, data: Uint8Array.of(4, ...enc('iPXE')) }], want: 'ipxe' },
  { rule: 'vendor class is a prefix match, not a substring match', options: [{ code: 60, data: enc('MyPXEClient') }, { code: 93, data: Uint8Array.of(0, 0) }], want: undefined },
];

for (const k of CLASS_CASES) {
  test(`classify: ${k.rule}`, () => {
    const packet = request({ type: 1, extra: k.options });
    assert.equal(classify({ classes: PXE_CLASSES }, readRequestFacts(packet).classFacts)?.name, k.want);
  });
}

test('RFC 2131 §4.3.2 request state from option 54, option 50 and ciaddr', () => {
  assert.equal(requestState(readRequestFacts(request({ type: 3, serverId: '10.9.0.1', requested: '10.9.0.5' }))), 'selecting');
  assert.equal(requestState(readRequestFacts(request({ type: 3, requested: '10.9.0.5' }))), 'init-reboot');
  assert.equal(requestState(readRequestFacts(request({ type: 3, ciaddr: '10.9.0.5' }))), 'renewing');
  assert.equal(requestState(readRequestFacts(request({ type: 3 }))), 'invalid');
});

test('class boot overrides apply field by field; a file over 128 bytes goes in option 67 only', () => {
  const scope = benchScope();
  const boot = effectiveBoot(scope, { boot: { file: 'ipxe.efi' } });
  assert.equal(boot.file, 'ipxe.efi');
  assert.equal(boot.serverName, 'benchboot', 'fields the class leaves out stay');
  const url = `http://10.9.0.1/${'x'.repeat(140)}.ipxe`;
  assert.equal(bootFields({ ...boot, file: url }).file, '');
  const options = buildReplyOptions({ scope: benchScope({ boot: { ...scope.boot, file: url } }), messageType: 2, serverId: ip('10.9.0.1'), leaseSeconds: 60, requested: [] });
  assert.equal(new TextDecoder().decode(options.find((o) => o.code === 67)?.data), url);
});

test('reply options: 53, 54, then the asked-for ones in order, the rest, 61, and 82 last', () => {
  const options = buildReplyOptions({
    scope: benchScope(),
    messageType: 5,
    serverId: ip('10.9.0.1'),
    leaseSeconds: 3600,
    requested: [67, 150, 1],
    clientId: Uint8Array.of(1, 2),
    relayAgentInfo: Uint8Array.of(1, 1, 0),
  });
  const codes = options.map((o) => o.code);
  assert.deepEqual(codes.slice(0, 5), [53, 54, 67, 150, 1]);
  assert.deepEqual(codes.slice(-2), [61, 82]);
  assert.equal(new Set(codes).size, codes.length, 'no code twice');
  const infinite = buildReplyOptions({ scope: benchScope(), messageType: 5, serverId: ip('10.9.0.1'), leaseSeconds: 0xffffffff, requested: [] });
  assert.equal(infinite.some((o) => o.code === 58 || o.code === 59), false, 'RFC 2132 §9.2 infinite lease: no T1/T2');
});

test('configured options cannot replace what the engine owns (51 follows leaseSeconds, 1 the subnet, 53/54)', () => {
  const scope = benchScope({
    options: [
      { code: 51, data: Uint8Array.of(0, 0, 0, 1), always: true },
      { code: 1, data: Uint8Array.of(255, 0, 0, 0), always: true },
      { code: 54, data: Uint8Array.of(1, 2, 3, 4), always: true },
    ],
  });
  const options = buildReplyOptions({ scope, messageType: 5, serverId: ip('10.9.0.1'), leaseSeconds: 3600, requested: [] });
  const get = (code: number): string => Array.from(options.find((o) => o.code === code)?.data ?? []).join('.');
  assert.equal(get(51), '0.0.14.16');
  assert.equal(get(1), '255.255.255.0');
  assert.equal(get(54), '10.9.0.1');
  const inform = buildReplyOptions({ scope, messageType: 5, serverId: ip('10.9.0.1'), requested: [51] });
  assert.equal(inform.some((o) => o.code === 51), false, 'RFC 2131 §4.3.5: no lease time in an INFORM reply');
});

/** The reply option order written out the plain way (maps in insertion order): the oracle for the fast builder. */
function referenceReplyOptions(input: Parameters<typeof buildReplyOptions>[0]): { code: number; hex: string }[] {
  const boot = effectiveBoot(input.scope, input.clientClass);
  const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
  const quad = (a: string): number[] => a.split('.').map(Number);
  const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
  const std = new Map<number, Uint8Array>();
  const maskInt = input.scope.subnet.prefix === 0 ? 0 : (0xffffffff << (32 - input.scope.subnet.prefix)) >>> 0;
  std.set(1, Uint8Array.from(u32(maskInt)));
  if (input.scope.router !== undefined) std.set(3, Uint8Array.from(quad(input.scope.router)));
  if (input.scope.dns.length > 0) std.set(6, Uint8Array.from(input.scope.dns.flatMap(quad)));
  if (input.hostname) std.set(12, bytes(input.hostname));
  if (input.scope.domain) std.set(15, bytes(input.scope.domain));
  if (input.leaseSeconds !== undefined) {
    std.set(51, Uint8Array.from(u32(input.leaseSeconds)));
    if (input.leaseSeconds !== 0xffffffff) {
      std.set(58, Uint8Array.from(u32(Math.floor(input.leaseSeconds * 0.5))));
      std.set(59, Uint8Array.from(u32(Math.floor(input.leaseSeconds * 0.875))));
    }
  }
  if (boot.tftpServerName) std.set(66, bytes(boot.tftpServerName));
  if (boot.file) std.set(67, bytes(boot.file));
  if (boot.tftpServers.length > 0) std.set(150, Uint8Array.from(boot.tftpServers.flatMap(quad)));
  const owned = new Set([1, 51, 53, 54, 52, 61, 82, 55, 50, 57]);
  const configured = new Map<number, { data: Uint8Array; always: boolean }>();
  for (const o of [...input.scope.options, ...(input.clientClass?.options ?? [])]) if (!owned.has(o.code)) configured.set(o.code, o);
  const body = new Map(std);
  for (const [code, o] of configured) if (o.always || input.requested.includes(code) || std.has(code)) body.set(code, o.data);
  const out: [number, Uint8Array][] = [
    [53, Uint8Array.of(input.messageType)],
    [54, Uint8Array.from(quad(input.serverId))],
  ];
  for (const code of input.requested) {
    const data = body.get(code);
    if (data === undefined) continue;
    out.push([code, data]);
    body.delete(code);
  }
  out.push(...body);
  if (input.clientId) out.push([61, input.clientId]);
  if (input.relayAgentInfo) out.push([82, input.relayAgentInfo]);
  return out.map(([code, data]) => ({ code, hex: Buffer.from(data).toString('hex') }));
}

test('reply options match the plain-map reference for any configured options, class, request list and lease time', () => {
  const code = fc.constantFrom(1, 3, 6, 12, 15, 42, 43, 51, 54, 58, 66, 67, 100, 150, 224, 252);
  const option = fc.record({ code, data: fc.uint8Array({ minLength: 1, maxLength: 6 }), always: fc.boolean() });
  const scopeOf = fc.record({
    options: fc.array(option, { maxLength: 6 }),
    domain: fc.option(fc.constantFrom('lab.example', ''), { nil: undefined }),
    tftpServerName: fc.option(fc.constantFrom('10.9.0.1', 'tftp.lab'), { nil: undefined }),
    file: fc.option(fc.constantFrom('boot.cfg', 'pxelinux.0'), { nil: undefined }),
  });
  const classOf = fc.option(fc.record({ options: fc.array(option, { maxLength: 4 }), file: fc.option(fc.constant('ipxe.efi'), { nil: undefined }) }), { nil: undefined });
  fc.assert(
    fc.property(scopeOf, classOf, fc.array(code, { maxLength: 8 }), fc.option(fc.constantFrom(60, 3600, 0xffffffff), { nil: undefined }), fc.option(fc.constant('phone-7'), { nil: undefined }), (sc, cl, requested, leaseSeconds, hostname) => {
      const base = benchScope();
      const scope = benchScope({
        options: sc.options,
        ...(sc.domain !== undefined ? { domain: sc.domain } : {}),
        boot: { ...base.boot, ...(sc.tftpServerName !== undefined ? { tftpServerName: sc.tftpServerName } : {}), ...(sc.file !== undefined ? { file: sc.file } : {}) },
      });
      const clientClass = cl === undefined ? undefined : { name: 'k', match: {}, boot: cl.file !== undefined ? { file: cl.file } : {}, options: cl.options };
      const input = {
        scope,
        ...(clientClass !== undefined ? { clientClass } : {}),
        messageType: 5,
        serverId: ip('10.9.0.1'),
        ...(leaseSeconds !== undefined ? { leaseSeconds } : {}),
        ...(hostname !== undefined ? { hostname } : {}),
        requested,
        clientId: Uint8Array.of(1, 2, 3),
      };
      const want = referenceReplyOptions(input);
      const hexOf = (list: readonly DhcpOption[]): { code: number; hex: string }[] => list.map((o) => ({ code: o.code, hex: Buffer.from(o.data).toString('hex') }));
      // Twice: the second call is served from the per-scope cache and must not differ.
      assert.deepEqual(hexOf(buildReplyOptions(input)), want);
      assert.deepEqual(hexOf(buildReplyOptions(input)), want);
    }),
    { numRuns: 400 },
  );
});
