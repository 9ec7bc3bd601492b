/**
 * Keeps at most N versions of each upload name: after a save, the versions of that
 * name beyond N are removed (which ones: upload-versions.ts, pure) and the inbox's
 * count of bytes goes down by what they held. The list of versions comes from the
 * inbox's own count of its files, not from walking the directory. Prunes run one at a
 * time, so two saves of one name never pick the same files twice.
 */
import { unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { errnoCode, errorMessage } from '../errno.js';
import type { InboxSpace } from './inbox-space.js';
import type { PruneFailure } from './storage.js';
import { versionsToPrune } from './upload-versions.js';

/** Default most versions kept per name (the first one included). */
export const DEFAULT_MAX_UPLOAD_VERSIONS = 10;

/** Fewest versions a cap may keep: the first one and the newest. */
export const MIN_MAX_UPLOAD_VERSIONS = 2;

/** What one prune did. */
export interface PruneResult {
  /** Versions removed, oldest first. */
  readonly pruned: readonly string[];
  /** Versions that should have gone but could not be removed (they stay counted). */
  readonly failed: readonly PruneFailure[];
}

const NOTHING_PRUNED: PruneResult = { pruned: [], failed: [] };

/** Removes versions beyond the cap in one inbox directory. */
export class VersionPruner {
  private chain: Promise<unknown> = Promise.resolve();

  /** `maxVersions` is 2 or more, or `all` to keep every version. */
  constructor(
    private readonly dir: string,
    private readonly space: InboxSpace,
    private readonly maxVersions: number | 'all',
  ) {}

  /** After `justSaved` was saved for `fileName`: removes the versions beyond the cap. Never rejects for a file it cannot remove. */
  prune(fileName: string, justSaved: string): Promise<PruneResult> {
    const max = this.maxVersions;
    if (max === 'all') return Promise.resolve(NOTHING_PRUNED);
    const run = this.chain.then(() => this.removeAll(versionsToPrune(fileName, this.space.storedNames(), max, justSaved)));
    this.chain = run.catch(() => undefined);
    return run;
  }

  private async removeAll(names: readonly string[]): Promise<PruneResult> {
    const pruned: string[] = [];
    const failed: PruneFailure[] = [];
    for (const name of names) {
      try {
        await unlink(join(this.dir, name));
        pruned.push(name);
      } catch (err) {
        // Already removed by hand: it only stops being counted.
        if (errnoCode(err) !== 'ENOENT') {
          failed.push({ name, error: errnoCode(err) ?? errorMessage(err) });
          continue;
        }
      }
      this.space.removed(name);
    }
    return { pruned, failed };
  }
}
