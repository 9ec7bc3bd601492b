/**
 * The UDP seam's callback send (`post`), used on the TFTP per-block path: it delivers
 * like `send`, reports every error to its callback, keeps `close()` waiting for it, and
 * the socket's literal-first lookup still resolves host names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryNetwork, bindUdp, cachingLiteralLookup, literalFirstLookup, type UdpEndpoint } from '../../../src/net/udp.js';

function nextMessage(ep: UdpEndpoint): Promise<{ data: Buffer; port: number }> {
  return new Promise((resolve) => ep.onMessage((data, from) => resolve({ data, port: from.port })));
}

function postAsync(ep: UdpEndpoint, data: Uint8Array, to: { address: string; port: number }): Promise<Error | null> {
  return new Promise((resolve) => ep.post(data, to, resolve));
}

test('post delivers a datagram over loopback and calls back with null', async () => {
  const a = await bindUdp({ address: '127.0.0.1', port: 0 });
  const b = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const got = nextMessage(b);
    const err = await postAsync(a, Buffer.from('block'), b.local());
    assert.equal(err, null);
    const m = await got;
    assert.equal(m.data.toString(), 'block');
    assert.equal(m.port, a.local().port);
  } finally {
    await a.close();
    await b.close();
  }
});

test('post to a host name goes through the resolver and arrives', async () => {
  const a = await bindUdp({ address: '127.0.0.1', port: 0 });
  const b = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const got = nextMessage(b);
    const err = await postAsync(a, Buffer.from('named'), { address: 'localhost', port: b.local().port });
    assert.equal(err, null);
    assert.equal((await got).data.toString(), 'named');
  } finally {
    await a.close();
    await b.close();
  }
});

test('post reports a send error to its callback (datagram over the UDP limit)', async () => {
  const a = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const err = await postAsync(a, Buffer.alloc(70_000), { address: '127.0.0.1', port: 9 });
    assert.ok(err instanceof Error, 'an oversized datagram must fail');
    assert.match(String((err as NodeJS.ErrnoException).code), /EMSGSIZE/);
  } finally {
    await a.close();
  }
});

test('close() waits for datagrams posted just before it', async () => {
  const a = await bindUdp({ address: '127.0.0.1', port: 0 });
  const b = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const got = nextMessage(b);
    let called = false;
    a.post(Buffer.from('last words'), b.local(), () => (called = true));
    await a.close();
    assert.equal(called, true, 'the callback ran before close resolved');
    assert.equal((await got).data.toString(), 'last words');
  } finally {
    await b.close();
  }
});

test('literalFirstLookup answers an IPv4 literal synchronously and a name through dns', async () => {
  let sync: string | undefined;
  literalFirstLookup('192.0.2.7', 4, (err, address, family) => {
    assert.equal(err, null);
    assert.equal(family, 4);
    sync = address;
  });
  assert.equal(sync, '192.0.2.7');
  const named = await new Promise<string>((resolve, reject) =>
    literalFirstLookup('localhost', 4, (err, address) => (err ? reject(err) : resolve(address))),
  );
  assert.equal(named, '127.0.0.1');
});

test('cachingLiteralLookup answers repeated and new literals at once, and names through dns', async () => {
  const lookup = cachingLiteralLookup();
  const answers: string[] = [];
  for (const a of ['10.1.2.3', '10.1.2.3', '10.9.9.9']) lookup(a, 4, (err, address) => answers.push(err ? 'error' : address));
  assert.deepEqual(answers, ['10.1.2.3', '10.1.2.3', '10.9.9.9']);
  const named = await new Promise<string>((resolve, reject) => lookup('localhost', 4, (err, address) => (err ? reject(err) : resolve(address))));
  assert.equal(named, '127.0.0.1');
});

test('a MemoryNetwork endpoint posts like it sends, and a closed one reports an error', async () => {
  const net = new MemoryNetwork();
  const a = net.bind('10.0.0.1', 69);
  const b = net.bind('10.0.0.2');
  const got = nextMessage(a);
  const data = Buffer.from('memory');
  const err = await postAsync(b, data, a.local());
  data.fill(0); // the datagram was copied when posted
  assert.equal(err, null);
  assert.equal((await got).data.toString(), 'memory');
  await b.close();
  const closedErr = await postAsync(b, Buffer.from('x'), a.local());
  assert.ok(closedErr instanceof Error);
});

function collect(ep: UdpEndpoint, count: number): Promise<Buffer[]> {
  const got: Buffer[] = [];
  return new Promise((resolve) =>
    ep.onMessage((data) => {
      got.push(data);
      if (got.length === count) resolve(got);
    }),
  );
}

function segmentsOf(count: number, size: number, lastSize: number): { packed: Buffer; parts: Buffer[] } {
  const parts: Buffer[] = [];
  for (let i = 0; i < count; i++) {
    const part = Buffer.alloc(i === count - 1 ? lastSize : size, i + 1);
    part.writeUInt16BE(i, 0);
    parts.push(part);
  }
  return { packed: Buffer.concat(parts), parts };
}

test('postSegments: packed datagrams arrive as separate datagrams, the short last one included', async () => {
  const a = await bindUdp({ address: '127.0.0.1', port: 0 });
  const b = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const { packed, parts } = segmentsOf(7, 1472, 300);
    const got = collect(b, 7);
    assert.equal(await new Promise((resolve) => a.postSegments(packed, 1472, b.local(), resolve)), null);
    const received = await got;
    received.sort((x, y) => x.readUInt16BE(0) - y.readUInt16BE(0));
    assert.deepEqual(received, parts);
  } finally {
    await a.close();
    await b.close();
  }
});

test('postSegments then a single datagram longer than the segment: it still arrives whole', async () => {
  const a = await bindUdp({ address: '127.0.0.1', port: 0 });
  const b = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const { packed } = segmentsOf(4, 600, 600);
    const sizes: number[] = [];
    const bigArrived = new Promise<void>((resolve) =>
      b.onMessage((d) => {
        sizes.push(d.length);
        if (d.length === 5000) resolve();
      }),
    );
    a.postSegments(packed, 600, b.local(), () => undefined);
    // Posted at once, while the segmented send may still be in flight.
    const err = await postAsync(a, Buffer.alloc(5000, 9), b.local());
    assert.equal(err, null);
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<void>((_resolve, reject) => {
      timer = setTimeout(() => reject(new Error(`no 5000-byte datagram; got sizes ${sizes.join(',')}`)), 3000);
    });
    await Promise.race([bigArrived, late]).finally(() => clearTimeout(timer));
    // Every datagram is a 600-byte segment or the whole 5000-byte one, never a piece of it.
    assert.deepEqual(sizes.filter((n) => n !== 600), [5000]);
  } finally {
    await a.close();
    await b.close();
  }
});

test('postSegments with a segment below the minimum or too many segments still delivers each one', async () => {
  const a = await bindUdp({ address: '127.0.0.1', port: 0 });
  const b = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const small = segmentsOf(3, 100, 40);
    const many = segmentsOf(70, 516, 516);
    const got = collect(b, 73);
    a.postSegments(small.packed, 100, b.local(), () => undefined);
    assert.equal(await new Promise((resolve) => a.postSegments(many.packed, 516, b.local(), resolve)), null);
    const received = await got;
    assert.equal(received.filter((d) => d.length === 100).length, 2);
    assert.equal(received.filter((d) => d.length === 40).length, 1);
    assert.equal(received.filter((d) => d.length === 516).length, 70);
  } finally {
    await a.close();
    await b.close();
  }
});

test('a MemoryNetwork endpoint splits postSegments into one datagram per segment', async () => {
  const net = new MemoryNetwork();
  const a = net.bind('10.0.0.1', 69);
  const b = net.bind('10.0.0.2');
  const { packed, parts } = segmentsOf(3, 516, 10);
  const got = collect(a, 3);
  b.postSegments(packed, 516, a.local(), () => undefined);
  assert.deepEqual(await got, parts);
});
