/**
 * netascii conversion (RFC 1350 §5 refers to RFC 764's NVT ASCII): on the wire a line
 * ends with CR LF and a bare CR is sent as CR NUL. Sending converts LF → CR LF and
 * CR → CR NUL; receiving undoes it. The decoder keeps a pending CR across chunk
 * boundaries, so data may arrive in blocks of any size.
 */

const CR = 0x0d;
const LF = 0x0a;
const NUL = 0x00;

/** Local file bytes → netascii (LF → CR LF, CR → CR NUL). Stateless: each byte maps alone. */
export function encodeNetascii(input: Uint8Array): Uint8Array {
  let extra = 0;
  for (const b of input) if (b === LF || b === CR) extra++;
  if (extra === 0) return input;
  const out = new Uint8Array(input.length + extra);
  let j = 0;
  for (const b of input) {
    if (b === LF) {
      out[j++] = CR;
      out[j++] = LF;
    } else if (b === CR) {
      out[j++] = CR;
      out[j++] = NUL;
    } else {
      out[j++] = b;
    }
  }
  return out;
}

/** Streaming netascii → local bytes (CR LF → LF, CR NUL → CR); a CR at a chunk end waits for the next. */
export class NetasciiDecoder {
  private pendingCr = false;

  /** Converts one chunk; returns the bytes that are final so far. */
  push(input: Uint8Array): Uint8Array {
    const out = new Uint8Array(input.length + 1);
    let j = 0;
    let i = 0;
    if (this.pendingCr) {
      this.pendingCr = false;
      if (input.length === 0) {
        this.pendingCr = true;
        return out.subarray(0, 0);
      }
      const first = input[0];
      if (first === LF) out[j++] = LF;
      else if (first === NUL) out[j++] = CR;
      else {
        // A bare CR followed by something else: not valid netascii, keep both bytes.
        out[j++] = CR;
        out[j++] = first ?? 0;
      }
      i = 1;
    }
    for (; i < input.length; i++) {
      const b = input[i] ?? 0;
      if (b !== CR) {
        out[j++] = b;
        continue;
      }
      if (i + 1 >= input.length) {
        this.pendingCr = true;
        break;
      }
      const next = input[i + 1];
      if (next === LF) out[j++] = LF;
      else if (next === NUL) out[j++] = CR;
      else {
        out[j++] = CR;
        out[j++] = next ?? 0;
      }
      i++;
    }
    return out.subarray(0, j);
  }

  /** Ends the stream: a dangling CR is kept as CR. */
  end(): Uint8Array {
    if (!this.pendingCr) return new Uint8Array(0);
    this.pendingCr = false;
    return Uint8Array.of(CR);
  }
}
