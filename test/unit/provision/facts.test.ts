/** scopeFacts/serverFacts from a real Scope, and FsProvisionFiles over a temporary directory. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deriveScope } from '../../../src/config/defaults.js';
import { parseIpv4 } from '../../../src/net/ipv4.js';
import { FsProvisionFiles, scopeFacts, serverFacts } from '../../../src/provision/index.js';

test('scopeFacts carries subnet, mask, router, DNS, siaddr and option 150 of a scope', () => {
  const scope = deriveScope({ name: 'bench1', interface: 'eth1', address: parseIpv4('10.10.0.1'), prefix: 24 });
  assert.deepEqual(scopeFacts(scope), {
    name: 'bench1',
    subnet: '10.10.0.0/24',
    mask: '255.255.255.0',
    router: '10.10.0.1',
    dns: ['10.10.0.1'],
    bootServer: '10.10.0.1',
    tftpServers: ['10.10.0.1'],
  });
  assert.deepEqual(serverFacts(parseIpv4('10.10.0.1')), { address: '10.10.0.1' });
  assert.deepEqual(serverFacts(parseIpv4('10.10.0.1'), 'laptop'), { address: '10.10.0.1', hostname: 'laptop' });
});

test('FsProvisionFiles lists files only, keeps the listing while the directory is unchanged, sees new names', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'benchboot-prov-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  await writeFile(join(dir, 'b.cfg'), 'b');
  await writeFile(join(dir, 'a.cfg.liquid'), 'a');
  const files = new FsProvisionFiles();
  const first = await files.list(dir);
  assert.deepEqual(first.names, ['a.cfg.liquid', 'b.cfg']);
  assert.equal(await files.list(dir), first, 'an unchanged directory is not read again');
  await new Promise((r) => setTimeout(r, 20));
  await writeFile(join(dir, 'c.cfg'), 'c');
  const second = await files.list(dir);
  assert.deepEqual(second.names, ['a.cfg.liquid', 'b.cfg', 'c.cfg']);
  assert.ok(second.version > first.version);
  assert.deepEqual((await files.list(join(dir, 'missing'))).names, []);
  assert.equal(await files.stamp(join(dir, 'missing.cfg')), undefined);
  assert.match((await files.stamp(join(dir, 'b.cfg'))) ?? '', /^1:/);
  assert.equal(await files.readText(join(dir, 'b.cfg')), 'b');
});
