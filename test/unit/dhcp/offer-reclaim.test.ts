/**
 * A pool full of pending offers (a burst of DISCOVERs that never REQUEST): a new client's
 * DISCOVER takes the oldest offer once it has been pending OFFER_RECLAIM_AFTER_SECONDS,
 * on the injected clock; bound leases are never taken.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { OFFER_RECLAIM_AFTER_SECONDS } from '../../../src/dhcp/constants.js';
import { getMessageType } from '../../../src/dhcp/packet.js';
import type { EngineResult } from '../../../src/dhcp/engine.js';
import { Bench, SERVER, T0, ip } from './fixtures.js';

const macOf = (i: number): string => `02:00:00:00:01:${i.toString(16).padStart(2, '0')}`;
const kindOf = (r: EngineResult): string => (r.kind === 'reply' ? `reply ${r.event.source ?? ''}`.trim() : r.reason.kind);

test('a full pool of pending offers: the oldest is given to a new DISCOVER after 5 s, not before; its first client is NAKed', () => {
  const b = new Bench();
  const offered = Array.from({ length: 10 }, (_, i) => {
    b.now = T0 + i * 100;
    const r = b.send({ type: 1, mac: macOf(i) });
    assert.equal(r.kind, 'reply');
    return r.kind === 'reply' ? r.reply.yiaddr : ip('0.0.0.0');
  });
  b.now = T0 + OFFER_RECLAIM_AFTER_SECONDS * 1000 - 1;
  assert.equal(kindOf(b.send({ type: 1, mac: '02:00:00:00:02:00' })), 'pool-exhausted', 'no offer is old enough yet');
  b.now = T0 + OFFER_RECLAIM_AFTER_SECONDS * 1000;
  const late = b.send({ type: 1, mac: '02:00:00:00:02:00' });
  assert.equal(kindOf(late), 'reply reclaimed');
  assert.equal(late.kind === 'reply' ? late.reply.yiaddr : '', offered[0], 'the oldest offer');
  assert.equal(b.table.get('bench', offered[0] ?? ip('0.0.0.0'))?.mac, '02:00:00:00:02:00');
  const first = b.send({ type: 3, mac: macOf(0), requested: offered[0], serverId: SERVER });
  assert.equal(first.kind === 'reply' ? getMessageType(first.reply) : undefined, 6, 'the first client, too late, gets a NAK and starts over');
});

test('bound leases are never taken, however long the pool has been full', () => {
  const b = new Bench();
  for (let i = 0; i < 10; i++) b.bind(macOf(i));
  b.now = T0 + 60_000;
  assert.equal(kindOf(b.send({ type: 1, mac: '02:00:00:00:02:00' })), 'pool-exhausted');
});
