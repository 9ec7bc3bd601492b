/**
 * The state directory's lock: `dir/lock` holds the pid of the server using it. A lock
 * left by a process that is gone (crash, kill -9) is taken over.
 */
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isErrno } from '../errno.js';
import { LEASE_FILE_MODE } from './files.js';
import { LEASE_STORE_FILES } from './format.js';
import { storeError } from './store-error.js';

/** Creates `dir/lock` holding our pid; a lock of a dead process is taken over. */
export async function acquireLock(dir: string): Promise<void> {
  const path = join(dir, LEASE_STORE_FILES.lock);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await writeFile(path, `${process.pid}\n`, { flag: 'wx', mode: LEASE_FILE_MODE });
      return;
    } catch (err) {
      if (!isErrno(err, 'EEXIST')) throw storeError(`cannot create the lock file ${path}`, err);
    }
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && isAlive(owner)) {
      throw storeError(`the lease directory ${dir} is in use by another benchboot server (pid ${owner}); stop it or use another --leases directory`);
    }
    // The owner is gone (crash or kill -9): the lock is stale.
    await rm(path, { force: true });
  }
  throw storeError(`the lease directory ${dir} is being locked by another process at the same moment`);
}

function isAlive(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return isErrno(err, 'EPERM');
  }
}

/** Removes the lock of `dir`. */
export async function releaseLock(dir: string): Promise<void> {
  await rm(join(dir, LEASE_STORE_FILES.lock), { force: true });
}
