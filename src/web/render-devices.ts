/**
 * The device parts of the dashboard: the device table (with its status and
 * diagnosis, filtered by status and search text on the server, at most
 * DEVICE_ROWS_SHOWN rows), and one device's page (facts, inventory row with secrets
 * masked, timeline, reset button). Pure: data in, HTML out.
 */
import { DEVICE_STATUSES, formatEventLine } from '../devices/index.js';
import { href, t, tEscaped, when } from './html.js';
import type { DashboardDevice, DashboardDeviceDetail } from './source.js';

/**
 * Most rows the device table shows. A bench of 10,000 devices pushed whole 5 times a
 * second cost the browser seconds of layout per push and the DHCP rate 94 % (the
 * browser shares the laptop's cores); the table shows the first rows that match and
 * says how many more the search or the status filter would narrow, and the report
 * lists them all.
 */
export const DEVICE_ROWS_SHOWN = 200;

/** What the device table shows: a status (or all) and a search text. */
export interface DeviceFilter {
  readonly status?: string;
  readonly q?: string;
}

/** The text a search matches against (what a row shows). */
function searchText(d: DashboardDevice): string {
  return [d.mac, d.hostname, d.ip, d.vendorClass, d.model, d.profile, d.inventoryKey, d.lastFile, d.status, d.diagnosis].filter((x) => x !== undefined).join(' ').toLowerCase();
}

/** A filter as it is applied: a status or `all`, and the search trimmed and lower-cased (`''` for none). Pages with equal normal filters show the same table. */
export function normalFilter(f: DeviceFilter): { readonly status: string; readonly q: string } {
  return { status: f.status === undefined || f.status === '' ? 'all' : f.status, q: (f.q ?? '').trim().toLowerCase() };
}

/** Whether a device passes the filter (dashboard.js applies the same rule to the rows shown while the server's answer is on its way). */
export function matchesFilter(d: DashboardDevice, f: DeviceFilter): boolean {
  const { status, q } = normalFilter(f);
  if (status !== 'all' && d.status !== status) return false;
  return q === '' || searchText(d).includes(q);
}

function deviceRow(d: DashboardDevice): string {
  return [
    `<tr class="device ${t(d.status)}" data-status="${t(d.status)}" data-search="${t(searchText(d))}">`,
    `<td><a href="${href('/device/', d.mac)}">${t(d.mac)}</a></td>`,
    `<td>${t(d.hostname)}</td><td>${t(d.ip)}</td><td>${t(d.vendorClass ?? d.model)}</td><td>${t(d.profile)}</td>`,
    `<td class="status"><span class="badge ${t(d.status)}">${t(d.status)}</span></td>`,
    `<td class="diagnosis">${t(d.diagnosis)}</td><td>${t(d.lastFile)}</td><td>${t(when(d.lastSeenMs))}</td>`,
    '</tr>',
  ].join('');
}

function noteRow(text: string, kind: string): string {
  return `<tr class="${kind}"><td colspan="9">${t(text)}</td></tr>`;
}

/** The rows of the device table that pass the filter, at most `limit` (the part the live stream replaces). */
export function deviceRows(devices: readonly DashboardDevice[], f: DeviceFilter = {}, limit = DEVICE_ROWS_SHOWN): string {
  if (devices.length === 0) return noteRow('No device has sent a packet yet.', 'none');
  const shown: string[] = [];
  let matching = 0;
  for (const d of devices) {
    if (!matchesFilter(d, f)) continue;
    if (++matching <= limit) shown.push(deviceRow(d));
  }
  if (matching === 0) return noteRow(`No device matches (${devices.length} known).`, 'none');
  if (matching > limit) shown.push(noteRow(`Showing the first ${limit} of ${matching} matching devices (${devices.length} known): search or choose a status to narrow; the report lists them all.`, 'more'));
  return shown.join('\n');
}

