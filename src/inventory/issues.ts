/**
 * Problems found in an inventory file: where (file, line, column), which field, what,
 * and a typed kind the CLI and the log can act on. Formatted the way scope issues
 * are (`inventory.csv:4:1: mac: "00:1b:zz" is not a MAC address`), with the column
 * added: the CSV column number (1 = first column) or the YAML column of the field.
 */

/** What kind of problem an issue is (stable, for tests and for mapping to BB_* codes). */
export type InventoryIssueKind =
  | 'syntax'
  | 'bad-header'
  | 'ragged-row'
  | 'missing-identity'
  | 'bad-mac'
  | 'bad-client-id'
  | 'bad-serial'
  | 'bad-ip'
  | 'bad-hostname'
  | 'bad-value'
  | 'unknown-profile'
  | 'duplicate-mac'
  | 'duplicate-client-id'
  | 'duplicate-serial'
  | 'duplicate-ip'
  | 'duplicate-hostname'
  | 'outside-scopes'
  | 'not-found'
  | 'ambiguous'
  | 'io';

/** One problem in an inventory file. */
export interface InventoryIssue {
  readonly kind: InventoryIssueKind;
  /** The file as the user named it. */
  readonly file: string;
  /** 1-based line; 0 for the file as a whole. */
  readonly line: number;
  /** 1-based column (CSV: column number; YAML: character column); 0 when not known. */
  readonly column: number;
  /** The column (field) name, e.g. `mac`; empty for the row or file as a whole. */
  readonly field: string;
  /** One sentence a technician understands. */
  readonly message: string;
}

/** `file:line:column: field: message` (parts left out when not known). */
export function formatInventoryIssue(issue: InventoryIssue): string {
  let where = issue.file;
  if (issue.line > 0) where += `:${issue.line}`;
  if (issue.line > 0 && issue.column > 0) where += `:${issue.column}`;
  return issue.field ? `${where}: ${issue.field}: ${issue.message}` : `${where}: ${issue.message}`;
}

/** Issues in line then column order. */
export function sortInventoryIssues(issues: readonly InventoryIssue[]): InventoryIssue[] {
  return [...issues].sort((a, b) => a.line - b.line || a.column - b.column);
}

/** Every issue on its own line, in line order. */
export function formatInventoryIssues(issues: readonly InventoryIssue[]): string {
  return sortInventoryIssues(issues).map(formatInventoryIssue).join('\n');
}

/** Thrown when an inventory cannot be used or an edit would make it invalid; carries every issue. */
export class InventoryError extends Error {
  readonly issues: readonly InventoryIssue[];

  constructor(issues: readonly InventoryIssue[], options?: { cause?: unknown }) {
    super(formatInventoryIssues(issues), options);
    this.name = 'InventoryError';
    this.issues = sortInventoryIssues(issues);
  }
}
