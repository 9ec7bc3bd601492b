/**
 * The flags of `benchboot device …`: `--inventory FILE` (default ./inventory.csv;
 * YAML when the name ends in .yaml/.yml), and the cell flags of `add`, `set` and
 * `adopt`: `--set COLUMN=VALUE` (repeatable; an empty VALUE empties the cell) and the
 * shortcuts `--mac`, `--ip`, `--hostname`, `--profile`. Values are checked by the
 * inventory itself when the edited file is checked, so every problem shows at once.
 */
import { access } from 'node:fs/promises';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import type { Argv } from 'yargs';
import { ERRORS, errnoCode } from '../errors.js';
import { listOf } from './scope-flags.js';

/** The default inventory file. */
export const DEFAULT_INVENTORY = './inventory.csv';

/**
 * The inventory `serve` and `render` read: the given file, else ./inventory.csv when it
 * exists (a bench directory made with `benchboot device import`), else none. Absolute.
 */
export async function inventoryFileOf(given: string | undefined): Promise<string | undefined> {
  if (given !== undefined) return resolve(given);
  try {
    await access(DEFAULT_INVENTORY);
  } catch (err) {
    const code = errnoCode(err);
    if (code === 'ENOENT') return undefined;
    // A cwd the serving user may not enter (sudo serve from a private directory): say so, not an internal error.
    if (code === 'EACCES' || code === 'EPERM') throw ERRORS.inventoryUnreadable.create({ path: resolve(DEFAULT_INVENTORY), reason: code, user: userLabel() }, { cause: err });
    throw err;
  }
  return resolve(DEFAULT_INVENTORY);
}

/** Who this process runs as, for messages. */
function userLabel(): string {
  try {
    return `${userInfo().username}, uid ${process.getuid?.() ?? '?'}`;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/** The cell shortcuts and the column each one sets. */
const SHORTCUTS = {
  mac: 'MAC address, any common spelling (column mac)',
  ip: 'Reserved IPv4 address (column ip)',
  hostname: 'Host name, option 12 (column hostname)',
  profile: 'Vendor profile forced for this device (column profile; see benchboot profile list)',
} as const;

/** Adds `--inventory FILE`. */
export function withInventory<T>(parser: Argv<T>): Argv<T & { inventory: string }> {
  return parser.option('inventory', {
    type: 'string',
    default: DEFAULT_INVENTORY,
    describe: 'Inventory file: CSV with a header row, or YAML (.yaml/.yml)',
    normalize: true,
    requiresArg: true,
  });
}

/** Adds `--set COLUMN=VALUE` and the shortcuts. */
export function withCellFlags<T>(parser: Argv<T>): Argv<T> {
  let out = parser.option('set', { type: 'string', requiresArg: true, describe: 'Set a column: COLUMN=VALUE (repeatable; empty VALUE empties the cell)', group: 'Cells:' });
  for (const [flag, describe] of Object.entries(SHORTCUTS)) out = out.option(flag, { type: 'string', requiresArg: true, describe, group: 'Cells:' });
  return out;
}

/** One `--set COLUMN=VALUE` read; BB_USAGE when there is no `=` or no column. */
export function readSetFlag(spec: string): [string, string] {
  const at = spec.indexOf('=');
  const column = at < 0 ? '' : spec.slice(0, at).trim();
  if (column === '') throw ERRORS.badSetFlag.create({ spec });
  return [column, spec.slice(at + 1)];
}

/** The cells the flags set, shortcuts first, then `--set` in order; an empty value becomes null (empty the cell). */
export function cellsFromFlags(args: Readonly<Record<string, unknown>>): Record<string, string | null> {
  const cells: Record<string, string | null> = {};
  for (const flag of Object.keys(SHORTCUTS)) {
    const values = listOf(args, flag);
    if (values === undefined) continue;
    if (values.length > 1) throw ERRORS.flagGivenTwice.create({ flag, count: values.length });
    cells[flag] = values[0] === '' ? null : (values[0] ?? null);
  }
  for (const spec of listOf(args, 'set') ?? []) {
    const [column, value] = readSetFlag(spec);
    cells[column] = value === '' ? null : value;
  }
  return cells;
}

/** The cells of a new row (emptied cells left out). */
export function newRowCells(cells: Readonly<Record<string, string | null>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(cells)) if (v !== null) out[k] = v;
  return out;
}
