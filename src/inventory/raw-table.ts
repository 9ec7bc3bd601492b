/**
 * The shape both inventory formats are read into before validation: the column names
 * in file order and, per device, each cell with the position it came from. CSV and
 * YAML readers produce it; the validator reads only it.
 */
import type { InventoryIssue } from './issues.js';

/** Where a cell sits: 1-based line and column (CSV column number or YAML character column). */
export interface CellPosition {
  readonly line: number;
  readonly column: number;
}

/** One cell: its text (a list only for a YAML `expects`), and its position. */
export interface RawCell {
  readonly value: string | readonly string[];
  readonly pos: CellPosition;
}

/** One device as written: the line it starts on and its cells by column name as written. */
export interface RawRecord {
  /** First line of the record. */
  readonly line: number;
  /** Last line of the record (a quoted CSV cell may span lines). */
  readonly endLine: number;
  /** Column of the row itself (1 for CSV; the YAML column of the list item). */
  readonly column: number;
  readonly cells: ReadonlyMap<string, RawCell>;
}

/** A parsed inventory file before its rows are checked. */
export interface RawTable {
  readonly format: InventoryFormat;
  readonly file: string;
  /** Column names in file order (CSV header; YAML keys in order of first use). */
  readonly columns: readonly string[];
  readonly records: readonly RawRecord[];
  /** Problems of the text itself (syntax, header, ragged rows). */
  readonly issues: readonly InventoryIssue[];
}

/** The two file formats. */
export type InventoryFormat = 'csv' | 'yaml';

/** An issue builder bound to one file. */
export function issueAt(file: string, kind: InventoryIssue['kind'], pos: CellPosition, field: string, message: string): InventoryIssue {
  return { kind, file, line: pos.line, column: pos.column, field, message };
}
