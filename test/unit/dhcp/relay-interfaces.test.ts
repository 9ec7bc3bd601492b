/**
 * Issue 11 point 4: relay fields cannot cross interfaces. The server serves bench0
 * (scope "bench", and the relay-only scope "remote" whose relay sits behind bench0)
 * and bench1 (scope "other"). A host on bench1 that sets giaddr, option 118 or option
 * 82 link selection inside bench0's subnets gets nothing (no lease, no reply anywhere),
 * and each such request is counted as `relay-crosses-interface`; so is a relay on
 * bench0 that names a giaddr outside bench0's scopes. A real relay on bench0 is served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.js';
import { DHCP_MESSAGE_TYPE, OPTION } from '../../../src/dhcp/constants.js';
import type { LeaseChange } from '../../../src/dhcp/lease.js';
import { encodeDhcpPacket } from '../../../src/dhcp/packet.js';
import { createDhcpServer, type DhcpBindingFactory } from '../../../src/dhcp/server.js';
import { createSilentLogger } from '../../../src/log.js';
import { ipv4ToBytes, parseIpv4, type Ipv4 } from '../../../src/net/ipv4.js';
import { MemoryNetwork } from '../../../src/net/udp.js';
import { buildRequest, DhcpTestClient, DhcpTestPort, testMac } from '../../helpers/dhcp-client.js';
import { scopeFromJson } from '../../helpers/scope-json.js';

const BENCH = scopeFromJson({ name: 'bench', interface: 'bench0', subnet: '10.9.0.0/24', ranges: [['10.9.0.100', '10.9.0.109']] });
const REMOTE = scopeFromJson({ name: 'remote', interface: 'bench0', subnet: '10.88.0.0/24', ranges: [['10.88.0.100', '10.88.0.120']] });
const OTHER = scopeFromJson({ name: 'other', interface: 'bench1', subnet: '10.10.0.0/24', ranges: [['10.10.0.100', '10.10.0.120']] });
const ADDRESS: Record<string, string> = { bench0: '10.9.0.1', bench1: '10.10.0.1' };

const bindings =
  (net: MemoryNetwork): DhcpBindingFactory =>
  (interfaces) =>
    Promise.resolve(interfaces.map((i) => ({ interfaceName: i.name, serverAddress: parseIpv4(ADDRESS[i.name] ?? ''), endpoint: net.bind(ADDRESS[i.name] ?? '', 67) })));

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

/** The hostile requests: what a host on the arrival interface sets, and the field the drop names. */
const CASES = [
  { name: "giaddr inside bench0's relay scope, sent to bench1", to: 'bench1', giaddr: '10.88.0.254', extra: [], field: 'giaddr', owner: 'remote' },
  { name: "option 118 naming bench0's subnet, sent to bench1", to: 'bench1', giaddr: '0.0.0.0', extra: [{ code: OPTION.SUBNET_SELECTION, data: ipv4ToBytes(parseIpv4('10.9.0.0')) }], field: 'option 118', owner: 'bench' },
  {
    name: "option 82 link selection naming bench0's subnet, relayed on bench1",
    to: 'bench1',
    giaddr: '10.10.0.254',
    extra: [{ code: OPTION.RELAY_AGENT_INFO, data: Uint8Array.of(5, 4, 10, 9, 0, 0) }],
    field: 'option 82 link selection',
    owner: 'bench',
  },
  { name: 'option 118 on bench0 with a giaddr elsewhere (a unicast reply to any address)', to: 'bench0', giaddr: '192.0.2.7', extra: [{ code: OPTION.SUBNET_SELECTION, data: ipv4ToBytes(parseIpv4('10.9.0.0')) }], field: 'giaddr', owner: undefined },
] as const;

test('relay fields cannot cross interfaces: dropped with a counted reason; a real relay is served', async (t) => {
  const net = new MemoryNetwork();
  const written: LeaseChange[][] = [];
  const server = createDhcpServer({
    scopes: [BENCH, REMOTE, OTHER],
    journal: { append: (changes) => Promise.resolve(void written.push([...changes])) },
    logger: createSilentLogger(),
    clock: new FakeClock(),
    bindings: bindings(net),
  });
  await server.start();
  t.after(() => server.stop());
  // Every place a reply could go: broadcast, each giaddr's port 67 (10.88.0.254 is the real relay's).
  const relay = new DhcpTestPort(net.bind('10.88.0.254', 67), { address: ADDRESS.bench0 ?? '', port: 67 });
  const heard: string[] = [];
  for (const address of ['255.255.255.255:68', '10.10.0.254:67', '192.0.2.7:67']) {
    const [host, port] = address.split(':');
    net.bind(host ?? '', Number(port)).onMessage(() => heard.push(address));
  }
  const offers = (): number => Object.values(server.counters().scopes).reduce((n, s) => n + s.offers, 0);
  const attacker = new DhcpTestPort(net.bind('10.10.0.77', 68), { address: ADDRESS.bench1 ?? '', port: 67 });

  for (const [i, c] of CASES.entries()) {
    const request = buildRequest(DHCP_MESSAGE_TYPE.DISCOVER, { mac: testMac(0x40 + i), giaddr: parseIpv4(c.giaddr) }, {}, c.extra);
    await attacker.fire(encodeDhcpPacket(request), { address: ADDRESS[c.to] ?? '', port: 67 });
    for (let n = 0; n < 100 && (server.counters().drops['relay-crosses-interface'] ?? 0) < i + 1 && offers() === 0; n++) await tick();
    assert.equal(server.counters().drops['relay-crosses-interface'], i + 1, `${c.name}: counted as relay-crosses-interface`);
  }
  await tick();
  assert.deepEqual(heard, [], 'no reply went anywhere');
  assert.equal(relay.unmatched + relay.undecodable, 0, 'nothing reached the relay address');
  assert.deepEqual(server.leases(), [], 'no address was held for them');
  assert.deepEqual(written, []);
  assert.equal(offers(), 0);

  // A relay on bench0, behind which the "remote" scope lies, is still served.
  const got = await new DhcpTestClient(relay, { mac: testMac(0x50), giaddr: '10.88.0.254' as Ipv4 }).obtain();
  assert.ok(got?.ip.startsWith('10.88.0.'), 'the real relay got a lease from its scope');
  assert.equal(server.counters().scopes.remote?.acks, 1);
});
