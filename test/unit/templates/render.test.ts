/** Rendering: strictness, refused file access and impure filters, problems at file:line, same inputs same bytes, variables, cache. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadInventory } from '../../../src/inventory/index.js';
import { parseIpv4, parseMac } from '../../../src/net/ipv4.js';
import { buildVariables, formatTemplateProblem, RenderCache, TemplateEngine, type CompiledTemplate, type RenderKeyParts } from '../../../src/templates/index.js';

const engine = new TemplateEngine();

function compile(name: string, text: string): CompiledTemplate {
  const r = engine.parse(name, text);
  if (r.kind !== 'ok') assert.fail(formatTemplateProblem(r.problem));
  return r.template;
}

function text(t: CompiledTemplate, vars: object): string {
  const r = engine.render(t, vars);
  if (r.kind !== 'ok') assert.fail(formatTemplateProblem(r.problem));
  return Buffer.from(r.bytes).toString('utf8');
}

const ROW = loadInventory('mac,hostname,ip,ext,sip_password,vlan\n001BD4AABBCC,phone1,10.10.0.50,1001,s3<cr>t,\n', { file: 'inv.csv' }).rows[0];
const SCOPE = { name: 'bench1', subnet: '10.10.0.0/24', mask: parseIpv4('255.255.255.0'), router: parseIpv4('10.10.0.1'), dns: [parseIpv4('10.10.0.1')], domain: 'bench.lab' };
const SERVER = { address: parseIpv4('10.10.0.1') };

test('a phone config renders with device, scope, server and files; secrets are available; no HTML escaping', () => {
  assert.ok(ROW);
  const vars = buildVariables({ row: ROW, requester: { vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841', model: 'CP-8841' }, scope: SCOPE, server: SERVER, files: ['sip88xx.14-1-1.loads'] });
  const t = compile(
    'SEP{MAC}.cnf.xml.liquid',
    '<device name="SEP{{ device.MAC }}">{{ device.hostname }} {{ device.ext }} {{ device.sip_password }}\n{{ device.mac }} {{ device.mac_colon }} {{ device.mac_dash }} {{ device.mac_dot }} {{ device.ip }}\n{{ scope.router }} {{ scope.domain }} {{ scope.dns | join: "," }} {{ server.address }} {{ files | first }} {{ device.model }}\n{% if device.vlan != "" %}vlan{% endif %}{% if device.missing %}never{% endif %}',
  );
  assert.equal(
    text(t, vars),
    '<device name="SEP001BD4AABBCC">phone1 1001 s3<cr>t\n001bd4aabbcc 00:1b:d4:aa:bb:cc 00-1b-d4-aa-bb-cc 001b.d4aa.bbcc 10.10.0.50\n10.10.0.1 bench.lab 10.10.0.1 10.10.0.1 sip88xx.14-1-1.loads CP-8841\n',
  );
  assert.deepEqual(engine.render(t, vars), engine.render(t, vars), 'same inputs, same bytes');
});

test('a missing variable is a typed error naming template, line, column and variable, with no bytes', () => {
  const t = compile('{hostname}-confg.liquid', 'hostname {{ device.hostname }}\ninterface vlan {{ device.vlanid }}\n');
  const r = engine.render(t, buildVariables({ row: ROW, scope: SCOPE, server: SERVER, files: [] }));
  assert.deepEqual(r, { kind: 'error', problem: { template: '{hostname}-confg.liquid', line: 2, column: 19, variable: 'device.vlanid', message: 'undefined variable: device.vlanid' } });
  const unknown = engine.render(t, buildVariables({ scope: SCOPE, server: SERVER, files: [] }));
  assert.equal(unknown.kind === 'error' ? unknown.problem.variable : '', 'device', 'an unknown requester renders without device: the missing name is device');
});

test('parse problems name file:line; file access and impure filters are refused, table cases', () => {
  const cases: [string, RegExp, string][] = [
    ['a\n{% if x %}\nb', /^t\.liquid:\d+:\d+: .*(if|tag)/i, 'an unclosed if'],
    ['a\n\n{{ x | nope }}', /^t\.liquid:3:1: undefined filter: nope/, 'an unknown filter (strictFilters)'],
    ['a\n  {% include "secrets.txt" %}', /^t\.liquid:2:3: \{% include %\} is not allowed: a template cannot read other files/, 'include'],
    ['{% render "x" %}', /^t\.liquid:1:1: \{% render %\} is not allowed/, 'render'],
    ['{% layout "x" %}', /^t\.liquid:1:1: \{% layout %\} is not allowed/, 'layout'],
    ['{{ "now" | date: "%Y" }}', /undefined filter: date/, 'the clock'],
    ['{{ files | sample }}', /undefined filter: sample/, 'chance'],
  ];
  for (const [src, want, edge] of cases) {
    const r = engine.parse('t.liquid', src);
    assert.equal(r.kind, 'error', edge);
    if (r.kind === 'error') assert.match(formatTemplateProblem(r.problem), want, edge);
  }
});

test('device variables: canonical values replace typed ones; lease ip when no reservation', () => {
  const row = loadInventory('MAC,mac_dot,serial\n00-1B-D4-AA-BB-CC,x,FOC1\n', { file: 'i.csv' }).rows[0];
  assert.ok(row);
  const v = buildVariables({ row, requester: { leaseIp: parseIpv4('10.10.0.120'), mac: parseMac('00:1b:d4:00:00:01') }, scope: SCOPE, server: { address: SERVER.address, hostname: 'laptop' }, files: [] });
  assert.equal(v.device?.['MAC'], '001BD4AABBCC', 'the MAC form, not the typed cell');
  assert.equal(v.device?.['mac_dot'], '001b.d4aa.bbcc');
  assert.equal(v.device?.['ip'], '10.10.0.120');
  assert.equal(v.device?.['serial'], 'FOC1');
  assert.equal(v.server['hostname'], 'laptop');
  assert.equal(buildVariables({ scope: SCOPE, server: SERVER, files: [] }).device, undefined);
});

test('render cache: any input change is a miss, bounded, invalidation by template', () => {
  const cache = new RenderCache(2);
  const key: RenderKeyParts = { template: 'a.liquid', templateHash: 'h1', rowVersion: 'r1', leaseIp: '10.0.0.5', listingVersion: 1, contextVersion: 1, requested: 'a' };
  cache.set(key, Uint8Array.of(1));
  assert.deepEqual(cache.get(key), Uint8Array.of(1));
  for (const change of [{ templateHash: 'h2' }, { rowVersion: 'r2' }, { leaseIp: '10.0.0.6' }, { listingVersion: 2 }, { contextVersion: 2 }, { requested: 'b' }]) {
    assert.equal(cache.get({ ...key, ...change }), undefined, JSON.stringify(change));
  }
  cache.set({ ...key, requested: 'b' }, Uint8Array.of(2));
  cache.get(key); // key is now the most recently used
  cache.set({ ...key, requested: 'c' }, Uint8Array.of(3));
  assert.equal(cache.size, 2);
  assert.equal(cache.get({ ...key, requested: 'b' }), undefined, 'least recently used dropped');
  assert.deepEqual(cache.get(key), Uint8Array.of(1));
  cache.set({ ...key, template: 'other.liquid' }, Uint8Array.of(4));
  cache.invalidateTemplate('a.liquid');
  assert.equal(cache.size, 1);
  cache.clear();
  assert.equal(cache.size, 0);
  assert.throws(() => new RenderCache(0), /positive integer/);
});
