/**
 * Directories an earlier version (all root) left root-owned are handed to the serving
 * user at start, and never through a symlink or a hard link (issue 11 point 2).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { link, lstat, mkdir, mkdtemp, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { takeOverDirectory, takeOverFile } from '../../../src/priv/take-over.js';

const isRoot = process.getuid?.() === 0;
const USER = { name: 'nobody', uid: 65534, gid: 65534 };

test('a root-owned state directory is handed over with its entries; a hard-linked file and a symlink target are left alone', { skip: isRoot ? false : 'needs root to own and chown files' }, async (t) => {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'bb-takeover-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  const state = join(base, 'leases');
  await mkdir(join(state, 'devices'), { recursive: true });
  await writeFile(join(state, 'journal.0.jsonl'), '{}\n', { mode: 0o600 });
  await writeFile(join(state, 'devices', 'aa.jsonl'), '{}\n');
  await writeFile(join(base, 'elsewhere'), 'not ours');
  await link(join(base, 'elsewhere'), join(state, 'hardlinked'));
  await writeFile(join(base, 'target'), 'not ours either');
  await symlink(join(base, 'target'), join(state, 'link'));

  const outcome = takeOverDirectory(state, USER, false);
  assert.equal(outcome.kind, 'taken');
  for (const p of [state, join(state, 'journal.0.jsonl'), join(state, 'devices'), join(state, 'devices', 'aa.jsonl')]) assert.equal((await stat(p)).uid, USER.uid, p);
  assert.equal((await lstat(join(state, 'link'))).uid, USER.uid, 'the symlink itself is handed over');
  assert.equal((await stat(join(base, 'target'))).uid, 0, 'its target is not');
  assert.equal((await stat(join(base, 'elsewhere'))).uid, 0, 'a file with two links is not');
  if (outcome.kind === 'taken') assert.match(outcome.skipped.join(), /hardlinked \(a file with 2 links\)/);
});

test('a root-owned directory reached through a symlink is not handed over: the exact chown is given', { skip: isRoot ? false : 'needs root' }, async (t) => {
  const base = await realpath(await mkdtemp(join(tmpdir(), 'bb-takeover-')));
  t.after(() => rm(base, { recursive: true, force: true }));
  await mkdir(join(base, 'system', 'leases'), { recursive: true });
  await symlink(join(base, 'system'), join(base, 'swapped'));
  const outcome = takeOverDirectory(join(base, 'swapped', 'leases'), USER, false);
  assert.equal(outcome.kind, 'refused');
  if (outcome.kind === 'refused') assert.equal(outcome.fix, `sudo chown -R 65534:65534 ${join(base, 'system', 'leases')}`);
  assert.equal((await stat(join(base, 'system', 'leases'))).uid, 0);
  const created = takeOverDirectory(join(base, 'fresh'), USER, true);
  assert.equal(created.kind, 'created');
  assert.equal((await stat(join(base, 'fresh'))).uid, USER.uid);
  // A --log-file in a root-owned directory, which the serving user could not create there.
  assert.equal(takeOverFile(join(base, 'serve.log'), USER).kind, 'created');
  const log = await stat(join(base, 'serve.log'));
  assert.equal(log.uid, USER.uid);
  assert.equal(log.mode & 0o777, 0o600);
  assert.equal(takeOverFile(join(base, 'swapped', 'serve.log'), USER).kind, 'refused', 'never created through a symlink');
});
