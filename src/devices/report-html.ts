/**
 * The report as one self-contained HTML page for the technician's handover: inline
 * CSS, no script, no external asset (a Content-Security-Policy forbids loading any),
 * every text escaped for control characters and then for HTML.
 */
import { formatStatusCounts } from './status-reason.js';
import { REPORT_COLUMNS, reportCell, type DeviceSummaryRow } from './summary.js';
import { htmlText } from './text-escape.js';

const STYLE = `
body { font: 14px/1.4 system-ui, sans-serif; margin: 1.5rem; color: #222; }
h1 { font-size: 1.3rem; }
table { border-collapse: collapse; width: 100%; }
th, td { border: 1px solid #ccc; padding: 0.3rem 0.5rem; text-align: left; vertical-align: top; }
th { background: #f3f3f3; }
td.files, td.diagnosis { max-width: 28rem; overflow-wrap: anywhere; }
.provisioned { background: #e6f6e6; } .stuck { background: #fde8e8; } .gone { background: #eee; color: #666; }
.fetching, .leased, .discovered { background: #fff8e1; }
`;

function formatRow(row: DeviceSummaryRow): string {
  const cells = REPORT_COLUMNS.map(([key]) => `<td class="${key}">${htmlText(reportCell(row, key))}</td>`).join('');
  return `<tr class="${row.status}">${cells}</tr>`;
}

/** The whole report as an HTML document; `title` names the bench. */
export function formatReportHtml(rows: readonly DeviceSummaryRow[], generatedAtMs: number, title = 'benchboot report'): string {
  const head = REPORT_COLUMNS.map(([, heading]) => `<th>${htmlText(heading)}</th>`).join('');
  return [
    '<!DOCTYPE html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`,
    `<title>${htmlText(title)}</title>`,
    `<style>${STYLE}</style>`,
    '</head>',
    '<body>',
    `<h1>${htmlText(title)}</h1>`,
    `<p>Generated ${htmlText(new Date(generatedAtMs).toISOString())}. ${htmlText(formatStatusCounts(rows))}.</p>`,
    `<table><thead><tr>${head}</tr></thead>`,
    `<tbody>${rows.map(formatRow).join('\n')}</tbody></table>`,
    '</body>',
    '</html>',
    '',
  ].join('\n');
}
