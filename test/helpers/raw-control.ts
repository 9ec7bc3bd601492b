/** Checks on text meant for a terminal. */

/** True when `text` holds a C0/C1 control, DEL or a bidi control (checked by code, not by a regex of controls). */
export function hasRawControl(text: string): boolean {
  return [...text].some((ch) => {
    const c = ch.codePointAt(0) ?? 0;
    return c < 0x20 || (c >= 0x7f && c <= 0x9f) || (c >= 0x202a && c <= 0x202e) || (c >= 0x2066 && c <= 0x2069);
  });
}
