/**
 * The report as JSON: `{ generatedAt, devices: [...] }`. JSON.stringify already
 * escapes C0 controls; C1 controls, line separators and bidi characters are escaped
 * too (as `\uXXXX`, so the values still round-trip exactly).
 */
import type { DeviceSummaryRow } from './summary.js';

const UNSAFE_IN_JSON = /[\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/gu;

/** The whole report as JSON text (2-space indent, trailing newline). */
export function formatReportJson(rows: readonly DeviceSummaryRow[], generatedAtMs: number): string {
  const devices = rows.map((r) => ({ ...r, firstSeen: new Date(r.firstSeenMs).toISOString(), lastSeen: new Date(r.lastSeenMs).toISOString() }));
  const text = JSON.stringify({ generatedAt: new Date(generatedAtMs).toISOString(), devices }, null, 2);
  return `${text.replace(UNSAFE_IN_JSON, (c) => `\\u${(c.codePointAt(0) ?? 0).toString(16).padStart(4, '0')}`)}\n`;
}
