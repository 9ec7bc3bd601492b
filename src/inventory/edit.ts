/**
 * The edits behind `benchboot device add|set|rm|import|adopt`, on inventory text:
 * each edit is applied in turn (CSV line by line, YAML through its document), then
 * the result is checked as a whole. Any issue refuses the whole batch, so the caller
 * writes nothing. Pure: file.ts reads and writes.
 */
import { IDENTITY_COLUMNS, resolveColumn } from './columns.js';
import type { DeviceRow } from './device-row.js';
import { addCsvRow, removeCsvRow, setCsvRow, type CellChanges } from './edit-csv.js';
import { addYamlRow, removeYamlRow, setYamlRow } from './edit-yaml.js';
import type { InventoryIssue } from './issues.js';
import { InventoryIndex } from './lookup.js';
import { formatOfFile, parseInventory, type InventoryParseOptions } from './parse.js';
import type { InventoryFormat } from './raw-table.js';
import type { Inventory } from './validate.js';

/** One change to an inventory. Rows are named by `key`: a MAC in any spelling, a client-id, a serial or a host name. */
export type InventoryEdit =
  | { readonly kind: 'add'; readonly cells: Readonly<Record<string, string>> }
  | { readonly kind: 'set'; readonly key: string; readonly cells: CellChanges }
  | { readonly kind: 'rm'; readonly key: string }
  | { readonly kind: 'import'; readonly rows: readonly Readonly<Record<string, string>>[] };

/** The outcome of a batch of edits: the new text and inventory, or why nothing may be written. */
export type EditResult = { readonly kind: 'ok'; readonly text: string; readonly inventory: Inventory } | { readonly kind: 'refused'; readonly issues: readonly InventoryIssue[] };

export type { CellChanges };

interface Step {
  readonly text: string;
  readonly issue?: InventoryIssue;
}

function notFound(file: string, key: string): InventoryIssue {
  return { kind: 'not-found', file, line: 0, column: 0, field: '', message: `no device "${key}" in the inventory` };
}

function rowIndex(text: string, options: InventoryParseOptions, key: string): number {
  const { inventory } = parseInventory(text, { ...options, profileIds: undefined });
  const row = new InventoryIndex(inventory).find(key);
  return row === undefined ? -1 : inventory.rows.indexOf(row);
}

/** The row an imported row updates: the first whose MAC, client-id or serial it names. */
function importTarget(text: string, options: InventoryParseOptions, cells: Readonly<Record<string, string>>): number {
  const names = Object.keys(cells);
  for (const id of IDENTITY_COLUMNS) {
    const col = resolveColumn(names, id);
    const value = col === undefined ? '' : (cells[col] ?? '').trim();
    if (value === '') continue;
    const index = rowIndex(text, options, value);
    if (index >= 0) return index;
  }
  return -1;
}

function applyOne(text: string, format: InventoryFormat, options: InventoryParseOptions, edit: InventoryEdit): Step {
  const file = options.file;
  const ops = format === 'yaml' ? { add: addYamlRow, set: setYamlRow, rm: removeYamlRow } : { add: addCsvRow, set: setCsvRow, rm: removeCsvRow };
  switch (edit.kind) {
    case 'add':
      return { text: ops.add(text, file, edit.cells) };
    case 'set':
    case 'rm': {
      const index = rowIndex(text, options, edit.key);
      if (index < 0) return { text, issue: notFound(file, edit.key) };
      return { text: edit.kind === 'set' ? ops.set(text, file, index, edit.cells) : ops.rm(text, file, index) };
    }
    case 'import': {
      let out = text;
      for (const cells of edit.rows) {
        const index = importTarget(out, options, cells);
        out = index >= 0 ? ops.set(out, file, index, cells) : ops.add(out, file, cells);
      }
      return { text: out };
    }
  }
}

/** Applies `edits` in order to inventory `text`; refused with every issue when any edit fails or the result is invalid. */
export function editInventoryText(text: string, edits: readonly InventoryEdit[], options: InventoryParseOptions): EditResult {
  const format = options.format ?? formatOfFile(options.file);
  let out = text;
  const issues: InventoryIssue[] = [];
  for (const edit of edits) {
    const step = applyOne(out, format, { ...options, format }, edit);
    if (step.issue) issues.push(step.issue);
    out = step.text;
  }
  if (issues.length > 0) return { kind: 'refused', issues };
  const checked = parseInventory(out, { ...options, format });
  if (checked.issues.length > 0) return { kind: 'refused', issues: checked.issues };
  return { kind: 'ok', text: out, inventory: checked.inventory };
}

/** The row a key names in an inventory (for `device show`), or undefined. */
export function findDevice(inventory: Inventory, key: string): DeviceRow | undefined {
  return new InventoryIndex(inventory).find(key);
}
