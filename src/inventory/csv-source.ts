/**
 * Reads inventory CSV text into a RawTable: the header row names the columns, each
 * other record is one device, with the line it starts on and the column number of
 * each cell. Rows of all-empty cells (a spreadsheet's empty rows) are skipped;
 * ragged rows and header problems are issues.
 */
import { meaningOf } from './columns.js';
import { csvSpans, readCsvCells, splitCsvText, type CsvLayout, type CsvSpan } from './csv-text.js';
import type { InventoryIssue } from './issues.js';
import { issueAt, type RawCell, type RawRecord, type RawTable } from './raw-table.js';

/** A CSV file read into a table, with its layout kept for editing. */
export interface CsvSource {
  readonly table: RawTable;
  readonly layout: CsvLayout;
  readonly spans: readonly CsvSpan[];
  /** The header's span, if any. */
  readonly header: CsvSpan | undefined;
  /** The span of each record of `table.records`, in the same order. */
  readonly recordSpans: readonly CsvSpan[];
}

function spanText(layout: CsvLayout, span: CsvSpan): string {
  return layout.lines.slice(span.start, span.end + 1).join('\n');
}

/** Checks header names: none empty, none twice (meaning columns compared by meaning). */
function checkHeader(file: string, names: readonly string[], line: number): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  const seen = new Map<string, number>();
  names.forEach((name, i) => {
    const pos = { line, column: i + 1 };
    if (name.trim() === '') {
      issues.push(issueAt(file, 'bad-header', pos, '', `column ${i + 1} has no name in the header`));
      return;
    }
    const key = meaningOf(name) ?? name.trim().toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) issues.push(issueAt(file, 'bad-header', pos, name, `column "${name}" appears twice in the header (also column ${first})`));
    else seen.set(key, i + 1);
  });
  return issues;
}

function readRecord(file: string, columns: readonly string[], text: string, line: number, endLine: number, issues: InventoryIssue[]): RawRecord | undefined {
  const read = readCsvCells(text);
  if ('error' in read) {
    issues.push(issueAt(file, 'syntax', { line, column: 0 }, '', `cannot read the row: ${read.error}`));
    return undefined;
  }
  if (read.cells.every((c) => c.trim() === '')) return undefined;
  if (read.cells.length !== columns.length) {
    const column = Math.min(read.cells.length, columns.length) + 1;
    issues.push(issueAt(file, 'ragged-row', { line, column }, '', `the row has ${read.cells.length} cells, the header has ${columns.length}`));
  }
  const cells = new Map<string, RawCell>();
  columns.forEach((name, i) => {
    const value = read.cells[i];
    if (value !== undefined && name.trim() !== '') cells.set(name.trim(), { value, pos: { line, column: i + 1 } });
  });
  return { line, endLine, column: 1, cells };
}

/** Reads CSV inventory text. */
export function readCsvInventory(text: string, file: string): CsvSource {
  const layout = splitCsvText(text);
  const spans = csvSpans(layout.lines);
  const records = spans.filter((s) => s.kind === 'record');
  const header = records[0];
  const issues: InventoryIssue[] = [];
  if (header === undefined) {
    issues.push(issueAt(file, 'bad-header', { line: 0, column: 0 }, '', 'the file has no header row (e.g. mac,hostname,profile)'));
    return { table: { format: 'csv', file, columns: [], records: [], issues }, layout, spans, header, recordSpans: [] };
  }
  const headerRead = readCsvCells(spanText(layout, header));
  const columns = 'cells' in headerRead ? headerRead.cells : [];
  if ('error' in headerRead) issues.push(issueAt(file, 'syntax', { line: header.start + 1, column: 0 }, '', `cannot read the header: ${headerRead.error}`));
  issues.push(...checkHeader(file, columns, header.start + 1));
  const out: RawRecord[] = [];
  const recordSpans: CsvSpan[] = [];
  for (const span of records.slice(1)) {
    const rec = readRecord(file, columns, spanText(layout, span), span.start + 1, span.end + 1, issues);
    if (rec) {
      out.push(rec);
      recordSpans.push(span);
    }
  }
  const table: RawTable = { format: 'csv', file, columns: columns.map((c) => c.trim()), records: out, issues };
  return { table, layout, spans, header, recordSpans };
}
