/**
 * `serve --inventory FILE` on the DHCP side (issue 12): the rows that give an `ip` become
 * reservations of the scope whose subnet holds the address, with the row's host name as
 * option 12, exactly as if the scope file listed them. The inventory is read and checked
 * together with the scopes, at start and at every reload, so that a bad row refuses the
 * start (or the reload) with every issue at file:line:column and nothing half-applied.
 *
 *     const { scopes, inventory } = await loadScopesWithInventory(source, 'bench.csv');
 */
import { cidrContains, formatCidr, isNetworkOrBroadcast, type Ipv4 } from '../net/ipv4.js';
import type { Reservation, Scope } from '../config/scope.js';
import { checkAddresses, meaningOf, type DeviceRow, type InventoryIndex, type InventoryIssue } from '../inventory/index.js';
import { InventoryIssuesError, loadInventoryIndex } from '../provision/inventory-file.js';
import type { ScopeSource } from './scope-source.js';

/** Scopes with the inventory's reservations merged in, and the inventory they came from. */
export interface ScopesWithInventory {
  readonly scopes: Scope[];
  readonly inventory?: InventoryIndex;
}

/** Loads the scopes and, when a file is given, the inventory; refuses both on any issue. */
export async function loadScopesWithInventory(source: ScopeSource, inventoryFile: string | undefined): Promise<ScopesWithInventory> {
  const scopes = await source.load();
  if (inventoryFile === undefined) return { scopes };
  const inventory = await loadInventoryIndex(inventoryFile);
  return { scopes: mergeInventoryReservations(scopes, inventory), inventory };
}

/** An issue at the row's `ip` cell. */
function ipIssue(row: DeviceRow, file: string, message: string): InventoryIssue {
  const column = Object.keys(row.cells).find((c) => meaningOf(c) === 'ip');
  const pos = (column !== undefined ? row.positions[column] : undefined) ?? { line: row.line, column: 0 };
  return { kind: 'outside-scopes', file, line: pos.line, column: pos.column, field: 'ip', message };
}

function sameIdentity(r: Reservation, row: DeviceRow): boolean {
  if (row.mac !== undefined && r.mac === row.mac) return true;
  return row.clientId !== undefined && r.clientId !== undefined && Buffer.from(r.clientId).toString('hex') === row.clientId;
}

/** Why `row` cannot be a reservation of `scope`, or undefined when it can (or the scope already reserves it the same way). */
function conflictIn(scope: Scope, row: DeviceRow, ip: Ipv4): string | undefined {
  const where = `scope ${scope.name} (${formatCidr(scope.subnet)})`;
  if (isNetworkOrBroadcast(scope.subnet, ip)) return `${ip} is the network or broadcast address of ${where}`;
  if (scope.router === ip) return `${ip} is the router of ${where}`;
  if (scope.boot.nextServer === ip || scope.boot.tftpServers.includes(ip)) return `${ip} is the TFTP server address of ${where}`;
  for (const r of scope.reservations) {
    const same = sameIdentity(r, row);
    if (r.ip === ip && !same) return `${ip} is already reserved in ${where} for ${r.mac ?? 'another client-id'}`;
    if (same && r.ip !== ip) return `this device is already reserved ${r.ip} in ${where}`;
  }
  return undefined;
}

function reservationOf(row: DeviceRow, ip: Ipv4): Reservation {
  return {
    ip,
    ...(row.clientId !== undefined ? { clientId: Uint8Array.from(Buffer.from(row.clientId, 'hex')) } : row.mac !== undefined ? { mac: row.mac } : {}),
    ...(row.hostname !== undefined ? { hostname: row.hostname } : {}),
  };
}

/**
 * The scopes with one reservation per row that has an `ip` (client-id first when the row
 * has one, as the engine matches it first). Throws InventoryIssuesError listing every row
 * whose address is in no scope, clashes with the scope, or has no identity DHCP carries.
 */
export function mergeInventoryReservations(scopes: readonly Scope[], index: InventoryIndex): Scope[] {
  const { inventory } = index;
  const issues: InventoryIssue[] = checkAddresses(
    inventory,
    scopes.map((s) => ({ name: `${s.name} ${formatCidr(s.subnet)}`, contains: (ip: Ipv4) => cidrContains(s.subnet, ip) })),
  );
  const added = new Map<Scope, Reservation[]>();
  for (const row of inventory.rows) {
    const ip = row.ip;
    if (ip === undefined) continue;
    if (row.mac === undefined && row.clientId === undefined) {
      issues.push(ipIssue(row, inventory.file, `a reserved address needs the row's mac or client-id (DHCP does not carry a serial)`));
      continue;
    }
    for (const scope of scopes.filter((s) => cidrContains(s.subnet, ip))) {
      const conflict = conflictIn(scope, row, ip);
      if (conflict !== undefined) issues.push(ipIssue(row, inventory.file, conflict));
      else if (!scope.reservations.some((r) => r.ip === ip)) added.set(scope, [...(added.get(scope) ?? []), reservationOf(row, ip)]);
    }
  }
  if (issues.length > 0) throw new InventoryIssuesError(issues, 'the inventory does not fit the scopes');
  return scopes.map((s) => {
    const more = added.get(s);
    return more === undefined ? s : { ...s, reservations: [...s.reservations, ...more] };
  });
}
