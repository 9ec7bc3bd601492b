/**
 * Render failures on their way to the device record (issue 12): the storage answers
 * a failed render with "file not found" (TFTP error 1, HTTP 404), and the server
 * reports that refusal with its code only. The storage notes the failure here under
 * (peer address, requested name) and the device feed takes it when the refusal of
 * that request arrives, so the record says "render error" with the template, line
 * and missing variable instead of "not found". Only names are kept, never a value
 * of the row (secrets stay out of records). Bounded: a note nobody takes (a peer
 * with no lease, devices off) is dropped oldest first.
 */

/** At most this many notes wait to be taken; a refusal is reported right after its note, so a handful suffices. */
export const MAX_PENDING_RENDER_FAILURES = 256;

/** What the record keeps of a failed render. */
export interface RenderFailure {
  /** The template's file name (no directory). */
  readonly template: string;
  /** 1-based; 0 when unknown. */
  readonly line: number;
  /** The missing variable (`device.extension`), when that is the failure. */
  readonly variable?: string;
  /** The storage's origin text of the answer (`template X`, `template X (default for …)`). */
  readonly origin: string;
}

/** `template SEP{MAC}.cnf.xml.liquid line 4: missing variable device.extension` (the record's detail and the status diagnosis). */
export function formatRenderFailure(f: RenderFailure): string {
  const where = f.line > 0 ? `template ${f.template} line ${f.line}` : `template ${f.template}`;
  return `${where}: ${f.variable === undefined ? 'does not render (the log has the error)' : `missing variable ${f.variable}`}`;
}

/** The notes between a failed render and the refusal's report. */
export class RenderFailures {
  private readonly pending = new Map<string, RenderFailure>();

  /** Notes the failure of `requested` for `peer` (an address). */
  note(peer: string, requested: string, failure: RenderFailure): void {
    const key = keyOf(peer, requested);
    this.pending.delete(key);
    if (this.pending.size >= MAX_PENDING_RENDER_FAILURES) {
      const oldest = this.pending.keys().next().value;
      if (oldest !== undefined) this.pending.delete(oldest);
    }
    this.pending.set(key, failure);
  }

  /** The failure noted for this request, once; undefined when none. */
  take(peer: string, requested: string): RenderFailure | undefined {
    const key = keyOf(peer, requested);
    const failure = this.pending.get(key);
    this.pending.delete(key);
    return failure;
  }

  /** Notes waiting (for tests and status). */
  get size(): number {
    return this.pending.size;
  }
}

function keyOf(peer: string, requested: string): string {
  return `${peer}\0${requested}`;
}
