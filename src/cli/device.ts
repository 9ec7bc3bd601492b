/**
 * `benchboot device list|show|add|set|rm|import|validate|adopt`: read and edit the
 * device inventory (`--inventory FILE`, default ./inventory.csv) the way `scope`
 * edits scope files. Every edit is checked as a whole first and nothing is written
 * when any problem is found (all of them reported at file:line:column, BB_INVENTORY);
 * writes are atomic and keep columns, comments and quoting (src/inventory). Secret
 * columns are masked in every output.
 */
import { readFile } from 'node:fs/promises';
import { loadScopes } from '../config/load.js';
import { ERRORS, errnoCode } from '../errors.js';
import {
  adoptEdit,
  checkAddresses,
  editInventoryFile,
  findDevice,
  formatMac,
  inventoryMacStyle,
  meaningOf,
  formatInventoryIssue,
  parseInventory,
  readInventoryFile,
  readMac,
  redactCells,
  type AddressSpace,
  type Inventory,
  type InventoryEdit,
  type InventoryIssue,
  type MacStyle,
} from '../inventory/index.js';
import { sortInventoryIssues } from '../inventory/issues.js';
import { cellsFromFlags, newRowCells, withCellFlags, withInventory } from './device-flags.js';
import { deviceJson, formatDevice, formatDeviceTable } from './device-view.js';
import { defineCommand, defineGroup, writeJson, writeLine, type CommandContext, type GlobalArgs } from './output.js';
import { cidrContains, formatCidr } from '../net/ipv4.js';
import { profileIds } from '../profiles/index.js';
// From inventory-file.ts, not provision/index.ts: the index loads the template engine, which no device command needs.
import { InventoryIssuesError, withInventoryIssues } from '../provision/inventory-file.js';

const OPTIONS = (): { profileIds: ReadonlySet<string> } => ({ profileIds: profileIds() });

/** Reads and checks the inventory; io problems throw BB_INVENTORY, row issues are returned. */
function readChecked(path: string): Promise<{ inventory: Inventory; issues: InventoryIssue[] }> {
  return withInventoryIssues(() => readInventoryFile(path, OPTIONS()));
}

/** The inventory as it is now; a missing file is an empty inventory (the first add creates it). */
async function currentInventory(path: string): Promise<Inventory> {
  try {
    return parseInventory(await readFile(path, 'utf8'), { file: path }).inventory;
  } catch (err) {
    if (errnoCode(err) === 'ENOENT') return parseInventory('', { file: path }).inventory;
    return (await readChecked(path)).inventory;
  }
}

/** Applies edits atomically; refused with every issue and nothing written. */
function applyEdits(path: string, edits: readonly InventoryEdit[]): Promise<Inventory> {
  return withInventoryIssues(() => editInventoryFile(path, edits, OPTIONS()), 'nothing written');
}

function done(ctx: CommandContext, args: GlobalArgs, verb: string, file: string, what: string, cells: Readonly<Record<string, string | null>> = {}): number {
  if (args.json) writeJson(ctx.io.stdout, { [verb]: what, file, cells: redactCells(cells) });
  else writeLine(ctx.io.stdout, `${verb} ${what} in ${file}`);
  ctx.logger().debug(`inventory ${verb}`, { component: 'inventory', file, device: what });
  return 0;
}

/** The cells with a `mac` written the way the file already writes MACs (as adopt does); other cells as given. */
function macInStyle(cells: Readonly<Record<string, string>>, style: MacStyle): Record<string, string> {
  const out = { ...cells };
  for (const [column, value] of Object.entries(cells)) {
    const mac = meaningOf(column) === 'mac' ? readMac(value) : undefined;
    if (mac !== undefined) out[column] = formatMac(mac, style);
  }
  return out;
}

/** The name a new row goes by in messages: its MAC, client-id, serial or host name. */
function nameOf(cells: Readonly<Record<string, string | null>>): string {
  return cells['mac'] ?? cells['client-id'] ?? cells['serial'] ?? cells['hostname'] ?? 'a device';
}

const listCommand = defineCommand({
  command: 'list',
  describe: 'List the devices of the inventory (secrets masked)',
  builder: (y) => withInventory(y),
  run: async (args, ctx) => {
    const { inventory, issues } = await readChecked(args.inventory);
    if (args.json) writeJson(ctx.io.stdout, inventory.rows.map((r) => deviceJson(r, inventory.columns)));
    else if (inventory.rows.length === 0) writeLine(ctx.io.stdout, `no devices in ${args.inventory} (add one with: benchboot device add --mac MAC --hostname NAME)`);
    else writeLine(ctx.io.stdout, formatDeviceTable(inventory));
    if (issues.length > 0) writeLine(ctx.io.stderr, `${issues.length} issue(s) found; run "benchboot device validate" for details`);
    return 0;
  },
});

const showCommand = defineCommand({
  command: 'show <key>',
  describe: 'Print one device (by MAC, client-id, serial or host name; secrets masked)',
  builder: (y) => withInventory(y).positional('key', { type: 'string', demandOption: true, describe: 'MAC (any spelling), client-id, serial or host name' }),
  run: async (args, ctx) => {
    const { inventory } = await readChecked(args.inventory);
    const row = findDevice(inventory, args.key);
    if (row === undefined) throw ERRORS.deviceNotFound.create({ file: args.inventory, key: args.key });
    if (args.json) writeJson(ctx.io.stdout, deviceJson(row, inventory.columns));
    else writeLine(ctx.io.stdout, formatDevice(inventory, row));
    return 0;
  },
});

