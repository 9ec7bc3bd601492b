/**
 * The appliance's provisioning wiring (issue 12): one ProvisionResolver over the TFTP
 * root and alternates, the TFTP storage that renders templates for the device that
 * asks (src/provision/tftp-storage.ts), the DHCP policy (vendor profiles, the row's
 * host name and profile), and the inventory behind both, read with the scopes
 * (inventory-reservations.ts). Templates are checked at start and at every reload:
 * one that does not parse refuses the start (or the reload) with BB_TEMPLATE naming
 * each file:line; an inventory with an issue refuses it with BB_INVENTORY.
 */
import { ERRORS } from '../errors.js';
import type { InventoryIndex } from '../inventory/index.js';
import { ProvisioningPolicy } from './dhcp-policy.js';
import { loadScopesWithInventory, type ScopesWithInventory } from './inventory-reservations.js';
import type { ScopeSource } from './scope-source.js';
import type { Logger } from '../log.js';
import { RenderFailures } from '../provision/render-failures.js';
import { ProvisionResolver } from '../provision/resolver.js';
import { ProvisioningStorage, type RequesterLookup } from '../provision/tftp-storage.js';
import { formatTemplateProblem } from '../templates/index.js';
import { compileDefaultRules } from '../tftp/resolve-path.js';
import type { TftpStorageSide } from './tftp.js';
import type { ApplianceTftpConfig } from './tftp-settings.js';

/** The resolver and the storage that uses it. */
export interface ProvisioningSide {
  readonly resolver: ProvisionResolver;
  readonly side: TftpStorageSide;
}

/** Throws BB_TEMPLATE listing every template of the tree that does not parse. */
export async function requireTemplatesParse(resolver: ProvisionResolver): Promise<void> {
  const problems = await resolver.checkTemplates();
  if (problems.length > 0) throw ERRORS.templatesInvalid.create({ count: problems.length, problems: problems.map((p) => `  ${formatTemplateProblem(p)}`).join('\n') });
}

/**
 * Wraps the file-system storage of `plain` so that templates render per device; the
 * storage's real locations are the resolver's, in the same order.
 */
export async function openProvisioning(
  plain: TftpStorageSide,
  t: ApplianceTftpConfig,
  requesterOf: RequesterLookup,
  logger: Logger,
  inventory?: InventoryIndex,
  failures?: RenderFailures,
): Promise<ProvisioningSide> {
  const resolver = new ProvisionResolver({ locations: plain.storage.locations, isCaseInsensitive: t.caseInsensitive ?? false, ...(inventory === undefined ? {} : { inventory }) });
  await requireTemplatesParse(resolver);
  const compiled = compileDefaultRules(t.defaults ?? [], t.caseInsensitive ?? false);
  const defaults = compiled.kind === 'ok' ? compiled.rules : [];
  const storage = new ProvisioningStorage({ inner: plain.storage, resolver, requesterOf, defaults, logger: logger.child({ component: 'provision' }), ...(failures === undefined ? {} : { failures }) });
  return { resolver, side: { storage, remap: plain.remap } };
}

/** What the appliance holds for provisioning between start and stop: one inventory feeding the DHCP policy and the templates. */
export class ApplianceProvisioning {
  /** Per-request DHCP decoration (dhcp-policy.ts). */
  readonly policy = new ProvisioningPolicy();
  /** Failed renders on their way to the device records (render-failures.ts). */
  readonly renderFailures = new RenderFailures();
  private resolver: ProvisionResolver | undefined;
  private current: InventoryIndex | undefined;

  /** `inventoryFile`: `serve --inventory FILE`, read at start and at every reload. */
  constructor(readonly inventoryFile: string | undefined) {}

  /** The scopes with the inventory's reservations, and the inventory; throws on any issue of either. */
  load(source: ScopeSource): Promise<ScopesWithInventory> {
    return loadScopesWithInventory(source, this.inventoryFile);
  }

  /** Wraps the TFTP storage so that templates render per device (start). */
  async openStorage(plain: TftpStorageSide, t: ApplianceTftpConfig, requesterOf: RequesterLookup, logger: Logger): Promise<TftpStorageSide> {
    const { resolver, side } = await openProvisioning(plain, t, requesterOf, logger, undefined, this.renderFailures);
    this.resolver = resolver;
    return side;
  }

  /** Reads the templates again; one that does not parse throws (reload). */
  async reloadTemplates(): Promise<void> {
    if (!this.resolver) return;
    this.resolver.invalidate();
    await requireTemplatesParse(this.resolver);
  }

  /** Puts a loaded inventory in force for DHCP and templates alike. */
  apply(inventory: InventoryIndex | undefined): void {
    this.policy.setInventory(inventory);
    this.resolver?.setInventory(inventory);
    this.current = inventory;
  }

  /** The inventory in force, if any. */
  inventory(): InventoryIndex | undefined {
    return this.current;
  }

  /** For the "serving" log line. */
  describe(): { inventory: string; devices: number } | undefined {
    return this.inventoryFile === undefined ? undefined : { inventory: this.inventoryFile, devices: this.current?.inventory.rows.length ?? 0 };
  }
}
