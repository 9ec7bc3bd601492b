/**
 * Issue 16 point 3 on a real full disk: the lease store in a child process, in its own
 * mount namespace (`unshare -m`, so the mount goes away with it, even on failure) with a
 * 256 KiB tmpfs as its state directory. The filesystem is filled; a batch larger than the
 * journal's last page can take is written partly by the kernel, then refused with
 * ENOSPC. Nothing of it may stay in the journal, it must not be acknowledged, and after
 * space returns the next batch is; a reopen reads every acknowledged lease and nothing
 * damaged. (The server-level test with an injected disk is test/unit/store/journal-full-disk.test.ts.)
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const HELPER = fileURLToPath(new URL('../helpers/store-full-disk-main.js', import.meta.url));
const skip =
  process.platform !== 'linux' ? 'needs Linux' : process.getuid?.() !== 0 ? 'needs root (mount namespace, tmpfs)' : !existsSync('/usr/bin/unshare') ? 'needs unshare (util-linux)' : false;

interface Result {
  before: string;
  filled: number;
  whileFull: string;
  after: string;
  writes: { short: number; failed: string[] };
  journalEndsWithNewline: boolean;
  journalLines: number;
  acked: string[];
  loaded: string[];
  damaged: number;
  torn: number;
}

test('on a real full disk a partly written batch is cut off, not ACKed, and the next start reads every ACKed lease', { skip, timeout: 60_000 }, async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'bb-full-tmpfs-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = 'mount -t tmpfs -o size=256k,mode=0700 bb-full-disk "$1" && exec "$2" "$3" "$1"';
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', dir, process.execPath, HELPER], { encoding: 'utf8', timeout: 50_000 });
  assert.equal(r.status, 0, `helper failed: ${r.stderr}`);
  const result = JSON.parse(r.stdout.trim()) as Result;
  t.diagnostic(JSON.stringify({ ...result, acked: result.acked.length, loaded: result.loaded.length }));
  assert.equal(result.before, 'ok');
  assert.ok(result.filled > 0, 'the filler took the free space');
  assert.match(result.whileFull, /cannot write the lease journal.*ENOSPC/, 'the batch on the full disk was refused');
  assert.equal(result.writes.short, 1, 'the kernel wrote part of it first (a short write)');
  assert.deepEqual(result.writes.failed, ['ENOSPC']);
  assert.ok(result.journalEndsWithNewline, 'the fragment was cut off');
  assert.equal(result.journalLines, 5, 'only the five acknowledged lines are in the journal');
  assert.equal(result.after, 'ok', 'once space returned the next batch was acknowledged');
  assert.equal(result.acked.length, 8);
  assert.deepEqual(result.loaded, result.acked, 'a restart reads every acknowledged lease');
  assert.equal(result.damaged, 0);
  assert.equal(result.torn, 0);
});
