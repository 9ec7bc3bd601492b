/**
 * The appliance's provisioning wiring (issue 12): one ProvisionResolver over the TFTP
 * root and alternates, and the TFTP storage that renders templates for the device
 * that asks (src/provision/tftp-storage.ts). Templates are checked at start and at
 * every reload: one that does not parse refuses the start (or the reload) with
 * BB_TEMPLATE naming each file:line.
 */
import { ERRORS } from '../errors.js';
import type { InventoryIndex } from '../inventory/index.js';
import type { Logger } from '../log.js';
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
): Promise<ProvisioningSide> {
  const resolver = new ProvisionResolver({ locations: plain.storage.locations, isCaseInsensitive: t.caseInsensitive ?? false, ...(inventory === undefined ? {} : { inventory }) });
  await requireTemplatesParse(resolver);
  const compiled = compileDefaultRules(t.defaults ?? [], t.caseInsensitive ?? false);
  const defaults = compiled.kind === 'ok' ? compiled.rules : [];
  const storage = new ProvisioningStorage({ inner: plain.storage, resolver, requesterOf, defaults, logger: logger.child({ component: 'provision' }) });
  return { resolver, side: { storage, remap: plain.remap } };
}
