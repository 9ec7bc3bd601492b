/**
 * The report of a bench: one row per device for the technician's handover
 * (identity, vendor class/model, IP, profile, files and their results, status and
 * diagnosis, first and last seen). Pure: rows are built from a book view; the
 * formatters (report-csv.ts, report-html.ts, report-json.ts) print them.
 */
import type { DeviceView } from './book.js';
import type { FileResult } from './event.js';
import { formatMacColons } from './identity.js';
import type { DeviceStatusName } from './status-reason.js';

/** One device in a report. */
export interface DeviceSummaryRow {
  /** `00:1b:d4:aa:bb:cc`. */
  readonly mac: string;
  readonly clientId?: string;
  readonly hostname?: string;
  readonly vendorClass?: string;
  readonly model?: string;
  readonly ip?: string;
  readonly profile?: string;
  readonly inventoryKey?: string;
  /** Latest outcome per file name, in the order first asked. */
  readonly files: readonly { readonly name: string; readonly result: FileResult }[];
  readonly status: DeviceStatusName;
  readonly diagnosis: string;
  readonly firstSeenMs: number;
  readonly lastSeenMs: number;
}

/** The columns of a report, in order, with their headings. */
export const REPORT_COLUMNS = [
  ['mac', 'MAC'],
  ['hostname', 'Hostname'],
  ['vendorClass', 'Vendor class'],
  ['model', 'Model'],
  ['ip', 'IP'],
  ['profile', 'Profile'],
  ['inventoryKey', 'Inventory row'],
  ['files', 'Files'],
  ['status', 'Status'],
  ['diagnosis', 'Diagnosis'],
  ['firstSeen', 'First seen (UTC)'],
  ['lastSeen', 'Last seen (UTC)'],
] as const;

/** One row per device, sorted by MAC so that two reports compare line by line. */
export function summarizeDevices(views: readonly DeviceView[]): DeviceSummaryRow[] {
  return views.map(summarizeDevice).sort((a, b) => (a.mac < b.mac ? -1 : a.mac > b.mac ? 1 : 0));
}

/** The report row of one device. */
export function summarizeDevice(view: DeviceView): DeviceSummaryRow {
  const { record, status } = view;
  const f = record.facts;
  return {
    mac: formatMacColons(record.mac),
    ...(record.clientId === undefined ? {} : { clientId: record.clientId }),
    ...(f.hostname === undefined ? {} : { hostname: f.hostname }),
    ...(f.vendorClass === undefined ? {} : { vendorClass: f.vendorClass }),
    ...(f.model === undefined ? {} : { model: f.model }),
    ...(f.lastIp === undefined ? {} : { ip: f.lastIp }),
    ...(f.profileId === undefined ? {} : { profile: f.profileId }),
    ...(f.inventoryKey === undefined ? {} : { inventoryKey: f.inventoryKey }),
    files: record.progress.files.map((o) => ({ name: o.name, result: o.result })),
    status: status.status,
    diagnosis: status.diagnosis,
    firstSeenMs: record.firstSeenMs,
    lastSeenMs: record.lastSeenMs,
  };
}

/** The text of one report cell (raw: not yet escaped for any format). */
export function reportCell(row: DeviceSummaryRow, column: (typeof REPORT_COLUMNS)[number][0]): string {
  switch (column) {
    case 'files':
      return row.files.map((x) => `${x.name} (${x.result})`).join('; ');
    case 'firstSeen':
      return new Date(row.firstSeenMs).toISOString();
    case 'lastSeen':
      return new Date(row.lastSeenMs).toISOString();
    default:
      return row[column] ?? '';
  }
}
