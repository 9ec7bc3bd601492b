/**
 * Renders the live view state as plain text lines for a terminal of a given
 * width: a header with totals, one row per device, one progress bar per transfer
 * in flight, and the latest notices. Pure: the same state and width give the same
 * text, so it is tested without a terminal (the terminal redraw is in live-view.ts).
 */
import { transferEtaSeconds, transferRate, type DeviceRow, type TransferRow, type ViewState } from './state.js';

/** Width of the progress bar in characters. */
export const BAR_WIDTH = 24;

/** Bytes as a short human size (B, KiB, MiB, GiB). */
export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u] ?? 'GiB'}`;
}

/** Seconds as `42s`, `3m07s` or `1h02m`. */
export function formatDuration(seconds: number): string {
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
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
] as const;

function deviceLine(d: DeviceRow): string {
  const cells = [d.mac, d.vendorClass ?? '-', d.ip, d.leaseState];
  const fixed = DEVICE_COLUMNS.map((c, i) => fit(cells[i] ?? '', c.width)).join(' ');
  return `${fixed} ${d.lastFile ?? '-'}`;
}

/** One transfer's line: direction, peer, file, bar, percent, bytes, rate, ETA. */
export function transferLine(t: TransferRow): string {
  const arrow = t.direction === 'read' ? '->' : '<-';
  const rate = transferRate(t);
  const rateText = rate === undefined ? '-' : `${formatBytes(Math.round(rate))}/s`;
  const head = `${arrow} ${fit(t.peer, 15)} ${fit(t.file, 28)}`;
  if (t.size === undefined || t.size === 0) {
    return `${head} ${formatBytes(t.bytes)}  ${rateText}`;
  }
  const fraction = t.bytes / t.size;
  const eta = transferEtaSeconds(t);
  const pct = `${Math.floor(fraction * 100)}%`.padStart(4);
  return `${head} ${progressBar(fraction)} ${pct} ${formatBytes(t.bytes)}/${formatBytes(t.size)}  ${rateText}  ETA ${eta === undefined ? '-' : formatDuration(eta)}`;
}

/** The whole view as lines, each at most `width` characters. */
export function renderView(state: ViewState, width = 160): string[] {
  const t = state.totals;
  const lines: string[] = [
    `benchboot serving ${state.serving.join(', ') || '(nothing)'}`,
    `leases ${t.leases}  transfers ${t.transfersDone} done, ${state.transfers.length} running  failures ${t.failures}  busy refusals ${t.busyRefusals}`,
    '',
    `${DEVICE_COLUMNS.map((c) => fit(c.title, c.width)).join(' ')} LAST FILE`,
  ];
  if (state.devices.length === 0) lines.push('(no device yet)');
  for (const d of state.devices) lines.push(deviceLine(d));
  lines.push('', 'TRANSFERS');
  if (state.transfers.length === 0) lines.push('(none in flight)');
  for (const tr of state.transfers) lines.push(transferLine(tr));
  if (state.notices.length > 0) {
    lines.push('');
    for (const n of state.notices) lines.push(n);
  }
  return lines.map((l) => clip(l, width));
}
