/**
 * The TFTP server on an in-memory network and a fake clock, with a hand-driven raw
 * client: new TID per transfer (RFC 1350 §4), unknown TID answered with ERROR 5, busy
 * refusal with ERROR 0, lost and duplicate ACKs, retries exhausted, refusals (file not
 * found, bad mode), uploads held until saved, events and counters, graceful stop.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../../src/clock.js';
import { createSilentLogger } from '../../../src/log.js';
import { MemoryNetwork, type UdpEndpoint, type UdpPeer } from '../../../src/net/udp.js';
import { createMemoryStorage } from '../../../src/tftp/memory-storage.js';
import { decodeTftpPacket, encodeTftpPacket, type TftpPacket } from '../../../src/tftp/packet.js';
import { BUSY_MESSAGE, createTftpServer, type TftpServerEvents, type TftpServerOptions } from '../../../src/tftp/server.js';
import { tftpGet, tftpPut } from '../../../src/tftp/client.js';

const SERVER = '10.0.0.1';
const flush = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

interface Raw {
  readonly ep: UdpEndpoint;
  send(p: TftpPacket, to: UdpPeer): Promise<void>;
  next(): Promise<{ packet: TftpPacket; from: UdpPeer }>;
  readonly inbox: { packet: TftpPacket; from: UdpPeer }[];
}

function rawPeer(net: MemoryNetwork, address: string): Raw {
  const ep = net.bind(address);
  const inbox: { packet: TftpPacket; from: UdpPeer }[] = [];
  let waiter: (() => void) | undefined;
  ep.onMessage((d, from) => {
    inbox.push({ packet: decodeTftpPacket(d).value, from });
    waiter?.();
  });
  return {
    ep,
    inbox,
    send: (p, to) => ep.send(encodeTftpPacket(p), to),
    async next() {
      while (inbox.length === 0) await new Promise<void>((resolve) => (waiter = resolve));
      const first = inbox.shift();
      if (!first) throw new Error('unreachable');
      return first;
    },
  };
}

function setup(files: Record<string, Uint8Array | string>, extra: Partial<TftpServerOptions> = {}) {
  const net = new MemoryNetwork();
  const clock = new FakeClock(0);
  const storage = createMemoryStorage(files, { uploads: {} });
  const server = createTftpServer({
    storage,
    logger: createSilentLogger(),
    clock,
    listen: [{ address: SERVER, port: 69 }],
    bind: (address, port) => Promise.resolve(net.bind(address, port)),
    ...extra,
  });
  const events: { name: keyof TftpServerEvents; e: unknown }[] = [];
  for (const name of ['started', 'progress', 'finished', 'failed', 'refused', 'busy'] as const) {
    server.on(name, (e) => events.push({ name, e }));
  }
  return { net, clock, storage, server, events, port69: { address: SERVER, port: 69 } };
}

const bytes = (n: number): Uint8Array => Uint8Array.from({ length: n }, (_, i) => (i * 7) & 0xff);

test('RFC 1350 §4: a read runs on a new server port; a stranger sending to that port gets ERROR 5 and the transfer goes on', async () => {
  const { net, server, port69, events } = setup({ 'f.bin': bytes(1000) });
  await server.start();
  const client = rawPeer(net, '10.0.0.2');
  const stranger = rawPeer(net, '10.0.0.3');
  await client.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  const d1 = await client.next();
  assert.equal(d1.packet.kind, 'data');
  assert.notEqual(d1.from.port, 69, 'the transfer has its own TID');
  await stranger.send({ kind: 'ack', block: 1 }, d1.from);
  const e5 = await stranger.next();
  assert.deepEqual(e5.packet, { kind: 'error', code: 5, message: 'unknown transfer ID' });
  await client.send({ kind: 'ack', block: 1 }, d1.from);
  const d2 = await client.next();
  assert.ok(d2.packet.kind === 'data' && d2.packet.block === 2 && d2.packet.data.length === 1000 - 512);
  await client.send({ kind: 'ack', block: 2 }, d1.from);
  await flush();
  assert.equal(server.counters().unknownTid, 1);
  assert.equal(server.counters().finished, 1);
  assert.deepEqual(
    events.filter((x) => x.name !== 'progress').map((x) => x.name),
    ['started', 'finished'],
  );
  await server.stop();
});

test('lost ACK: the server resends the block after its timeout; a duplicate ACK does not make it send twice (RFC 1123 §4.2.3.1)', async () => {
  const { net, clock, server, port69 } = setup({ 'f.bin': bytes(2000) }, { timeoutMs: 1000 });
  await server.start();
  const client = rawPeer(net, '10.0.0.2');
  await client.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  const d1 = await client.next();
  clock.advance(1000);
  const again = await client.next();
  assert.ok(again.packet.kind === 'data' && again.packet.block === 1, 'DATA 1 resent');
  await client.send({ kind: 'ack', block: 1 }, d1.from);
  await client.next(); // DATA 2
  await client.send({ kind: 'ack', block: 1 }, d1.from); // late duplicate of ACK 1
  await flush();
  assert.equal(client.inbox.length, 0, 'no DATA answers a duplicate ACK');
  await server.stop();
});

test('retries exhausted: a client that stops answering makes the transfer fail with an event', async () => {
  const { net, clock, server, port69, events } = setup({ 'f.bin': bytes(2000) }, { timeoutMs: 100, retries: 2 });
  await server.start();
  const client = rawPeer(net, '10.0.0.2');
  await client.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  await client.next();
  for (let i = 0; i < 10; i++) {
    clock.advance(1000);
    await flush();
  }
  const failed = events.find((x) => x.name === 'failed');
  assert.ok(failed, 'failed event');
  assert.match(JSON.stringify(failed.e), /retries/);
  assert.equal(server.counters().failed, 1);
  assert.equal(server.transfers().length, 0);
  const last = client.inbox.at(-1);
  assert.equal(last?.packet.kind, 'error');
  await server.stop();
});

test('busy with queueWaitMs 0: beyond maxTransfers a request gets ERROR 0 "server busy, retry later" at once from port 69', async () => {
  const { net, server, port69, events } = setup({ 'f.bin': bytes(5000) }, { maxTransfers: 1, queueWaitMs: 0 });
  await server.start();
  const a = rawPeer(net, '10.0.0.2');
  const b = rawPeer(net, '10.0.0.3');
  await a.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  await a.next();
  assert.equal(server.transfers().length, 1);
  await b.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  const refused = await b.next();
  assert.deepEqual(refused.packet, { kind: 'error', code: 0, message: BUSY_MESSAGE });
  assert.equal(refused.from.port, 69);
  assert.equal(server.counters().busy, 1);
  assert.ok(events.some((x) => x.name === 'busy'));
  await server.stop();
});

test('busy per client with queueWaitMs 0: maxPerClient limits one address while others are served', async () => {
  const { net, server, port69 } = setup({ 'f.bin': bytes(5000) }, { maxPerClient: 1, queueWaitMs: 0 });
  await server.start();
  const a1 = rawPeer(net, '10.0.0.2');
  const a2 = rawPeer(net, '10.0.0.2');
  const b = rawPeer(net, '10.0.0.3');
  await a1.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  await a1.next();
  await a2.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  assert.equal((await a2.next()).packet.kind, 'error');
  await b.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  assert.equal((await b.next()).packet.kind, 'data');
  await server.stop();
});

test('refusals: a missing file gets ERROR 1, mail mode ERROR 4; each is counted; blksize 4 is left out, not refused', async () => {
  const { net, server, port69, events } = setup({ 'f.bin': bytes(10) });
  await server.start();
  const c = rawPeer(net, '10.0.0.2');
  await c.send({ kind: 'rrq', filename: 'nope.bin', mode: 'octet', options: [] }, port69);
  const e1 = await c.next();
  assert.ok(e1.packet.kind === 'error' && e1.packet.code === 1);
  await c.send({ kind: 'rrq', filename: 'f.bin', mode: 'mail', options: [] }, port69);
  const e4 = await c.next();
  assert.ok(e4.packet.kind === 'error' && e4.packet.code === 4);
  // RFC 2347: an option the server cannot honour is left out; no OACK remains, so DATA 1 follows.
  await c.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [{ name: 'blksize', value: '4' }] }, port69);
  const d1 = await c.next();
  assert.ok(d1.packet.kind === 'data' && d1.packet.block === 1 && d1.packet.data.length === 10);
  assert.equal(server.counters().refused, 2);
  assert.equal(events.filter((x) => x.name === 'refused').length, 2);
  await server.stop();
});

test('a malformed request is counted and dropped without an answer', async () => {
  const { net, server, port69 } = setup({});
  await server.start();
  const c = rawPeer(net, '10.0.0.2');
  await c.ep.send(Uint8Array.of(0, 1, 0x61), port69);
  await c.ep.send(Uint8Array.of(0, 9), port69);
  await flush();
  assert.equal(server.counters().malformed, 2);
  assert.equal(c.inbox.length, 0);
  await server.stop();
});

test('RFC 2347/2349: a PXE tsize probe gets an OACK with the size; the client\'s ERROR then ends it as failed', async () => {
  const { net, server, port69, events } = setup({ 'ipxe.pxe': bytes(345455) });
  await server.start();
  const c = rawPeer(net, '10.0.0.2');
  await c.send({ kind: 'rrq', filename: 'ipxe.pxe', mode: 'octet', options: [{ name: 'tsize', value: '0' }] }, port69);
  const oack = await c.next();
  assert.deepEqual(oack.packet, { kind: 'oack', options: [{ name: 'tsize', value: '345455' }] });
  await c.send({ kind: 'error', code: 0, message: 'TFTP Aborted' }, oack.from);
  await flush();
  const failed = events.find((x) => x.name === 'failed');
  assert.match(JSON.stringify(failed?.e), /TFTP Aborted/);
  await server.stop();
});

test('our client gets a file over the memory network with blksize and windowsize (OACK), byte for byte', async () => {
  const content = bytes(100_000);
  const { net, clock, server } = setup({ 'big.bin': content });
  await server.start();
  const r = await tftpGet({
    host: SERVER,
    file: 'big.bin',
    blksize: 1000,
    windowsize: 8,
    clock,
    bind: (a, p) => Promise.resolve(net.bind('10.0.0.2', p)),
  });
  assert.deepEqual(r.data, Buffer.from(content));
  assert.equal(r.tsize, 100_000);
  assert.equal(r.blksize, 1000);
  assert.equal(r.windowsize, 8);
  await server.stop();
});

test('upload (WRQ) with options: saved in storage; the final ACK comes only after the commit', async () => {
  const { net, clock, server, storage, events } = setup({});
  await server.start();
  const content = bytes(3000);
  await tftpPut({
    host: SERVER,
    file: 'router1-confg',
    data: content,
    blksize: 512,
    windowsize: 4,
    clock,
    bind: (a, p) => Promise.resolve(net.bind('10.0.0.2', p)),
  });
  await flush();
  assert.deepEqual(storage.files.get('router1-confg'), content);
  const finished = events.find((x) => x.name === 'finished');
  assert.match(JSON.stringify(finished?.e), /"savedAs":"router1-confg"/);
  assert.equal(storage.openCount(), 0);
  await server.stop();
});

test('upload over the limit announced by tsize is refused with ERROR 3 (RFC 2349)', async () => {
  const { net, clock, server } = setup({}, { maxUploadBytes: 1000 });
  await server.start();
  await assert.rejects(
    tftpPut({ host: SERVER, file: 'big', data: bytes(5000), clock, bind: (a, p) => Promise.resolve(net.bind('10.0.0.2', p)) }),
    (err: Error & { tftpCode?: number }) => err.tftpCode === 3,
  );
  await server.stop();
});

test('stop(grace): a transfer in flight is aborted with ERROR 0 once the grace period is over', async () => {
  const { net, clock, server, port69 } = setup({ 'f.bin': bytes(5000) });
  await server.start();
  const c = rawPeer(net, '10.0.0.2');
  await c.send({ kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] }, port69);
  const d1 = await c.next();
  const stopping = server.stop(500);
  await flush();
  clock.advance(500);
  await stopping;
  const last = c.inbox.at(-1) ?? (await c.next());
  assert.deepEqual(last.packet, { kind: 'error', code: 0, message: 'server shutting down' });
  assert.equal(last.from.port, d1.from.port);
  assert.equal(server.transfers().length, 0);
});

test('bad settings are refused with BB_TFTP_OPTIONS', () => {
  const storage = createMemoryStorage({});
  const base = { storage, logger: createSilentLogger() };
  assert.throws(() => createTftpServer({ ...base, portRange: [2000, 1000] }), /BB_TFTP_OPTIONS|portRange/);
  assert.throws(() => createTftpServer({ ...base, mtu: 30 }), /mtu/);
  assert.throws(() => createTftpServer({ ...base, maxTransfers: 0 }), /maxTransfers/);
});

test('a repeated RRQ from the same client port does not start a second transfer', async () => {
  const { net, server, port69 } = setup({ 'f.bin': bytes(2000) });
  await server.start();
  const c = rawPeer(net, '10.0.0.2');
  const rrq: TftpPacket = { kind: 'rrq', filename: 'f.bin', mode: 'octet', options: [] };
  await c.send(rrq, port69);
  await c.send(rrq, port69);
  await flush();
  assert.equal(c.inbox.length, 1, 'one DATA 1, from one transfer');
  assert.equal(server.counters().duplicateRequests, 1);
  assert.equal(server.transfers().length, 1);
  // Once the transfer is under way, the same port may ask again (tftp-hpa reuses its socket).
  const first = await c.next();
  await c.send({ kind: 'ack', block: 1 }, first.from);
  await c.next();
  await c.send(rrq, port69);
  await flush();
  assert.equal(server.transfers().length, 2, 'a new request from the same port after the opening starts a transfer');
  await server.stop();
});

test('storage that throws ends only that request, with ERROR 0 to the client; a failed read aborts with a generic message', async () => {
  const net = new MemoryNetwork();
  const broken = {
    openRead: (name: string) =>
      name === 'throws'
        ? Promise.reject(new Error('disk on fire at /srv/secret'))
        : Promise.resolve({
            kind: 'ok' as const,
            value: {
              size: 5000,
              displayName: name,
              origin: 'root',
              read: () => Promise.reject(new Error('EIO at /srv/secret')),
              close: () => Promise.resolve(),
            },
          }),
    openWrite: () => Promise.reject(new Error('not used')),
  };
  const server = createTftpServer({
    storage: broken,
    logger: createSilentLogger(),
    clock: new FakeClock(0),
    listen: [{ address: SERVER, port: 69 }],
    bind: (address, port) => Promise.resolve(net.bind(address, port)),
  });
  await server.start();
  const c = rawPeer(net, '10.0.0.2');
  await c.send({ kind: 'rrq', filename: 'throws', mode: 'octet', options: [] }, { address: SERVER, port: 69 });
  assert.deepEqual((await c.next()).packet, { kind: 'error', code: 0, message: 'internal server error' });
  await c.send({ kind: 'rrq', filename: 'eio', mode: 'octet', options: [] }, { address: SERVER, port: 69 });
  assert.deepEqual((await c.next()).packet, { kind: 'error', code: 0, message: 'could not read the file' });
  await flush();
  assert.equal(server.counters().failed, 1);
  // The server still serves after both failures.
  await c.send({ kind: 'rrq', filename: 'throws', mode: 'octet', options: [] }, { address: SERVER, port: 69 });
  assert.equal((await c.next()).packet.kind, 'error');
  await server.stop();
});

test('window recovery: over a link losing 1 datagram in 9, a windowed get and put still complete byte for byte', async () => {
  const content = bytes(150_000);
  const { net, clock, server, storage } = setup({ 'f.bin': content }, { timeoutMs: 200, retries: 8 });
  await server.start();
  let n = 0;
  net.filter = () => ++n % 9 !== 0;
  const bind = (_a: string, p: number) => Promise.resolve(net.bind('10.0.0.2', p));
  let got: Buffer | undefined;
  let put = false;
  const get = tftpGet({ host: SERVER, file: 'f.bin', blksize: 1000, windowsize: 8, timeoutMs: 200, retries: 8, clock, bind }).then((r) => {
    got = r.data;
  });
  const up = tftpPut({ host: SERVER, file: 'up.bin', data: content, blksize: 1000, windowsize: 8, timeoutMs: 200, retries: 8, clock, bind }).then(() => {
    put = true;
  });
  for (let i = 0; i < 5000 && !(got && put); i++) {
    await flush();
    clock.advance(10);
  }
  await Promise.all([get, up]);
  assert.deepEqual(got, Buffer.from(content));
  assert.deepEqual(storage.files.get('up.bin'), content);
  assert.ok(server.counters().retransmits > 0, 'losses were repaired by retransmission');
  await server.stop();
});

test('maxWindowBytes: windowsize is lowered so one window fits, and the file arrives whole', async () => {
  const content = bytes(200_000);
  const { net, clock, server } = setup({ 'f.bin': content }, { maxWindowBytes: 65536 });
  await server.start();
  const bind = (_a: string, p: number) => Promise.resolve(net.bind('10.0.0.2', p));
  let got: { data?: Buffer; windowsize: number; blksize: number } | undefined;
  const get = tftpGet({ host: SERVER, file: 'f.bin', blksize: 8192, windowsize: 16, clock, bind }).then((r) => (got = r));
  for (let i = 0; i < 1000 && !got; i++) {
    await flush();
    clock.advance(1);
  }
  await get;
  assert.equal(got?.blksize, 8192);
  assert.equal(got?.windowsize, 8, '8 × 8192 bytes fit 64 KiB, 16 would not');
  assert.deepEqual(got?.data, Buffer.from(content));
  assert.throws(() => createTftpServer({ storage: createMemoryStorage({}), logger: createSilentLogger(), maxWindowBytes: 4 }), /BB_TFTP_OPTIONS|maxWindowBytes/);
  await server.stop();
});

const rrq = (filename: string): TftpPacket => ({ kind: 'rrq', filename, mode: 'octet', options: [] });

test('waiting for a slot: beyond maxTransfers a request waits instead of failing (PXE gives up at the first error), its retransmission is absorbed, and it starts when the slot frees', async () => {
  const { net, server, port69, events } = setup({ 'f.bin': bytes(5000) }, { maxTransfers: 1 });
  await server.start();
  const a = rawPeer(net, '10.0.0.2');
  const pxe = rawPeer(net, '10.0.0.3');
  await a.send(rrq('f.bin'), port69);
  const held = await a.next();
  await pxe.send(rrq('f.bin'), port69);
  await pxe.send(rrq('f.bin'), port69); // the firmware's retransmission
  await flush();
  assert.equal(pxe.inbox.length, 0, 'no answer while it waits: no error for the firmware to give up on');
  assert.equal(server.counters().queued, 1);
  assert.equal(server.counters().waiting, 1, 'status shows it waiting now');
  assert.equal(server.counters().duplicateRequests, 1, 'the retransmission is the same request, not a second one');
  await a.send({ kind: 'error', code: 0, message: 'client gives up' }, held.from); // the slot frees
  const first = await pxe.next();
  assert.ok(first.packet.kind === 'data' && first.packet.block === 1, 'the waiting request starts');
  assert.equal(server.counters().waiting, 0);
  assert.notEqual(first.from.port, 69);
  assert.equal(server.counters().busy, 0);
  assert.ok(!events.some((x) => x.name === 'busy'));
  await server.stop();
});

test('an adaptive limit (transfersCeiling): while a request waits and bytes keep moving, the limit is raised and the waiting request starts without a slot freeing; the raise is kept when the rate grew', async () => {
  const slow = { queueWaitMs: 60_000, timeoutMs: 30_000, minBytesPerSecond: 0 };
  const { net, clock, server, port69 } = setup({ 'f.bin': bytes(512 * 40) }, { maxTransfers: 1, transfersCeiling: 2, ...slow });
  await server.start();
  const a = rawPeer(net, '10.0.0.2');
  const b = rawPeer(net, '10.0.0.3');
  await a.send(rrq('f.bin'), port69);
  let aBlock = await a.next();
  await b.send(rrq('f.bin'), port69);
  await flush();
  /** The held transfer's client acknowledges `n` blocks. */
  const ackA = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i++) {
      if (aBlock.packet.kind !== 'data') throw new Error('expected data');
      await a.send({ kind: 'ack', block: aBlock.packet.block }, aBlock.from);
      aBlock = await a.next();
    }
  };
  const period = async (): Promise<void> => {
    clock.advance(1000);
    await flush();
  };
  await period(); // the first sample only counts the bytes
  await ackA(2);
  await period(); // saturated once: a storm may still be ramping up
  assert.equal(b.inbox.length, 0, 'still waiting');
  assert.equal(server.counters().transferLimit, 1);
  await ackA(2);
  await period(); // saturated twice in a row: raised
  assert.equal(server.counters().transferLimit, 2);
  const bFirst = await b.next();
  assert.ok(bFirst.packet.kind === 'data' && bFirst.packet.block === 1, 'the waiting request started on the raised limit');
  assert.equal(server.counters().waiting, 0);
  await ackA(2);
  await period(); // the new transfer's first period is not judged
  await ackA(2);
  await b.send({ kind: 'ack', block: 1 }, bFirst.from);
  await b.next();
  await b.send({ kind: 'ack', block: 2 }, bFirst.from);
  await b.next();
  await period(); // twice the bytes of a period before the raise: kept
  assert.deepEqual([server.counters().transferLimit, server.counters().limitRaises, server.counters().limitTakenBack], [2, 1, 0]);
  await server.stop();
  const options = { storage: createMemoryStorage({}), logger: createSilentLogger() };
  assert.throws(() => createTftpServer({ ...options, maxTransfers: 10, transfersCeiling: 9 }), /transfersCeiling 9 is below maxTransfers 10/);
  assert.throws(() => createTftpServer({ ...options, transfersCeiling: 199 }), /transfersCeiling 199 is below maxTransfers 200/, 'against the default maxTransfers');
  assert.equal(createTftpServer({ ...options, maxTransfers: 10 }).counters().transferLimit, 10, 'without a ceiling the limit is fixed at maxTransfers');
});

