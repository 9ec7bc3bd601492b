/**
 * How `benchboot device list|show` prints devices: every column in file order with
 * secret columns masked (inventory `redactRow`), as a table, as `column: value`
 * lines, or as JSON. Secrets never reach the output in any form.
 */
import { redactRow, type DeviceRow, type Inventory } from '../inventory/index.js';
import { formatTable } from './output.js';

/** A device for JSON output: its line, canonical identities and its cells with secrets masked. */
export function deviceJson(row: DeviceRow, columns: readonly string[]): Record<string, unknown> {
  return {
    line: row.line,
    ...(row.mac === undefined ? {} : { mac: row.mac }),
    ...(row.clientId === undefined ? {} : { clientId: row.clientId }),
    ...(row.serial === undefined ? {} : { serial: row.serial }),
    ...(row.ip === undefined ? {} : { ip: row.ip }),
    ...(row.hostname === undefined ? {} : { hostname: row.hostname }),
    ...(row.profile === undefined ? {} : { profile: row.profile }),
    cells: redactRow(row, columns),
  };
}

/** The `device list` table: one column per inventory column, secrets masked, empty cells as `-`. */
export function formatDeviceTable(inventory: Inventory): string {
  const rows = inventory.rows.map((r) => redactRow(r, inventory.columns));
  return formatTable(
    rows,
    inventory.columns.map((c) => ({ header: c.toUpperCase(), value: (r: Record<string, string>) => r[c] || '-' })),
  );
}

/** The `device show` text: where the row is, then `column: value` per column, secrets masked. */
export function formatDevice(inventory: Inventory, row: DeviceRow): string {
  const cells = redactRow(row, inventory.columns);
  const width = Math.max(0, ...Object.keys(cells).map((c) => c.length));
  const lines = [`${inventory.file}:${row.line}`];
  for (const [column, value] of Object.entries(cells)) lines.push(`  ${`${column}:`.padEnd(width + 1)} ${value}`);
  if (row.mac !== undefined) lines.push(`  (MAC ${row.mac})`);
  return lines.join('\n');
}
