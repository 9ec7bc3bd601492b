/**
 * An upload directory swapped for a symlink while the appliance runs (issue 11 point 2):
 * the upload is refused with an access violation, nothing is written at the target, and
 * the refusal is counted where the technician looks: `status` (JSON and text).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { formatStatus } from '../../src/cli/status.js';
import { TftpClientError, tftpPut } from '../../src/tftp/client.js';
import { TFTP_ERROR } from '../../src/tftp/error-codes.js';
import { startLoopbackAppliance } from '../helpers/loopback-appliance.js';

const SCOPE = ['name: bench', 'interface: bench0', 'subnet: 127.79.0.0/24', 'range: 127.79.0.100-127.79.0.150', 'leaseTime: 1h', 'boot:', '  file: first.cfg', ''].join('\n');

test('an upload directory swapped for a symlink: the upload is refused, nothing lands at the target, status counts it', async (t) => {
  const dir = await realpath(await mkdtemp(join(tmpdir(), 'bb-swap-status-')));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const d of ['scopes', 'tftp', 'backups', 'elsewhere']) await mkdir(join(dir, d));
  await writeFile(join(dir, 'scopes', 'bench.yaml'), SCOPE);
  const backups = join(dir, 'backups');
  const { appliance, tftpPort } = await startLoopbackAppliance(dir, '127.79.0.1', {
    tftp: { root: join(dir, 'tftp'), port: 0, maxTransfers: 10, listenAddresses: ['127.0.0.1'], uploadDir: backups },
  });
  t.after(() => appliance.stop(0));
  const put = (file: string): Promise<unknown> => tftpPut({ host: '127.0.0.1', port: tftpPort, file, data: Buffer.from(`hostname ${file}\n`), localAddress: '127.0.0.1' });

  await put('router1-confg');
  let room = appliance.status().tftp.uploads;
  assert.equal(room?.swappedRefusals, 0);
  assert.ok((room?.usedBytes ?? 0) > 0, 'the stored backup counts');

  await rename(backups, join(dir, 'backups.moved'));
  await symlink(join(dir, 'elsewhere'), backups);
  const err = await put('router2-confg').then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(err instanceof TftpClientError, String(err));
  assert.equal(err.tftpCode, TFTP_ERROR.accessViolation);
  assert.deepEqual(await readdir(join(dir, 'elsewhere')), [], 'nothing written at the symlink target');

  room = appliance.status().tftp.uploads;
  assert.equal(room?.swappedRefusals, 1);
  const text = formatStatus(appliance.status(), Date.now()).join('\n');
  assert.match(text, /upload directory holds \S+ B?.*; 1 refused because the directory was swapped for another/);
});
