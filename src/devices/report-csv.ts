/**
 * The report as CSV (RFC 4180: CRLF line ends, fields quoted when they hold a
 * quote, comma, CR or LF, quotes doubled). Cells are first escaped for control
 * characters, then neutralised for spreadsheets: a cell starting with `=`, `+`, `-`
 * or `@` would be read as a formula (CSV injection), so it gets a leading `'`.
 */
import { escapeControl } from './text-escape.js';
import { REPORT_COLUMNS, reportCell, type DeviceSummaryRow } from './summary.js';

/** A cell that a spreadsheet shows as text, never evaluates. */
export function neutralizeCell(text: string): string {
  return /^[=+\-@]/.test(text) ? `'${text}` : text;
}

/** RFC 4180 quoting of one field. */
export function quoteCsv(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

/** One CSV field from raw wire text. */
export function csvField(text: string): string {
  return quoteCsv(neutralizeCell(escapeControl(text)));
}

/** The whole report as CSV, header row first. */
export function formatReportCsv(rows: readonly DeviceSummaryRow[]): string {
  const header = REPORT_COLUMNS.map(([, heading]) => csvField(heading)).join(',');
  const body = rows.map((row) => REPORT_COLUMNS.map(([key]) => csvField(reportCell(row, key))).join(','));
  return [header, ...body].map((line) => `${line}\r\n`).join('');
}
