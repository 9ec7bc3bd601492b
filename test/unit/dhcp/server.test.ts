/**
 * The DHCP server on an in-memory network: the receive loop's steps, that an ACK
 * never leaves before its lease change is durable, malformed datagrams, relays,
 * counters, events, reload, interface errors and the expiry sweep.
 */
import { test } from 'node:test';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.js';
import { DHCP_MESSAGE_TYPE, OPTION } from '../../../src/dhcp/constants.js';
import { DISCOVER_QUEUE_MAX } from '../../../src/dhcp/discover-queue.js';
import type { LeaseChange } from '../../../src/dhcp/lease.js';
import type { LeaseJournal } from '../../../src/dhcp/lease-journal.js';
import { decodeDhcpPacket, encodeDhcpPacket, getMessageType, getOption } from '../../../src/dhcp/packet.js';
import { createDhcpServer, systemBindings, type DhcpBinding, type DhcpBindingFactory, type DhcpLeaseEvent } from '../../../src/dhcp/server.js';
import { DHCP_RECV_BUFFER_BYTES } from '../../../src/net/bind-interface.js';
import { isBenchbootError } from '../../../src/errors.js';
import { toBenchbootError } from '../../../src/protocol-errors.js';
import { DhcpError } from '../../../src/dhcp/dhcp-error.js';
import { formatDropReason } from '../../../src/dhcp/drop-reason.js';
import { DhcpCounters } from '../../../src/dhcp/counters.js';
import { createLogger, createSilentLogger, type Logger } from '../../../src/log.js';
import { toHex } from '../../../src/net/bytes.js';
import type { InterfaceSource } from '../../../src/net/interfaces.js';
import { parseIpv4, parseMac, type Ipv4 } from '../../../src/net/ipv4.js';
import { MemoryNetwork } from '../../../src/net/udp.js';
import { buildRequest, DhcpTestClient, DhcpTestPort, testMac } from '../../helpers/dhcp-client.js';
import { scopeFromJson } from '../../helpers/scope-json.js';
import { malformedDatagrams } from '../../helpers/dhcp-probe-main.js';

const BENCH = scopeFromJson({
  name: 'bench',
  interface: 'bench0',
  subnet: '10.9.0.0/24',
  ranges: [['10.9.0.100', '10.9.0.109']],
  leaseSeconds: 600,
  boot: { nextServer: '10.9.0.1', serverName: 'tftp', tftpServerName: '10.9.0.1', tftpServers: ['10.9.0.1'], file: 'boot.cfg' },
  reservations: [{ mac: '02:00:00:00:00:aa', ip: '10.9.0.50' }],
});
const REMOTE = scopeFromJson({
  name: 'remote',
  interface: 'bench0',
  subnet: '10.88.0.0/24',
  ranges: [['10.88.0.100', '10.88.0.120']],
  boot: { tftpServers: ['10.9.0.1'] },
});
const OTHER = scopeFromJson({ name: 'other', interface: 'bench1', subnet: '10.10.0.0/24', ranges: [['10.10.0.100', '10.10.0.120']] });

/** A journal whose fsync the test completes by hand. */
class ManualJournal implements LeaseJournal {
  readonly written: LeaseChange[][] = [];
  private pending: { changes: readonly LeaseChange[]; resolve(): void; reject(e: Error): void }[] = [];
  auto = true;
  failNext = false;

  append(changes: readonly LeaseChange[]): Promise<void> {
    if (this.failNext) {
      this.failNext = false;
      return Promise.reject(new Error('disk full'));
    }
    if (this.auto) {
      this.written.push([...changes]);
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => this.pending.push({ changes, resolve, reject }));
  }

  get waiting(): number {
    return this.pending.length;
  }

  flush(): void {
    for (const p of this.pending) {
      this.written.push([...p.changes]);
      p.resolve();
    }
    this.pending = [];
  }
}

function memoryBindings(net: MemoryNetwork, map: Record<string, string>): DhcpBindingFactory {
  return (interfaces) =>
    Promise.resolve(
      interfaces.map((i): DhcpBinding => {
        const address = map[i.name];
        if (!address) throw new Error(`test has no address for ${i.name}`);
        return { interfaceName: i.name, serverAddress: parseIpv4(address), endpoint: net.bind(address, 67) };
      }),
    );
}

