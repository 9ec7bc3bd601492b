/**
 * `benchboot render NAME --mac MAC`: what that device would get for NAME, decided by
 * the same ProvisionResolver the TFTP server uses. Rendered bytes go to stdout
 * exactly as they would be sent (a note on stderr names the template and device); a
 * static file is named; a name nothing answers says so (serve's --default-file rules
 * and the device's profile default file would come next). A render error exits 1 (BB_TEMPLATE) naming template:line and
 * the variable.
 */
import { ERRORS } from '../errors.js';
import { isIpv4, parseIpv4 } from '../net/ipv4.js';
import { ProvisionResolver, type ProvisionResult } from '../provision/index.js';
import { formatTemplateProblem } from '../templates/index.js';
import { readMac } from '../inventory/index.js';
import { defineCommand, writeJson, writeLine, type CommandContext } from './output.js';
import { renderFacts, renderInventory } from './render-context.js';
import { listOf } from './scope-flags.js';

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

/** `benchboot render`. */
export const renderCommand = defineCommand({
  command: 'render <name>',
  describe: 'Print what a device would get for a file name (rendered template, static file, or nothing)',
  builder: (y) =>
    y
      .positional('name', { type: 'string', demandOption: true, describe: 'The file name the device asks for, e.g. SEP001BD4AABBCC.cnf.xml' })
      .option('mac', { type: 'string', demandOption: true, requiresArg: true, describe: 'The device MAC (any spelling)' })
      .option('ip', { type: 'string', requiresArg: true, describe: 'The device address (its lease); default: its inventory reservation' })
      .option('vendor-class', { type: 'string', requiresArg: true, describe: 'The device option 60 (device.vendor_class)' })
      .option('inventory', { type: 'string', normalize: true, requiresArg: true, describe: 'Inventory file (default ./inventory.csv when it exists)' })
      .option('tftp-root', { type: 'string', default: './tftp', normalize: true, requiresArg: true, describe: 'Directory searched first, as serve --tftp-root' })
      .option('alternate', { type: 'string', normalize: true, requiresArg: true, describe: 'Directory searched next (repeatable, in order), as serve --alternate' })
      .option('case-insensitive', { type: 'boolean', default: false, describe: 'Find files whatever the case of NAME, as serve --case-insensitive' })
      .option('scopes', { type: 'string', normalize: true, requiresArg: true, describe: 'Scope files: scope.* comes from the scope holding the device address' })
      .option('server', { type: 'string', requiresArg: true, describe: 'benchboot\'s address (server.address), with /PREFIX without --scopes (default 10.10.0.1/24)' }),
  examples: [
    ['$0 render SEP001BD4AABBCC.cnf.xml --mac 00:1b:d4:aa:bb:cc --inventory phones.csv', 'The phone config that phone would get'],
    ['$0 render network-confg --mac 00:1e:7a:00:00:01 --scopes ./scopes --ip 10.10.0.60', 'What a router gets, with its scope'],
  ],
  run: async (args, ctx) => {
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
  },
});
