/**
 * The dashboard bound beyond loopback needs its token (issue 13 part 4): without it
 * every page and the event stream answer 401; `?token=` once sets an HttpOnly,
 * SameSite=Strict cookie and redirects to the URL without it; the cookie or
 * `Authorization: Bearer` then work. And the port: an explicit --web port that is
 * busy stops the start with BB_WEB; the default one only turns the dashboard off.
 * Requests go to 127.0.0.1 only (the 0.0.0.0 binding is reached over loopback).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles, type ApplianceWebConfig } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { isBenchbootError } from '../../src/errors.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4 } from '../../src/net/ipv4.js';
import { startDashboard } from '../../src/web/server.js';
import { freeUdpPort } from '../helpers/cli.js';
import { fakeDashboardSource } from '../helpers/dashboard-source.js';
import { httpRequest, openSse } from '../helpers/http.js';

const TOKEN = 'test-token-0123456789abcdef';

test('beyond loopback every request needs the token: query once (cookie), cookie, or Bearer', async (t) => {
  const dashboard = await startDashboard({ address: '0.0.0.0', port: 0, source: fakeDashboardSource(), clock: systemClock, logger: createSilentLogger(), token: TOKEN });
  t.after(() => dashboard.close());
  const port = dashboard.port;
  assert.equal(dashboard.tokenUrl, `http://0.0.0.0:${port}/?token=${TOKEN}`);

  for (const path of ['/', '/report.csv', '/assets/dashboard.js', '/events']) {
    const r = await httpRequest(port, path);
    assert.equal(r.status, 401, path);
    assert.match(r.body, /token is required/);
  }
  assert.equal((await httpRequest(port, '/?token=wrong-token')).status, 401);
  assert.equal((await httpRequest(port, '/', { headers: { cookie: 'benchboot_token=wrong' } })).status, 401);
  assert.equal((await httpRequest(port, '/', { headers: { host: `attacker.example:${port}`, authorization: `Bearer ${TOKEN}` } })).status, 403, 'Host is checked first');

  const first = await httpRequest(port, `/?status=stuck&token=${TOKEN}`);
  assert.equal(first.status, 303);
  assert.equal(first.headers.location, '/?status=stuck', 'the token leaves the address bar');
  const cookie = String(first.headers['set-cookie']);
  assert.match(cookie, /^benchboot_token=[^;]+; Path=\/; HttpOnly; SameSite=Strict$/);

  const withCookie = await httpRequest(port, '/?status=stuck', { headers: { cookie: cookie.split(';')[0] ?? '' } });
  assert.equal(withCookie.status, 200);
  assert.match(withCookie.body, /<h2>Devices<\/h2>/);
  assert.equal((await httpRequest(port, '/report.json', { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
  const stream = await openSse(port, '/events', { authorization: `Bearer ${TOKEN}` });
  assert.equal(stream.status, 200);
  stream.close();
});

test('on loopback no token is asked', async (t) => {
  const dashboard = await startDashboard({ address: '127.0.0.1', port: 0, source: fakeDashboardSource(), clock: systemClock, logger: createSilentLogger() });
  t.after(() => dashboard.close());
  assert.equal(dashboard.tokenUrl, undefined);
  assert.equal((await httpRequest(dashboard.port, '/')).status, 200);
});

async function busyPort(): Promise<{ server: Server; port: number }> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  return { server, port: typeof addr === 'object' && addr ? addr.port : 0 };
}

async function startWith(dir: string, web: ApplianceWebConfig) {
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir: join(dir, `state-${web.explicit}`),
    dhcpBindings: loopbackBindings({ port: await freeUdpPort(), interfaceName: 'bench0', serverAddress: parseIpv4('127.79.1.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    control: false,
    web,
  });
  return appliance;
}

test('a busy port: fatal when asked with --web (BB_WEB), a warning for the default', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-webport-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await mkdir(join(dir, 'scopes'));
  await mkdir(join(dir, 'tftp'));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), ['name: bench', 'interface: bench0', 'subnet: 127.79.1.0/24', 'range: 127.79.1.100-127.79.1.150', ''].join('\n'));
  const { server, port } = await busyPort();
  t.after(() => new Promise<void>((r) => server.close(() => r())));

  const explicit = await startWith(dir, { address: '127.0.0.1', port, explicit: true });
  await assert.rejects(explicit.start(), (err: unknown) => isBenchbootError(err, 'BB_WEB') && err.message.includes(`127.0.0.1:${port}: the port is already in use`));
  assert.equal(explicit.status().tftp.listen.length, 0, 'nothing is left running');

  const byDefault = await startWith(dir, { address: '127.0.0.1', port, explicit: false });
  await byDefault.start();
  t.after(() => byDefault.stop(0));
  const web = byDefault.status().web;
  assert.ok(web && 'off' in web, JSON.stringify(web));
  assert.match(web.off, /already in use/);
  assert.ok(byDefault.status().tftp.listen.length > 0, 'serving goes on');
});
