/**
 * Releasing an address in the lease files of a stopped server (`benchboot leases
 * release IP` when no server answers): open the store, journal the released record,
 * close. The lock makes it fail rather than race a server that is starting.
 */
import type { Ipv4 } from '../net/ipv4.js';
import { releasedLease, type Lease } from '../dhcp/lease.js';
import type { Logger } from '../log.js';
import { openLeaseStore } from './lease-store.js';

/**
 * Releases the bound (or offered) lease of `ip` in the state directory `dir`; returns
 * the released record, or undefined when no such lease is recorded.
 */
export async function releaseInStore(dir: string, ip: Ipv4, now: number, logger?: Logger): Promise<Lease | undefined> {
  const store = await openLeaseStore({ dir, now, ...(logger ? { logger } : {}) });
  try {
    const lease = store.loaded.find((l) => l.ip === ip && (l.state === 'bound' || l.state === 'offered'));
    if (!lease) return undefined;
    const released = releasedLease(lease, now);
    await store.append([{ kind: 'put', lease: released }]);
    return released;
  } finally {
    await store.close();
  }
}

/**
 * Releases every bound lease of `dir` whose state began at or after `since` (one journal
 * write); returns the released records.
 */
export async function releaseSinceInStore(dir: string, since: number, now: number, logger?: Logger): Promise<Lease[]> {
  const store = await openLeaseStore({ dir, now, ...(logger ? { logger } : {}) });
  try {
    const released = store.loaded.filter((l) => l.state === 'bound' && l.startedAt >= since).map((l) => releasedLease(l, now));
    if (released.length > 0) await store.append(released.map((lease) => ({ kind: 'put' as const, lease })));
    return released;
  } finally {
    await store.close();
  }
}