const tick = (): Promise<void> => new Promise((r) => setImmediate(r));

async function setup(t: { after(fn: () => Promise<void>): void }, journal: LeaseJournal = new ManualJournal(), logger: Logger = createSilentLogger()) {
  const net = new MemoryNetwork();
  const clock = new FakeClock();
  const events: DhcpLeaseEvent[] = [];
  const server = createDhcpServer({
    scopes: [BENCH, REMOTE, OTHER],
    journal,
    logger,
    clock,
    bindings: memoryBindings(net, { bench0: '10.9.0.1', bench1: '10.10.0.1' }),
    onEvent: (e) => events.push(e),
  });
  await server.start();
  t.after(() => server.stop());
  // Broadcast replies are delivered to whoever listens on 255.255.255.255:68.
  const broadcast = new DhcpTestPort(net.bind('255.255.255.255', 68), { address: '10.9.0.1', port: 67 });
  return { net, clock, events, server, broadcast };
}

test('a client gets an address with siaddr, sname, file, options 66, 67 and 150', async (t) => {
  const { broadcast, server, events } = await setup(t);
  const got = await new DhcpTestClient(broadcast, { mac: testMac(1), hostname: 'phone-1', vendorClass: 'Cisco Systems, Inc. IP Phone' }).obtain();
  assert.ok(got);
  assert.equal(got.ack.siaddr, '10.9.0.1');
  assert.equal(got.ack.sname, 'tftp');
  assert.equal(got.ack.file, 'boot.cfg');
  assert.equal(new TextDecoder().decode(getOption(got.ack, OPTION.TFTP_SERVER_NAME)), '10.9.0.1');
  assert.equal(toHex(getOption(got.ack, OPTION.TFTP_SERVERS) ?? new Uint8Array()), '0a090001');
  assert.ok(got.ip >= '10.9.0.100' && got.ip <= '10.9.0.109');
  const acked = events.find((e) => e.kind === 'bound');
  assert.deepEqual(
    { ...acked, xid: undefined },
    { kind: 'bound', scope: 'bench', mac: testMac(1), ip: got.ip, interface: 'bench0', hostname: 'phone-1', vendorClass: 'Cisco Systems, Inc. IP Phone', file: 'boot.cfg', xid: undefined },
  );
  const c = server.counters();
  assert.equal(c.scopes.bench?.offers, 1);
  assert.equal(c.scopes.bench?.acks, 1);
  assert.deepEqual(c.scopes.bench?.pool, { size: 10, used: 1, free: 9 });
});

test('the ACK leaves only after the journal confirmed the lease change', async (t) => {
  const journal = new ManualJournal();
  const { broadcast, net } = await setup(t, journal);
  const client = new DhcpTestClient(broadcast, { mac: testMac(2) }, { timeoutMs: 2000, attempts: 1 });
  const offer = await client.discover();
  assert.ok(offer);
  journal.auto = false;
  const acking = client.select(offer);
  for (let i = 0; i < 20 && journal.waiting === 0; i++) await tick();
  assert.equal(journal.waiting, 1, 'the REQUEST is waiting for the journal');
  const acksBefore = net.sent.filter((d) => d.from.port === 67 && getMessageType(decodeSafe(d.data)) === DHCP_MESSAGE_TYPE.ACK).length;
  assert.equal(acksBefore, 0, 'no ACK was sent before the fsync');
  journal.flush();
  const ack = await acking;
  assert.equal(ack && getMessageType(ack), DHCP_MESSAGE_TYPE.ACK);
  const bound = journal.written.flat().find((c) => c.kind === 'put' && c.lease.state === 'bound');
  assert.ok(bound);
});

function decodeSafe(data: Buffer): ReturnType<typeof decodeDhcpPacket>['value'] {
  return decodeDhcpPacket(data).value;
}

test('when the journal fails, no ACK is sent and the failure is counted', async (t) => {
  const journal = new ManualJournal();
  const { broadcast, server } = await setup(t, journal);
  const client = new DhcpTestClient(broadcast, { mac: testMac(3) }, { timeoutMs: 200, attempts: 1 });
  const offer = await client.discover();
  assert.ok(offer);
  journal.failNext = true;
  assert.equal(await client.select(offer), undefined);
  assert.equal(server.counters().journalErrors, 1);
  assert.equal(server.counters().scopes.bench?.acks, 0);
});

