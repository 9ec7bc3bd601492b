/**
 * The link watcher's decision (net/link-watch.ts): two looks at one served interface →
 * what changed. Table cases, each naming the bench event it stands for.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseIpv4 } from '../../../src/net/ipv4.js';
import { compareLinks, type LinkChange, type LinkObservation } from '../../../src/net/link-watch.js';

const addr = (a: string, prefix = 24) => ({ address: parseIpv4(a), prefix });
const up = (ifindex: number, ...addresses: string[]): LinkObservation => ({ present: true, ifindex, isUp: true, addresses: addresses.map((a) => addr(a)) });
const down = (ifindex: number, ...addresses: string[]): LinkObservation => ({ present: true, ifindex, isUp: false, addresses: addresses.map((a) => addr(a)) });
const gone: LinkObservation = { present: false };

const cases: { name: string; before: LinkObservation; now: LinkObservation; change: LinkChange | undefined }[] = [
  { name: 'nothing changed', before: up(3, '10.9.0.1'), now: up(3, '10.9.0.1'), change: undefined },
  { name: 'USB adapter unplugged', before: up(3, '10.9.0.1'), now: gone, change: { kind: 'lost', name: 'eth1', condition: 'gone' } },
  { name: 'cable pulled (no carrier)', before: up(3, '10.9.0.1'), now: down(3, '10.9.0.1'), change: { kind: 'lost', name: 'eth1', condition: 'down' } },
  { name: 'still gone', before: gone, now: gone, change: undefined },
  { name: 'still down', before: down(3), now: down(3), change: undefined },
  { name: 'plugged back, not up yet', before: gone, now: down(8), change: { kind: 'lost', name: 'eth1', condition: 'down' } },
  { name: 'plugged back and up: new ifindex', before: gone, now: up(8, '10.9.0.1'), change: { kind: 'back', name: 'eth1', ifindex: 8, addresses: [addr('10.9.0.1')] } },
  { name: 'cable back in', before: down(3, '10.9.0.1'), now: up(3, '10.9.0.1'), change: { kind: 'back', name: 'eth1', ifindex: 3, addresses: [addr('10.9.0.1')] } },
  { name: 'unplugged and plugged back between two looks', before: up(3, '10.9.0.1'), now: up(9, '10.9.0.1'), change: { kind: 'back', name: 'eth1', ifindex: 9, addresses: [addr('10.9.0.1')] } },
  { name: 'address changed while up', before: up(3, '10.9.0.1'), now: up(3, '192.168.1.20'), change: { kind: 'readdressed', name: 'eth1', ifindex: 3, addresses: [addr('192.168.1.20')] } },
  { name: 'same addresses in another order', before: up(3, '10.9.0.1', '10.8.0.1'), now: up(3, '10.8.0.1', '10.9.0.1'), change: undefined },
];

for (const c of cases) {
  test(`compareLinks: ${c.name}`, () => {
    assert.deepEqual(compareLinks('eth1', c.before, c.now), c.change);
  });
}
