/**
 * A directory swapped for a symlink while serve runs redirects nothing (issue 11 point 2;
 * confirmed before the fix: swapping the upload directory for a symlink made root write
 * the upload at the link's target). Uploads go through the directory held open since
 * start, and a new upload is refused and counted once the path names another directory;
 * a read whose directory is swapped between the lookup and the open is not served.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readdir, readFile, realpath, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { systemClock } from '../../src/clock.js';
import { TFTP_ERROR } from '../../src/tftp/error-codes.js';
import { lookup, openVerified } from '../../src/tftp/fs-lookup.js';
import { createUploadInbox } from '../../src/tftp/uploads.js';

async function tempDirs(t: { after(fn: () => Promise<void>): void }): Promise<{ inbox: string; moved: string; outside: string }> {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'bb-swap-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  const inbox = join(base, 'backups');
  const outside = join(base, 'outside');
  await mkdir(inbox);
  await mkdir(outside);
  return { inbox, moved: join(base, 'backups.moved'), outside };
}

test('an upload directory swapped for a symlink: the upload in flight lands in the held directory, a new one is refused and counted; nothing is written at the target', async (t) => {
  const { inbox, moved, outside } = await tempDirs(t);
  const box = await createUploadInbox(inbox, { dir: inbox }, systemClock);
  const inFlight = await box.open('router1-confg', 'router1-confg');
  assert.equal(inFlight.kind, 'ok');
  if (inFlight.kind !== 'ok') return;
  await inFlight.value.write(0, Buffer.from('hostname router1\n'));
  // A local process swaps the directory for a symlink to somewhere else.
  await rename(inbox, moved);
  await symlink(outside, inbox);
  const saved = await inFlight.value.commit();
  assert.equal(saved.savedAs, 'router1-confg');
  assert.equal(await readFile(join(moved, 'router1-confg'), 'utf8'), 'hostname router1\n');
  const refused = await box.open('router2-confg', 'router2-confg');
  assert.equal(refused.kind, 'error');
  if (refused.kind === 'error') {
    assert.equal(refused.code, TFTP_ERROR.accessViolation);
    assert.match(refused.message, /was replaced since start/);
  }
  assert.equal(box.room().swappedRefusals, 1);
  assert.deepEqual(await readdir(outside), [], 'nothing was written at the symlink target');
});

test('a TFTP root swapped for a symlink between the lookup and the open: the file outside is not opened', async (t) => {
  const { inbox: root, moved, outside } = await tempDirs(t);
  await writeFile(join(root, 'SEP001122334455.cnf.xml'), '<device/>');
  await writeFile(join(outside, 'SEP001122334455.cnf.xml'), 'secret outside the root');
  const found = await lookup(root, ['SEP001122334455.cnf.xml'], false);
  assert.equal(found.kind, 'file');
  if (found.kind !== 'file') return;
  await rename(root, moved);
  await symlink(outside, root);
  await assert.rejects(openVerified(found.realPath, found.stats), (err: NodeJS.ErrnoException) => err.code === 'ENOENT');
  // Looked up again, the name resolves outside the root and is refused as an escape.
  assert.equal((await lookup(root, ['SEP001122334455.cnf.xml'], false)).kind, 'escape');
});
