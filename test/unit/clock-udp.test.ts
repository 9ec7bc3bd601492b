/** The time and UDP seams: FakeClock fires timers in order; MemoryNetwork delivers and drops like a wire. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FakeClock } from '../../src/clock.js';
import { MemoryNetwork, bindUdp } from '../../src/net/udp.js';

test('FakeClock fires due timers in time order and never early', () => {
  const clock = new FakeClock(0);
  const fired: string[] = [];
  clock.setTimer(300, () => fired.push('b'));
  clock.setTimer(100, () => fired.push('a'));
  const c = clock.setTimer(200, () => fired.push('cancelled'));
  c.cancel();
  clock.advance(99);
  assert.deepEqual(fired, []);
  clock.advance(250);
  assert.deepEqual(fired, ['a', 'b']);
  assert.equal(clock.now(), 349);
  assert.equal(clock.pending, 0);
});

test('MemoryNetwork delivers by address and port, and its filter drops like a lossy link', async () => {
  const net = new MemoryNetwork();
  const a = net.bind('10.0.0.1', 69);
  const b = net.bind('10.0.0.2');
  const got: string[] = [];
  a.onMessage((d, from) => got.push(`${d.toString()} from ${from.address}:${from.port}`));
  await b.send(Buffer.from('one'), { address: '10.0.0.1', port: 69 });
  net.filter = () => false;
  await b.send(Buffer.from('two'), { address: '10.0.0.1', port: 69 });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(got, [`one from 10.0.0.2:${b.local().port}`]);
  assert.equal(net.sent.length, 2);
  assert.throws(() => net.bind('10.0.0.1', 69), /EADDRINUSE/);
});

test('a real loopback endpoint sends and receives, and reports a bind conflict', async () => {
  const a = await bindUdp({ address: '127.0.0.1', port: 0 });
  const b = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const got = new Promise<string>((resolve) => a.onMessage((d) => resolve(d.toString())));
    await b.send(Buffer.from('ping'), a.local());
    assert.equal(await got, 'ping');
    await assert.rejects(bindUdp({ address: '127.0.0.1', port: a.local().port }), /EADDRINUSE/);
  } finally {
    await a.close();
    await b.close();
  }
});

test('closing a real endpoint right after a send still delivers the datagram', async () => {
  const receiver = await bindUdp({ address: '127.0.0.1', port: 0 });
  try {
    const got: string[] = [];
    receiver.onMessage((d) => got.push(d.toString()));
    for (let i = 0; i < 20; i++) {
      const sender = await bindUdp({ address: '127.0.0.1', port: 0 });
      // Not awaited on purpose: this is what a server does when it sends a last ERROR and closes.
      void sender.send(Buffer.from(`last-${i}`), receiver.local());
      await sender.close();
    }
    for (let i = 0; i < 100 && got.length < 20; i++) await new Promise((r) => setTimeout(r, 10));
    assert.equal(got.length, 20);
  } finally {
    await receiver.close();
  }
});
