/**
 * The dashboard's routes, one per concern: the overview page, a device's page and
 * its reset, upload downloads and diffs, the report downloads (the same formatters
 * as `benchboot report`), and the live event stream.
 */
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { canonicalMac, formatReportCsv, formatReportHtml, formatReportJson } from '../devices/index.js';
import { diffLines, MAX_DIFF_LINES } from './line-diff.js';
import { page, section } from './layout.js';
import { deviceOfQuery, type LiveHub } from './live.js';
import { countersPanel, diffPage, leasesPanel, scopesPanel, transfersPanel, uploadsPanel } from './render-panels.js';
import { devicePage, devicesPanel, type DeviceFilter } from './render-devices.js';
import type { DashboardSource } from './source.js';
import { findUpload, listUploads, readUploadText, type UploadGroup } from './uploads.js';
import { t } from './html.js';

/** A query string as fastify parses it: a repeated parameter is an array. */
type Query = Record<string, string | string[] | undefined>;

/** The upload listing, or undefined when uploads are off. */
export async function uploadGroups(source: DashboardSource): Promise<UploadGroup[] | undefined> {
  const dir = source.uploadDir();
  return dir === undefined ? undefined : listUploads(dir).catch(() => []);
}

function html(reply: FastifyReply, body: string, code = 200): FastifyReply {
  return reply.code(code).type('text/html; charset=utf-8').send(body);
}

function notFound(reply: FastifyReply, what: string): FastifyReply {
  return html(reply, page('not found', `<p>${t(what)}</p><p><a href="/">← dashboard</a></p>`), 404);
}

/** The device table's filter in a query (`?status=&q=`), as the overview and its live stream read it; a repeated parameter (an array) is ignored. */
function filterOf(q: Query): DeviceFilter {
  const { status, q: text } = q;
  return { ...(typeof status === 'string' ? { status } : {}), ...(typeof text === 'string' ? { q: text } : {}) };
}

async function overview(source: DashboardSource, q: Query): Promise<string> {
  const filter = filterOf(q);
  const body = [
    section('counters', 'Counters', countersPanel(source.counters())),
    devicesPanel(source.devices(), filter),
    section('transfers', 'Transfers in flight', transfersPanel(source.transfers())),
    section('leases', 'Leases', leasesPanel(source.leases(), source.now())),
    section('scopes', 'Scopes (read-only)', scopesPanel(source.scopes())),
    section('uploads', 'Uploads', uploadsPanel(await uploadGroups(source))),
  ].join('\n');
  return page('benchboot dashboard', body);
}

function reportRoutes(app: FastifyInstance, source: DashboardSource): void {
  app.get<{ Params: { format: string } }>('/report.:format', (req, reply) => {
    const rows = source.devices();
    const now = source.now();
    switch (req.params.format) {
      case 'csv':
        return reply.type('text/csv; charset=utf-8').header('content-disposition', 'attachment; filename="benchboot-report.csv"').send(formatReportCsv(rows));
      case 'json':
        return reply.type('application/json; charset=utf-8').header('content-disposition', 'attachment; filename="benchboot-report.json"').send(formatReportJson(rows, now));
      case 'html':
        return html(reply, formatReportHtml(rows, now));
      default:
        return notFound(reply, 'reports are report.csv, report.json and report.html');
    }
  });
}

function deviceRoutes(app: FastifyInstance, source: DashboardSource): void {
  app.get<{ Params: { mac: string } }>('/device/:mac', (req, reply) => {
    const detail = source.device(req.params.mac);
    if (!detail) return notFound(reply, `no device record for ${req.params.mac}`);
    return html(reply, page(`benchboot: ${detail.row.mac}`, devicePage(detail), canonicalMac(detail.row.mac)));
  });
  app.post<{ Params: { mac: string } }>('/device/:mac/reset', async (req, reply) => {
    if (!source.device(req.params.mac)) return notFound(reply, `no device record for ${req.params.mac}`);
    await source.resetDevice(req.params.mac);
    return reply.redirect(`/device/${encodeURIComponent(req.params.mac)}`, 303);
  });
}

function uploadRoutes(app: FastifyInstance, source: DashboardSource): void {
  app.get<{ Params: { name: string } }>('/uploads/:name', async (req, reply) => {
    const dir = source.uploadDir();
    const v = dir === undefined ? undefined : await findUpload(dir, req.params.name);
    if (dir === undefined || !v) return notFound(reply, 'no such upload');
    // Bytes a device wrote: always a download, never rendered as a page of this origin.
    return reply
      .type('application/octet-stream')
      .header('content-disposition', `attachment; filename*=UTF-8''${encodeURIComponent(v.name)}`)
      .send(createReadStream(join(dir, v.name)));
  });
  app.get<{ Querystring: Query }>('/diff', async (req, reply) => {
    const dir = source.uploadDir();
    const { a, b } = req.query;
    if (dir === undefined || typeof a !== 'string' || typeof b !== 'string') return notFound(reply, 'give two uploads: /diff?a=NAME&b=NAME');
    const [before, after] = await Promise.all([readUploadText(dir, a), readUploadText(dir, b)]);
    if (before === undefined || after === undefined) return notFound(reply, 'no such upload, or too large to diff (download it instead)');
    try {
      return html(reply, page(`diff ${a} ${b}`, diffPage(a, b, diffLines(before, after))));
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      return html(reply, page('diff', `<p>More than ${MAX_DIFF_LINES} lines: download both versions instead.</p>`), 413);
    }
  });
}

function eventRoute(app: FastifyInstance, hub: LiveHub): void {
  app.get<{ Querystring: Query }>('/events', (req, reply) => {
    const device = deviceOfQuery(req.query.device);
    reply.hijack();
    const raw = reply.raw;
    raw.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', connection: 'keep-alive', 'x-content-type-options': 'nosniff' });
    const remove = hub.add({
      ...(device === undefined ? { filter: filterOf(req.query) } : { device }),
      write: (chunk) => void raw.write(chunk),
      queuedBytes: () => raw.writableLength,
      close: () => raw.end(),
    });
    req.raw.on('close', remove);
  });
}

/** Registers every route of the dashboard. */
export function registerRoutes(app: FastifyInstance, source: DashboardSource, hub: LiveHub): void {
  app.get<{ Querystring: Query }>('/', async (req, reply) => html(reply, await overview(source, req.query)));
  deviceRoutes(app, source);
  uploadRoutes(app, source);
  reportRoutes(app, source);
  eventRoute(app, hub);
}
