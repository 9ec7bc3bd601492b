/**
 * The inbox's room on real directories: files found at start count against the quota,
 * uploads in progress reserve their room so two at once cannot both take the last of
 * it, an aborted upload gives its reservation back; and the default free-space floor
 * (5 % of the file system, at most 256 MiB).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FakeClock } from '../../../src/clock.js';
import { TFTP_ERROR } from '../../../src/tftp/error-codes.js';
import { DEFAULT_MIN_FREE_CAP_BYTES, defaultMinFreeBytes } from '../../../src/tftp/inbox-space.js';
import { isTftpStorageError } from '../../../src/tftp/storage-error.js';
import { createUploadInbox, type UploadInbox } from '../../../src/tftp/uploads.js';
import type { UploadTarget } from '../../../src/tftp/storage.js';

async function inboxWith(t: { after(fn: () => Promise<void>): void }, quotaBytes: number, existing: Record<string, string> = {}): Promise<{ inbox: UploadInbox; dir: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-inbox-space-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  for (const [name, text] of Object.entries(existing)) await writeFile(join(dir, name), text);
  return { inbox: await createUploadInbox(dir, { dir, quotaBytes, minFreeBytes: 0 }, new FakeClock()), dir };
}

async function opened(inbox: UploadInbox, name: string, tsize?: number): Promise<UploadTarget> {
  const r = await inbox.open(name, name, tsize);
  if (r.kind !== 'ok') throw new Error(`refused: ${r.message}`);
  return r.value;
}

test('files found at start count against the quota', async (t) => {
  const { inbox } = await inboxWith(t, 1000, { 'old-confg': 'x'.repeat(700) });
  assert.equal(inbox.room().usedBytes, 700);
  const r = await inbox.open('new-confg', 'new-confg', 301);
  assert.equal(r.kind === 'error' ? r.code : -1, TFTP_ERROR.diskFull);
  assert.equal(r.kind === 'error' ? r.isNoRoom : undefined, true);
});

test('two uploads at once cannot both take the last room: the announced size is reserved at the request', async (t) => {
  const { inbox, dir } = await inboxWith(t, 1000);
  const first = await opened(inbox, 'a-confg', 600);
  const second = await inbox.open('b-confg', 'b-confg', 600);
  assert.equal(second.kind === 'error' ? second.code : -1, TFTP_ERROR.diskFull);
  // One without tsize reserves as it writes: it is cut off when its data passes what is left.
  const third = await opened(inbox, 'c-confg');
  await third.write(0, Buffer.alloc(400));
  await assert.rejects(third.write(400, Buffer.alloc(1)), (err) => isTftpStorageError(err) && err.isNoRoom && /quota of 1000 bytes/.test(err.message));
  await first.write(0, Buffer.alloc(600));
  await first.commit();
  assert.deepEqual(inbox.room().usedBytes, 600);
  assert.deepEqual(await readdir(dir), ['a-confg']);
});

test('an aborted upload gives its reservation back', async (t) => {
  const { inbox } = await inboxWith(t, 1000);
  const big = await opened(inbox, 'a-confg', 900);
  assert.equal((await inbox.open('b-confg', 'b-confg', 200)).kind, 'error');
  await big.abort();
  const again = await opened(inbox, 'b-confg', 1000);
  await again.write(0, Buffer.alloc(1000));
  assert.deepEqual(await again.commit(), { savedAs: 'b-confg' });
  assert.equal(inbox.room().usedBytes, 1000);
});

test('the default floor is 5 % of the file system, at most 256 MiB, and none when statfs cannot tell', () => {
  const gib = 1024 ** 3;
  assert.equal(defaultMinFreeBytes({ blocks: gib / 4096, bsize: 4096, bavail: 0 }), Math.floor(gib * 0.05));
  assert.equal(defaultMinFreeBytes({ blocks: (1024 * gib) / 4096, bsize: 4096, bavail: 0 }), DEFAULT_MIN_FREE_CAP_BYTES);
  assert.equal(defaultMinFreeBytes(undefined), 0);
});
