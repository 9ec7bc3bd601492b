/**
 * Properties over many generated inputs: a derived pool covers exactly the subnet's
 * hosts except the laptop; validation never throws, whatever the text; a valid
 * scope printed by formatScope reads back as itself.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { deriveScope, poolSize } from '../../../src/config/defaults.js';
import { formatScope, scopeToPlain } from '../../../src/config/format.js';
import { validateScopeText } from '../../../src/config/validate.js';
import { cidrHosts, intToIpv4, ipv4ToInt, parseCidr, prefixToMaskInt } from '../../../src/net/ipv4.js';

test('deriveScope: the pool is every host of the subnet but the laptop, in order, without overlap', () => {
  fc.assert(
    fc.property(fc.integer({ min: 16, max: 30 }), fc.integer({ min: 0, max: 0xffffffff }), (prefix, n) => {
      const network = (n & prefixToMaskInt(prefix)) >>> 0;
      const size = 2 ** (32 - prefix);
      const address = intToIpv4(network + 1 + (n % (size - 2)));
      const s = deriveScope({ name: 'p', interface: 'eth1', address, prefix });
      const { first, last } = cidrHosts(parseCidr(`${intToIpv4(network)}/${prefix}`));
      assert.equal(poolSize(s.ranges), size - 3);
      let prevEnd = ipv4ToInt(first) - 1;
      for (const r of s.ranges) {
        assert.ok(ipv4ToInt(r.start) > prevEnd && ipv4ToInt(r.start) <= ipv4ToInt(r.end));
        assert.ok(!(ipv4ToInt(address) >= ipv4ToInt(r.start) && ipv4ToInt(address) <= ipv4ToInt(r.end)));
        prevEnd = ipv4ToInt(r.end);
      }
      assert.ok(prevEnd <= ipv4ToInt(last));
    }),
    { numRuns: 300 },
  );
});

test('validateScopeText never throws: any text gives a scope or issues with a line and a message', () => {
  const lines = fc.constantFrom(
    'name: bench1', 'interface: eth1', 'subnet: 10.0.0.0/24', 'subnet: 10.0.0.0/33', 'range: 10.0.0.5-10.0.0.9', 'range: [',
    'router: 10.0.0.1', 'router: 1', 'dns: []', 'boot: { file: a }', 'boot: 7', 'options: { 300: x }', 'options: [1, 2]',
    'reservations: [{ mac: 00:11:22:33:44:55, ip: 10.0.0.9 }]', 'classes: [{ name: c, match: { arch: x } }]', 'leaseTime: -1',
    '  - junk', '&a x', '*a', '? complex', 'name:', '"unterminated', '\t', '',
  );
  fc.assert(
    fc.property(fc.array(fc.oneof(lines, fc.string()), { maxLength: 12 }), (parts) => {
      const r = validateScopeText(parts.join('\n'), 'scopes/bench1.yaml');
      if (!r.ok) {
        assert.ok(r.issues.length > 0);
        for (const i of r.issues) assert.ok(i.line >= 0 && i.message.length > 0 && i.file === 'scopes/bench1.yaml');
      }
    }),
    { numRuns: 400 },
  );
});

test('formatScope output of any valid generated scope validates to the same scope', () => {
  const scopeText = fc.record({
    third: fc.integer({ min: 0, max: 255 }),
    lease: fc.integer({ min: 10, max: 10_000_000 }),
    file: fc.stringMatching(/^[A-Za-z0-9._-]{1,40}$/),
    reserve: fc.integer({ min: 2, max: 254 }),
    noOption66: fc.boolean(),
  });
  fc.assert(
    fc.property(scopeText, (g) => {
      const text = [
        'name: bench1',
        'interface: eth1',
        `subnet: 10.${g.third}.0.0/24`,
        `leaseTime: ${g.lease}`,
        'boot:',
        `  file: "${g.file}"`,
        ...(g.noOption66 ? ['  tftpServerName: null'] : []),
        'reservations:',
        `  - { mac: 00:11:22:33:44:55, ip: 10.${g.third}.0.${g.reserve} }`,
      ].join('\n');
      const first = validateScopeText(text, 'scopes/bench1.yaml');
      assert.ok(first.ok, first.ok ? '' : first.issues.map((i) => i.message).join('; '));
      const again = validateScopeText(formatScope(first.scope), 'scopes/bench1.yaml');
      assert.ok(again.ok);
      assert.deepEqual(scopeToPlain(again.scope), scopeToPlain(first.scope));
      assert.equal(again.scope.leaseSeconds, g.lease);
    }),
    { numRuns: 150 },
  );
});
