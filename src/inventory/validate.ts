/**
 * Checks a RawTable into an Inventory: each row on its own (device-row.ts), then
 * across rows: no MAC, client-id or serial twice, no address twice, no host name
 * twice (ignoring case). Every problem is collected; nothing stops at the first.
 */
import { meaningOf, type MeaningColumn } from './columns.js';
import { checkRecord, type DeviceRow } from './device-row.js';
import { sortInventoryIssues, type InventoryIssue, type InventoryIssueKind } from './issues.js';
import { issueAt, type InventoryFormat, type RawRecord, type RawTable } from './raw-table.js';

/** A checked inventory: its rows in file order and its columns as written. */
export interface Inventory {
  readonly file: string;
  readonly format: InventoryFormat;
  /** Column names in file order. */
  readonly columns: readonly string[];
  readonly rows: readonly DeviceRow[];
}

/** What the checks need to know beyond the file. */
export interface InventoryCheckOptions {
  /** Profile ids a row may name (the profile registry); unchecked when left out. */
  readonly profileIds?: ReadonlySet<string>;
}

interface UniqueRule {
  readonly field: MeaningColumn;
  readonly kind: InventoryIssueKind;
  readonly label: string;
  readonly key: (row: DeviceRow) => string | undefined;
}

const UNIQUE: readonly UniqueRule[] = [
  { field: 'mac', kind: 'duplicate-mac', label: 'MAC', key: (r) => r.mac },
  { field: 'client-id', kind: 'duplicate-client-id', label: 'client-id', key: (r) => r.clientId },
  { field: 'serial', kind: 'duplicate-serial', label: 'serial', key: (r) => r.serial?.toLowerCase() },
  { field: 'ip', kind: 'duplicate-ip', label: 'address', key: (r) => r.ip },
  { field: 'hostname', kind: 'duplicate-hostname', label: 'host name', key: (r) => r.hostname?.toLowerCase() },
];

function cellPos(rec: RawRecord, field: MeaningColumn): { line: number; column: number } {
  for (const [name, cell] of rec.cells) if (meaningOf(name) === field) return cell.pos;
  return { line: rec.line, column: rec.column };
}

function checkUnique(file: string, records: readonly RawRecord[], rows: readonly DeviceRow[], issues: InventoryIssue[]): void {
  for (const rule of UNIQUE) {
    const firstLine = new Map<string, number>();
    rows.forEach((row, i) => {
      const key = rule.key(row);
      const rec = records[i];
      if (key === undefined || rec === undefined) return;
      const first = firstLine.get(key);
      if (first === undefined) firstLine.set(key, row.line);
      else issues.push(issueAt(file, rule.kind, cellPos(rec, rule.field), rule.field, `duplicate ${rule.label} ${key} (also on line ${first})`));
    });
  }
}

/** Checks every row and the rows against each other; returns the inventory and every issue (table issues included), in line order. */
export function checkInventory(table: RawTable, options: InventoryCheckOptions = {}): { inventory: Inventory; issues: InventoryIssue[] } {
  const issues: InventoryIssue[] = [...table.issues];
  const rows = table.records.map((rec) => checkRecord(rec, table.file, issues, options.profileIds));
  checkUnique(table.file, table.records, rows, issues);
  return { inventory: { file: table.file, format: table.format, columns: table.columns, rows }, issues: sortInventoryIssues(issues) };
}
