/**
 * The CSV text of an inventory, line by line: a spreadsheet export with a header row,
 * maybe a UTF-8 BOM, CRLF or LF line ends, quoted cells (which may hold commas, quotes
 * and line breaks), `#` comment lines and blank lines. Records are found here, so each
 * keeps the exact lines it spans (an edit rewrites only those); the cells of a record
 * are read by csv-parse. Also the writer for one record.
 */
import { parse } from 'csv-parse/sync';

/** The physical layout of a CSV file, enough to write it back unchanged around an edit. */
export interface CsvLayout {
  readonly hasBom: boolean;
  /** The line end the file uses (that of its first line; LF for a one-line file). */
  readonly eol: '\n' | '\r\n';
  /** Lines without their line ends. */
  readonly lines: readonly string[];
  /** True when the last line ended with a line end. */
  readonly hasFinalEol: boolean;
}

/** What a run of lines is. */
export type CsvSpanKind = 'record' | 'comment' | 'blank';

/** A run of lines: one record (several lines when a quoted cell spans them), a comment or a blank. */
export interface CsvSpan {
  readonly kind: CsvSpanKind;
  /** 0-based index of the first line. */
  readonly start: number;
  /** 0-based index of the last line. */
  readonly end: number;
}

const BOM = '\uFEFF';

/** Splits CSV text into lines, remembering the BOM and the line ends. */
export function splitCsvText(text: string): CsvLayout {
  const hasBom = text.startsWith(BOM);
  const body = hasBom ? text.slice(1) : text;
  const eol = /\r\n/.test(body.slice(0, body.indexOf('\n') + 1)) ? '\r\n' : '\n';
  const hasFinalEol = body.endsWith('\n');
  const lines = body === '' ? [] : body.split(/\r?\n/);
  if (hasFinalEol) lines.pop();
  return { hasBom, eol, lines, hasFinalEol };
}

/** Joins a layout back into text. */
export function joinCsvText(layout: CsvLayout): string {
  const body = layout.lines.join(layout.eol) + (layout.hasFinalEol && layout.lines.length > 0 ? layout.eol : '');
  return (layout.hasBom ? BOM : '') + body;
}

/** Number of `"` characters: an odd count leaves a quoted cell open at the end of the line. */
function quoteCount(line: string): number {
  let n = 0;
  for (const c of line) if (c === '"') n++;
  return n;
}

/**
 * Finds the records, comments and blank lines. A line starting with `#` outside a
 * quoted cell is a comment; a record continues over line ends while a quoted cell is
 * open (RFC 4180: each `"` toggles quoting, an escaped `""` toggles twice).
 */
export function csvSpans(lines: readonly string[]): CsvSpan[] {
  const spans: CsvSpan[] = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i] ?? '';
    if (line.trim() === '') spans.push({ kind: 'blank', start: i, end: i });
    else if (line.trimStart().startsWith('#')) spans.push({ kind: 'comment', start: i, end: i });
    else {
      const start = i;
      let quotes = quoteCount(line);
      while (quotes % 2 === 1 && i + 1 < lines.length) {
        i++;
        quotes += quoteCount(lines[i] ?? '');
      }
      spans.push({ kind: 'record', start, end: i });
    }
    i++;
  }
  return spans;
}

/** The cells of one record's text, or the parser's complaint. */
export function readCsvCells(text: string): { cells: string[] } | { error: string } {
  try {
    const rows: unknown = parse(text, { relax_column_count: true, record_delimiter: ['\r\n', '\n'] });
    if (!Array.isArray(rows) || rows.length !== 1 || !Array.isArray(rows[0])) return { error: 'cannot read the row' };
    return { cells: rows[0].map((c: unknown) => String(c)) };
  } catch (err) {
    return { error: err instanceof Error ? err.message.replace(/^Invalid [^:]*: /, '') : String(err) };
  }
}

/** One cell as CSV: quoted when it holds a comma, quote, line end, edge spaces or a leading `#`. */
export function formatCsvCell(value: string): string {
  if (/[",\r\n]/.test(value) || value !== value.trim() || value.startsWith('#')) return `"${value.replace(/"/g, '""')}"`;
  return value;
}

/** One record as a CSV line (may span lines when a cell holds a line end). */
export function formatCsvRecord(cells: readonly string[]): string {
  return cells.map(formatCsvCell).join(',');
}
