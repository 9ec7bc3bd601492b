/**
 * A line diff of two texts (two versions of a configuration backup), by the longest
 * common subsequence of their lines. Pure. Quadratic in lines, so the inputs are
 * bounded by the caller ({@link MAX_DIFF_LINES}); a config backup has hundreds of
 * lines, not tens of thousands.
 */

/** Most lines per side that are diffed (2,000 × 2,000 cells of 4 bytes = 16 MB at most). */
export const MAX_DIFF_LINES = 2000;

/** One line of a diff: kept, removed (only in the old text) or added (only in the new). */
export interface DiffLine {
  readonly kind: 'same' | 'removed' | 'added';
  readonly text: string;
}

/** The lines of `text` (a trailing newline makes no empty last line). */
export function splitLines(text: string): string[] {
  const lines = text.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/** LCS lengths: `table[i][j]` = LCS of a[i..] and b[j..], flattened row by row. */
function lcsTable(a: readonly string[], b: readonly string[]): Uint32Array {
  const w = b.length + 1;
  const table = new Uint32Array((a.length + 1) * w);
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      table[i * w + j] = a[i] === b[j] ? (table[(i + 1) * w + j + 1] ?? 0) + 1 : Math.max(table[(i + 1) * w + j] ?? 0, table[i * w + j + 1] ?? 0);
    }
  }
  return table;
}

/** The diff from `before` to `after`, line by line (throws RangeError past {@link MAX_DIFF_LINES}). */
export function diffLines(before: string, after: string): DiffLine[] {
  const a = splitLines(before);
  const b = splitLines(after);
  if (a.length > MAX_DIFF_LINES || b.length > MAX_DIFF_LINES) throw new RangeError(`too many lines to diff (more than ${MAX_DIFF_LINES})`);
  const table = lcsTable(a, b);
  const w = b.length + 1;
  const out: DiffLine[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const ai = a[i];
    const bj = b[j];
    if (ai !== undefined && bj !== undefined && ai === bj) {
      out.push({ kind: 'same', text: ai });
      i++;
      j++;
    } else if (ai !== undefined && (bj === undefined || (table[(i + 1) * w + j] ?? 0) >= (table[i * w + j + 1] ?? 0))) {
      out.push({ kind: 'removed', text: ai });
      i++;
    } else if (bj !== undefined) {
      out.push({ kind: 'added', text: bj });
      j++;
    }
  }
  return out;
}
