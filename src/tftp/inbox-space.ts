/**
 * The room an upload inbox has, two bounds besides the per-file limit:
 *
 * - a quota on the total bytes of its files. The total is counted once when the inbox
 *   opens and then kept up to date by each save and prune (never by walking the
 *   directory per upload); uploads in progress reserve what they announced (tsize) or
 *   have written so far, so two at once cannot both take the last room;
 * - a free-space floor on its file system, measured with statfs(2) `bavail`: the blocks
 *   an unprivileged user may still take. A server running as root therefore stops
 *   before the file system's reserved blocks, as an ordinary user would, and leaves the
 *   floor for the lease journal, the logs and the rest of the laptop.
 *
 * Refusals are typed ({@link NoRoom}); the caller turns them into error 3.
 */
import { lstat, readdir, statfs } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode } from '../errno.js';
import { isUploadTempName } from './resolve-path.js';
import type { NoRoom } from './storage-error.js';

/** Default quota of the inbox: 16 uploads at the default per-file limit, or thousands of config backups. */
export const DEFAULT_UPLOAD_QUOTA_BYTES = 1024 ** 3;

/** Default free-space floor: this share of the file system... */
export const DEFAULT_MIN_FREE_PERCENT = 5;

/** ...but never more than this, so a large disk does not keep tens of gigabytes idle. */
export const DEFAULT_MIN_FREE_CAP_BYTES = 256 * 1024 ** 2;

/** While writing, the free space is measured again each time an upload has grown by this much. */
export const FREE_CHECK_EVERY_BYTES = 1024 ** 2;

/** What statfs(2) says about a file system (Node's `StatsFs` has these fields). */
export interface FsSpace {
  /** Blocks available to unprivileged users (the root-reserved blocks are not in it). */
  readonly bavail: number;
  readonly bsize: number;
  /** Size of the file system in blocks. */
  readonly blocks: number;
}

/** statfs(2) of a path; undefined when the platform or file system cannot tell. */
export type StatfsFn = (path: string) => Promise<FsSpace | undefined>;

/** The real statfs; undefined where it is not supported (then only ENOSPC while writing applies). */
export async function systemStatfs(path: string): Promise<FsSpace | undefined> {
  try {
    return await statfs(path);
  } catch (err) {
    if (errnoCode(err) === 'ENOSYS' || errnoCode(err) === 'ENOTSUP') return undefined;
    throw err;
  }
}

/** The default floor for a file system: 5 % of its size, at most 256 MiB (0 when statfs cannot tell). */
export function defaultMinFreeBytes(fs: FsSpace | undefined): number {
  if (fs === undefined) return 0;
  return Math.min(Math.floor((fs.blocks * fs.bsize * DEFAULT_MIN_FREE_PERCENT) / 100), DEFAULT_MIN_FREE_CAP_BYTES);
}

/** Sizes of the regular files in the inbox (temp files of uploads are not counted), by name. */
export async function scanInboxSizes(dir: string): Promise<Map<string, number>> {
  const sizes = new Map<string, number>();
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    if (!entry.isFile() || isUploadTempName(entry.name)) continue;
    try {
      sizes.set(entry.name, (await lstat(join(dir, entry.name))).size);
    } catch (err) {
      // Removed between the listing and the lstat: nothing to count.
      if (errnoCode(err) !== 'ENOENT') throw err;
    }
  }
  return sizes;
}

/** The bounds of an inbox, in bytes. */
export interface SpaceLimits {
  readonly quotaBytes: number;
  readonly minFreeBytes: number;
}

/** The inbox's files and reservations, against its quota and its file system's floor. */
export class InboxSpace {
  private used = 0;
  private reserved = 0;

  constructor(
    private readonly dir: string,
    private readonly sizes: Map<string, number>,
    readonly limits: SpaceLimits,
    private readonly statfsOf: StatfsFn,
  ) {
    for (const bytes of sizes.values()) this.used += bytes;
  }

  /** Bytes of the files in the inbox (saved uploads and anything found there at start). */
  get usedBytes(): number {
    return this.used;
  }

  /** Bytes reserved by uploads in progress. */
  get reservedBytes(): number {
    return this.reserved;
  }

  /** Names of the files in the inbox. */
  storedNames(): string[] {
    return [...this.sizes.keys()];
  }

  /** Reserves `bytes` of quota, or says why there is no room (nothing is reserved then). */
  reserve(bytes: number): NoRoom | undefined {
    const taken = this.used + this.reserved;
    if (taken + bytes > this.limits.quotaBytes) return { kind: 'quota', quotaBytes: this.limits.quotaBytes, usedBytes: taken, neededBytes: bytes };
    this.reserved += bytes;
    return undefined;
  }

  /** Gives back a reservation. */
  release(bytes: number): void {
    this.reserved -= bytes;
  }

  /** Says why writing `neededBytes` more would go below the floor, or undefined when it fits (or statfs cannot tell). */
  async checkFree(neededBytes: number): Promise<NoRoom | undefined> {
    const fs = await this.statfsOf(this.dir);
    if (fs === undefined) return undefined;
    const freeBytes = fs.bavail * fs.bsize;
    if (freeBytes - neededBytes >= this.limits.minFreeBytes) return undefined;
    return { kind: 'free-space', minFreeBytes: this.limits.minFreeBytes, freeBytes, neededBytes };
  }

  /** Counts a file saved as `name` (replacing the count of a file it overwrote). */
  saved(name: string, bytes: number): void {
    this.used += bytes - (this.sizes.get(name) ?? 0);
    this.sizes.set(name, bytes);
  }

  /** Stops counting a removed file. */
  removed(name: string): void {
    const bytes = this.sizes.get(name);
    if (bytes === undefined) return;
    this.sizes.delete(name);
    this.used -= bytes;
  }
}

/** One upload's share of the inbox's room: its quota reservation and when the free space was last measured. */
export class SpaceClaim {
  private reservedBytes = 0;
  private checkedAtBytes = 0;

  constructor(private readonly space: InboxSpace) {}

  /** Reserves quota for the upload to reach `bytes` in all; a refusal leaves the reservation as it was. */
  growTo(bytes: number): NoRoom | undefined {
    if (bytes <= this.reservedBytes) return undefined;
    const refused = this.space.reserve(bytes - this.reservedBytes);
    if (refused === undefined) this.reservedBytes = bytes;
    return refused;
  }

  /** Before writing `length` bytes ending at `end`: measures the free space once the upload grew by {@link FREE_CHECK_EVERY_BYTES}. */
  async checkFreeBefore(end: number, length: number): Promise<NoRoom | undefined> {
    if (end - this.checkedAtBytes < FREE_CHECK_EVERY_BYTES) return undefined;
    this.checkedAtBytes = end;
    return this.space.checkFree(length);
  }

  /** The upload was saved as `name` with `bytes`: counted in the inbox, the reservation returned. */
  settle(name: string, bytes: number): void {
    this.space.saved(name, bytes);
    this.release();
  }

  /** Returns the reservation (an aborted upload). Safe to call more than once. */
  release(): void {
    this.space.release(this.reservedBytes);
    this.reservedBytes = 0;
  }
}