test('waiting is bounded: after queueWaitMs without a slot the request gets "busy" after all, counted as a timeout', async () => {
  const { net, clock, server, port69 } = setup({ 'f.bin': bytes(5000) }, { maxTransfers: 1, queueWaitMs: 3000, timeoutMs: 1000, retries: 10 });
  await server.start();
  const a = rawPeer(net, '10.0.0.2');
  const b = rawPeer(net, '10.0.0.3');
  await a.send(rrq('f.bin'), port69);
  await a.next();
  await b.send(rrq('f.bin'), port69);
  await flush();
  clock.advance(2999);
  await flush();
  assert.equal(b.inbox.length, 0, 'still waiting just before the bound');
  clock.advance(1);
  const busy = await b.next();
  assert.deepEqual(busy.packet, { kind: 'error', code: 0, message: BUSY_MESSAGE });
  assert.deepEqual([server.counters().queued, server.counters().queueTimeouts, server.counters().busy], [1, 1, 1]);
  await server.stop();
});

test('clients that retry on busy (retriesOnBusy: Cisco phones) get it at once instead of waiting', async () => {
  const { net, server, port69 } = setup({ 'f.bin': bytes(5000) }, { maxTransfers: 1, retriesOnBusy: (peer) => peer.address === '10.0.0.3' });
  await server.start();
  const a = rawPeer(net, '10.0.0.2');
  const phone = rawPeer(net, '10.0.0.3');
  const pxe = rawPeer(net, '10.0.0.4');
  await a.send(rrq('f.bin'), port69);
  await a.next();
  await phone.send(rrq('SEP001BD4000001.cnf.xml'), port69);
  assert.deepEqual((await phone.next()).packet, { kind: 'error', code: 0, message: BUSY_MESSAGE });
  await pxe.send(rrq('f.bin'), port69);
  await flush();
  assert.equal(pxe.inbox.length, 0, 'the PXE client waits');
  assert.deepEqual([server.counters().busy, server.counters().queued], [1, 1]);
  await server.stop();
});

