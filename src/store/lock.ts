/**
 * The state directory's lock: `dir/lock` holds the pid of the server using it, and on
 * Linux that process's identity (the boot id and the process start time from
 * /proc/PID/stat), so that a pid reused by another process is told apart from the
 * server that wrote the lock:
 *
 *     12345
 *     boot 6f1c...  start 987654
 *
 * A lock is stale, and is taken over, when its pid is gone (crash, kill -9), or is alive
 * but is another process (issue 11 point 9: a pid reused after a reboot): its recorded
 * identity differs, or, for a lock without one (an earlier version), its command line
 * is neither benchboot's nor Node's. When the identity cannot be read (no /proc), a live
 * pid holds the lock.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { isErrno } from '../errno.js';
import { LEASE_FILE_MODE } from './files.js';
import { LEASE_STORE_FILES } from './format.js';
import { storeError } from './store-error.js';

/** Creates `dir/lock` holding our pid and identity; a stale lock is taken over. */
export async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, LEASE_STORE_FILES.lock);
  const mine = await lockText(process.pid);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, mine, { flag: 'wx', mode: LEASE_FILE_MODE });
      return;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw storeError(`cannot create the lock file ${path}`, err);
    }
    const text = await readFile(path, 'utf8').catch(() => '');
    const owner = Number(text.split('\n')[0]?.trim());
    if (Number.isInteger(owner) && owner > 0 && (await holdsLock(owner, text))) {
      throw storeError(`the lease directory ${dir} is in use by another benchboot server (pid ${owner}); stop it or use another --leases directory`);
    }
    // The owner is gone (crash or kill -9) or the pid now belongs to another process: the lock is stale.
    await rm(path, { force: true });
  }
  throw storeError(`the lease directory ${dir} is being locked by another process at the same moment`);
}

/** Removes the lock of `dir`. */
export async function releaseLock(dir: string): Promise<void> {
  await rm(join(dir, LEASE_STORE_FILES.lock), { force: true });
}

/** The text of a lock written by `pid`: the pid, then its identity where /proc has one. */
async function lockText(pid: number): Promise<string> {
  const identity = await processIdentity(pid);
  return identity === undefined ? `${pid}\n` : `${pid}\n${identity}\n`;
}

/** True when the process `pid` named in lock `text` is alive and is the one that wrote it. */
async function holdsLock(pid: number, text: string): Promise<boolean> {
  if (pid === process.pid) return true;
  if (!isAlive(pid)) return false;
  const recorded = text.split('\n')[1]?.trim();
  const current = await processIdentity(pid);
  if (current === undefined) return true;
  if (recorded) return recorded === current;
  return looksLikeBenchboot(pid);
}

/** `boot <boot id> start <start time in clock ticks>` of a live process, or undefined without /proc. */
async function processIdentity(pid: number): Promise<string | undefined> {
  try {
    const [boot, stat] = await Promise.all([readFile('/proc/sys/kernel/random/boot_id', 'utf8'), readFile(`/proc/${pid}/stat`, 'utf8')]);
    // Field 2 (comm) is in parentheses and may hold spaces: count the fields after its ')'.
    const start = stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
    return start === undefined ? undefined : `boot ${boot.trim()} start ${start}`;
  } catch {
    return undefined;
  }
}

/** For a lock without an identity: does the command line of `pid` look like a benchboot server? */
async function looksLikeBenchboot(pid: number): Promise<boolean> {
  let argv: string[];
  try {
    argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8')).split('\0');
  } catch {
    return true;
  }
  const program = basename(argv[0] ?? '');
  return program === basename(process.execPath) || /^node/.test(program) || argv.some((a) => /benchboot/.test(a));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}
