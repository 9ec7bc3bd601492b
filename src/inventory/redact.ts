/**
 * What a device row looks like in logs and on screen: every cell, except that the
 * cells of secret columns (columns.ts `isSecretColumn`) are masked. Templates read the
 * row itself, never this.
 */
import { isSecretColumn } from './columns.js';
import type { DeviceRow } from './device-row.js';

/** The mask shown instead of a secret; empty secrets stay empty (nothing to hide, and it shows they are unset). */
export const SECRET_MASK = '********';

/** The row's cells for display, secrets masked, in the given column order (default: the row's own). */
export function redactRow(row: DeviceRow, columns: readonly string[] = Object.keys(row.cells)): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of columns) {
    const value = row.cells[name];
    if (value === undefined) continue;
    out[name] = isSecretColumn(name) && value !== '' ? SECRET_MASK : value;
  }
  return out;
}

/** Cells given by a user (an edit) with secrets masked, for messages and logs. */
export function redactCells(cells: Readonly<Record<string, string | null>>): Record<string, string | null> {
  const out: Record<string, string | null> = {};
  for (const [name, value] of Object.entries(cells)) out[name] = value !== null && value !== '' && isSecretColumn(name) ? SECRET_MASK : value;
  return out;
}
