/**
 * `benchboot doctor`: runs the appliance's doctor checks (src/appliance/doctor.ts)
 * and prints one clear line per check with the fix for each problem; exits 1 when
 * any check fails.
 */
import type { CheckResult, CheckStatus } from '../appliance/index.js';
import { defineCommand, writeJson, writeLine, type GlobalArgs } from './output.js';

const MARK: Record<CheckStatus, string> = { ok: 'ok  ', warn: 'WARN', fail: 'FAIL' };

/** The report as lines: status, check name, detail; a `fix:` line under each problem. */
export function formatDoctorReport(results: readonly CheckResult[]): string[] {
  const width = Math.max(...results.map((r) => r.name.length), 4);
  const lines: string[] = [];
  for (const r of results) {
    lines.push(`${MARK[r.status]}  ${r.name.padEnd(width)}  ${r.detail}`);
    if (r.fix && r.status !== 'ok') lines.push(`${' '.repeat(6 + width)}  fix: ${r.fix}`);
  }
  const failed = results.filter((r) => r.status === 'fail').length;
  lines.push(failed === 0 ? 'All checks passed: benchboot serve can run here.' : `${failed} check(s) failed.`);
  return lines;
}

/** The options of `benchboot doctor`. */
export const DOCTOR_OPTIONS = {
  interface: { type: 'string', array: true, requiresArg: true, describe: 'Interface you will serve (repeatable)' },
  scopes: { type: 'string', normalize: true, requiresArg: true, describe: 'Scope directory to check' },
  'tftp-root': { type: 'string', default: './tftp', normalize: true, requiresArg: true, describe: 'TFTP root to check' },
  'upload-dir': { type: 'string', normalize: true, requiresArg: true, describe: 'Upload directory to check' },
  alternate: { type: 'string', array: true, normalize: true, requiresArg: true, describe: 'Alternate TFTP location to check (repeatable, as for serve)' },
  'map-file': { type: 'string', normalize: true, requiresArg: true, describe: 'TFTP map file to check (as for serve)' },
  'dhcp-port': { type: 'number', default: 67, requiresArg: true, describe: 'DHCP port to check' },
  'tftp-port': { type: 'number', default: 69, requiresArg: true, describe: 'TFTP port to check' },
} as const;

interface DoctorArgs extends GlobalArgs {
  interface: string[] | undefined;
  scopes: string | undefined;
  'tftp-root': string;
  'upload-dir': string | undefined;
  alternate: string[] | undefined;
  'map-file': string | undefined;
  'dhcp-port': number;
  'tftp-port': number;
}

/** `benchboot doctor`. */
export const doctorCommand = defineCommand<DoctorArgs>({
  command: 'doctor',
  describe: 'Check privileges, ports, interfaces, scope files and directories before serving',
  builder: (y) => y.options(DOCTOR_OPTIONS),
  examples: [
    ['sudo benchboot doctor --interface eth1 --upload-dir ./backups', 'Can serve run on eth1 with uploads?'],
    ['benchboot doctor --alternate /srv/cluster2 --map-file ./tftp.map', 'Are the alternate location and the map file usable?'],
  ],
  run: async (args, ctx) => {
    // Loaded here, not at the top: the checks load most of the appliance, which other commands do not need.
    const { runDoctorChecks } = await import('../appliance/index.js');
    const results = await runDoctorChecks({
      interfaces: args.interface ?? [],
      tftpRoot: args['tftp-root'],
      dhcpPort: args['dhcp-port'],
      tftpPort: args['tftp-port'],
      ...(args.scopes === undefined ? {} : { scopes: args.scopes }),
      ...(args['upload-dir'] === undefined ? {} : { uploadDir: args['upload-dir'] }),
      ...(args.alternate === undefined ? {} : { alternates: args.alternate }),
      ...(args['map-file'] === undefined ? {} : { mapFile: args['map-file'] }),
    });
    const failed = results.some((r) => r.status === 'fail');
    if (args.json) writeJson(ctx.io.stdout, { ok: !failed, checks: results });
    else for (const line of formatDoctorReport(results)) writeLine(ctx.io.stdout, line);
    return failed ? 1 : 0;
  },
});
