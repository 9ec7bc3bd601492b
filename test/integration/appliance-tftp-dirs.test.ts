/**
 * An unusable TFTP directory stops the appliance before any socket is bound, with
 * BB_TFTP_ROOT, the storage's own message, and the kind of directory it is about
 * (root, alternate, uploads) as a typed field, which `serve` turns into its hint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createAppliance, scopeFiles, TftpDirectoryError, type ApplianceTftpConfig } from '../../src/appliance/index.js';
import { systemClock } from '../../src/clock.js';
import { loopbackBindings } from '../../src/dhcp/server.js';
import { createSilentLogger } from '../../src/log.js';
import { parseIpv4 } from '../../src/net/ipv4.js';
import { freeUdpPort } from '../helpers/cli.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 10.9.0.0/24', ''].join('\n');

async function startError(dir: string, tftp: Omit<ApplianceTftpConfig, 'port' | 'maxTransfers'>): Promise<unknown> {
  const appliance = createAppliance({
    scopes: scopeFiles(join(dir, 'scopes')),
    tftp: { ...tftp, port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'] },
    stateDir: join(dir, 'state'),
    dhcpBindings: loopbackBindings({ port: await freeUdpPort(), interfaceName: 'bench0', serverAddress: parseIpv4('10.9.0.1') }),
    logger: createSilentLogger(),
    clock: systemClock,
    control: false,
  });
  try {
    await appliance.start();
  } catch (err) {
    return err;
  }
  await appliance.stop(0);
  assert.fail('the appliance started');
}

test('a missing root, alternate or upload directory is named, with its kind', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-tftp-dirs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp', 'alt']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const cases: [Omit<ApplianceTftpConfig, 'port' | 'maxTransfers'>, string, RegExp][] = [
    [{ root: join(dir, 'none') }, 'root', /^TFTP root .*none is missing or not usable$/],
    [{ root: join(dir, 'tftp'), alternates: [join(dir, 'alt'), join(dir, 'gone')] }, 'alternate', /^alternate TFTP location 2 .*gone is missing or not usable$/],
    [{ root: join(dir, 'tftp'), uploadDir: join(dir, 'up') }, 'uploads', /^upload directory .*up is missing or not usable$/],
  ];
  for (const [tftp, kind, message] of cases) {
    const err = await startError(dir, tftp);
    assert.ok(err instanceof TftpDirectoryError, String(err));
    assert.equal(err.code, 'BB_TFTP_ROOT');
    assert.equal(err.directory, kind);
    assert.match(err.message, message);
  }
});

test('an upload directory inside the TFTP root or an alternate stops the start with BB_TFTP_CONFIG naming both', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-tftp-dirs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp/backups', 'alt/up']) await mkdir(join(dir, d), { recursive: true });
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const cases: [Omit<ApplianceTftpConfig, 'port' | 'maxTransfers'>, string, string][] = [
    [{ root: join(dir, 'tftp'), uploadDir: join(dir, 'tftp', 'backups') }, join(dir, 'tftp', 'backups'), `the TFTP root ${join(dir, 'tftp')}`],
    [{ root: join(dir, 'tftp'), alternates: [join(dir, 'alt')], uploadDir: join(dir, 'alt', 'up') }, join(dir, 'alt', 'up'), `alternate TFTP location 1 ${join(dir, 'alt')}`],
  ];
  for (const [tftp, upload, served] of cases) {
    const err = await startError(dir, tftp);
    assert.ok(err instanceof Error && 'code' in err, String(err));
    assert.equal(err.code, 'BB_TFTP_CONFIG');
    assert.equal(err.message, `upload directory ${upload} is inside ${served}: every device could download the uploads; choose a directory outside it`);
  }
});
