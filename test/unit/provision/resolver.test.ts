/** ProvisionResolver: the issue 12 template rules as named table cases, caching, reload, and checkTemplates. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { InventoryIndex, loadInventory } from '../../../src/inventory/index.js';
import { parseIpv4, parseMac } from '../../../src/net/ipv4.js';
import { MemoryProvisionFiles, ProvisionResolver, type ProvisionResult, type Requester } from '../../../src/provision/index.js';
import { formatTemplateProblem, RenderCache } from '../../../src/templates/index.js';

const INVENTORY = 'mac,serial,hostname,ip,ext\n001BD4AABBCC,,phone1,10.10.0.50,1001\n,FTX1234,router1,10.10.0.60,\n';
const SCOPE = { name: 'bench1', subnet: '10.10.0.0/24', mask: parseIpv4('255.255.255.0'), router: parseIpv4('10.10.0.1'), dns: [parseIpv4('10.10.0.1')] };
const SERVER = { address: parseIpv4('10.10.0.1') };
const PHONE: Requester = { mac: parseMac('00:1b:d4:aa:bb:cc'), ip: parseIpv4('10.10.0.50'), vendorClass: 'Cisco Systems, Inc. IP Phone CP-8841' };
const STRANGER: Requester = { mac: parseMac('52:54:00:00:00:01'), ip: parseIpv4('10.10.0.101') };

function tree(): MemoryProvisionFiles {
  return new MemoryProvisionFiles({
    '/root/SEP{MAC}.cnf.xml.liquid': '<device>{{ device.hostname }} {{ device.ext }} {{ device.MAC }} {{ server.address }}</device>\n',
    '/root/{hostname}-confg.liquid': 'hostname {{ device.hostname }}\nip address {{ device.ip }} {{ scope.mask }}\n',
    '/root/XMLDefault.cnf.xml.liquid': '{% if device %}known {{ device.hostname }}{% else %}unknown{% endif %} via {{ server.address }}\n',
    '/root/network-confg': 'static network-confg\n',
    '/root/network-confg.liquid': 'templated network-confg\n',
    '/root/vlan.cfg.liquid': 'line 1\nvlan {{ device.vlan }}\n',
    '/root/sip88xx.loads': 'firmware',
    '/alt/SEP0000000000AA.cnf.xml': 'static in alternate\n',
    '/alt/only-alt.cfg.liquid': 'from alternate for {{ device.hostname }}\n',
  });
}

function resolver(files = tree()): ProvisionResolver {
  return new ProvisionResolver({ locations: ['/root', '/alt'], files, inventory: new InventoryIndex(loadInventory(INVENTORY, { file: 'inv.csv' })) });
}

function describe(r: ProvisionResult): string {
  switch (r.kind) {
    case 'static':
      return `static ${r.path}`;
    case 'rendered':
      return `rendered ${r.template} for ${r.device?.hostname ?? '-'}: ${Buffer.from(r.bytes).toString('utf8')}`;
    case 'render-error':
      return `error ${formatTemplateProblem(r.problem)}`;
    case 'none':
      return 'none';
  }
}

const CASES: readonly { name: string; file: string; requester: Requester; want: string }[] = [
  { name: 'token match: SEP{MAC} answers the phone with a row', file: 'SEP001BD4AABBCC.cnf.xml', requester: PHONE, want: 'rendered /root/SEP{MAC}.cnf.xml.liquid for phone1: <device>phone1 1001 001BD4AABBCC 10.10.0.1</device>\n' },
  { name: 'case: a lower-case MAC in the request still matches {MAC}', file: 'SEP001bd4aabbcc.cnf.xml', requester: PHONE, want: 'rendered /root/SEP{MAC}.cnf.xml.liquid for phone1: <device>phone1 1001 001BD4AABBCC 10.10.0.1</device>\n' },
  { name: 'case: {hostname} matches whatever the case IOS asks in', file: 'ROUTER1-confg', requester: STRANGER, want: 'rendered /root/{hostname}-confg.liquid for router1: hostname router1\nip address 10.10.0.60 255.255.255.0\n' },
  { name: 'static wins: a hand-written file overrides the template beside it', file: 'network-confg', requester: STRANGER, want: 'static /root/network-confg' },
  { name: 'unknown requester: a token-less template renders without device', file: 'XMLDefault.cnf.xml', requester: STRANGER, want: 'rendered /root/XMLDefault.cnf.xml.liquid for -: unknown via 10.10.0.1\n' },
  { name: 'known requester: a token-less template renders with its row', file: 'XMLDefault.cnf.xml', requester: PHONE, want: 'rendered /root/XMLDefault.cnf.xml.liquid for phone1: known phone1 via 10.10.0.1\n' },
  { name: 'known by reserved address only: the row is found by ip', file: 'XMLDefault.cnf.xml', requester: { ip: parseIpv4('10.10.0.60') }, want: 'rendered /root/XMLDefault.cnf.xml.liquid for router1: known router1 via 10.10.0.1\n' },
  { name: 'token template without a row falls through to nothing (default-file rules come next)', file: 'SEP00000000BBBB.cnf.xml', requester: STRANGER, want: 'none' },
  { name: 'token template without a row falls through to the next location', file: 'SEP0000000000AA.cnf.xml', requester: STRANGER, want: 'static /alt/SEP0000000000AA.cnf.xml' },
  { name: 'second location: a template found only in the alternate', file: 'only-alt.cfg', requester: PHONE, want: 'rendered /alt/only-alt.cfg.liquid for phone1: from alternate for phone1\n' },
  { name: 'missing variable: a render error naming template:line and the variable', file: 'vlan.cfg', requester: PHONE, want: 'error /root/vlan.cfg.liquid:2:9: undefined variable: device.vlan' },
  { name: 'a static file with no template is sent as it is', file: 'sip88xx.loads', requester: PHONE, want: 'static /root/sip88xx.loads' },
  { name: 'a template is never sent raw', file: 'network-confg.liquid', requester: PHONE, want: 'none' },
  { name: 'a name that climbs out of the location gets nothing', file: '../etc/passwd', requester: PHONE, want: 'none' },
  { name: 'a name found nowhere gets nothing', file: 'nothing.cfg', requester: PHONE, want: 'none' },
];

for (const c of CASES) {
  test(`resolve: ${c.name}`, async () => {
    const r = await resolver().resolve({ name: c.file, requester: c.requester, scope: SCOPE, server: SERVER });
    assert.equal(describe(r), c.want);
  });
}

test('another device asking for a phone file gets the row, not the asker lease or vendor class', async () => {
  const files = new MemoryProvisionFiles({ '/root/SEP{MAC}.cnf.xml.liquid': '{{ device.ip }} {{ device.vendor_class | default: "none" }}' });
  const r = await new ProvisionResolver({ locations: ['/root'], files, inventory: new InventoryIndex(loadInventory(INVENTORY, { file: 'inv.csv' })) }).resolve({
    name: 'SEP001BD4AABBCC.cnf.xml',
    requester: { ...STRANGER, vendorClass: 'PXEClient' },
    scope: SCOPE,
    server: SERVER,
  });
  assert.equal(describe(r), 'rendered /root/SEP{MAC}.cnf.xml.liquid for phone1: 10.10.0.50 none');
});

test('isCaseInsensitive finds static files and plain templates whatever the case; off by default', async () => {
  const files = tree();
  const strict = resolver(files);
  const loose = new ProvisionResolver({ locations: ['/root', '/alt'], files, isCaseInsensitive: true });
  const ask = async (r: ProvisionResolver, name: string): Promise<string> => describe(await r.resolve({ name, requester: STRANGER, scope: SCOPE, server: SERVER }));
  assert.equal(await ask(strict, 'SIP88XX.LOADS'), 'none');
  assert.equal(await ask(loose, 'SIP88XX.LOADS'), 'static /root/sip88xx.loads');
  assert.equal(await ask(loose, 'xmldefault.CNF.xml'), 'rendered /root/XMLDefault.cnf.xml.liquid for -: unknown via 10.10.0.1\n');
});

test('without an inventory a token template answers nobody and a plain one renders without device', async () => {
  const r = new ProvisionResolver({ locations: ['/root', '/alt'], files: tree() });
  assert.equal(describe(await r.resolve({ name: 'SEP001BD4AABBCC.cnf.xml', requester: PHONE, scope: SCOPE, server: SERVER })), 'none');
  assert.equal(describe(await r.resolve({ name: 'XMLDefault.cnf.xml', requester: PHONE, scope: SCOPE, server: SERVER })), 'rendered /root/XMLDefault.cnf.xml.liquid for -: unknown via 10.10.0.1\n');
});

test('renders are cached until the template, the row, the tree or the facts change', async () => {
  const files = tree();
  const cache = new RenderCache();
  const r = new ProvisionResolver({ locations: ['/root'], files, cache, inventory: new InventoryIndex(loadInventory(INVENTORY, { file: 'inv.csv' })) });
  const ask = async (server = SERVER): Promise<string> => describe(await r.resolve({ name: 'SEP001BD4AABBCC.cnf.xml', requester: PHONE, scope: SCOPE, server }));
  const first = await ask();
  assert.equal(await ask(), first);
  assert.equal(cache.size, 1, 'the second request is a cache hit');
  files.write('/root/SEP{MAC}.cnf.xml.liquid', 'v2 {{ device.ext }}');
  assert.equal(await ask(), 'rendered /root/SEP{MAC}.cnf.xml.liquid for phone1: v2 1001');
  r.setInventory(new InventoryIndex(loadInventory(INVENTORY.replace('1001', '2002'), { file: 'inv.csv' })));
  assert.equal(await ask(), 'rendered /root/SEP{MAC}.cnf.xml.liquid for phone1: v2 2002');
  files.write('/root/SEP{MAC}.cnf.xml.liquid', '{{ server.address }} {{ files | join: "," }}');
  assert.equal(await ask({ address: parseIpv4('10.10.0.2') }), 'rendered /root/SEP{MAC}.cnf.xml.liquid for phone1: 10.10.0.2 network-confg,sip88xx.loads');
  files.write('/root/new.bin', 'x');
  assert.equal(await ask({ address: parseIpv4('10.10.0.2') }), 'rendered /root/SEP{MAC}.cnf.xml.liquid for phone1: 10.10.0.2 network-confg,new.bin,sip88xx.loads');
  r.invalidate();
  assert.equal(cache.size, 0);
});

test('a template that stops parsing after start is a render error with its line', async () => {
  const files = tree();
  const r = resolver(files);
  files.write('/root/XMLDefault.cnf.xml.liquid', 'ok\n{% if %}');
  const got = await r.resolve({ name: 'XMLDefault.cnf.xml', requester: STRANGER, scope: SCOPE, server: SERVER });
  assert.equal(got.kind, 'render-error');
  assert.match(describe(got), /^error \/root\/XMLDefault\.cnf\.xml\.liquid:2:\d+: /);
});

test('checkTemplates reports every template that does not parse, with file:line, at once', async () => {
  const files = tree();
  files.write('/root/a.cfg.liquid', 'x\n{{ device.mac | nope }}');
  files.write('/alt/b.cfg.liquid', '{% include "x" %}');
  const problems = (await resolver(files).checkTemplates()).map(formatTemplateProblem);
  assert.equal(problems.length, 2);
  assert.match(problems[0] ?? '', /^\/root\/a\.cfg\.liquid:2:1: undefined filter: nope/);
  assert.match(problems[1] ?? '', /^\/alt\/b\.cfg\.liquid:1:1: \{% include %\} is not allowed/);
  assert.deepEqual(await resolver().checkTemplates(), []);
});
