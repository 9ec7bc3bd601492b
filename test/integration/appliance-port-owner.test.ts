/**
 * The port-owner lookup against the real /proc: a UDP socket this test binds on
 * 127.0.0.1 is found and attributed to this very process.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bindUdp } from '../../src/net/udp.js';
import { findUdpPortOwners } from '../../src/net/port-owner.js';

test('a bound socket is attributed to the process that holds it', async (t) => {
  const ep = await bindUdp({ address: '127.0.0.1', port: 0 });
  t.after(() => ep.close());
  const port = ep.local().port;
  const owners = await findUdpPortOwners(port);
  assert.equal(owners.length, 1);
  assert.equal(owners[0]?.localAddress, '127.0.0.1');
  assert.ok(owners[0]?.processes.some((p) => p.pid === process.pid), JSON.stringify(owners));
  assert.deepEqual(await findUdpPortOwners(port, { ignorePids: [process.pid] }), []);
});
