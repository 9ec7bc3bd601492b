/**
 * Inventory text in, checked inventory out: picks the reader by format (from the file
 * name, or given), reads, and checks. Pure: the caller reads the file (file.ts).
 */
import { readCsvInventory } from './csv-source.js';
import { InventoryError, type InventoryIssue } from './issues.js';
import type { InventoryFormat } from './raw-table.js';
import { checkInventory, type Inventory, type InventoryCheckOptions } from './validate.js';
import { readYamlInventory } from './yaml-source.js';

/** How to read inventory text. */
export interface InventoryParseOptions extends InventoryCheckOptions {
  /** The file name for messages; also picks the format when `format` is left out. */
  readonly file: string;
  readonly format?: InventoryFormat;
}

/** The format of a file name: `.yaml`/`.yml` is YAML, anything else CSV. */
export function formatOfFile(file: string): InventoryFormat {
  return /\.ya?ml$/i.test(file) ? 'yaml' : 'csv';
}

/** Parses and checks inventory text; returns every issue (none when the inventory can be used). */
export function parseInventory(text: string, options: InventoryParseOptions): { inventory: Inventory; issues: InventoryIssue[] } {
  const format = options.format ?? formatOfFile(options.file);
  const table = format === 'yaml' ? readYamlInventory(text, options.file).table : readCsvInventory(text, options.file).table;
  return checkInventory(table, options);
}

/** Parses and checks inventory text; throws InventoryError with every issue when there is any. */
export function loadInventory(text: string, options: InventoryParseOptions): Inventory {
  const { inventory, issues } = parseInventory(text, options);
  if (issues.length > 0) throw new InventoryError(issues);
  return inventory;
}
