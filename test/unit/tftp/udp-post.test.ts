/**
 * The UDP seam's callback send (`post`), used on the TFTP per-block path: it delivers
 * like `send`, reports every error to its callback, keeps `close()` waiting for it, and
 * the socket's literal-first lookup still resolves host names.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryNetwork, bindUdp, literalFirstLookup, type UdpEndpoint } from '../../../src/net/udp.js';

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
