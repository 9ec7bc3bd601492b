/**
 * Validation issues of scope files: where they are (file, line, field), how they
 * read (`scopes/bench1.yaml:7: range: range end 10.0.1.5 is outside subnet
 * 10.0.0.0/24`), and how a path inside the parsed document is turned into the line
 * a technician should look at. Also the cheap "did you mean" used for typos.
 */
import { isMap, isPair, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

/** A path into the scope document: map keys and list indexes. */
export type FieldPath = readonly (string | number)[];

/** One problem found in a scope file. */
export interface ScopeIssue {
  /** The file as the user named it, e.g. `scopes/bench1.yaml`. */
  readonly file: string;
  /** 1-based line; 0 when the issue concerns the file as a whole. */
  readonly line: number;
  /** Dotted field, e.g. `boot.file` or `reservations[2].ip`; empty for the whole file. */
  readonly field: string;
  /** One sentence a technician understands. */
  readonly message: string;
}

/** `file:line: field: message` (line and field left out when not known). */
export function formatIssue(issue: ScopeIssue): string {
  const where = issue.line > 0 ? `${issue.file}:${issue.line}` : issue.file;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Every issue on its own line, in file then line order. */
export function formatIssues(issues: readonly ScopeIssue[]): string {
  return sortIssues(issues).map(formatIssue).join('\n');
}

/** Issues ordered by file, then line. */
export function sortIssues(issues: readonly ScopeIssue[]): ScopeIssue[] {
  return [...issues].sort((a, b) => (a.file === b.file ? a.line - b.line : a.file < b.file ? -1 : 1));
}

/** `reservations[2].ip` from `['reservations', 2, 'ip']`. */
function formatPath(path: FieldPath): string {
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else out += out ? `.${seg}` : seg;
  }
  return out;
}

/** Where a path points in the YAML source, and how much of it exists there. */
export interface Located {
  /** 1-based line of the deepest node found (the key's line for a map entry). */
  readonly line: number;
  /** The part of the path present in the document. */
  readonly found: FieldPath;
}

/**
 * Finds the line of `path` in a parsed document. Map entries point at their key (the
 * line the field name is on); when part of the path is missing (a default, or a
 * value normalised from a short form) the deepest existing node is used.
 */
export function locate(doc: Document, lineCounter: LineCounter, path: FieldPath): Located {
  let node: unknown = doc.contents;
  let line = lineOfNode(node, lineCounter) ?? 0;
  const found: (string | number)[] = [];
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && isScalar(p.key) && String(p.key.value) === String(seg));
      if (!pair) break;
      line = lineOfNode(pair.key, lineCounter) ?? line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item: unknown = node.items[seg];
      if (item === undefined) break;
      line = lineOfNode(item, lineCounter) ?? line;
      node = item;
    } else {
      break;
    }
    found.push(seg);
  }
  return { line, found };
}

function lineOfNode(node: unknown, lineCounter: LineCounter): number | undefined {
  if (node === null || typeof node !== 'object' || !('range' in node)) return undefined;
  const range = (node as Node).range;
  if (!range) return undefined;
  return lineCounter.linePos(range[0]).line;
}

/**
 * The field name to show for a path: the part found in the document, plus any
 * further key names (list positions that exist only after normalising are dropped).
 */
export function displayField(path: FieldPath, found: FieldPath): string {
  const rest = path.slice(found.length).filter((s) => typeof s === 'string');
  return formatPath([...found, ...rest]);
}

function squash(text: string): string {
  return text.toLowerCase().replace(/[-_\s]/g, '');
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const cost = a[i - 1] === b[j - 1] ? 0 : 1;
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost));
    }
    prev = cur;
  }
  return prev[b.length] ?? Math.max(a.length, b.length);
}

/** The known word closest to `word` (same letters ignoring case/-/_, or at most 2 edits), if any. */
export function didYouMean(word: string, known: readonly string[]): string | undefined {
  const w = squash(word);
  const same = known.find((k) => squash(k) === w);
  if (same) return same;
  let best: string | undefined;
  let bestDistance = 3;
  for (const k of known) {
    const d = editDistance(w, squash(k));
    if (d < bestDistance) {
      best = k;
      bestDistance = d;
    }
  }
  return best;
}