test('a client at its own limit waits without holding up other clients; first come, first served when its slot frees', async () => {
  const { net, server, port69 } = setup({ 'f.bin': bytes(5000) }, { maxTransfers: 3, maxPerClient: 1 });
  await server.start();
  const a1 = rawPeer(net, '10.0.0.2');
  const a2 = rawPeer(net, '10.0.0.2');
  const b = rawPeer(net, '10.0.0.3');
  await a1.send(rrq('f.bin'), port69);
  const held = await a1.next();
  await a2.send(rrq('f.bin'), port69);
  await flush();
  assert.equal(a2.inbox.length, 0, 'a2 waits: its address is at its limit');
  await b.send(rrq('f.bin'), port69);
  assert.equal((await b.next()).packet.kind, 'data', 'another address is served at once, past the waiting a2');
  await a1.send({ kind: 'error', code: 0, message: 'done' }, held.from);
  assert.equal((await a2.next()).packet.kind, 'data', 'a2 starts when its address has a slot again');
  await server.stop();
});

test('stopping answers waiting requests with an error instead of leaving them to time out', async () => {
  const { net, server, port69 } = setup({ 'f.bin': bytes(5000) }, { maxTransfers: 1 });
  await server.start();
  const a = rawPeer(net, '10.0.0.2');
  const b = rawPeer(net, '10.0.0.3');
  await a.send(rrq('f.bin'), port69);
  await a.next();
  await b.send(rrq('f.bin'), port69);
  await flush();
  await server.stop();
  const last = b.inbox.at(-1);
  assert.ok(last?.packet.kind === 'error' && /shutting down/.test(last.packet.message));
});
