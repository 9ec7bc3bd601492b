/**
 * The new-client rate limit (issue 16 point 6): the token bucket on the injected clock,
 * and the gate over the engine's answers — new clients take tokens, known clients
 * (a pending offer's REQUEST, renewals, a device that comes back, a reservation) never do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { respond, type EngineResult } from '../../../src/dhcp/engine.js';
import { NewClientGate, newClientScope } from '../../../src/dhcp/new-client-gate.js';
import { NewClientLimiter } from '../../../src/dhcp/new-client-limit.js';
import { readRequestFacts } from '../../../src/dhcp/request-facts.js';
import { createSilentLogger } from '../../../src/log.js';
import { Bench, SERVER, T0, benchScope, ip, mac, request, type RequestSpec } from './fixtures.js';

test('the bucket admits a burst, then the rate: 3 at once, then one every 500 ms at 2/s', () => {
  const limiter = new NewClientLimiter({ perSecond: 2, burst: 3 });
  assert.deepEqual([1, 2, 3, 4].map(() => limiter.take('bench', T0)), [true, true, true, false]);
  assert.equal(limiter.take('bench', T0 + 499), false, 'not yet a whole token after 499 ms');
  assert.equal(limiter.take('bench', T0 + 500), true);
  assert.equal(limiter.take('bench', T0 + 500), false);
  assert.equal(limiter.available('bench', T0 + 60_000), 3, 'never more than the burst, however long it rested');
});

test('each key has its own bucket: one scope under a burst leaves another untouched', () => {
  const limiter = new NewClientLimiter({ perSecond: 1, burst: 1 });
  assert.equal(limiter.take('left', T0), true);
  assert.equal(limiter.take('left', T0), false);
  assert.equal(limiter.take('right', T0), true);
});

test('a clock that steps back does not mint tokens', () => {
  const limiter = new NewClientLimiter({ perSecond: 10, burst: 1 });
  assert.equal(limiter.take('bench', T0), true);
  assert.equal(limiter.take('bench', T0 - 10_000), false);
  assert.equal(limiter.take('bench', T0 + 50), false, 'the bucket kept its latest time');
  assert.equal(limiter.take('bench', T0 + 100), true);
});

test('buckets that filled up again are forgotten, so many keys do not pile up', () => {
  const limiter = new NewClientLimiter({ perSecond: 1, burst: 1 });
  for (let i = 0; i < 200; i++) limiter.take(`scope${i}`, T0);
  assert.ok(limiter.size >= 200);
  limiter.take('late', T0 + 2000);
  assert.equal(limiter.size, 1);
});

/** Feeds the engine through the gate and applies what passes, as the server does. */
class GatedBench extends Bench {
  readonly gate: NewClientGate;

  constructor(perSecond: number, burst: number, scope = benchScope()) {
    super([scope]);
    this.gate = new NewClientGate({ perSecond, burst }, createSilentLogger());
  }

  override send(spec: RequestSpec): EngineResult {
    const facts = readRequestFacts(request(spec));
    const answer = respond({ facts, interfaceName: this.interfaceName, serverAddress: this.serverAddress, now: this.now }, this.scopes, this.table);
    const result = this.gate.check(answer, facts, this.scopes, this.table, this.now);
    this.table.apply(result.changes);
    return result;
  }
}

const kindOf = (r: EngineResult): string => (r.kind === 'reply' ? 'reply' : r.reason.kind);

test('new clients over the rate get no OFFER and take no address: a drop of the kind rate-limited', () => {
  const b = new GatedBench(1, 2);
  const kinds = ['02:00:00:00:00:01', '02:00:00:00:00:02', '02:00:00:00:00:03'].map((m) => kindOf(b.send({ type: 1, mac: m })));
  assert.deepEqual(kinds, ['reply', 'reply', 'rate-limited']);
  assert.equal(b.table.findByClient('bench', 'mac:02:00:00:00:00:03'), undefined, 'the refused client holds nothing');
  assert.equal(b.table.stats('bench', b.now).offered, 2);
  b.now += 1000;
  assert.equal(kindOf(b.send({ type: 1, mac: '02:00:00:00:00:03' })), 'reply', 'a second later its retry is served');
});

test('known clients never wait: the REQUEST after an OFFER, a renewal, an INIT-REBOOT of a known client', () => {
  const b = new GatedBench(1, 1);
  const offer = b.send({ type: 1, mac: '02:00:00:00:00:01' });
  assert.equal(offer.kind, 'reply');
  const yiaddr = offer.kind === 'reply' ? offer.reply.yiaddr : ip('0.0.0.0');
  assert.equal(kindOf(b.send({ type: 1, mac: '02:00:00:00:00:02' })), 'rate-limited', 'the bucket is empty');
  assert.equal(kindOf(b.send({ type: 3, mac: '02:00:00:00:00:01', requested: yiaddr, serverId: SERVER })), 'reply');
  assert.equal(kindOf(b.send({ type: 3, mac: '02:00:00:00:00:01', ciaddr: yiaddr })), 'reply');
  assert.equal(kindOf(b.send({ type: 3, mac: '02:00:00:00:00:01', requested: yiaddr })), 'reply');
  assert.equal(b.table.get('bench', yiaddr)?.state, 'bound');
});

test('an INIT-REBOOT from an unknown MAC is a new client: it takes a token (a burst of them cannot bind the pool)', () => {
  const b = new GatedBench(1, 1);
  assert.equal(kindOf(b.send({ type: 3, mac: '02:00:00:00:00:01', requested: '10.9.0.100' })), 'reply');
  assert.equal(kindOf(b.send({ type: 3, mac: '02:00:00:00:00:02', requested: '10.9.0.101' })), 'rate-limited');
  assert.equal(b.table.get('bench', ip('10.9.0.101')), undefined);
});

test('a reserved device is never limited, and answers that give no address pass untouched', () => {
  const scope = benchScope({ reservations: [{ mac: mac('02:00:00:00:00:aa'), ip: ip('10.9.0.50') }] });
  const b = new GatedBench(1, 1, scope);
  assert.equal(kindOf(b.send({ type: 1, mac: '02:00:00:00:00:01' })), 'reply');
  assert.equal(kindOf(b.send({ type: 1, mac: '02:00:00:00:00:aa' })), 'reply');
  const nak = b.send({ type: 3, mac: '02:00:00:00:00:03', requested: '10.20.0.5' });
  assert.equal(nak.kind, 'reply', 'a NAK (wrong network) is sent whatever the rate');
  const facts = readRequestFacts(request({ type: 3, mac: '02:00:00:00:00:03', requested: '10.20.0.5' }));
  assert.equal(newClientScope(nak, facts, b.scopes, b.table), undefined);
});
