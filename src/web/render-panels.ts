/**
 * The other panels of the dashboard: transfers in flight with progress bars, leases,
 * scopes (read-only), uploads and counters, and the diff of two upload versions.
 * Pure: data in, HTML out; text from the wire or the disk goes through `t`.
 */
import type { Scope } from '../config/scope.js';
import type { Lease } from '../dhcp/lease.js';
import { isLeaseFree } from '../dhcp/lease-table.js';
import { formatCidr, ipv4ToInt } from '../net/ipv4.js';
import type { TransferInfo } from '../tftp/server-events.js';
import { bytesText, href, t, table, when } from './html.js';
import type { DiffLine } from './line-diff.js';
import type { DashboardCounters } from './source.js';
import type { UploadGroup } from './uploads.js';

/** Transfers in flight; a bar per transfer when the size is known. */
export function transfersPanel(transfers: readonly TransferInfo[]): string {
  const rows = transfers.map((x) => {
    const pct = x.size ? Math.min(100, Math.floor((x.bytes / x.size) * 100)) : undefined;
    const bar = x.size ? `<progress class="transfer" max="${x.size}" value="${x.bytes}">${pct}%</progress> ${pct}%` : '';
    return `<tr data-id="${t(x.id)}"><td>${t(x.peer.address)}:${x.peer.port}</td><td>${t(x.file)}</td><td>${x.direction}</td><td class="bytes">${bytesText(x.bytes)}${x.size ? ` of ${bytesText(x.size)}` : ''}</td><td>${bar}</td><td>${x.blksize}</td></tr>`;
  });
  return table(['Peer', 'File', 'Direction', 'Bytes', 'Progress', 'Block size'], rows, 'No transfer in flight.');
}

/** Most rows the leases panel shows (as the device table: a push of 10,000 rows costs the browser seconds). */
export const LEASE_ROWS_SHOWN = 200;

/** Leases in force (free ones are left out), the first LEASE_ROWS_SHOWN by address. */
export function leasesPanel(leases: readonly Lease[], nowMs: number, limit = LEASE_ROWS_SHOWN): string {
  const held = leases.filter((l) => !isLeaseFree(l, nowMs)).sort((a, b) => ipv4ToInt(a.ip) - ipv4ToInt(b.ip));
  const rows = held.slice(0, limit).map(
    (l) =>
      `<tr><td>${t(l.ip)}</td><td><a href="${href('/device/', l.mac)}">${t(l.mac)}</a></td><td>${t(l.hostname)}</td><td>${t(l.vendorClass)}</td><td>${t(l.state)}</td><td>${t(l.scope)}</td><td>${t(when(l.expiresAt))}</td></tr>`,
  );
  if (held.length > limit) rows.push(`<tr class="more"><td colspan="7">Showing the first ${limit} of ${held.length} leases held: <code>benchboot leases</code> lists them all.</td></tr>`);
  return table(['IP', 'MAC', 'Host name', 'Vendor class', 'State', 'Scope', 'Until (UTC)'], rows, 'No lease is held.');
}

function bootText(s: Scope): string {
  const b = s.boot;
  const parts = [
    b.nextServer && `siaddr ${b.nextServer}`,
    b.serverName && `sname ${b.serverName}`,
    b.file && `file ${b.file}`,
    b.tftpServerName && `66 ${b.tftpServerName}`,
    b.tftpServers.length > 0 && `150 ${b.tftpServers.join(',')}`,
  ];
  return parts.filter((p): p is string => typeof p === 'string').join(' · ');
}

/** The scopes in force, read-only. */
export function scopesPanel(scopes: readonly Scope[]): string {
  const rows = scopes.map(
    (s) =>
      `<tr><td>${t(s.name)}</td><td>${t(s.interface)}</td><td>${t(formatCidr(s.subnet))}</td><td>${t(s.ranges.map((r) => `${r.start}-${r.end}`).join(', '))}</td><td>${t(s.router)}</td><td>${s.leaseSeconds} s</td><td>${t(bootText(s))}</td><td>${s.reservations.length}</td></tr>`,
  );
  return table(['Name', 'Interface', 'Subnet', 'Pool', 'Router', 'Lease', 'Boot fields', 'Reservations'], rows, 'No scope is served.');
}

function versionRow(g: UploadGroup, i: number): string {
  const v = g.versions[i];
  if (!v) return '';
  const prev = i > 0 ? g.versions[i - 1] : undefined;
  const diff = prev ? ` <a href="/diff?a=${t(encodeURIComponent(prev.name))}&amp;b=${t(encodeURIComponent(v.name))}">diff with previous</a>` : '';
  return `<li><a href="${href('/uploads/', v.name)}" download>${t(v.name)}</a> ${bytesText(v.bytes)}, ${t(when(v.modifiedMs))}${diff}</li>`;
}

/** The upload directory by name, every version with a download link and a diff with the previous one. */
export function uploadsPanel(groups: readonly UploadGroup[] | undefined): string {
  if (groups === undefined) return '<p class="empty">Uploads are off (serve --upload-dir DIR accepts them).</p>';
  if (groups.length === 0) return '<p class="empty">No upload yet.</p>';
  return `<ul class="uploads">${groups.map((g) => `<li><strong>${t(g.base)}</strong><ul>${g.versions.map((_, i) => versionRow(g, i)).join('')}</ul></li>`).join('\n')}</ul>`;
}

function countRows(pairs: readonly (readonly [string, number | undefined])[]): string {
  return pairs
    .filter(([, n]) => n !== undefined)
    .map(([k, n]) => `<tr><th>${t(k)}</th><td>${n}</td></tr>`)
    .join('');
}

/** The counters of DHCP, TFTP, devices and reloads. */
export function countersPanel(c: DashboardCounters): string {
  const d = c.dhcp;
  const scopeSum = (key: 'offers' | 'acks' | 'naks' | 'declines' | 'releases'): number | undefined => (d ? Object.values(d.scopes).reduce((n, s) => n + s[key], 0) : undefined);
  const x = c.tftp;
  const dhcp = countRows([
    ['DHCP received', d?.received],
    ['offers', scopeSum('offers')],
    ['ACKs', scopeSum('acks')],
    ['NAKs', scopeSum('naks')],
    ['declines', scopeSum('declines')],
    ['releases', scopeSum('releases')],
    ['undecodable', d?.decodeErrors],
  ]);
  const tftp = countRows([
    ['TFTP requests', x?.requests],
    ['started', x?.started],
    ['finished', x?.finished],
    ['failed', x?.failed],
    ['refused', x?.refused],
    ['busy', x?.busy],
    ['bytes sent', x?.bytesSent],
    ['malformed', x?.malformed],
  ]);
  const devices = countRows(Object.entries(c.devices ?? {}).map(([k, n]) => [`devices ${k}`, n] as const));
  const reloads = countRows([
    ['reloads ok', c.reloads.ok],
    ['reloads rejected', c.reloads.rejected],
  ]);
  return `<div class="counters"><table>${dhcp}</table><table>${tftp}</table><table>${devices}${reloads}</table></div>`;
}

/** The diff of two versions of an upload. */
export function diffPage(a: string, b: string, lines: readonly DiffLine[]): string {
  const sign = { same: ' ', removed: '-', added: '+' } as const;
  const body = lines.map((l) => `<span class="${l.kind}">${sign[l.kind]} ${t(l.text)}</span>`).join('');
  return `<p><a href="/">← dashboard</a></p><h2>${t(a)} → ${t(b)}</h2><pre class="diff">${body}</pre>`;
}
