/**
 * Which kept versions of an upload name to prune, pure. The versions of `name` are the
 * plain name (the first upload: the backup taken before any change) and the names
 * upload-names.ts gives later ones (`name.<UTC stamp>`, `-2`, `-3` within one
 * millisecond, the base shortened to fit 255 bytes). With at most N versions kept, the
 * first always stays, so does the version just saved, and the newest of the others
 * fill the remaining places: the oldest timestamped ones go.
 *
 *     versionsToPrune('r1-confg', ['r1-confg', 'r1-confg.2026-…T08-00-00.000Z', 'r1-confg.2026-…T09-00-00.000Z'], 2, 'r1-confg.2026-…T09-00-00.000Z')
 *     // -> ['r1-confg.2026-…T08-00-00.000Z']
 */
import { MAX_FILE_NAME_BYTES, truncateUtf8 } from './upload-name-rules.js';

/** The suffix of a kept version: `.2026-12-05T03-10-00.123Z` and maybe `-2` (see versionStamp). */
export const VERSION_SUFFIX = /\.(\d{4}-\d\d-\d\dT\d\d-\d\d-\d\d\.\d{3}Z)(?:-(\d+))?$/;

/** Where a stored name stands among the versions of one upload name. */
export interface VersionPlace {
  /** The UTC stamp of a later version; empty for the first (the plain name). */
  readonly stamp: string;
  /** 0 for the plain name, 1 for the stamped one, 2.. for `-2`, `-3`. */
  readonly attempt: number;
}

/**
 * The place of `stored` among the versions of `fileName`, or undefined when it is not
 * one of them. Two names longer than 255 bytes that share the shortened base share
 * version names as well (upload-names.ts would give them the same ones).
 */
export function versionPlace(fileName: string, stored: string): VersionPlace | undefined {
  if (stored === fileName) return { stamp: '', attempt: 0 };
  const m = VERSION_SUFFIX.exec(stored);
  const stamp = m?.[1];
  if (m === null || stamp === undefined) return undefined;
  const suffix = m[0];
  const base = stored.slice(0, stored.length - suffix.length);
  if (base !== truncateUtf8(fileName, MAX_FILE_NAME_BYTES - suffix.length)) return undefined;
  return { stamp, attempt: m[2] === undefined ? 1 : Number(m[2]) };
}

/** Orders later versions oldest first: by stamp (ISO text sorts by time), then attempt. */
function olderFirst(a: VersionPlace, b: VersionPlace): number {
  if (a.stamp !== b.stamp) return a.stamp < b.stamp ? -1 : 1;
  return a.attempt - b.attempt;
}

/**
 * The stored names to remove so that at most `maxVersions` (2 or more) versions of
 * `fileName` remain among `stored`: never the first (the plain name) nor `justSaved`;
 * of the other timestamped versions the oldest go first.
 */
export function versionsToPrune(fileName: string, stored: readonly string[], maxVersions: number, justSaved: string): string[] {
  const kept = new Set<string>([justSaved]);
  const later: { name: string; place: VersionPlace }[] = [];
  for (const name of stored) {
    const place = versionPlace(fileName, name);
    if (place === undefined) continue;
    if (place.attempt === 0) kept.add(name);
    else if (name !== justSaved) later.push({ name, place });
  }
  const room = Math.max(0, maxVersions - kept.size);
  later.sort((a, b) => olderFirst(a.place, b.place));
  return later.slice(0, Math.max(0, later.length - room)).map((v) => v.name);
}
