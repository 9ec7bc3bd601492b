/**
 * Making text from the wire safe to print. Vendor classes, hostnames, file names
 * and syslog lines are chosen by devices; a control character in them could move a
 * terminal cursor, split a CSV row or a log line, and a bidi override could make a
 * file name read backwards. Every text output escapes them visibly (`\x1b`,
 * `\u{202e}`) before its own format-specific escaping (HTML, CSV).
 */

// Everything but the safe ranges: C0 controls, DEL, C1 controls, line/paragraph
// separators, bidi embeddings, overrides and isolates (written as a negated class,
// since a regex naming control characters reads as a mistake to linters).
const UNSAFE = /[^\x20-\x7e\u00a0-\u2027\u202f-\u2065\u206a-\uffff\u{10000}-\u{10ffff}]/gu;

/** `text` with every control or bidi character written as `\xNN` (below U+0100) or `\u{NNNN}`, and `\` as `\\`. */
export function escapeControl(text: string): string {
  return text.replace(/\\/g, '\\\\').replace(UNSAFE, (c) => {
    const code = c.codePointAt(0) ?? 0;
    return code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`;
  });
}

/** Escapes the five HTML-significant characters (for text and attribute values). */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** `escapeHtml(escapeControl(text))`: what every HTML output uses for wire text. */
export function htmlText(text: string): string {
  return escapeHtml(escapeControl(text));
}
