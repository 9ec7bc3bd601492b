/**
 * The one decision of what a device gets for a requested file name (issue 12), used
 * by the TFTP storage, the HTTP side and `benchboot render`:
 *   - locations are searched in order (the TFTP root, then the alternates);
 *   - in each, a static file of the name wins over a template (a hand-written file
 *     overrides), then `NAME.liquid`, then the most specific token template
 *     (templates/names.ts);
 *   - a token template (`SEP{MAC}.cnf.xml.liquid`, `{hostname}-confg.liquid`) answers
 *     only a device it can render for, one with an inventory row for that MAC or host
 *     name; otherwise the search goes on to the next location, and in the end the
 *     answer is `none` (the caller's --default-file rules come next);
 *   - a token-less template renders for whoever asks, with `device` when the
 *     requester has a row (by client-id, MAC, then reserved address);
 *   - a render is all or nothing, and kept in the render cache until anything it read
 *     changes (template text, row, lease address, the tree's names, scope or server
 *     facts, the requester's vendor class or model).
 */
import { join } from 'node:path';
import type { DeviceRow, InventoryIndex } from '../inventory/index.js';
import type { Ipv4, MacAddress } from '../net/ipv4.js';
import { buildVariables, RenderCache, resolveName, TEMPLATE_SUFFIX, TemplateEngine, type Captured, type RenderKeyParts, type RequesterFacts, type ScopeFacts, type ServerFacts, type TemplateProblem } from '../templates/index.js';
import { FsProvisionFiles, type ProvisionFiles } from './files.js';
import { checkTemplates, TemplateStore } from './template-store.js';
import { RequesterContexts, TreeNames } from './tree.js';

/** What the server knows of the device that asks. */
export interface Requester {
  /** The requester's address (its lease). */
  readonly ip?: Ipv4;
  /** Its MAC (chaddr of its lease). */
  readonly mac?: MacAddress;
  /** Option 61 of its lease, as bytes or hex. */
  readonly clientId?: Uint8Array | string;
  /** Option 60 of its lease. */
  readonly vendorClass?: string;
  /** A model, when a profile or file name tells it. */
  readonly model?: string;
  /** Option 12 of its lease. */
  readonly hostname?: string;
  /** Its vendor profile id (the one its DHCP answer used), for the profile's default file. */
  readonly profile?: string;
}

/** One request: the file name as the TFTP path rules left it, who asks, and on which scope and interface. */
export interface ProvisionRequest {
  readonly name: string;
  readonly requester: Requester;
  readonly scope: ScopeFacts;
  readonly server: ServerFacts;
}

/** What answers a request. */
export type ProvisionResult =
  /** Send this file as it is; `location` is the directory it was found in. */
  | { readonly kind: 'static'; readonly path: string; readonly location: string }
  /** Send these bytes, rendered from `template` (its path), for `device` when it has a row. */
  | { readonly kind: 'rendered'; readonly bytes: Uint8Array; readonly template: string; readonly device?: DeviceRow }
  /** Nothing in any location answers (the default-file rules come next). */
  | { readonly kind: 'none' }
  /** The template that answers does not parse or does not render (a missing variable): send nothing, TFTP error 1. */
  | { readonly kind: 'render-error'; readonly template: string; readonly problem: TemplateProblem; readonly device?: DeviceRow };

/** How to build a resolver. */
export interface ProvisionResolverOptions {
  /** The TFTP root, then the alternates, in search order. */
  readonly locations: readonly string[];
  /** The inventory; without it token templates answer nobody and no render has `device`. */
  readonly inventory?: InventoryIndex;
  /** Where names and templates are read (default: the real file system, listings cached by mtime). */
  readonly files?: ProvisionFiles;
  readonly engine?: TemplateEngine;
  readonly cache?: RenderCache;
  /** Find static files and `NAME.liquid` whatever the case of the request (serve --case-insensitive); tokens always ignore case. */
  readonly isCaseInsensitive?: boolean;
}

/** The device a template renders for, and whether the template's name asked for one. */
interface Target {
  readonly row?: DeviceRow;
  readonly facts: RequesterFacts;
  /** The name held a MAC or host name token. */
  readonly isPerDevice: boolean;
}

/** Splits a requested name into directory and file, or undefined when it could leave the location. */
function splitName(name: string): { dir: string; base: string } | undefined {
  const parts = name.split('/');
  if (parts.some((p) => p === '' || p === '.' || p === '..' || p.includes('\\') || p.includes('\0'))) return undefined;
  const base = parts.pop() ?? '';
  return { dir: parts.join('/'), base };
}

/** What templates see of the asker (device.mac, device.ip from the lease, vendor_class, model). */
function factsOf(r: Requester): RequesterFacts {
  return {
    ...(r.mac === undefined ? {} : { mac: r.mac }),
    ...(r.ip === undefined ? {} : { leaseIp: r.ip }),
    ...(r.vendorClass === undefined ? {} : { vendorClass: r.vendorClass }),
    ...(r.model === undefined ? {} : { model: r.model }),
  };
}

/** The listing's spelling of `base` (or of `base.liquid`, without the suffix) when they differ only in case; else `base`. */
function spellingIn(base: string, names: readonly string[]): string {
  if (names.includes(base) || names.includes(`${base}${TEMPLATE_SUFFIX}`)) return base;
  const lower = base.toLowerCase();
  const file = names.find((n) => n.toLowerCase() === lower);
  if (file !== undefined) return file;
  const template = names.find((n) => n.toLowerCase() === `${lower}${TEMPLATE_SUFFIX}`);
  return template === undefined ? base : template.slice(0, -TEMPLATE_SUFFIX.length);
}

