/**
 * Cuts the byte stream of one control connection into request lines, refusing any
 * line longer than the limit. Lines are measured in bytes before decoding, so the
 * limit holds for multi-byte text too; a newline byte never occurs inside a UTF-8
 * sequence, so cutting at it never splits a character.
 *
 * Lines are taken one at a time (`next`), so a caller that has no room for more
 * requests leaves the rest in here: what this holds is bounded by what the caller
 * lets it read (one socket read beyond the line being assembled).
 */

/** The next line of the stream: its text (without the newline), none complete yet, or one over the limit. */
export type NextLine = { readonly kind: 'line'; readonly text: string } | { readonly kind: 'none' } | { readonly kind: 'too-long' };

const NEWLINE = 0x0a;
const NONE: NextLine = { kind: 'none' };
const TOO_LONG: NextLine = { kind: 'too-long' };

/** Splits bytes into lines of at most `maxBytes` bytes each (the newline not counted). */
export class LineSplitter {
  private pending: Buffer = Buffer.alloc(0);

  constructor(private readonly maxBytes: number) {}

  /** Adds bytes read from the connection. */
  push(chunk: Buffer): void {
    this.pending = this.pending.length === 0 ? chunk : Buffer.concat([this.pending, chunk]);
  }

  /**
   * Takes the next complete line. A line over the limit is reported whether its
   * newline has arrived or not: an unterminated rest longer than the limit can only
   * grow into an over-long line.
   */
  next(): NextLine {
    const nl = this.pending.indexOf(NEWLINE);
    if (nl < 0) return this.pending.length > this.maxBytes ? TOO_LONG : NONE;
    if (nl > this.maxBytes) return TOO_LONG;
    const text = this.pending.subarray(0, nl).toString('utf8');
    this.pending = this.pending.subarray(nl + 1);
    return { kind: 'line', text };
  }

  /** Forgets everything not yet taken (the connection is being closed). */
  discard(): void {
    this.pending = Buffer.alloc(0);
  }
}
