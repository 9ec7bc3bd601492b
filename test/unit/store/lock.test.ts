/**
 * Issue 11 point 9: a stale lock whose pid is alive but is not a benchboot server (a
 * pid reused after a reboot) does not block start; a live server holding the lock
 * still refuses a second one. The "other process" is a real `sleep`; the live server
 * is a real child process that opened the store.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { isBenchbootError } from '../../../src/errors.js';
import { LEASE_STORE_FILES } from '../../../src/store/format.js';
import { openLeaseStore } from '../../../src/store/lease-store.js';

const STORE_MODULE = fileURLToPath(new URL('../../../src/store/lease-store.js', import.meta.url));
const linuxOnly = process.platform !== 'linux' ? 'needs /proc (Linux)' : false;

async function tempDir(t: { after(fn: () => Promise<void>): void }): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'bb-lock-'));
  t.after(() => rm(dir, { recursive: true, force: true }));
  return dir;
}

/** Starts `child` and ends it (by its pid) when the test is over. */
function own(t: { after(fn: () => Promise<void>): void }, child: ChildProcess): ChildProcess {
  t.after(async () => {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = once(child, 'exit');
      child.kill('SIGKILL');
      await exited;
    }
  });
  return child;
}

const lockPath = (dir: string): string => join(dir, LEASE_STORE_FILES.lock);

test('a lock naming a live process that is not benchboot (pid reuse) is taken over', { skip: linuxOnly }, async (t) => {
  const dir = await tempDir(t);
  const other = own(t, spawn('sleep', ['300'], { stdio: 'ignore' }));
  const pid = other.pid ?? 0;
  assert.ok(pid > 0);
  // As an earlier version wrote it: the pid only. The process is alive, and it is `sleep`.
  await writeFile(lockPath(dir), `${pid}\n`);
  const a = await openLeaseStore({ dir, now: Date.now() });
  assert.equal((await readFile(lockPath(dir), 'utf8')).split('\n')[0], String(process.pid));
  await a.close();
  // As this version writes it, with an identity that is not the one of the process now holding that pid.
  const boot = (await readFile('/proc/sys/kernel/random/boot_id', 'utf8')).trim();
  await writeFile(lockPath(dir), `${pid}\nboot ${boot} start 1\n`);
  const b = await openLeaseStore({ dir, now: Date.now() });
  await b.close();
});

test('a live benchboot server holding the lock still refuses a second one', { skip: linuxOnly, timeout: 60_000 }, async (t) => {
  const dir = await tempDir(t);
  const script = `import { openLeaseStore } from ${JSON.stringify(STORE_MODULE)};
    await openLeaseStore({ dir: ${JSON.stringify(dir)}, now: Date.now() });
    process.stdout.write('ready\\n');
    setInterval(() => {}, 1000);`;
  const holder = own(t, spawn(process.execPath, ['--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] }));
  const lines = createInterface({ input: holder.stdout ?? process.stdin });
  const [first] = (await once(lines, 'line')) as [string];
  assert.equal(first, 'ready');
  const inUse = (err: unknown): boolean => isBenchbootError(err, 'BB_LEASE_STORE') && new RegExp(`in use by another benchboot server \\(pid ${holder.pid}\\)`).test(String(err));
  assert.match(await readFile(lockPath(dir), 'utf8'), new RegExp(`^${holder.pid}\\nboot \\S+ start \\d+\\n$`));
  await assert.rejects(openLeaseStore({ dir, now: Date.now() }), inUse);
  // A lock of an earlier version (pid only) naming that live Node process also holds.
  await writeFile(lockPath(dir), `${holder.pid}\n`);
  await assert.rejects(openLeaseStore({ dir, now: Date.now() }), inUse);
});