const addCommand = defineCommand({
  command: 'add',
  describe: 'Add a device row (creates the file when missing)',
  builder: (y) => withCellFlags(withInventory(y)),
  examples: [['$0 device add --mac 00:1b:d4:aa:bb:cc --hostname phone1 --ip 10.10.0.50 --set ext=1001 --set sip_password=s3cret', 'A Cisco phone with its extension']],
  run: async (args, ctx) => {
    const cells = cellsFromFlags(args);
    if (Object.keys(cells).length === 0) throw ERRORS.nothingToSet.create();
    const style = inventoryMacStyle(await currentInventory(args.inventory));
    await applyEdits(args.inventory, [{ kind: 'add', cells: macInStyle(newRowCells(cells), style) }]);
    return done(ctx, args, 'added', args.inventory, nameOf(cells), cells);
  },
});

const setCommand = defineCommand({
  command: 'set <key>',
  describe: 'Change cells of a device row, keeping the file\'s comments and columns',
  builder: (y) => withCellFlags(withInventory(y).positional('key', { type: 'string', demandOption: true, describe: 'MAC (any spelling), client-id, serial or host name' })),
  examples: [['$0 device set phone1 --set ext=1002 --set note=', 'Change the extension and empty the note']],
  run: async (args, ctx) => {
    const cells = cellsFromFlags(args);
    if (Object.keys(cells).length === 0) throw ERRORS.nothingToSet.create();
    await applyEdits(args.inventory, [{ kind: 'set', key: args.key, cells }]);
    return done(ctx, args, 'updated', args.inventory, args.key, cells);
  },
});

const rmCommand = defineCommand({
  command: 'rm <key>',
  describe: 'Remove a device row',
  builder: (y) => withInventory(y).positional('key', { type: 'string', demandOption: true, describe: 'MAC (any spelling), client-id, serial or host name' }),
  run: async (args, ctx) => {
    await applyEdits(args.inventory, [{ kind: 'rm', key: args.key }]);
    return done(ctx, args, 'removed', args.inventory, args.key);
  },
});

const importCommand = defineCommand({
  command: 'import <file>',
  describe: 'Merge the rows of another CSV or YAML inventory (rows with a known identity are updated)',
  builder: (y) => withInventory(y).positional('file', { type: 'string', demandOption: true, describe: 'CSV or YAML file to merge' }),
  run: async (args, ctx) => {
    const { inventory: source, issues } = await readChecked(args.file);
    if (issues.length > 0) throw new InventoryIssuesError(issues, 'nothing imported');
    const style = inventoryMacStyle(await currentInventory(args.inventory));
    const rows = source.rows.map((r) => macInStyle(Object.fromEntries(Object.entries(r.cells).filter(([, v]) => v.trim() !== '')), style));
    await applyEdits(args.inventory, [{ kind: 'import', rows }]);
    return done(ctx, args, 'imported', args.inventory, `${rows.length} row${rows.length === 1 ? '' : 's'} from ${args.file}`);
  },
});

const adoptCommand = defineCommand({
  command: 'adopt <mac>',
  describe: 'Add an unknown device by its MAC, written the way the file writes MACs',
  builder: (y) => withCellFlags(withInventory(y).positional('mac', { type: 'string', demandOption: true, describe: 'The device MAC (any spelling)' })),
  examples: [['$0 device adopt 00:1b:d4:aa:bb:cd --hostname phone2 --set ext=1002', 'Adopt a phone that asked for its config']],
  run: async (args, ctx) => {
    const mac = readMac(args.mac);
    if (mac === undefined) throw ERRORS.notMac.create({ text: args.mac });
    const cells = newRowCells(cellsFromFlags(args));
    await applyEdits(args.inventory, [adoptEdit(await currentInventory(args.inventory), mac, cells)]);
    return done(ctx, args, 'adopted', args.inventory, mac, cells);
  },
});

/** The scopes' subnets as the address spaces reservations must fall in. */
async function scopeSpaces(dir: string): Promise<AddressSpace[]> {
  return (await loadScopes(dir)).map((s) => ({ name: `${s.name} ${formatCidr(s.subnet)}`, contains: (ip) => cidrContains(s.subnet, ip) }));
}

const validateCommand = defineCommand({
  command: 'validate',
  describe: 'Check the inventory (and, with --scopes, every ip against the scopes); exit 1 listing every issue',
  builder: (y) => withInventory(y).option('scopes', { type: 'string', normalize: true, requiresArg: true, describe: 'Also check each ip lies in a subnet of these scope files' }),
  run: async (args, ctx) => {
    const { inventory, issues: own } = await readChecked(args.inventory);
    const issues = sortInventoryIssues([...own, ...(args.scopes === undefined ? [] : checkAddresses(inventory, await scopeSpaces(args.scopes)))]);
    if (args.json) writeJson(ctx.io.stdout, { valid: issues.length === 0, file: args.inventory, devices: inventory.rows.length, issues });
    else {
      for (const issue of issues) writeLine(ctx.io.stdout, formatInventoryIssue(issue));
      const n = inventory.rows.length;
      writeLine(ctx.io.stdout, `${args.inventory}: ${n} device${n === 1 ? '' : 's'}, ${issues.length === 0 ? 'ok' : `${issues.length} issue${issues.length === 1 ? '' : 's'}`}`);
    }
    return issues.length === 0 ? 0 : 1;
  },
});

/** `benchboot device ...`. */
export const deviceCommand = defineGroup('device', 'List, edit and check the device inventory', [listCommand, showCommand, addCommand, setCommand, rmCommand, importCommand, validateCommand, adoptCommand]);