/** The device panel: filter form, then the table. */
export function devicesPanel(devices: readonly DashboardDevice[], f: DeviceFilter): string {
  const options = ['all', ...DEVICE_STATUSES].map((s) => `<option value="${s}"${(f.status ?? 'all') === s ? ' selected' : ''}>${s}</option>`).join('');
  return [
    '<section id="devices-panel"><h2>Devices</h2>',
    '<form class="filter" method="get" action="/">',
    `<label>Search <input type="search" name="q" id="device-search" value="${t(f.q ?? '')}"></label>`,
    `<label>Status <select name="status" id="device-status">${options}</select></label>`,
    '<noscript><button type="submit">Filter</button></noscript></form>',
    '<table class="devices"><thead><tr><th>MAC</th><th>Host name</th><th>IP</th><th>Vendor class / model</th><th>Profile</th><th>Status</th><th>Diagnosis</th><th>Last file</th><th>Last seen (UTC)</th></tr></thead>',
    `<tbody id="devices" data-live="devices">${deviceRows(devices, f)}</tbody></table>`,
    '</section>',
  ].join('\n');
}

/** The timeline of one device, newest last (the part the live stream replaces). */
export function timelineList(detail: DashboardDeviceDetail): string {
  const { record } = detail;
  const pruned = record.prunedEvents > 0 ? `<li class="pruned">${record.prunedEvents} older entries dropped by retention</li>` : '';
  const items = record.timeline.map((e) => `<li class="event ${e.kind}${e.kind === 'file' ? ` ${t(e.result)}` : ''}">${tEscaped(formatEventLine(e))}</li>`);
  return `${pruned}${items.join('\n')}` || '<li class="none">No entries.</li>';
}

function factsList(detail: DashboardDeviceDetail): string {
  const r = detail.row;
  const facts: [string, string | undefined][] = [
    ['Host name', r.hostname],
    ['IP', r.ip],
    ['Vendor class', r.vendorClass],
    ['Model', r.model],
    ['Profile', r.profile],
    ['Inventory row', r.inventoryKey],
    ['Client-id', r.clientId],
    ['First seen (UTC)', when(r.firstSeenMs)],
    ['Last seen (UTC)', when(r.lastSeenMs)],
  ];
  return `<dl class="facts">${facts
    .filter(([, v]) => v !== undefined)
    .map(([k, v]) => `<dt>${t(k)}</dt><dd>${t(v)}</dd>`)
    .join('')}</dl>`;
}

function inventoryList(cells: Readonly<Record<string, string>> | undefined): string {
  if (!cells) return '<p class="empty">No inventory row names this device.</p>';
  return `<dl class="inventory">${Object.entries(cells)
    .map(([k, v]) => `<dt>${t(k)}</dt><dd>${t(v)}</dd>`)
    .join('')}</dl>`;
}

/** The status block of a device page (replaced live with the timeline). */
export function deviceStatusBlock(detail: DashboardDeviceDetail): string {
  return `<p><span class="badge ${t(detail.status.status)}">${t(detail.status.status)}</span> <span class="diagnosis">${t(detail.status.diagnosis)}</span></p>`;
}

/** The body of a device's page. */
export function devicePage(detail: DashboardDeviceDetail): string {
  const mac = detail.row.mac;
  return [
    `<p><a href="/">← all devices</a></p><h2>Device ${t(mac)}</h2>`,
    `<div id="device-status" data-live="device-status">${deviceStatusBlock(detail)}</div>`,
    factsList(detail),
    `<form method="post" action="${href('/device/', mac)}/reset" class="reset"><button type="submit">Reset this device</button> clears its record so it is provisioned again (like <code>benchboot device reset</code>).</form>`,
    '<h3>Inventory row</h3>',
    inventoryList(detail.inventoryCells),
    '<h3>Timeline (UTC)</h3>',
    `<ol id="timeline" class="timeline" data-live="timeline">${timelineList(detail)}</ol>`,
  ].join('\n');
}