test('malformed datagrams are counted and dropped; the server keeps answering', async (t) => {
  const { broadcast, server, net } = await setup(t);
  const junk = net.bind('10.9.0.77', 68);
  // Truncated header, an option running past the end, no End option, random bytes.
  const bad = malformedDatagrams(3);
  for (const bytes of bad) await junk.send(bytes, { address: '10.9.0.1', port: 67 });
  await tick();
  assert.equal(server.counters().decodeErrors, 3);
  assert.equal(server.counters().received, 3);
  const got = await new DhcpTestClient(broadcast, { mac: testMac(4) }).obtain();
  assert.ok(got, 'still answering');
});

test('the log: one line per lease event with its fields; a malformed datagram is logged once per sender', async (t) => {
  const stream = new PassThrough();
  const lines: Record<string, unknown>[] = [];
  stream.on('data', (chunk: Buffer) => {
    for (const line of chunk.toString().split('\n')) if (line) lines.push(JSON.parse(line) as Record<string, unknown>);
  });
  const { broadcast, net } = await setup(t, new ManualJournal(), createLogger({ level: 'debug', json: true, stream }));
  const got = await new DhcpTestClient(broadcast, { mac: testMac(9), hostname: 'phone-9' }).obtain();
  assert.ok(got);
  const first = net.bind('10.9.0.78', 68);
  for (const bytes of malformedDatagrams(3)) await first.send(bytes, { address: '10.9.0.1', port: 67 });
  const second = net.bind('10.9.0.79', 68);
  for (const bytes of malformedDatagrams(2)) await second.send(bytes, { address: '10.9.0.1', port: 67 });
  await tick();
  const withMessage = (m: string): Record<string, unknown>[] => lines.filter((l) => l.message === m);
  const fields = { component: 'dhcp', scope: 'bench', mac: testMac(9), ip: got.ip, interface: 'bench0', hostname: 'phone-9', file: 'boot.cfg' };
  const [offered] = withMessage('lease offered');
  const [acked, ...moreAcks] = withMessage('lease bound');
  assert.deepEqual({ ...offered, level: undefined, timestamp: undefined, xid: undefined }, { ...fields, message: 'lease offered', level: undefined, timestamp: undefined, xid: undefined });
  assert.equal(offered?.level, 'debug');
  assert.deepEqual({ ...acked, level: undefined, timestamp: undefined, xid: undefined }, { ...fields, message: 'lease bound', level: undefined, timestamp: undefined, xid: undefined });
  assert.equal(acked?.level, 'info');
  assert.deepEqual(moreAcks, []);
  const malformed = withMessage('dropping a malformed datagram (logged once per source)');
  assert.deepEqual(malformed.map((l) => [l.level, l.peer]), [['debug', '10.9.0.78:68'], ['debug', '10.9.0.79:68']]);
});

test('a relayed DISCOVER is answered to giaddr:67 with option 82 echoed, from the relay scope', async (t) => {
  const { net, events } = await setup(t);
  const relay = new DhcpTestPort(net.bind('10.88.0.254', 67), { address: '10.9.0.1', port: 67 });
  const option82 = Uint8Array.of(1, 4, 0x65, 0x74, 0x68, 0x30);
  const got = await new DhcpTestClient(relay, { mac: testMac(5), giaddr: '10.88.0.254' as Ipv4, relayAgentInfo: option82 }).obtain();
  assert.ok(got, 'the relay got OFFER and ACK');
  assert.ok(got.ip.startsWith('10.88.0.'));
  assert.equal(got.ack.giaddr, '10.88.0.254');
  assert.equal(toHex(getOption(got.ack, OPTION.RELAY_AGENT_INFO) ?? new Uint8Array()), toHex(option82));
  assert.equal(events.find((e) => e.kind === 'bound')?.relay, '10.88.0.254');
});

