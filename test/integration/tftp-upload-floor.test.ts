/**
 * Issue 16 point 2, the free-space floor on real small file systems, each in a child
 * process in its own mount namespace (`unshare -m`, so the mount goes away with it, even
 * on failure): test/helpers/upload-floor-main.ts serves TFTP on 127.0.0.1 with the inbox
 * on that file system.
 *
 * - a 8 MiB tmpfs with a 2 MiB floor: a tsize that would go below the floor is refused
 *   before any data; an upload without tsize is cut off at the floor, before the disk
 *   is full; each with error 3 and the free space and the floor in the log.
 * - an 8 MiB ext4 with half its blocks reserved for root: the test runs as root, which
 *   could write into the reserved blocks, yet the inbox stops at the floor above the
 *   blocks available to other users (statfs `bavail`).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TFTP_ERROR } from '../../src/tftp/error-codes.js';
import { DEFAULT_MIN_FREE_PERCENT } from '../../src/tftp/inbox-space.js';

const HELPER = fileURLToPath(new URL('../helpers/upload-floor-main.js', import.meta.url));
const MIB = 1024 * 1024;
const skip =
  process.platform !== 'linux' ? 'needs Linux' : process.getuid?.() !== 0 ? 'needs root (mount namespace, mounts)' : !existsSync('/usr/bin/unshare') ? 'needs unshare (util-linux)' : false;
const skipExt4 = skip !== false ? skip : !existsSync('/dev/loop-control') ? 'needs loop devices' : spawnSync('mkfs.ext4', ['-V']).status !== 0 ? 'needs mkfs.ext4' : false;

interface Put {
  result: number | 'saved';
  sentBytes: number;
}

interface Result {
  fsBytes: number;
  availBytes: number;
  rootFreeBytes: number;
  defaultFloor: number;
  upFront: Put;
  midway: Put;
  filesAfterRefusals: string[];
  small: number | 'saved';
  filesAfter: string[];
  reasons: string[];
}

/** Mounts with `mountScript` (given the mount point as $1) in a new mount namespace and runs the helper there. */
async function runOnMount(t: { after(fn: () => Promise<void>): void }, mountScript: string, floorBytes: number): Promise<Result> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-upload-floor-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  const script = `${mountScript} && exec "$2" "$3" "$1" "$4"`;
  const r = spawnSync('unshare', ['-m', '--propagation', 'private', 'sh', '-c', script, 'sh', join(dir, 'mnt'), process.execPath, HELPER, String(floorBytes)], {
    encoding: 'utf8',
    timeout: 50_000,
    cwd: dir,
  });
  assert.equal(r.status, 0, `helper failed: ${r.stderr}`);
  return JSON.parse(r.stdout.trim()) as Result;
}

/** What both file systems must show: refusals by the floor with error 3, nothing left, a small upload still taken. */
function assertFloorHeld(result: Result, floorBytes: number): void {
  assert.equal(result.upFront.result, TFTP_ERROR.diskFull, 'a tsize below the floor is refused');
  assert.equal(result.upFront.sentBytes, 0, 'before any data');
  assert.equal(result.midway.result, TFTP_ERROR.diskFull, 'an upload without tsize is cut off');
  assert.equal(result.reasons.length, 2, result.reasons.join(' | '));
  for (const reason of result.reasons) {
    assert.match(reason, new RegExp(`no room for firmware\\.bin: \\d+ bytes free on the disk, \\d+ more would go below the free-space floor of ${floorBytes} bytes`));
  }
  assert.deepEqual(result.filesAfterRefusals, [], 'no partial file left');
  assert.equal(result.small, 'saved', 'above the floor uploads are still taken');
  assert.deepEqual(result.filesAfter, ['router1-confg']);
}

test('tmpfs: uploads stop at the free-space floor, by tsize before any data or while writing, before the disk is full', { skip, timeout: 60_000 }, async (t) => {
  const floor = 2 * MIB;
  const result = await runOnMount(t, 'mkdir "$1" && mount -t tmpfs -o size=8m,mode=0700 bb-upload-floor "$1"', floor);
  t.diagnostic(JSON.stringify({ ...result, reasons: result.reasons.length }));
  assertFloorHeld(result, floor);
  assert.ok(result.midway.sentBytes < result.availBytes - floor + MIB, `cut off near the floor (${result.midway.sentBytes} bytes sent)`);
  assert.equal(result.defaultFloor, Math.floor((result.fsBytes * DEFAULT_MIN_FREE_PERCENT) / 100), 'the default floor is 5 % of a small file system');
});

test('ext4 with blocks reserved for root: a server running as root stops above the reserved blocks', { skip: skipExt4, timeout: 60_000 }, async (t) => {
  const floor = 512 * 1024;
  const mount = 'mkdir "$1" && truncate -s 8M disk.img && mkfs.ext4 -q -m 50 disk.img && mount -o loop disk.img "$1"';
  const result = await runOnMount(t, mount, floor);
  t.diagnostic(JSON.stringify({ ...result, reasons: result.reasons.length }));
  assert.ok(result.rootFreeBytes > result.availBytes + 2 * MIB, 'root could write well past what other users may');
  assertFloorHeld(result, floor);
  assert.ok(result.midway.sentBytes < result.availBytes, `stopped within the blocks other users may take (${result.midway.sentBytes} of ${result.availBytes} bytes)`);
});
