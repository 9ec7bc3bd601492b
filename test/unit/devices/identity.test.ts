/** MAC spellings, fact merging and file-name patterns. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { canonicalMac, formatMacColons, mergeFacts } from '../../../src/devices/identity.js';
import { describePattern, matchesPattern } from '../../../src/devices/pattern.js';

test('canonicalMac: every common spelling gives 12 lower-case hex digits; others are refused', () => {
  for (const s of ['00:1b:d4:aa:bb:cc', '001bd4aabbcc', '001BD4AABBCC', '001b.d4aa.bbcc', '00-1B-D4-AA-BB-CC', ' 00:1B:D4:AA:BB:CC ']) assert.equal(canonicalMac(s), '001bd4aabbcc', s);
  for (const s of ['', '00:1b:d4:aa:bb', '00:1b:d4:aa:bb:cc:dd', 'g01bd4aabbcc', '001b:d4aa:bbcc', '0:1b:d4:aa:bb:cc']) assert.equal(canonicalMac(s), undefined, s);
  assert.equal(formatMacColons('001bd4aabbcc'), '00:1b:d4:aa:bb:cc');
});

test('mergeFacts: learned facts replace, unknown ones keep, long texts are clipped', () => {
  const merged = mergeFacts({ model: 'CP-8841', hostname: 'a' }, { hostname: 'b', arch: 7, vendorClass: 'v'.repeat(400) });
  assert.equal(merged.model, 'CP-8841');
  assert.equal(merged.hostname, 'b');
  assert.equal(merged.arch, 7);
  assert.equal(merged.vendorClass?.length, 255);
});

const SUBJECT = { mac: '001bd4aabbcc', hostname: 'Router1' };
const PATTERN_CASES: readonly [string, string, string, boolean][] = [
  ['{MAC} upper in the request', 'SEP{MAC}.cnf.xml', 'SEP001BD4AABBCC.cnf.xml', true],
  ['{MAC} pattern, lower-case request (old models)', 'SEP{MAC}.cnf.xml', 'sep001bd4aabbcc.cnf.xml', true],
  ['{mac} pattern, upper-case request', '{mac}.cfg', '001BD4AABBCC.cfg', true],
  ['another MAC does not match', '{mac}.cfg', '001bd4aabbcd.cfg', false],
  ['{hostname} matches whatever the case', '{hostname}-confg', 'router1-confg', true],
  ['* matches any run', '*.loads', 'sip88xx.14-1-1.loads', true],
  ['dots are literal, not regex wildcards', 'a.cfg', 'aXcfg', false],
  ['regex characters in a name are literal', 'x(1)+.bin', 'x(1)+.bin', true],
  ['anchored: a longer name does not match', 'SEP{MAC}.cnf.xml', 'SEP001BD4AABBCC.cnf.xml.bak', false],
];
for (const [edge, pattern, name, expected] of PATTERN_CASES) {
  test(`pattern: ${edge}`, () => assert.equal(matchesPattern(name, pattern, SUBJECT), expected));
}

test('pattern: {hostname} without a known hostname never matches; describePattern fills the MAC', () => {
  assert.equal(matchesPattern('router1-confg', '{hostname}-confg', { mac: '001bd4aabbcc' }), false);
  assert.equal(describePattern('SEP{MAC}.cnf.xml', SUBJECT), 'SEP001BD4AABBCC.cnf.xml');
});
