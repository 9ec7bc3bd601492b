/** Template name rules as named table cases: token match, case, static file wins, precedence. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseMac } from '../../../src/net/ipv4.js';
import { parseTemplateName, resolveName, type NameResolution } from '../../../src/templates/index.js';

const MAC = parseMac('00:1b:d4:aa:bb:cc');

const LISTING = [
  'SEP{MAC}.cnf.xml.liquid',
  'XMLDefault.cnf.xml.liquid',
  'network-confg.liquid',
  '{hostname}-confg.liquid',
  '{mac}.cfg.liquid',
  'SEP001BD4AABBCE.cnf.xml', // a hand-written file for one phone
  'firmware.bin',
];

test('resolveName in one location, table cases', () => {
  const cases: [string, NameResolution, string][] = [
    ['SEP001BD4AABBCC.cnf.xml', { kind: 'template', file: 'SEP{MAC}.cnf.xml.liquid', captured: { mac: MAC } }, '{MAC} token, MAC extracted'],
    ['sep001bd4aabbcc.cnf.xml', { kind: 'template', file: 'SEP{MAC}.cnf.xml.liquid', captured: { mac: MAC } }, 'case-insensitive, as old phones ask'],
    ['SEP001BD4AABBCE.cnf.xml', { kind: 'static', file: 'SEP001BD4AABBCE.cnf.xml' }, 'a static file of the name wins over a template'],
    ['XMLDefault.cnf.xml', { kind: 'template', file: 'XMLDefault.cnf.xml.liquid', captured: {} }, 'token-less template'],
    ['network-confg', { kind: 'template', file: 'network-confg.liquid', captured: {} }, 'token-less template beats {hostname}-confg'],
    ['router1-confg', { kind: 'template', file: '{hostname}-confg.liquid', captured: { hostname: 'router1' } }, '{hostname} token'],
    ['ROUTER1-confg', { kind: 'template', file: '{hostname}-confg.liquid', captured: { hostname: 'ROUTER1' } }, 'host name whatever its case (lookup ignores case)'],
    ['001bd4aabbcc.cfg', { kind: 'template', file: '{mac}.cfg.liquid', captured: { mac: MAC } }, '{mac} token'],
    ['001BD4AABBCC.cfg', { kind: 'template', file: '{mac}.cfg.liquid', captured: { mac: MAC } }, '{mac} matched ignoring case too'],
    ['SEP001BD4AABB.cnf.xml', { kind: 'none' }, 'too few hex digits'],
    ['SEP001BD4AABBCCDD.cnf.xml', { kind: 'none' }, 'too many hex digits'],
    ['-confg', { kind: 'none' }, 'empty host name'],
    ['firmware.bin', { kind: 'static', file: 'firmware.bin' }, 'plain static file'],
    ['SEP{MAC}.cnf.xml.liquid', { kind: 'none' }, 'a template is never sent raw'],
    ['missing.txt', { kind: 'none' }, 'nothing answers'],
  ];
  for (const [requested, want, edge] of cases) assert.deepEqual(resolveName(requested, LISTING), want, `${requested}: ${edge}`);
});

test('precedence among several matching token templates: more literal text, then MAC over host name, then file name', () => {
  const cases: [string[], string, string, string][] = [
    [['{hostname}.cfg.liquid', '{mac}.cfg.liquid'], '001bd4aabbcc.cfg', '{mac}.cfg.liquid', 'same literal length: the MAC token wins'],
    [['{mac}.cfg.liquid', 'x{mac}.cfg.liquid'], 'x001bd4aabbcc.cfg', 'x{mac}.cfg.liquid', 'more literal characters wins'],
    [['{MAC}.cfg.liquid', '{mac}.cfg.liquid'], '001bd4aabbcc.cfg', '{MAC}.cfg.liquid', 'a tie is broken by file name, not listing order'],
    [['{mac}.cfg.liquid', '{MAC}.cfg.liquid'], '001bd4aabbcc.cfg', '{MAC}.cfg.liquid', 'the same tie in the other listing order'],
  ];
  for (const [listing, requested, want, edge] of cases) {
    const got = resolveName(requested, listing);
    assert.equal(got.kind === 'template' ? got.file : got.kind, want, edge);
  }
});

test('template names: plain, token, and not templates', () => {
  assert.deepEqual(parseTemplateName('network-confg.liquid'), { kind: 'plain', file: 'network-confg.liquid', answers: 'network-confg' });
  assert.equal(parseTemplateName('.liquid'), undefined, 'no name before the suffix');
  assert.equal(parseTemplateName('network-confg'), undefined, 'not a template');
  const t = parseTemplateName('{mac}-{mac}.liquid');
  assert.equal(t?.kind, 'token');
  assert.deepEqual(resolveName('001bd4aabbcc-001bd4aabbcd', ['{mac}-{mac}.liquid']), { kind: 'none' }, 'two tokens must agree');
  assert.deepEqual(resolveName('a.b(c)-confg', ['a.b(c)-confg.liquid']).kind, 'template', 'regex characters in names are literal');
});
