/**
 * `benchboot render NAME --mac MAC`: what that device would get for NAME, decided by
 * the same ProvisionResolver the TFTP server uses. Rendered bytes go to stdout
 * exactly as they would be sent (a note on stderr names the template and device); a
 * static file is named; a name nothing answers says so (serve's --default-file rules
 * and the device's profile default file would come next). A render error exits 1 (BB_TEMPLATE) naming template:line and
 * the variable.
 */
import { defineCommand } from './output.js';

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
  run: async (args, ctx) => (await import('./render-run.js')).runRender(args, ctx),
});
