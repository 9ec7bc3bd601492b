/**
 * Checks the rows' reserved addresses against the address spaces the lead knows
 * (scopes' subnets or ranges), given as named predicates so this package does not
 * depend on the scope model: an address no space contains is an issue at its cell.
 */
import type { Ipv4 } from '../net/ipv4.js';
import { meaningOf } from './columns.js';
import type { InventoryIssue } from './issues.js';
import type { Inventory } from './validate.js';

/** A place a reserved address may be in, e.g. a scope's subnet: `{ name: 'bench1 10.10.0.0/24', contains }`. */
export interface AddressSpace {
  readonly name: string;
  contains(ip: Ipv4): boolean;
}

/** Issues for rows whose `ip` lies in none of `spaces`, each at the row's ip cell. */
export function checkAddresses(inventory: Inventory, spaces: readonly AddressSpace[]): InventoryIssue[] {
  const issues: InventoryIssue[] = [];
  const names = spaces.map((s) => s.name).join(', ');
  for (const row of inventory.rows) {
    const ip = row.ip;
    if (ip === undefined || spaces.some((s) => s.contains(ip))) continue;
    const column = Object.keys(row.cells).find((c) => meaningOf(c) === 'ip');
    const pos = (column !== undefined ? row.positions[column] : undefined) ?? { line: row.line, column: 0 };
    issues.push({
      kind: 'outside-scopes',
      file: inventory.file,
      line: pos.line,
      column: pos.column,
      field: 'ip',
      message: spaces.length === 0 ? `${ip} is in no scope (no scope is defined)` : `${ip} is in no scope (${names})`,
    });
  }
  return issues;
}
