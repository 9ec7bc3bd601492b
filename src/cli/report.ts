/**
 * `benchboot report --format csv|json|html [--output FILE]`: one row per device for
 * the technician's handover (identity, vendor class/model, IP, profile, files,
 * status and diagnosis, times), from the running server, or from the device files
 * of `--leases DIR` when none runs. CSV cells that a spreadsheet would evaluate are
 * neutralised and HTML is escaped by the devices package's formatters.
 */
import { writeFile } from 'node:fs/promises';
import { formatReportCsv, formatReportHtml, formatReportJson, type DeviceSummaryRow } from '../devices/index.js';
import { LEASES_OPTIONS } from './leases.js';
import { defineCommand, writeLine, type GlobalArgs } from './output.js';

/** The report formats. */
export const REPORT_FORMATS = ['csv', 'json', 'html'] as const;

/** One report format. */
export type ReportFormat = (typeof REPORT_FORMATS)[number];

interface ReportArgs extends GlobalArgs {
  leases: string;
  format: ReportFormat;
  output: string | undefined;
}

/** The report text of `rows` in `format`. */
export function formatReport(rows: readonly DeviceSummaryRow[], format: ReportFormat, nowMs: number): string {
  switch (format) {
    case 'csv':
      return formatReportCsv(rows);
    case 'json':
      return formatReportJson(rows, nowMs);
    case 'html':
      return formatReportHtml(rows, nowMs);
  }
}

/** `benchboot report`. */
export const reportCommand = defineCommand<ReportArgs>({
  command: 'report',
  describe: 'One row per device (CSV, JSON or HTML) for the handover',
  builder: (y) =>
    y.options({
      leases: LEASES_OPTIONS.leases,
      format: { choices: REPORT_FORMATS, default: 'csv' as ReportFormat, describe: 'Report format' },
      output: { type: 'string', normalize: true, requiresArg: true, describe: 'Write the report to FILE instead of stdout' },
    }),
  examples: [
    ['benchboot report --format csv --output bench.csv', 'A spreadsheet of the bench'],
    ['benchboot report --format html --leases /var/lib/benchboot', 'An HTML page, from a stopped server too'],
  ],
  run: async (args, ctx) => {
    const now = Date.now();
    // Loaded here, not at the top: reading the device files loads the appliance, which other commands do not need.
    const { readDevices } = await import('./device-source.js');
    const { rows } = await readDevices(args.leases, now);
    const text = formatReport(rows, args.format, now);
    if (args.output === undefined) ctx.io.stdout.write(text);
    else {
      await writeFile(args.output, text, 'utf8');
      writeLine(ctx.io.stdout, `Wrote ${rows.length} device${rows.length === 1 ? '' : 's'} to ${args.output}.`);
    }
    return 0;
  },
});
