/**
 * Issue 16 point 7: steps of the wall clock (NTP, a person with `date -s`) while the DHCP
 * server runs. On the steady clock `serve` uses, a step of +1 day frees no live lease and
 * a step of −1 day pins no quarantine or offer hold; the same scenarios on a clock that
 * follows the wall clock (what serve used before) show the harm. A real DhcpServer on an
 * in-memory network; the monotonic time is a FakeClock, the wall clock is set by hand.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock, type Clock } from '../../../src/clock.js';
import { DHCP_MESSAGE_TYPE } from '../../../src/dhcp/constants.js';
import { getMessageType } from '../../../src/dhcp/packet.js';
import { createDhcpServer, type DhcpLeaseEvent } from '../../../src/dhcp/server.js';
import { leasesOnWall } from '../../../src/appliance/control.js';
import { createSilentLogger } from '../../../src/log.js';
import { parseIpv4 } from '../../../src/net/ipv4.js';
import { MemoryNetwork } from '../../../src/net/udp.js';
import { SteadyClock } from '../../../src/steady-clock.js';
import { DhcpTestClient, DhcpTestPort, testMac } from '../../helpers/dhcp-client.js';
import { scopeFromJson } from '../../helpers/scope-json.js';

const DAY = 24 * 3600 * 1000;
const START = Date.UTC(2026, 11, 5, 8, 0, 0);
/** One address, so "no other client gets it" is "the other client gets nothing". */
const ONE = scopeFromJson({ name: 'one', interface: 'bench0', subnet: '10.9.0.0/24', ranges: [['10.9.0.100', '10.9.0.100']], leaseSeconds: 3600, declineSeconds: 600 });
const ADDRESS = '10.9.0.100';
const NOTHING = { timeoutMs: 100, attempts: 1 };

type ClockKind = 'steady' | 'wall';

/** The server on a steady clock, or on one that reads the wall clock (Date.now with monotonic timers). */
async function setup(t: { after(fn: () => Promise<void>): void }, kind: ClockKind) {
  const monotonic = new FakeClock(0);
  let wallLead = START;
  const wall = { now: (): number => monotonic.now() + wallLead, step: (ms: number): void => void (wallLead += ms) };
  const steady = new SteadyClock({ wall: wall.now, monotonic });
  const clock: Clock = kind === 'steady' ? steady : { now: wall.now, setTimer: (ms, fn) => monotonic.setTimer(ms, fn) };
  const net = new MemoryNetwork();
  const events: DhcpLeaseEvent[] = [];
  const server = createDhcpServer({
    scopes: [ONE],
    journal: { append: () => Promise.resolve() },
    logger: createSilentLogger(),
    clock,
    bindings: () => Promise.resolve([{ interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1'), endpoint: net.bind('10.9.0.1', 67) }]),
    onEvent: (e) => events.push(e),
  });
  await server.start();
  t.after(() => server.stop());
  const broadcast = new DhcpTestPort(net.bind('255.255.255.255', 68), { address: '10.9.0.1', port: 67 });
  const client = (n: number, timing = {}): DhcpTestClient => new DhcpTestClient(broadcast, { mac: testMac(n) }, timing);
  return { monotonic, wall, clock, net, server, events, client };
}

/** A bound lease, then the wall clock steps a day forward; the sweeps run; another client asks; the owner renews. */
async function stepForward(t: { after(fn: () => Promise<void>): void }, kind: ClockKind) {
  const s = await setup(t, kind);
  const got = await s.client(1).obtain();
  assert.equal(got?.ip, ADDRESS);
  s.monotonic.advance(1000);
  s.wall.step(DAY);
  s.monotonic.advance(10_000);
  const other = await s.client(2, NOTHING).obtain();
  const unicast = new DhcpTestClient(new DhcpTestPort(s.net.bind(ADDRESS, 68), { address: '10.9.0.1', port: 67 }), { mac: testMac(1) }, NOTHING);
  const renewed = await unicast.renew(parseIpv4(ADDRESS));
  return { s, expired: s.events.filter((e) => e.kind === 'expired').length, other: other?.ip, renewed };
}

test('after a +1 day wall step a bound lease with 1 h left stays bound: no expiry, no other client gets it, the renewal is ACKed', async (t) => {
  const { s, expired, other, renewed } = await stepForward(t, 'steady');
  assert.equal(expired, 0);
  assert.equal(other, undefined, 'the only address is still leased');
  assert.equal(renewed && getMessageType(renewed), DHCP_MESSAGE_TYPE.ACK);
  assert.equal(renewed?.yiaddr, ADDRESS);
  const lease = leasesOnWall(s.server.leases(), s.clock).find((l) => l.ip === ADDRESS);
  assert.equal(lease?.state, 'bound');
  assert.equal(lease?.mac, testMac(1));
  assert.equal(lease?.expiresAt, s.wall.now() + 3600_000, 'benchboot leases shows the renewed end on the new wall clock');
});

test('the same +1 day step on a clock that follows the wall clock ends the lease and gives the address to another client', async (t) => {
  const { expired, other, renewed } = await stepForward(t, 'wall');
  assert.equal(expired, 1);
  assert.equal(other, ADDRESS);
  assert.notEqual(renewed && getMessageType(renewed), DHCP_MESSAGE_TYPE.ACK, 'the device loses the address it holds');
});

/** A declined address, then the wall clock steps a day back; returns whether another client gets it at 9:59 and 10:01 later. */
async function declineThenStepBack(t: { after(fn: () => Promise<void>): void }, kind: ClockKind) {
  const s = await setup(t, kind);
  const got = await s.client(1).obtain();
  assert.ok(got);
  await s.client(1).decline(got.ip, got.serverId);
  await new Promise((r) => setImmediate(r));
  s.wall.step(-DAY);
  s.monotonic.advance(599_000);
  const early = await s.client(2, NOTHING).obtain();
  s.monotonic.advance(2000);
  const after = await s.client(2, NOTHING).obtain();
  return { early: early?.ip, after: after?.ip };
}

test('after a −1 day wall step a declined address is free again when its 10 min quarantine is over', async (t) => {
  assert.deepEqual(await declineThenStepBack(t, 'steady'), { early: undefined, after: ADDRESS });
});

test('the same −1 day step on a clock that follows the wall clock keeps the address quarantined for a day more', async (t) => {
  assert.deepEqual(await declineThenStepBack(t, 'wall'), { early: undefined, after: undefined });
});

test('after a −1 day wall step an offer hold still ends on time (a full pool lends it after 5 s, the hold is 30 s), not a day later', async (t) => {
  const s = await setup(t, 'steady');
  const offer = await s.client(1).discover();
  assert.equal(offer?.yiaddr, ADDRESS);
  s.wall.step(-DAY);
  s.monotonic.advance(4_000);
  assert.equal(await s.client(2, NOTHING).discover(), undefined, 'held for the first client');
  s.monotonic.advance(27_000);
  assert.equal((await s.client(2, NOTHING).discover())?.yiaddr, ADDRESS);
});
