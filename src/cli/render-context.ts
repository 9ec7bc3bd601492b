/**
 * What `benchboot render` needs around the resolver: the inventory (the given file,
 * else ./inventory.csv when it exists, else none), and the scope and server facts of
 * the device — from the scope file whose subnet holds its address (`--scopes DIR`),
 * or from a scope derived from `--server ADDRESS/PREFIX` as `serve --interface`
 * derives one from the interface address.
 */
import { deriveScope } from '../config/defaults.js';
import { loadScopes } from '../config/load.js';
import type { Scope } from '../config/scope.js';
import { ERRORS } from '../errors.js';
import type { InventoryIndex } from '../inventory/index.js';
import { cidrContains, cidrHosts, isIpv4, parseIpv4, type Ipv4 } from '../net/ipv4.js';
import { loadInventoryIndex, scopeFacts, serverFacts } from '../provision/index.js';
import type { ScopeFacts, ServerFacts } from '../templates/index.js';
import { inventoryFileOf } from './device-flags.js';

/** The server address and prefix `render` assumes without --scopes and --server. */
export const DEFAULT_SERVER = '10.10.0.1/24';

/** The inventory `render` reads: the given file (must be valid), else the default file when it exists. */
export async function renderInventory(given: string | undefined): Promise<InventoryIndex | undefined> {
  // No inventory beside the command: every device renders as unknown, as serve would.
  const file = await inventoryFileOf(given);
  return file === undefined ? undefined : loadInventoryIndex(file);
}

/** `--server A[/P]` read; BB_USAGE when it is not an address. */
export function readServerFlag(text: string): { address: Ipv4; prefix: number | undefined } {
  const [addr = '', prefixText, extra] = text.split('/');
  const prefix = prefixText === undefined ? undefined : Number(prefixText);
  if (!isIpv4(addr) || extra !== undefined || (prefix !== undefined && !/^\d{1,2}$/.test(prefixText ?? ''))) throw ERRORS.badServerFlag.create({ text });
  return { address: parseIpv4(addr), prefix };
}

/** The scope of `ip` among the scope files (the only scope when there is one and no address is known). */
async function scopeFromDir(dir: string, ip: Ipv4 | undefined): Promise<Scope> {
  const scopes = await loadScopes(dir);
  const holding = ip === undefined ? [] : scopes.filter((s) => cidrContains(s.subnet, ip));
  const chosen = holding[0] ?? (ip === undefined && scopes.length === 1 ? scopes[0] : undefined);
  if (chosen !== undefined) return chosen;
  const why = ip === undefined ? ' (the device has no address: give --ip, or an ip in its inventory row)' : ` (${scopes.length} scope${scopes.length === 1 ? '' : 's'} checked)`;
  throw ERRORS.noScopeForDevice.create({ dir, ip: ip ?? 'the device', why });
}

/** The scope and server facts of the device at `ip`. */
export async function renderFacts(scopesDir: string | undefined, serverFlag: string | undefined, ip: Ipv4 | undefined): Promise<{ scope: ScopeFacts; server: ServerFacts }> {
  const server = serverFlag === undefined ? undefined : readServerFlag(serverFlag);
  if (scopesDir !== undefined) {
    const scope = await scopeFromDir(scopesDir, ip);
    const address = server?.address ?? scope.boot.nextServer ?? scope.router ?? cidrHosts(scope.subnet).first;
    return { scope: scopeFacts(scope), server: serverFacts(address) };
  }
  const { address, prefix } = server ?? readServerFlag(DEFAULT_SERVER);
  const scope = deriveScope({ name: 'bench', interface: 'bench', address, prefix: prefix ?? 24 });
  return { scope: scopeFacts(scope), server: serverFacts(address) };
}