test('unicast renewal, release and decline are handled and counted', async (t) => {
  const { broadcast, server, net, events } = await setup(t);
  const client = new DhcpTestClient(broadcast, { mac: testMac(6) });
  const got = await client.obtain();
  assert.ok(got);
  // RENEWING: ciaddr set; the answer goes unicast to ciaddr:68.
  const unicast = new DhcpTestPort(net.bind(got.ip, 68), { address: '10.9.0.1', port: 67 });
  const renewed = await new DhcpTestClient(unicast, { mac: testMac(6) }).renew(got.ip);
  assert.equal(renewed && getMessageType(renewed), DHCP_MESSAGE_TYPE.ACK);
  assert.equal(renewed?.yiaddr, got.ip);
  await client.release(got.ip, got.serverId);
  await tick();
  assert.equal(server.counters().scopes.bench?.releases, 1);
  assert.ok(events.some((e) => e.kind === 'released' && e.ip === got.ip));
  const other = await new DhcpTestClient(broadcast, { mac: testMac(7) }).obtain();
  assert.ok(other);
  await new DhcpTestClient(broadcast, { mac: testMac(7) }).decline(other.ip, other.serverId);
  await tick();
  assert.equal(server.counters().scopes.bench?.declines, 1);
  assert.equal(server.leases().find((l) => l.ip === other.ip)?.state, 'declined');
});

test('a reserved MAC gets its reserved address', async (t) => {
  const { broadcast } = await setup(t);
  const got = await new DhcpTestClient(broadcast, { mac: parseMac('02:00:00:00:00:aa') }).obtain();
  assert.equal(got?.ip, '10.9.0.50');
});

test('an exhausted pool is an outcome: counted as a drop with an event', async (t) => {
  const { broadcast, server, events } = await setup(t);
  for (let i = 0; i < 10; i++) assert.ok(await new DhcpTestClient(broadcast, { mac: testMac(100 + i) }).obtain());
  const none = await new DhcpTestClient(broadcast, { mac: testMac(200) }, { timeoutMs: 100, attempts: 1 }).discover();
  assert.equal(none, undefined);
  assert.ok(events.some((e) => e.kind === 'exhausted' && e.scope === 'bench'));
  assert.deepEqual(server.counters().scopes.bench?.drops, { 'pool-exhausted': 1 });
  assert.deepEqual(server.counters().scopes.bench?.pool, { size: 10, used: 10, free: 0 });
});

test('reload binds interfaces of new scopes and closes those no scope names', async (t) => {
  const net = new MemoryNetwork();
  const server = createDhcpServer({
    scopes: [BENCH],
    journal: new ManualJournal(),
    logger: createSilentLogger(),
    clock: new FakeClock(),
    bindings: memoryBindings(net, { bench0: '10.9.0.1', bench1: '10.10.0.1' }),
  });
  await server.start();
  t.after(() => server.stop());
  assert.deepEqual(server.bindings().map((b) => b.interfaceName), ['bench0']);
  await server.reload([OTHER]);
  assert.deepEqual(server.bindings().map((b) => b.interfaceName), ['bench1']);
  const port = new DhcpTestPort(net.bind('255.255.255.255', 68), { address: '10.10.0.1', port: 67 });
  const got = await new DhcpTestClient(port, { mac: testMac(300) }).obtain();
  assert.ok(got?.ip.startsWith('10.10.0.'));
  const old = new DhcpTestPort(net.bind('10.9.0.99', 68), { address: '10.9.0.1', port: 67 });
  assert.equal(await new DhcpTestClient(old, { mac: testMac(301) }, { timeoutMs: 100, attempts: 1 }).discover(), undefined, 'bench0 is no longer served');
});

test('release(ip) frees a bound lease through the engine: journaled, counted, one released event; unknown addresses are not-bound', async (t) => {
  const journal = new ManualJournal();
  const { broadcast, server, events } = await setup(t, journal);
  const got = await new DhcpTestClient(broadcast, { mac: testMac(31), hostname: 'phone-31' }).obtain();
  assert.ok(got);
  const outcome = await server.release(parseIpv4(got.ip));
  assert.equal(outcome.kind, 'released');
  assert.equal(outcome.kind === 'released' && outcome.lease.state, 'released');
  assert.deepEqual(server.leases().find((l) => l.ip === got.ip)?.state, 'released');
  assert.deepEqual(journal.written.at(-1)?.map((c) => c.kind === 'put' && c.lease.state), ['released']);
  const released = events.filter((e) => e.kind === 'released');
  assert.deepEqual(released.map((e) => ({ ip: e.ip, mac: e.mac, hostname: e.hostname })), [{ ip: got.ip, mac: testMac(31), hostname: 'phone-31' }]);
  assert.equal(server.counters().scopes.bench?.releases, 1);
  assert.deepEqual(await server.release(parseIpv4(got.ip)), { kind: 'not-bound' });
  assert.deepEqual(await server.release(parseIpv4('10.9.0.222')), { kind: 'not-bound' });
});

