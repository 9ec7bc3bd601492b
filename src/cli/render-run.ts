/**
 * What `benchboot render` runs (see render.ts): loaded only when the command runs,
 * since the provisioning code it resolves with loads LiquidJS and the inventory and
 * scope readers, which the other commands do not need.
 */
import { ERRORS } from '../errors.js';
import { isIpv4, parseIpv4 } from '../net/ipv4.js';
import { ProvisionResolver, type ProvisionResult } from '../provision/index.js';
import { formatTemplateProblem } from '../templates/index.js';
import { readMac } from '../inventory/index.js';
import { writeJson, writeLine, type CommandContext } from './output.js';
import { renderFacts, renderInventory } from './render-context.js';
import { listOf } from './scope-flags.js';

/** The arguments of `benchboot render` (as yargs parses them, camelCase). */
export type RenderArgs = {
  readonly json: boolean;
  readonly name: string;
  readonly mac: string;
  readonly ip: string | undefined;
  readonly vendorClass: string | undefined;
  readonly inventory: string | undefined;
  readonly tftpRoot: string;
  readonly alternate: string | undefined;
  readonly caseInsensitive: boolean;
  readonly scopes: string | undefined;
  readonly server: string | undefined;
};

function deviceName(result: ProvisionResult): string {
  if (result.kind !== 'rendered' && result.kind !== 'render-error') return '-';
  const d = result.device;
  return d === undefined ? 'unknown, no inventory row' : (d.hostname ?? d.mac ?? d.serial ?? d.clientId ?? `line ${d.line}`);
}

function print(ctx: CommandContext, json: boolean, name: string, locations: readonly string[], result: ProvisionResult): void {
  if (result.kind === 'render-error') throw ERRORS.templateRender.create({ problem: formatTemplateProblem(result.problem), device: deviceName(result) });
  if (json) {
    const body = result.kind === 'rendered' ? { template: result.template, device: deviceName(result), text: Buffer.from(result.bytes).toString('utf8') } : result.kind === 'static' ? { path: result.path } : {};
    writeJson(ctx.io.stdout, { name, kind: result.kind, ...body });
    return;
  }
  if (result.kind === 'rendered') {
    ctx.io.stdout.write(result.bytes);
    writeLine(ctx.io.stderr, `rendered from ${result.template} for ${deviceName(result)} (${result.bytes.length} bytes)`);
  } else if (result.kind === 'static') writeLine(ctx.io.stdout, `${name}: the static file ${result.path} would be sent as it is`);
  else writeLine(ctx.io.stdout, `${name}: no file or template answers it in ${locations.join(', ')} (serve's --default-file rules, then the device's profile default file, would come next)`);
}

/** `benchboot render`: resolves NAME for the device and prints the outcome. */
export async function runRender(args: RenderArgs, ctx: CommandContext): Promise<number> {
  const mac = readMac(args.mac);
  if (mac === undefined) throw ERRORS.notMac.create({ text: args.mac });
  if (args.ip !== undefined && !isIpv4(args.ip)) throw ERRORS.notIpv4.create({ text: args.ip });
  const inventory = await renderInventory(args.inventory);
  const ip = args.ip === undefined ? inventory?.byMac(mac)?.ip : parseIpv4(args.ip);
  const facts = await renderFacts(args.scopes, args.server, ip);
  const locations = [args.tftpRoot, ...(listOf(args, 'alternate') ?? [])];
  const resolver = new ProvisionResolver({ locations, isCaseInsensitive: args.caseInsensitive, ...(inventory === undefined ? {} : { inventory }) });
  const requester = { mac, ...(args.ip === undefined ? {} : { ip: parseIpv4(args.ip) }), ...(args.vendorClass === undefined ? {} : { vendorClass: args.vendorClass }) };
  const result = await resolver.resolve({ name: args.name, requester, ...facts });
  for (const problem of await resolver.checkTemplates()) writeLine(ctx.io.stderr, `warning: ${formatTemplateProblem(problem)} (serve refuses to start until it parses)`);
  print(ctx, args.json, args.name, locations, result);
  return 0;
}
