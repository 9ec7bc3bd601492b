/**
 * Reading scope files from disk: one file (`loadScopeFile`), or a whole directory
 * with the cross-file rules (`loadScopes`, `readScopeDir`). Validation itself is
 * pure (validate.ts); this module only adds file access and the error codes.
 *
 * Errors: BB_SCOPE_INVALID (message lists every issue, also on `.issues`),
 * BB_SCOPE_OVERLAP (two scopes on one interface share addresses; names both files),
 * BB_SCOPE_NOT_FOUND, BB_SCOPE_IO.
 */
import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { ERRORS, BenchbootError, errorMessage, isErrno, type ErrorCode } from '../errors.js';
import { formatIssues, sortIssues, type ScopeIssue } from './issues.js';
import { findScopeOverlaps, type PlacedScope } from './overlap.js';
import type { Scope } from './scope.js';
import { scopeNameOfFile } from './scope-name.js';
import { validateScopeText, type ScopeValidation } from './validate.js';

/** A BenchbootError that carries the scope issues it lists. */
export class ScopeIssuesError extends BenchbootError {
  readonly issues: readonly ScopeIssue[];

  /** `lead` goes before the summary, e.g. "nothing written". */
  constructor(code: ErrorCode, issues: readonly ScopeIssue[], lead?: string) {
    const sorted = sortIssues(issues);
    const files = new Set(sorted.map((i) => i.file)).size;
    const head =
      code === 'BB_SCOPE_OVERLAP'
        ? 'scopes overlap'
        : `${sorted.length} issue${sorted.length === 1 ? '' : 's'} in ${files} scope file${files === 1 ? '' : 's'}`;
    super(code, `${lead ? `${lead}: ` : ''}${head}:\n${formatIssues(sorted)}`);
    this.name = 'ScopeIssuesError';
    this.issues = sorted;
  }
}

/** The path of scope `name` in `dir`. */
export function scopeFilePath(dir: string, name: string): string {
  return join(dir, `${name}.yaml`);
}

/** Reads a file's text; BB_SCOPE_NOT_FOUND when missing, BB_SCOPE_IO otherwise. */
export async function readScopeText(path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    if (isErrno(err, 'ENOENT')) throw ERRORS.noScopeFile.create({ path }, { cause: err });
    throw ERRORS.scopeUnreadable.create({ path, reason: errorMessage(err) }, { cause: err });
  }
}

/** Loads and validates one scope file; throws ScopeIssuesError (BB_SCOPE_INVALID) listing every issue. */
export async function loadScopeFile(path: string): Promise<Scope> {
  const result = validateScopeText(await readScopeText(path), path);
  if (!result.ok) throw new ScopeIssuesError('BB_SCOPE_INVALID', result.issues);
  return result.scope;
}

/** One file of a scope directory and what validating it gave. */
export interface ScopeDirEntry {
  readonly name: string;
  readonly file: string;
  readonly result: ScopeValidation;
}

/** Everything found in a scope directory: per-file results, plus issues across files. */
export interface ScopeDir {
  readonly entries: readonly ScopeDirEntry[];
  /** Every issue: per file, stray files, and overlaps between scopes. */
  readonly issues: readonly ScopeIssue[];
  /** True when the only issues are overlaps between otherwise valid files. */
  readonly onlyOverlaps: boolean;
}

/** Lists the scope files (`*.yaml`) of a directory, sorted; BB_SCOPE_IO when it cannot be read. */
async function listScopeFiles(dir: string): Promise<{ files: string[]; stray: string[] }> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch (err) {
    const why = isErrno(err, 'ENOENT') ? 'no such directory' : errorMessage(err);
    throw ERRORS.scopeDirUnusable.create({ dir, reason: why }, { cause: err });
  }
  const sorted = names.sort();
  return {
    files: sorted.filter((n) => n.endsWith('.yaml')).map((n) => join(dir, n)),
    stray: sorted.filter((n) => n.endsWith('.yml')).map((n) => join(dir, n)),
  };
}

/** Reads and validates one file of a scope directory. */
async function readEntry(file: string): Promise<ScopeDirEntry> {
  return { name: scopeNameOfFile(file), file, result: validateScopeText(await readScopeText(file), file) };
}

/** The valid scopes among `entries`, with the lines of their fields (for overlap issues). */
function placedScopes(entries: readonly ScopeDirEntry[]): PlacedScope[] {
  return entries.flatMap((e) => (e.result.ok ? [{ scope: e.result.scope, file: e.file, lineOf: e.result.lineOf }] : []));
}

/**
 * Reads and validates every scope file of `dir` without throwing on issues. With
 * `only`, reports just those scopes (overlaps are still judged against all files).
 */
export async function readScopeDir(dir: string, only?: readonly string[]): Promise<ScopeDir> {
  const { files, stray } = await listScopeFiles(dir);
  for (const name of only ?? []) {
    if (!files.some((f) => scopeNameOfFile(f) === name)) {
      throw ERRORS.noScopeNamed.create({ name, dir });
    }
  }
  const all: ScopeDirEntry[] = [];
  for (const file of files) all.push(await readEntry(file));
  const entries = only ? all.filter((e) => only.includes(e.name)) : all;
  const fileIssues: ScopeIssue[] = entries.flatMap((e) => (e.result.ok ? [] : e.result.issues));
  if (!only) {
    for (const file of stray) {
      fileIssues.push({ file, line: 0, field: '', message: `scope files end in .yaml; rename it to ${scopeNameOfFile(file)}.yaml` });
    }
  }
  const reported = new Set(entries.map((e) => e.file));
  const overlaps = findScopeOverlaps(placedScopes(all))
    .filter((o) => reported.has(o.issue.file) || reported.has(o.otherFile))
    .map((o) => o.issue);
  return {
    entries,
    issues: sortIssues([...fileIssues, ...overlaps]),
    onlyOverlaps: fileIssues.length === 0 && overlaps.length > 0,
  };
}

/**
 * Loads every scope of `dir`: validates all files and the rules across files.
 * Throws ScopeIssuesError with BB_SCOPE_INVALID (some file is invalid; every issue
 * listed) or BB_SCOPE_OVERLAP (two scopes on one interface share addresses).
 */
export async function loadScopes(dir: string): Promise<Scope[]> {
  const result = await readScopeDir(dir);
  if (result.issues.length > 0) {
    throw new ScopeIssuesError(result.onlyOverlaps ? 'BB_SCOPE_OVERLAP' : 'BB_SCOPE_INVALID', result.issues);
  }
  return result.entries.flatMap((e) => (e.result.ok ? [e.result.scope] : []));
}

/**
 * Checks the text a command is about to write as `file` in `dir`: the file's own
 * rules, then overlaps with the other valid scopes of the directory. Throws
 * ScopeIssuesError (BB_SCOPE_INVALID or BB_SCOPE_OVERLAP); returns the scope.
 */
export async function checkScopeCandidate(dir: string, file: string, text: string): Promise<Scope> {
  const result = validateScopeText(text, file);
  if (!result.ok) throw new ScopeIssuesError('BB_SCOPE_INVALID', result.issues);
  const { files } = await listScopeFiles(dir);
  const others: ScopeDirEntry[] = [];
  for (const other of files) if (scopeNameOfFile(other) !== result.scope.name) others.push(await readEntry(other));
  const me: PlacedScope = { scope: result.scope, file, lineOf: result.lineOf };
  const overlaps = findScopeOverlaps([...placedScopes(others), me]).map((o) => o.issue);
  if (overlaps.length > 0) throw new ScopeIssuesError('BB_SCOPE_OVERLAP', overlaps);
  return result.scope;
}
