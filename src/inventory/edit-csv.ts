/**
 * One edit of a CSV inventory, touching only the lines it must: a changed row is
 * rewritten in place, a removed row's lines are dropped, a new row is appended, and a
 * new column goes to the end of the header (every row then gets one empty cell at its
 * end, so no row turns ragged). Comments, blank lines, quoting of untouched rows, the
 * BOM and the line ends stay as they were.
 */
import { resolveColumn } from './columns.js';
import { formatCsvCell, formatCsvRecord, joinCsvText, readCsvCells, type CsvLayout } from './csv-text.js';
import { readCsvInventory, type CsvSource } from './csv-source.js';

/** Cells to write: a value, or null to empty the cell. */
export type CellChanges = Readonly<Record<string, string | null>>;

/** Adds missing columns to the header and one empty cell to every row; returns the new layout and columns. */
function addColumns(src: CsvSource, names: readonly string[]): { lines: string[]; columns: string[] } {
  const lines = [...src.layout.lines];
  const columns = [...src.table.columns];
  const added = names.filter((n) => resolveColumn(columns, n) === undefined);
  if (added.length === 0) return { lines, columns };
  if (src.header === undefined) {
    lines.unshift(formatCsvRecord(added));
    return { lines, columns: [...added] };
  }
  const extra = added.map((n) => `,${formatCsvCell(n)}`).join('');
  lines[src.header.end] = (lines[src.header.end] ?? '') + extra;
  const empty = ','.repeat(added.length);
  for (const span of src.recordSpans) lines[span.end] = (lines[span.end] ?? '') + empty;
  return { lines, columns: [...columns, ...added] };
}

function relayout(layout: CsvLayout, lines: string[]): string {
  return joinCsvText({ ...layout, lines, hasFinalEol: layout.hasFinalEol || lines.length > layout.lines.length });
}

function rowCells(columns: readonly string[], current: readonly string[], changes: CellChanges): string[] {
  const out = columns.map((_, i) => current[i] ?? '');
  for (const [name, value] of Object.entries(changes)) {
    const col = resolveColumn(columns, name);
    if (col !== undefined) out[columns.indexOf(col)] = value ?? '';
  }
  return out;
}

/** Appends a row. */
export function addCsvRow(text: string, file: string, cells: CellChanges): string {
  const src = readCsvInventory(text, file);
  const { lines, columns } = addColumns(src, Object.keys(cells));
  lines.push(formatCsvRecord(rowCells(columns, [], cells)));
  return relayout(src.layout, lines);
}

/** Changes cells of the `index`-th row (of the table's records). */
export function setCsvRow(text: string, file: string, index: number, changes: CellChanges): string {
  const src = readCsvInventory(text, file);
  const span = src.recordSpans[index];
  if (span === undefined) return text;
  const { lines, columns } = addColumns(src, Object.keys(changes));
  const read = readCsvCells(lines.slice(span.start, span.end + 1).join('\n'));
  const current = 'cells' in read ? read.cells : [];
  const updated = formatCsvRecord(rowCells(columns, current, changes)).split(/\r?\n/);
  lines.splice(span.start, span.end - span.start + 1, ...updated);
  return relayout(src.layout, lines);
}

/** Removes the `index`-th row. */
export function removeCsvRow(text: string, file: string, index: number): string {
  const src = readCsvInventory(text, file);
  const span = src.recordSpans[index];
  if (span === undefined) return text;
  const lines = [...src.layout.lines];
  lines.splice(span.start, span.end - span.start + 1);
  return joinCsvText({ ...src.layout, lines });
}
