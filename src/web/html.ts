/**
 * Small HTML helpers for the dashboard's server-rendered pages. Every text that
 * came from the wire or a file goes through {@link t} (control characters made
 * visible, then HTML-escaped: devices/text-escape.ts); numbers and the dashboard's
 * own fixed words are written as they are.
 */
import { escapeHtml, htmlText } from '../devices/text-escape.js';

/** Wire or file text, safe in HTML text and attribute values. */
export function t(text: string | number | undefined): string {
  return text === undefined ? '' : htmlText(String(text));
}

/** Text already escaped for control characters (timeline lines), made safe for HTML. */
export function tEscaped(text: string): string {
  return escapeHtml(text);
}

/** A dashboard path with one path segment from the wire. */
export function href(prefix: string, segment: string): string {
  return t(`${prefix}${encodeURIComponent(segment)}`);
}

/** `2026-12-05 03:10:00` (UTC) for ms since the epoch. */
export function when(ms: number): string {
  return new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
}

/** `1.5 MB` style byte counts. */
export function bytesText(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / 1024 / 1024).toFixed(1)} MiB`;
}

/** A table, `rows` already HTML. */
export function table(headings: readonly string[], rows: readonly string[], empty: string): string {
  if (rows.length === 0) return `<p class="empty">${t(empty)}</p>`;
  return `<table><thead><tr>${headings.map((h) => `<th>${t(h)}</th>`).join('')}</tr></thead><tbody>${rows.join('\n')}</tbody></table>`;
}