test('a scope whose interface is missing or has no address in its subnet stops start (BB_INTERFACE)', async () => {
  const source: InterfaceSource = {
    addresses: () => ({ bench0: [{ address: '192.168.5.1', netmask: '255.255.255.0', internal: false }] }),
    ifindex: (name) => Promise.resolve(name === 'bench0' ? 5 : undefined),
  };
  for (const [scopes, pattern] of [
    [[BENCH], /scope bench: interface bench0 has no IPv4 address in 10\.9\.0\.0\/24/],
    [[OTHER], /scope other: interface bench1 does not exist/],
  ] as const) {
    const server = createDhcpServer({ scopes, journal: new ManualJournal(), logger: createSilentLogger(), clock: new FakeClock(), bindings: systemBindings({ source }) });
    await assert.rejects(server.start(), (err: unknown) => err instanceof DhcpError && err.kind === 'interface' && isBenchbootError(toBenchbootError(err), 'BB_INTERFACE') && pattern.test(String(err)));
  }
});

test('the sweep reports a bound lease once when its time is over', async (t) => {
  const { broadcast, clock, events } = await setup(t);
  const got = await new DhcpTestClient(broadcast, { mac: testMac(8) }).obtain();
  assert.ok(got);
  clock.advance(599_000);
  assert.equal(events.filter((e) => e.kind === 'expired').length, 0);
  clock.advance(10_000);
  clock.advance(10_000);
  const expired = events.filter((e) => e.kind === 'expired');
  assert.equal(expired.length, 1);
  assert.equal(expired[0]?.ip, got.ip);
  assert.equal(expired[0]?.interface, 'bench0');
});

test('drop reasons are typed values: counters are keyed by kind, the text is formatted from the fields', () => {
  assert.equal(formatDropReason({ kind: 'for-other-server', message: 'REQUEST', serverId: parseIpv4('10.1.2.3') }), 'REQUEST for server 10.1.2.3');
  assert.equal(formatDropReason({ kind: 'unhandled-message-type', messageType: 42 }), 'message type TYPE-42 is not handled by a server');
  const counters = new DhcpCounters();
  counters.countDrop('bench', 'for-other-server');
  counters.countDrop('bench', 'for-other-server');
  assert.deepEqual(counters.snapshot().scopes.bench?.drops, { 'for-other-server': 2 });
});

const ssSkip = process.platform !== 'linux' ? 'needs Linux' : !existsSync('/usr/bin/ss') && !existsSync('/bin/ss') ? 'needs ss (iproute2)' : false;

test('an interface socket asks for a large receive buffer, so a burst of requests is not dropped by the kernel', { skip: ssSkip }, async () => {
  const lo = scopeFromJson({ name: 'lo', interface: 'lo', subnet: '127.0.0.0/8', ranges: [['127.0.0.100', '127.0.0.110']] });
  const [binding] = await systemBindings({ port: 0 })([{ name: 'lo', scopes: [lo] }]);
  assert.ok(binding);
  try {
    const port = binding.endpoint.local().port;
    const socketInfo = execFileSync('ss', ['-u', '-a', '-m', '-n', `sport = :${port}`], { encoding: 'utf8' });
    const rb = Number(/\brb(\d+)/.exec(socketInfo)?.[1]);
    // The kernel doubles SO_RCVBUF for its bookkeeping and clamps the request to rmem_max.
    const rmemMax = Number(readFileSync('/proc/sys/net/core/rmem_max', 'utf8'));
    assert.equal(rb, 2 * Math.min(DHCP_RECV_BUFFER_BYTES, rmemMax), socketInfo);
  } finally {
    await binding.endpoint.close();
  }
});

