/**
 * `benchboot devices [--json] [--watch]`: every device of the running server with
 * its status and diagnosis (or, when none runs, what its device files hold);
 * `devices show MAC`: one device's timeline, one line per event, and its status;
 * `devices reset MAC`: clears a record so the device is provisioned again.
 */
import type { Writable } from 'node:stream';
import type { DeviceListEntry } from '../appliance/index.js';
import { canonicalMac, escapeControl, formatEventLine, formatStatusLine } from '../devices/index.js';
import { ERRORS } from '../errors.js';
import { formatDuration } from '../ui/render.js';
import type * as DeviceSource from './device-source.js';
import { LEASES_OPTIONS } from './leases.js';
import { defineCommand, formatTable, writeJson, writeLine, type CliCommand, type GlobalArgs } from './output.js';

/** Redraws of `devices --watch` at most (one a second: about a working day). */
export const MAX_WATCH_REDRAWS = 8 * 3600;

interface ListArgs extends GlobalArgs {
  leases: string;
  watch: boolean;
  count: number | undefined;
}

interface MacArgs extends GlobalArgs {
  leases: string;
  mac: string;
}

function cell(text: string | undefined): string {
  return text === undefined || text === '' ? '-' : escapeControl(text);
}

/** The devices as a text table at `nowMs`. */
export function formatDeviceTable(rows: readonly DeviceListEntry[], nowMs: number): string {
  return formatTable(rows, [
    { header: 'MAC', value: (d) => d.mac },
    { header: 'IP', value: (d) => cell(d.ip) },
    { header: 'VENDOR CLASS / MODEL', value: (d) => cell(d.model ?? d.vendorClass) },
    { header: 'PROFILE', value: (d) => cell(d.profile) },
    { header: 'STATUS', value: (d) => d.status },
    { header: 'DIAGNOSIS', value: (d) => cell(d.diagnosis) },
    { header: 'LAST FILE', value: (d) => cell(d.lastFile) },
    { header: 'LAST SEEN', value: (d) => `${formatDuration(nowMs - d.lastSeenMs)} ago` },
  ]);
}

/** Where devices are read from, loaded when a subcommand runs (it loads the appliance, which other commands do not need). */
const deviceSource = (): Promise<typeof DeviceSource> => import('./device-source.js');

async function printDevices(out: Writable, args: ListArgs, nowMs: number): Promise<void> {
  const { from, rows } = await (await deviceSource()).readDevices(args.leases, nowMs);
  if (args.json) writeJson(out, { from, devices: rows });
  else if (rows.length === 0) writeLine(out, `No devices yet (${from}, ${args.leases}).`);
  else writeLine(out, formatDeviceTable(rows, nowMs));
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Redraws the table every second, `count` times (bounded by {@link MAX_WATCH_REDRAWS}); Ctrl-C ends it sooner. */
async function watchDevices(out: Writable, args: ListArgs): Promise<void> {
  const redraws = Math.min(args.count ?? MAX_WATCH_REDRAWS, MAX_WATCH_REDRAWS);
  for (let i = 0; i < redraws; i++) {
    if (i > 0) await sleep(1000);
    if (!args.json) out.write('\x1b[H\x1b[2J');
    await printDevices(out, args, Date.now());
  }
}

const listCommand = defineCommand<ListArgs>({
  command: '$0',
  describe: 'List the devices with status and diagnosis (from the running server, or its device files when stopped)',
  builder: (y) =>
    y.options({
      leases: LEASES_OPTIONS.leases,
      watch: { type: 'boolean', default: false, describe: 'Redraw every second until Ctrl-C' },
      count: { type: 'number', requiresArg: true, describe: `With --watch: stop after N redraws (at most ${MAX_WATCH_REDRAWS})` },
    }),
  examples: [
    ['benchboot devices', 'Every device of the server using ./leases'],
    ['benchboot devices --watch', 'The same, redrawn every second'],
  ],
  run: async (args, ctx) => {
    if (args.watch) await watchDevices(ctx.io.stdout, args);
    else await printDevices(ctx.io.stdout, args, Date.now());
    return 0;
  },
});

function requireMac(text: string): string {
  const mac = canonicalMac(text);
  if (mac === undefined) throw ERRORS.notMac.create({ text });
  return mac;
}

const showCommand = defineCommand<MacArgs>({
  command: 'show <mac>',
  describe: "One device's timeline and its status with the diagnosis",
  builder: (y) => y.options({ leases: LEASES_OPTIONS.leases }).positional('mac', { type: 'string', demandOption: true, describe: 'The MAC address (any common spelling)' }),
  examples: [['benchboot devices show 00:1b:d4:aa:bb:cc', 'What that phone asked and got']],
  run: async (args, ctx) => {
    const shown = await (await deviceSource()).serverDevice(args.leases, requireMac(args.mac));
    if (args.json) {
      writeJson(ctx.io.stdout, shown);
      return 0;
    }
    const { row, record } = shown;
    writeLine(ctx.io.stdout, `${row.mac}  ${cell(row.ip)}  ${cell(row.model ?? row.vendorClass)}  profile ${cell(row.profile)}`);
    for (const e of record.timeline) writeLine(ctx.io.stdout, formatEventLine(e));
    writeLine(ctx.io.stdout, formatStatusLine(row.status, row.diagnosis));
    return 0;
  },
});

const resetCommand = defineCommand<MacArgs>({
  command: 'reset <mac>',
  describe: "Clear a device's record on the running server so it is provisioned again",
  builder: (y) => y.options({ leases: LEASES_OPTIONS.leases }).positional('mac', { type: 'string', demandOption: true, describe: 'The MAC address (any common spelling)' }),
  examples: [['benchboot devices reset 00:1b:d4:aa:bb:cc', 'Start that phone over']],
  run: async (args, ctx) => {
    const mac = requireMac(args.mac);
    await (await deviceSource()).askServer(args.leases, { op: 'device-reset', mac });
    if (args.json) writeJson(ctx.io.stdout, { reset: mac });
    else writeLine(ctx.io.stdout, `Reset ${args.mac}: its record is cleared.`);
    return 0;
  },
});

/** `benchboot devices [show MAC | reset MAC]`. */
export const devicesCommand: CliCommand = {
  name: 'devices',
  register(parser, io, report) {
    return parser.command('devices', 'List the devices with their status, show one, or reset one', (y) =>
      resetCommand.register(showCommand.register(listCommand.register(y, io, report), io, report), io, report),
    );
  },
};
