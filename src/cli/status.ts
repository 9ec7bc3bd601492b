/**
 * `benchboot status [--leases DIR] [--json]`: asks the running server, over the
 * control socket in its state directory, what it is doing, and prints a summary:
 * interfaces and scopes, leases bound / offered / free per scope, TFTP listen
 * addresses and settings, transfers in flight, DHCP and TFTP counters. With --json
 * it prints the server's answer as it is. When no server runs it fails with
 * BB_CONTROL and says so (exit 1).
 *
 *     benchboot status
 *     benchboot status --leases /var/lib/benchboot --json
 */
import type { ApplianceStatus } from '../appliance/index.js';
import { controlRequest, controlSocketPath, isNoServer } from '../control/client.js';
import { isRecord } from '../control/protocol.js';
import { escapeControl } from '../devices/text-escape.js';
import { defaultMaxPerClient } from '../tftp/admission.js';
import { formatBytes as formatSize, formatDuration } from '../ui/render.js';

/** Status prints sizes with GiB to two decimals. */
const formatBytes = (n: number): string => formatSize(n, 2);
import { ERRORS } from '../errors.js';
import { defineCommand, formatTable, writeJson, writeLine, type GlobalArgs } from './output.js';

/** The options of `benchboot status`. */
export const STATUS_OPTIONS = {
  leases: { type: 'string', default: './leases', normalize: true, requiresArg: true, describe: 'State directory of the running server (as given to serve --leases)' },
} as const;

interface StatusArgs extends GlobalArgs {
  leases: string;
}

/** Checks the shape of a status answer well enough to print it; throws BB_CONTROL otherwise. */
export function asApplianceStatus(value: unknown): ApplianceStatus {
  const ok =
    isRecord(value) &&
    typeof value.pid === 'number' &&
    typeof value.startedAt === 'number' &&
    Array.isArray(value.scopes) &&
    value.scopes.every((s) => isRecord(s) && typeof s.name === 'string' && isRecord(s.leases)) &&
    isRecord(value.tftp) &&
    Array.isArray(value.tftp.listen) &&
    Array.isArray(value.tftp.transfers) &&
    isRecord(value.leases) &&
    isRecord(value.reloads);
  if (!ok) throw ERRORS.unreadableStatus.create();
  return value as unknown as ApplianceStatus;
}

/** The HTTP lines of the status text: where it listens, default ports left out and why, its counters. */
function httpLines(st: ApplianceStatus): string[] {
  const h = st.http;
  if (h === undefined) return ['HTTP: off'];
  const out = [`HTTP: ${h.listen.join(', ') || 'not listening'}, ${h.transfers.length} in flight`];
  for (const s of h.skipped) out.push(`  port ${s.port} not served: ${s.reason}`);
  const c = h.counters;
  out.push(`HTTP counters: ${c.requests} requests (${c.reads} get, ${c.writes} put), ${c.finished} finished, ${c.failed} failed, ${c.refused} refused, ${c.queued} waited for a slot (${c.waiting} waiting now), ${c.busy} busy (${c.queueTimeouts} after waiting), ${formatBytes(c.bytesSent)} sent, ${formatBytes(c.bytesReceived)} received`);
  return out;
}

