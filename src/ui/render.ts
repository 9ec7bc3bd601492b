/**
 * Renders the live view state as plain text lines for a terminal of a given
 * width: a header with totals and the devices counted by status, one row per
 * device (with its status, and under a stuck or gone one the diagnosis in the words
 * of `benchboot devices`), one progress bar per transfer in flight, and the latest
 * notices. Pure: the same state and width give the same text, so it is tested
 * without a terminal (the terminal redraw is in live-view.ts).
 * Text that came from the wire (vendor classes, file names, peers' error messages) is
 * escaped (`\x1b`, `\u{202e}`) before it is measured into a column: a device never
 * moves the cursor, clears the screen or turns a line around.
 */
import { formatReason, formatStatusCounts, formatStatusLine, type DeviceStatusName } from '../devices/status-reason.js';
import { escapeControl } from '../devices/text-escape.js';
import { transferEtaSeconds, transferRate, type DeviceRow, type TransferRow, type ViewState } from './state.js';

/** Width of the progress bar in characters. */
export const BAR_WIDTH = 24;

/**
 * Bytes as a short human size: `512 B`, `1.5 KiB`, `3.0 MiB`; GiB with one decimal
 * by default, or `gibDigits` (status prints `2.00 GiB`). The one byte formatter of
 * the live view, `status` and the TFTP client.
 */
export function formatBytes(n: number, gibDigits = 1): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(gibDigits)} GiB`;
}

/** How a duration is written: `compact` for ETAs (`42s`, `3m07s`, `1h02m`, rounded), `spaced` for ages (`12s`, `4m 10s`, `1h 05m`, `2d 3h`, floored). */
export type DurationStyle = 'compact' | 'spaced';

const pad2 = (n: number): string => String(n).padStart(2, '0');

/** A duration in milliseconds as the terminal shows it (negative counts as 0 when spaced). The one display formatter of durations. */
export function formatDuration(ms: number, style: DurationStyle = 'spaced'): string {
  if (style === 'compact') {
    const s = Math.round(ms / 1000);
    if (s < 60) return `${s}s`;
    if (s < 3600) return `${Math.floor(s / 60)}m${pad2(s % 60)}s`;
    return `${Math.floor(s / 3600)}h${pad2(Math.floor((s % 3600) / 60))}m`;
  }
  const s = Math.max(0, Math.floor(ms / 1000));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  if (d > 0) return `${d}d ${h}h`;
  if (h > 0) return `${h}h ${pad2(m)}m`;
  if (m > 0) return `${m}m ${pad2(s % 60)}s`;
  return `${s % 60}s`;
}

/** A `[#####.....]` bar for a fraction 0..1 (clamped). */
export function progressBar(fraction: number, width = BAR_WIDTH): string {
  const f = Math.min(1, Math.max(0, fraction));
  const filled = Math.round(f * width);
  return `[${'#'.repeat(filled)}${'.'.repeat(width - filled)}]`;
}

function fit(text: string, width: number): string {
  if (text.length <= width) return text.padEnd(width);
  return width <= 1 ? text.slice(0, width) : `${text.slice(0, width - 1)}~`;
}

function clip(line: string, width: number): string {
  return line.length <= width ? line : line.slice(0, width);
}

const DEVICE_COLUMNS = [
  { title: 'MAC', width: 17 },
  { title: 'VENDOR CLASS', width: 24 },
  { title: 'IP', width: 15 },
  { title: 'STATE', width: 9 },
  { title: 'STATUS', width: 11 },
] as const;

/** The statuses whose diagnosis is spelled out under the device's row. */
const EXPLAINED: ReadonlySet<DeviceStatusName> = new Set(['stuck', 'gone']);

/** The diagnosis line starts under the vendor class. */
const DIAGNOSIS_INDENT = DEVICE_COLUMNS[0].width + 1;

/** A device's row, and for a stuck or gone device its diagnosis fitted to `width`. */
function deviceLines(d: DeviceRow, width: number): string[] {
  const cells = [d.mac, escapeControl(d.vendorClass ?? '-'), d.ip, d.leaseState, d.status ?? '-'];
  const fixed = DEVICE_COLUMNS.map((c, i) => fit(cells[i] ?? '', c.width)).join(' ');
  const row = `${fixed} ${escapeControl(d.lastFile ?? '-')}`;
  if (d.status === undefined || d.reason === undefined || !EXPLAINED.has(d.status)) return [row];
  const why = formatStatusLine(d.status, formatReason(d.reason));
  return [row, `${' '.repeat(DIAGNOSIS_INDENT)}${fit(why, Math.max(1, width - DIAGNOSIS_INDENT)).trimEnd()}`];
}

/** `3 devices: 2 provisioned, 1 stuck`, over the rows the device book gave a status. */
function statusCountsLine(devices: readonly DeviceRow[]): string {
  return formatStatusCounts(devices.flatMap((d) => (d.status === undefined ? [] : [{ status: d.status }])));
}

/** One transfer's line: direction, peer, file, bar, percent, bytes, rate, ETA. */
export function transferLine(t: TransferRow): string {
  const arrow = t.direction === 'read' ? '->' : '<-';
  const rate = transferRate(t);
  const rateText = rate === undefined ? '-' : `${formatBytes(Math.round(rate))}/s`;
  const head = `${arrow} ${fit(t.peer, 15)} ${fit(escapeControl(t.file), 28)}`;
  if (t.size === undefined || t.size === 0) {
    return `${head} ${formatBytes(t.bytes)}  ${rateText}`;
  }
  const fraction = t.bytes / t.size;
  const eta = transferEtaSeconds(t);
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${head} ${progressBar(fraction)} ${pct} ${formatBytes(t.bytes)}/${formatBytes(t.size)}  ${rateText}  ETA ${eta === undefined ? '-' : formatDuration(eta * 1000, 'compact')}`;
}

/** The whole view as lines, each at most `width` characters. */
export function renderView(state: ViewState, width = 160): string[] {
  const t = state.totals;
  const lines: string[] = [
    `benchboot serving ${state.serving.join(', ') || '(nothing)'}`,
    ...Object.values(state.linksDown).map((d) => escapeControl(`NOT SERVING: ${d}`)),
    `leases ${t.leases}  transfers ${t.transfersDone} done, ${state.transfers.length} running  failures ${t.failures}  busy refusals ${t.busyRefusals}`,
    statusCountsLine(state.devices),
    '',
    `${DEVICE_COLUMNS.map((c) => fit(c.title, c.width)).join(' ')} LAST FILE`,
  ];
  if (state.devices.length === 0) lines.push('(no device yet)');
  for (const d of state.devices) lines.push(...deviceLines(d, width));
  lines.push('', 'TRANSFERS');
  if (state.transfers.length === 0) lines.push('(none in flight)');
  for (const tr of state.transfers) lines.push(transferLine(tr));
  if (state.notices.length > 0) {
    lines.push('');
    for (const n of state.notices) lines.push(escapeControl(n));
  }
  return lines.map((l) => clip(l, width));
}
