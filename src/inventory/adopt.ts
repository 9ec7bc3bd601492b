/**
 * Adopting an unknown device (`benchboot device adopt MAC --set hostname=…`): the add
 * edit for a new row with its MAC written the way the file already writes MACs
 * (`001BD4AABBCC` in a file of such), plus the cells the technician set.
 */
import type { MacAddress } from '../net/ipv4.js';
import { meaningOf } from './columns.js';
import type { InventoryEdit } from './edit.js';
import { formatMac, styleOfMac, type MacStyle } from './mac-spelling.js';
import type { Inventory } from './validate.js';

const DEFAULT_STYLE: MacStyle = { separator: 'colon', upper: false };

/** The MAC style of the inventory's first row that has a MAC (colon, lower-case when none). */
export function inventoryMacStyle(inventory: Inventory): MacStyle {
  for (const row of inventory.rows) {
    const col = Object.keys(row.cells).find((c) => meaningOf(c) === 'mac');
    const typed = col === undefined ? undefined : row.cells[col];
    if (typed !== undefined && row.mac !== undefined) return styleOfMac(typed);
  }
  return DEFAULT_STYLE;
}

/** The add edit that adopts `mac` with the given cells (a `mac` among `cells` is ignored). */
export function adoptEdit(inventory: Inventory, mac: MacAddress, cells: Readonly<Record<string, string>> = {}): InventoryEdit {
  const macColumn = inventory.columns.find((c) => meaningOf(c) === 'mac') ?? 'mac';
  const row: Record<string, string> = { [macColumn]: formatMac(mac, inventoryMacStyle(inventory)) };
  for (const [name, value] of Object.entries(cells)) if (meaningOf(name) !== 'mac') row[name] = value;
  return { kind: 'add', cells: row };
}