test('over capacity, a REQUEST is answered before the DISCOVERs read with it, and DISCOVERs beyond the queue are dropped and counted', async (t) => {
  const { broadcast, server, net } = await setup(t);
  const first = new DhcpTestClient(broadcast, { mac: testMac(3) }, { timeoutMs: 2000, attempts: 1 });
  const offer = await first.discover();
  assert.ok(offer);
  // One burst, as one read of a full socket: new clients' DISCOVERs, 16 more than the queue holds, then the REQUEST of a client that has its OFFER.
  const sentBefore = net.sent.length;
  const burst = DISCOVER_QUEUE_MAX + 16;
  for (let i = 0; i < burst; i++) await broadcast.fire(encodeDhcpPacket(buildRequest(DHCP_MESSAGE_TYPE.DISCOVER, { mac: testMac(100 + i) })));
  const acking = first.select(offer);
  const ack = await acking;
  assert.equal(ack && getMessageType(ack), DHCP_MESSAGE_TYPE.ACK);
  // Every queued DISCOVER answered: 9 OFFERs (the pool's last addresses), the rest counted as pool-exhausted.
  const answered = (): number => (server.counters().scopes.bench?.offers ?? 0) - 1 + (server.counters().scopes.bench?.drops['pool-exhausted'] ?? 0);
  for (const end = Date.now() + 10_000; answered() < DISCOVER_QUEUE_MAX && Date.now() < end; ) await tick();
  assert.equal(answered(), DISCOVER_QUEUE_MAX, 'every DISCOVER that waited was answered');
  const replies = net.sent.slice(sentBefore).filter((d) => d.from.port === 67).map((d) => getMessageType(decodeSafe(d.data)));
  assert.equal(replies[0], DHCP_MESSAGE_TYPE.ACK, 'the ACK went out first');
  assert.equal(replies.filter((m) => m === DHCP_MESSAGE_TYPE.OFFER).length, 9, 'the DISCOVERs that waited were answered after it (9 addresses left in the pool)');
  const drops = server.counters().drops;
  assert.equal(drops['discover-shed'], 16, 'the DISCOVERs beyond the queue were dropped and counted');
});

test('a DISCOVER waiting its turn when its socket closes (link down) is not answered, and nothing fails', async (t) => {
  const { broadcast, server, net } = await setup(t);
  const sentBefore = net.sent.length;
  await broadcast.fire(encodeDhcpPacket(buildRequest(DHCP_MESSAGE_TYPE.DISCOVER, { mac: testMac(7) })));
  await server.pause('bench0');
  for (let i = 0; i < 5; i++) await tick();
  assert.deepEqual(net.sent.slice(sentBefore).filter((d) => d.from.port === 67), [], 'no OFFER from a closed socket');
  assert.equal(server.counters().sendErrors, 0);
  assert.equal(server.counters().internalErrors, 0);
});

test('a DISCOVER storm on one interface does not shed the DISCOVERs of another: each interface has its own queue', async (t) => {
  const { broadcast, server, net } = await setup(t);
  const sentBefore = net.sent.length;
  for (let i = 0; i < DISCOVER_QUEUE_MAX + 16; i++) await broadcast.fire(encodeDhcpPacket(buildRequest(DHCP_MESSAGE_TYPE.DISCOVER, { mac: testMac(100 + i) })));
  await broadcast.fire(encodeDhcpPacket(buildRequest(DHCP_MESSAGE_TYPE.DISCOVER, { mac: testMac(9) })), { address: '10.10.0.1', port: 67 });
  assert.equal(server.counters().drops['discover-shed'], 16, "only bench0's surplus was shed");
  for (const end = Date.now() + 10_000; Date.now() < end && !net.sent.slice(sentBefore).some((d) => d.from.address === '10.10.0.1'); ) await tick();
  const other = net.sent.slice(sentBefore).filter((d) => d.from.address === '10.10.0.1' && d.from.port === 67);
  assert.equal(other.length, 1, 'bench1 answered its DISCOVER');
  assert.equal(getMessageType(decodeSafe(other[0]?.data ?? Buffer.alloc(0))), DHCP_MESSAGE_TYPE.OFFER);
});
