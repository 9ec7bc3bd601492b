/**
 * Proves the e2e harness: two namespaces joined by a veth pair carry a UDP datagram
 * both ways (socat-free: Node's own dgram inside `ip netns exec`), and teardown
 * leaves no namespace behind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Lab, e2eSkip, run } from './netns.js';

const skip = e2eSkip();

const ECHO_SERVER = `
const d = require('node:dgram').createSocket('udp4');
d.on('message', (m, r) => d.send(Buffer.concat([Buffer.from('echo:'), m]), r.port, r.address, () => d.close()));
d.bind(7777, '10.231.0.1', () => process.stdout.write('ready\\n'));
setTimeout(() => process.exit(3), 10000).unref();
`;

const ECHO_CLIENT = `
const d = require('node:dgram').createSocket('udp4');
d.on('message', (m) => { process.stdout.write(m.toString()); d.close(); });
d.send(Buffer.from('hello'), 7777, '10.231.0.1');
setTimeout(() => process.exit(4), 5000).unref();
`;

test('a UDP datagram crosses a veth pair between two lab namespaces and comes back', { skip }, async (t) => {
  const lab = new Lab();
  t.after(() => lab.destroy());
  const server = await lab.addNamespace('srv');
  const client = await lab.addNamespace('cli');
  await lab.link(server, client, { aAddress: '10.231.0.1/24', bAddress: '10.231.0.2/24' });

  const echo = server.spawn(process.execPath, ['-e', ECHO_SERVER], { maxMs: 15_000 });
  await new Promise<void>((resolve, reject) => {
    echo.stdout?.once('data', () => resolve());
    echo.once('exit', (code) => reject(new Error(`echo server exited ${code}`)));
  });
  const r = await client.exec(process.execPath, ['-e', ECHO_CLIENT], 8_000);
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, 'echo:hello');
});

test('teardown removes every namespace the lab made', { skip }, async () => {
  const lab = new Lab();
  await lab.addNamespace('x');
  await lab.addNamespace('y');
  const before = (await run('ip', ['netns', 'list'])).stdout;
  assert.match(before, new RegExp(`${lab.prefix}-x`));
  await lab.destroy();
  const after = (await run('ip', ['netns', 'list'])).stdout;
  assert.doesNotMatch(after, new RegExp(lab.prefix));
});