function tftpSettingsLine(st: ApplianceStatus): string | undefined {
  const s = st.tftp.settings;
  const srv = s.server;
  const parts: string[] = [];
  if (s.alternates.length > 0) parts.push(`alternates ${s.alternates.join(', ')}`);
  if (s.defaults.length > 0) parts.push(`defaults ${s.defaults.map((d) => `${d.pattern}=${d.file}`).join(', ')}`);
  if (s.mapFile !== undefined) parts.push(`map file ${s.mapFile}`);
  if (s.caseInsensitive) parts.push('case-insensitive');
  if (st.tftp.uploadDir !== undefined) {
    const mode = s.uploadMode === undefined ? '' : `, mode ${s.uploadMode.toString(8).padStart(4, '0')}`;
    const kept = s.overwriteUploads ? 'overwrite' : s.maxUploadVersions === undefined || s.maxUploadVersions === 'all' ? 'keep every version' : `keep ${s.maxUploadVersions} versions`;
    const room = `${s.uploadQuotaBytes === undefined ? '' : `, quota ${formatBytes(s.uploadQuotaBytes)}`}${s.minFreeBytes === undefined ? '' : `, min free ${formatBytes(s.minFreeBytes)}`}`;
    parts.push(`uploads ${kept}${s.maxUploadBytes === undefined ? '' : `, max ${formatBytes(s.maxUploadBytes)}`}${room}${mode}`);
  }
  if (srv.portRange) parts.push(`ports ${srv.portRange[0]}-${srv.portRange[1]}`);
  if (srv.maxBlksize !== undefined) parts.push(`max blksize ${srv.maxBlksize}`);
  if (srv.mtu !== undefined) parts.push(`mtu ${srv.mtu}`);
  if (srv.maxWindowsize !== undefined) parts.push(`max windowsize ${srv.maxWindowsize}`);
  const adapting = srv.transfersCeiling !== undefined && srv.transfersCeiling > s.maxTransfers ? `, adapting up to ${srv.transfersCeiling}` : '';
  parts.push(`max transfers ${s.maxTransfers}${adapting} (${srv.maxPerClient ?? defaultMaxPerClient(s.maxTransfers)} per client)`);
  if (srv.timeoutMs !== undefined) parts.push(`timeout ${srv.timeoutMs} ms`);
  if (srv.maxTimeoutSeconds !== undefined) parts.push(`client timeout at most ${srv.maxTimeoutSeconds} s`);
  if (srv.minBytesPerSecond !== undefined) parts.push(srv.minBytesPerSecond === 0 ? 'no floor rate' : `floor rate ${formatBytes(srv.minBytesPerSecond)}/s`);
  if (srv.retries !== undefined) parts.push(`retries ${srv.retries}`);
  if (srv.workers !== undefined) parts.push(srv.workers === 0 ? 'downloads sent by the main thread' : `downloads sent by ${srv.workers} worker threads`);
  return parts.join('; ');
}

/** The status as readable lines (what `benchboot status` prints). */
export function formatStatus(st: ApplianceStatus, now: number): string[] {
  const lines: string[] = [];
  lines.push(`benchboot serve is running: pid ${st.pid}, up ${formatDuration(now - st.startedAt)}, scopes ${st.scopeSource}.`);
  const interfaces = [...new Set(st.scopes.map((s) => s.interface))];
  lines.push(`Interfaces: ${interfaces.join(', ') || 'none'}`);
  for (const l of st.links ?? []) {
    if (l.state !== 'serving') lines.push(`NOT SERVING ${l.interface} (${l.state} for ${formatDuration(now - l.since)}): ${l.detail}`);
  }
  lines.push('');
  lines.push(
    formatTable(st.scopes, [
      { header: 'SCOPE', value: (s) => s.name },
      { header: 'INTERFACE', value: (s) => s.interface },
      { header: 'SUBNET', value: (s) => s.subnet },
      { header: 'BOUND', right: true, value: (s) => String(s.leases.bound) },
      { header: 'OFFERED', right: true, value: (s) => String(s.leases.offered) },
      { header: 'DECLINED', right: true, value: (s) => String(s.leases.declined) },
      { header: 'FREE', right: true, value: (s) => `${s.leases.free}/${s.leases.pool}` },
    ]),
  );
  lines.push('');
  lines.push(`TFTP: ${st.tftp.listen.join(', ') || 'not listening'}, root ${st.tftp.root}, uploads ${st.tftp.uploadDir ?? 'off'}`);
  const settings = tftpSettingsLine(st);
  if (settings) lines.push(`  ${settings}`);
  const room = st.tftp.uploads;
  if (room) {
    const swapped = room.swappedRefusals === 0 ? '' : `; ${room.swappedRefusals} refused because the directory was swapped for another (a symlink or a rename): check who changed it`;
    lines.push(`  upload directory holds ${formatBytes(room.usedBytes)}${swapped}`);
  }
  const transfers = st.tftp.transfers;
  if (transfers.length === 0) lines.push('Transfers in flight: none');
  else {
    lines.push(`Transfers in flight: ${transfers.length}`);
    lines.push(
      formatTable(transfers, [
        { header: 'PEER', value: (t) => `${t.peer.address}:${t.peer.port}` },
        { header: 'DIR', value: (t) => (t.direction === 'read' ? 'get' : 'put') },
        { header: 'FILE', value: (t) => escapeControl(t.file) },
        { header: 'DONE', value: (t) => (t.size === undefined ? formatBytes(t.bytes) : `${formatBytes(t.bytes)} of ${formatBytes(t.size)}`) },
        { header: 'BLKSIZE', value: (t) => String(t.blksize) },
        { header: 'FOR', value: (t) => formatDuration(now - t.startedAt) },
      ]),
    );
  }
  lines.push('');
  const c = st.tftp.counters;
  if (c) {
    lines.push(
      `TFTP counters: ${c.requests} requests (${c.reads} get, ${c.writes} put), ${c.finished} finished, ${c.failed} failed, ${c.refused} refused, ${c.queued} waited for a slot (${c.waiting} waiting now), ${c.busy} busy (${c.queueTimeouts} after waiting), limit now ${c.transferLimit} (${c.limitRaises} raises kept, ${c.limitTakenBack} taken back), ` +
        `${formatBytes(c.bytesSent)} sent, ${formatBytes(c.bytesReceived)} received, ${c.retransmits} retransmits, ${c.malformed} malformed, ${c.tooSlow} too slow`,
    );
  }
  lines.push(...httpLines(st));
  lines.push(...dhcpCounterLines(st));
  lines.push(`Reloads: ${st.reloads.ok} ok, ${st.reloads.rejected} rejected`);
  if (st.devices) lines.push(`Devices: ${Object.entries(st.devices).map(([status, n]) => `${n} ${status}`).join(', ')}`);
  if (st.web) lines.push(`Dashboard: ${'url' in st.web ? st.web.url : `off (${st.web.off})`}`);
  return [...lines, ...syslogLine(st)];
}

