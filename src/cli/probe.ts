/**
 * `benchboot probe --interface IF [--timeout S]`: sends one DHCPDISCOVER on the
 * interface and lists every DHCP server that answers with what it offers (server
 * id, siaddr, sname, options 66 and 150, boot file, offered address and subnet).
 * It never sends a DHCPREQUEST, so no lease is taken (see src/dhcp/probe.ts).
 */
import { systemClock } from '../clock.js';
import { BenchbootError } from '../errors.js';
import { DEFAULT_PROBE_TIMEOUT_MS, probeInterface, type ProbeAnswer } from '../dhcp/probe.js';
import { throwDhcpFailure } from '../appliance.js';
import { defineCommand, formatTable, writeJson, writeLine, type GlobalArgs } from './output.js';

/** The options of `benchboot probe`. */
export const PROBE_OPTIONS = {
  interface: { type: 'string', demandOption: true, requiresArg: true, describe: 'Interface to probe (e.g. eth1)' },
  timeout: { type: 'number', default: DEFAULT_PROBE_TIMEOUT_MS / 1000, requiresArg: true, describe: 'Seconds to listen for answers (0.5..60)' },
} as const;

interface ProbeArgs extends GlobalArgs {
  interface: string;
  timeout: number;
}

function dash(v: string | undefined): string {
  return v === undefined || v === '' || v === '0.0.0.0' ? '-' : v;
}

/** The answers as a text table. */
export function formatProbeTable(answers: readonly ProbeAnswer[]): string {
  return formatTable(answers, [
    { header: 'SERVER ID', value: (a) => dash(a.serverId) },
    { header: 'FROM', value: (a) => `${a.from.address}:${a.from.port}` },
    { header: 'TYPE', value: (a) => a.messageType },
    { header: 'OFFERS', value: (a) => dash(a.offeredIp) },
    { header: 'SUBNET', value: (a) => dash(a.subnet) },
    { header: 'ROUTER', value: (a) => dash(a.router) },
    { header: 'SIADDR', value: (a) => dash(a.siaddr) },
    { header: 'SNAME', value: (a) => dash(a.sname) },
    { header: 'OPT66', value: (a) => dash(a.tftpServerName) },
    { header: 'OPT150', value: (a) => (a.tftpServers.length ? a.tftpServers.join(',') : '-') },
    { header: 'FILE', value: (a) => dash(a.file) },
  ]);
}

/** `benchboot probe`. */
export const probeCommand = defineCommand<ProbeArgs>({
  command: 'probe',
  describe: 'Send one DHCPDISCOVER on an interface and list every DHCP server that answers (no lease is taken)',
  builder: (y) => y.options(PROBE_OPTIONS),
  examples: [['sudo benchboot probe --interface eth1', 'Is there already a DHCP server on the bench switch?']],
  run: async (args, ctx) => {
    if (!(args.timeout >= 0.5 && args.timeout <= 60)) throw new BenchbootError('BB_USAGE', `--timeout ${args.timeout}: give 0.5 to 60 seconds`);
    if (!args.json) writeLine(ctx.io.stderr, `Sending one DHCPDISCOVER on ${args.interface}, listening ${args.timeout} s...`);
    const result = await probeInterface(args.interface, Math.round(args.timeout * 1000), systemClock).catch(throwDhcpFailure);
    if (args.json) {
      writeJson(ctx.io.stdout, { interface: result.interfaceName, mac: result.mac, servers: result.answers, malformed: result.malformed });
      return 0;
    }
    if (result.answers.length === 0) {
      writeLine(ctx.io.stdout, `No DHCP server answered on ${args.interface} within ${args.timeout} s.`);
    } else {
      writeLine(ctx.io.stdout, `${result.answers.length} DHCP server(s) answered on ${args.interface}:`);
      writeLine(ctx.io.stdout, formatProbeTable(result.answers));
    }
    if (result.malformed > 0) writeLine(ctx.io.stdout, `(${result.malformed} datagram(s) on port 68 were not DHCP and were ignored)`);
    return 0;
  },
});
