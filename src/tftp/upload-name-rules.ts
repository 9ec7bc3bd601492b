/**
 * What an upload may be called, pure. The request-name rules (resolve-path.ts) already
 * refuse C0 controls, `..` and subdirectories; an upload's name also becomes a file a
 * technician lists, greps and opens later, so it must in addition:
 *
 * - hold no C1 control (U+0080–U+009F, e.g. U+009B, a terminal's CSI), no line or
 *   paragraph separator and no bidi control (U+061C, U+200E/F, U+202A–U+202E,
 *   U+2066–U+2069: `gifnoc\u202e.exe` would read as something else), and no U+FFFD
 *   (bytes that were not UTF-8, which could not be stored under the name sent);
 * - not start with `-` (read as an option by `ls`, `rm`, `cat`) or `.` (hidden);
 * - fit the file system: at most 255 bytes in UTF-8 (NAME_MAX), checked when the
 *   request arrives instead of failing after the whole upload.
 *
 * Each refusal is TFTP error 2 at WRQ time.
 */

/** Longest file name the file systems benchboot writes to accept, in bytes (NAME_MAX). */
export const MAX_FILE_NAME_BYTES = 255;

/** Why an upload name is refused by these rules. */
export type UploadNameProblem = 'unsafe-character' | 'leading-dot-or-dash' | 'too-long';

// C1 controls, U+061C, U+200E/U+200F, U+2028–U+202E, U+2066–U+2069 and U+FFFD, as a class of escapes.
const UNSAFE_IN_UPLOAD_NAME = /[\u0080-\u009f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ufffd]/u;

/** True for C0 and C1 controls, DEL, separators and bidi controls (U+FFFD is shown as it is). */
function isUnsafeToShow(ch: string): boolean {
  const code = ch.codePointAt(0) ?? 0;
  return code < 0x20 || (code >= 0x7f && code <= 0x9f) || (code !== 0xfffd && UNSAFE_IN_UPLOAD_NAME.test(ch));
}

/** `text` with every control and bidi character replaced by `?` (for error packets and event names). */
export function maskUnsafe(text: string): string {
  return [...text].map((ch) => (isUnsafeToShow(ch) ? '?' : ch)).join('');
}

/** Bytes `text` takes in UTF-8. */
export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

/** The problem with `fileName` (one plain segment, already past the request-name rules) as an upload name, if any. */
export function uploadNameProblem(fileName: string): UploadNameProblem | undefined {
  if (UNSAFE_IN_UPLOAD_NAME.test(fileName)) return 'unsafe-character';
  if (fileName.startsWith('-') || fileName.startsWith('.')) return 'leading-dot-or-dash';
  if (utf8Length(fileName) > MAX_FILE_NAME_BYTES) return 'too-long';
  return undefined;
}

/** The longest start of `text` that fits in `maxBytes` of UTF-8, never splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  let bytes = 0;
  let end = 0;
  for (const ch of text) {
    const n = utf8Length(ch);
    if (bytes + n > maxBytes) break;
    bytes += n;
    end += ch.length;
  }
  return text.slice(0, end);
}