function dhcpCounterLines(st: ApplianceStatus): string[] {
  const d = st.dhcp;
  if (!d) return [];
  const per = Object.values(d.scopes);
  const sum = (pick: (x: (typeof per)[number]) => number): number => per.reduce((n, x) => n + pick(x), 0);
  const total = (r: Readonly<Record<string, number>>): number => Object.values(r).reduce((n, x) => n + x, 0);
  const dropped = total(d.drops) + sum((x) => total(x.drops));
  // The drops a technician acts on (a burst of new clients, a full pool, DISCOVERs shed over capacity) are named.
  const byReason = (k: string): number => (d.drops[k] ?? 0) + sum((x) => x.drops[k] ?? 0);
  const named = ['rate-limited', 'pool-exhausted', 'discover-shed'].filter((k) => byReason(k) > 0).map((k) => `${byReason(k)} ${k}`);
  return [
    `DHCP counters: ${d.received} received, ${sum((x) => x.offers)} offers, ${sum((x) => x.acks)} acks, ${sum((x) => x.naks)} naks, ` +
      `${sum((x) => x.declines)} declines, ${sum((x) => x.releases)} releases, ${dropped} dropped${named.length > 0 ? ` (${named.join(', ')})` : ''}, ${d.decodeErrors} malformed`,
  ];
}

function syslogLine(st: ApplianceStatus): string[] {
  const s = st.syslog;
  if (s === undefined) return [];
  if ('off' in s) return [`Syslog: ${s.off}`];
  const c = s.counters;
  return [`Syslog: ${s.listen.join(', ')}: ${c.received} received, ${c.filed} filed, ${c.unattributed} from no leased device, ${c.empty} empty`];
}

/** Asks the server in `stateDir` for its status; BB_CONTROL with a clear sentence when none runs. */
export async function requestStatus(stateDir: string): Promise<ApplianceStatus> {
  const path = controlSocketPath(stateDir);
  let answer: unknown;
  try {
    answer = await controlRequest(path, { op: 'status' });
  } catch (err) {
    if (!isNoServer(err)) throw err;
    throw ERRORS.noServerFor.create({ dir: stateDir, path }, { cause: err });
  }
  return asApplianceStatus(answer);
}

/** `benchboot status`. */
export const statusCommand = defineCommand<StatusArgs>({
  command: 'status',
  describe: 'Show what the running server is doing: scopes, leases, transfers, counters',
  builder: (y) => y.options(STATUS_OPTIONS),
  examples: [
    ['benchboot status', 'The server using ./leases'],
    ['benchboot status --leases /var/lib/benchboot --json', 'The full answer as JSON'],
  ],
  run: async (args, ctx) => {
    const status = await requestStatus(args.leases);
    if (args.json) writeJson(ctx.io.stdout, status);
    else for (const line of formatStatus(status, Date.now())) writeLine(ctx.io.stdout, line);
    return 0;
  },
});
