/**
 * Interface discovery and DHCP socket binding on this machine's loopback:
 * SO_BINDTOIFINDEX really pins the socket (the kernel reports the ifindex back),
 * DEP0112 is silenced and nothing else is, interface errors are clear.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import dgram from 'node:dgram';
import { fileURLToPath } from 'node:url';
import { bindDhcpSocket, bindSocketToIfindex, withoutDep0112 } from '../../src/net/bind-interface.js';
import { findInterface, listInterfaces, requireInterfaceForSubnet, type InterfaceSource } from '../../src/net/interfaces.js';
import { parseCidr } from '../../src/net/ipv4.js';
import { isNetError } from '../../src/net/net-error.js';

const fakeSource: InterfaceSource = {
  addresses: () => ({
    lab0: [{ address: '10.50.0.1', netmask: '255.255.255.0', internal: false }],
    lab1: [],
  }),
  ifindex: (name) => Promise.resolve(name === 'lab0' ? 7 : name === 'lab1' ? 8 : undefined),
};

test('listInterfaces reports loopback with ifindex and 127.0.0.1/8', async () => {
  const all = await listInterfaces();
  const lo = all.find((i) => i.name === 'lo');
  assert.ok(lo, `no lo in ${all.map((i) => i.name).join(',')}`);
  assert.equal(lo.isLoopback, true);
  assert.ok(lo.ifindex > 0);
  assert.deepEqual(lo.addresses.find((a) => a.address === '127.0.0.1'), { address: '127.0.0.1', prefix: 8 });
  assert.equal(await findInterface('no-such-if0'), undefined);
});

test('a served interface must exist and hold an address in the scope subnet (BB_INTERFACE)', async () => {
  const ok = await requireInterfaceForSubnet('lab0', parseCidr('10.50.0.0/24'), fakeSource);
  assert.equal(ok.address, '10.50.0.1');
  assert.equal(ok.iface.ifindex, 7);
  await assert.rejects(requireInterfaceForSubnet('eth9', parseCidr('10.50.0.0/24'), fakeSource), (err: unknown) =>
    isNetError(err, 'interface') && /eth9 does not exist.*lab0/.test(String(err)),
  );
  await assert.rejects(requireInterfaceForSubnet('lab0', parseCidr('10.51.0.0/24'), fakeSource), (err: unknown) =>
    isNetError(err, 'interface') && /no IPv4 address in 10\.51\.0\.0\/24 \(it has 10\.50\.0\.1\/24\)/.test(String(err)),
  );
  await assert.rejects(requireInterfaceForSubnet('lab1', parseCidr('10.51.0.0/24'), fakeSource), /no IPv4 address/);
});

test('an interface socket is pinned: the kernel reports the ifindex it was bound to', { skip: process.platform !== 'linux' }, async () => {
  const lo = await findInterface('lo');
  assert.ok(lo);
  const socket = dgram.createSocket({ type: 'udp4', reuseAddr: true });
  await new Promise<void>((resolve) => socket.bind(0, '0.0.0.0', resolve));
  try {
    bindSocketToIfindex(socket, lo.ifindex, 'lo');
    const { createRequire } = await import('node:module');
    const sockopt = createRequire(import.meta.url)('sockopt') as { getsockopt(s: unknown, l: number, o: number): number };
    assert.equal(withoutDep0112(() => sockopt.getsockopt(socket, 1, 62)), lo.ifindex);
    // Linux accepts any positive ifindex here (it does not look the device up), so the
    // index must come from /sys (findInterface); zero would mean "unpin" and is refused.
    assert.throws(() => bindSocketToIfindex(socket, 0, 'ghost0'), (err: unknown) => isNetError(err, 'socket') && /ghost0/.test(String(err)));
  } finally {
    socket.close();
  }
});

test('a socket pinned to lo receives loopback datagrams', { skip: process.platform !== 'linux' }, async () => {
  const lo = await findInterface('lo');
  assert.ok(lo);
  const probe = dgram.createSocket('udp4');
  await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
  const port = probe.address().port;
  probe.close();
  const ep = await bindDhcpSocket({ kind: 'interface', interfaceName: 'lo', ifindex: lo.ifindex, port });
  try {
    const got = new Promise<string>((resolve) => ep.onMessage((d) => resolve(d.toString())));
    const sender = dgram.createSocket('udp4');
    sender.send('hello-lo', port, '127.0.0.1', () => sender.close());
    assert.equal(await got, 'hello-lo');
  } finally {
    await ep.close();
  }
});

test('a taken loopback port is BB_PORT_IN_USE', async () => {
  const a = await bindDhcpSocket({ kind: 'loopback', port: 0 });
  try {
    await assert.rejects(bindDhcpSocket({ kind: 'loopback', port: a.local().port }), (err: unknown) => isNetError(err, 'port-in-use'));
  } finally {
    await a.close();
  }
});

const bindInterfaceModule = fileURLToPath(new URL('../../src/net/bind-interface.js', import.meta.url));

test('DEP0112 from sockopt is silenced, and other warnings still print', { skip: process.platform !== 'linux' }, async () => {
  const script = `
    import { bindDhcpSocket } from ${JSON.stringify(bindInterfaceModule)};
    import { readFileSync } from 'node:fs';
    const ifindex = Number(readFileSync('/sys/class/net/lo/ifindex', 'utf8'));
    const ep = await bindDhcpSocket({ kind: 'interface', interfaceName: 'lo', ifindex, port: 0 });
    process.emitWarning('a different deprecation', 'DeprecationWarning', 'DEP9999');
    await ep.close();
    process.stdout.write('bound\\n');
  `;
  const child = spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
  assert.equal(code, 0, stderr);
  assert.equal(stdout, 'bound\n');
  assert.doesNotMatch(stderr, /DEP0112|_handle/);
  assert.match(stderr, /DEP9999/);
});
