/**
 * The page shell of the dashboard: one stylesheet and one script, both served by
 * benchboot itself (/assets/), nothing from elsewhere (the Content-Security-Policy
 * of server.ts forbids it), and the overview page's sections.
 */
import { t } from './html.js';

/** A whole page. `device` (canonical MAC) makes the live stream send that device's timeline. */
export function page(title: string, body: string, device?: string): string {
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${t(title)}</title>`,
    '<link rel="stylesheet" href="/assets/dashboard.css">',
    '<script src="/assets/dashboard.js" defer></script>',
    '</head>',
    `<body${device === undefined ? '' : ` data-device="${t(device)}"`}>`,
    '<header><h1><a href="/">benchboot</a></h1>',
    '<span id="live-state" class="live-state">not live</span>',
    '<nav>Report: <a href="/report.html">HTML</a> · <a href="/report.csv">CSV</a> · <a href="/report.json">JSON</a></nav></header>',
    `<main>${body}</main>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}

/** One live section of the overview page. */
export function section(id: string, title: string, html: string): string {
  return `<section><h2>${t(title)}</h2><div id="${id}" data-live="${id}">${html}</div></section>`;
}