/** Decides static file, rendered bytes or nothing for each request; see the module comment. */
export class ProvisionResolver {
  private readonly locations: readonly string[];
  private readonly files: ProvisionFiles;
  private readonly engine: TemplateEngine;
  private readonly cache: RenderCache;
  private readonly templates: TemplateStore;
  private readonly tree: TreeNames;
  private readonly contexts = new RequesterContexts();
  private readonly isCaseInsensitive: boolean;
  private inventory: InventoryIndex | undefined;
  private rowsByIp = new Map<string, DeviceRow>();

  constructor(options: ProvisionResolverOptions) {
    this.locations = [...options.locations];
    this.isCaseInsensitive = options.isCaseInsensitive ?? false;
    this.files = options.files ?? new FsProvisionFiles();
    this.engine = options.engine ?? new TemplateEngine();
    this.cache = options.cache ?? new RenderCache();
    this.templates = new TemplateStore(this.engine, this.files);
    this.tree = new TreeNames(this.files, this.locations);
    this.setInventory(options.inventory);
  }

  /** Replaces the inventory (reload). Renders of changed rows miss the cache by their row version. */
  setInventory(inventory: InventoryIndex | undefined): void {
    this.inventory = inventory;
    this.rowsByIp = new Map();
    for (const row of inventory?.inventory.rows ?? []) if (row.ip !== undefined && !this.rowsByIp.has(row.ip)) this.rowsByIp.set(row.ip, row);
  }

  /** Drops every parsed template and rendered file (reload, SIGHUP). */
  invalidate(): void {
    this.templates.clear();
    this.cache.clear();
    this.contexts.clear();
  }

  /** Parses every template of every location; every problem at once (empty when all parse). */
  checkTemplates(): Promise<TemplateProblem[]> {
    return checkTemplates(this.locations, this.engine, this.files);
  }

  /** What answers `request`. */
  async resolve(request: ProvisionRequest): Promise<ProvisionResult> {
    const split = splitName(request.name);
    if (split === undefined) return { kind: 'none' };
    for (const location of this.locations) {
      const dir = split.dir === '' ? location : join(location, split.dir);
      const { names } = await this.files.list(dir);
      const found = resolveName(this.isCaseInsensitive ? spellingIn(split.base, names) : split.base, names);
      if (found.kind === 'static') return { kind: 'static', path: join(dir, found.file), location };
      if (found.kind === 'none') continue;
      const target = this.targetOf(found.captured, request.requester);
      if (target.isPerDevice && target.row === undefined) continue;
      const result = await this.render(join(dir, found.file), request, target);
      if (result !== undefined) return result;
    }
    return { kind: 'none' };
  }

  /** The requester's own row: by client-id, then MAC, then its address as a reservation. */
  private rowOfRequester(r: Requester): DeviceRow | undefined {
    const byId = this.inventory?.lookup({ ...(r.mac === undefined ? {} : { mac: r.mac }), ...(r.clientId === undefined ? {} : { clientId: r.clientId }) });
    return byId ?? (r.ip === undefined ? undefined : this.rowsByIp.get(r.ip));
  }

  private targetOf(captured: Captured, requester: Requester): Target {
    const facts = factsOf(requester);
    const own = this.rowOfRequester(requester);
    if (captured.mac === undefined && captured.hostname === undefined) return { ...(own === undefined ? {} : { row: own }), facts, isPerDevice: false };
    const row = captured.mac !== undefined ? this.inventory?.byMac(captured.mac) : captured.hostname !== undefined ? this.inventory?.byHostname(captured.hostname) : undefined;
    if (row === undefined) return { facts, isPerDevice: true };
    // Another device may ask for this one's file: then only the row speaks, not the asker's lease.
    const isAsker = own === row || (requester.mac !== undefined && requester.mac === row.mac);
    return { row, facts: isAsker ? facts : {}, isPerDevice: true };
  }

  private async render(path: string, request: ProvisionRequest, target: Target): Promise<ProvisionResult | undefined> {
    const loaded = await this.templates.load(path);
    if (loaded === undefined) return undefined;
    const device = target.row === undefined ? {} : { device: target.row };
    if (loaded.kind === 'error') return { kind: 'render-error', template: path, problem: loaded.problem, ...device };
    const tree = await this.tree.names();
    const parts: RenderKeyParts = {
      template: path,
      templateHash: loaded.template.hash,
      ...(target.row === undefined ? {} : { rowVersion: target.row.version }),
      ...(target.facts.leaseIp === undefined ? {} : { leaseIp: target.facts.leaseIp }),
      listingVersion: tree.version,
      contextVersion: this.contexts.idOf(request.scope, request.server, target.facts),
      requested: request.name,
    };
    const hit = this.cache.get(parts);
    if (hit !== undefined) return { kind: 'rendered', bytes: hit, template: path, ...device };
    const vars = buildVariables({ ...(target.row === undefined ? {} : { row: target.row }), requester: target.facts, scope: request.scope, server: request.server, files: tree.names });
    const out = this.engine.render(loaded.template, vars);
    if (out.kind === 'error') return { kind: 'render-error', template: path, problem: out.problem, ...device };
    this.cache.set(parts, out.bytes);
    return { kind: 'rendered', bytes: out.bytes, template: path, ...device };
  }
}
