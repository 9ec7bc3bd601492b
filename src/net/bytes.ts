/**
 * Bounds-checked byte cursors for the wire codecs. Every read checks the remaining
 * length first and throws `DecodeError { offset, reason }`, so a codec built on
 * `ByteReader` never reads out of bounds and never trusts a length it was sent.
 */

/** A datagram could not be decoded: where, and why. Normal traffic, not a bug. */
export class DecodeError extends Error {
  readonly offset: number;
  readonly reason: string;

  constructor(offset: number, reason: string) {
    super(`${reason} at byte ${offset}`);
    this.name = 'DecodeError';
    this.offset = offset;
    this.reason = reason;
  }
}

/** Result of a decoder: the value and how many bytes it consumed. */
export interface Decoded<T> {
  readonly value: T;
  readonly bytesRead: number;
}

/** Reads big-endian integers and byte runs from a Uint8Array, checking bounds. */
export class ByteReader {
  private readonly view: DataView;
  private pos: number;

  constructor(
    readonly bytes: Uint8Array,
    start = 0,
    private readonly end = bytes.length,
  ) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.pos = start;
  }

  /** Current offset from the start of `bytes`. */
  get offset(): number {
    return this.pos;
  }

  /** Bytes left before the end. */
  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws a DecodeError unless `n` more bytes are there. */
  need(n: number, what: string): void {
    if (n < 0 || this.pos + n > this.end) {
      throw new DecodeError(this.pos, `truncated ${what}: need ${n} bytes, have ${this.end - this.pos}`);
    }
  }

  u8(what = 'u8'): number {
    this.need(1, what);
    const v = this.view.getUint8(this.pos);
    this.pos += 1;
    return v;
  }

  u16(what = 'u16'): number {
    this.need(2, what);
    const v = this.view.getUint16(this.pos);
    this.pos += 2;
    return v;
  }

  u32(what = 'u32'): number {
    this.need(4, what);
    const v = this.view.getUint32(this.pos);
    this.pos += 4;
    return v;
  }

  /** A view (not a copy) of the next `n` bytes. */
  take(n: number, what = 'bytes'): Uint8Array {
    this.need(n, what);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  skip(n: number, what = 'bytes'): void {
    this.need(n, what);
    this.pos += n;
  }

  /** Offset of the next `byte` at or after the cursor, or -1. */
  indexOf(byte: number): number {
    const i = this.bytes.subarray(this.pos, this.end).indexOf(byte);
    return i < 0 ? -1 : this.pos + i;
  }
}

/** Writes big-endian integers and byte runs into a preallocated buffer. */
export class ByteWriter {
  private readonly view: DataView;
  private pos = 0;

  constructor(readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get offset(): number {
    return this.pos;
  }

  private room(n: number): void {
    if (this.pos + n > this.bytes.length) {
      throw new RangeError(`ByteWriter overflow: ${n} bytes at ${this.pos} of ${this.bytes.length}`);
    }
  }

  u8(v: number): this {
    this.room(1);
    this.view.setUint8(this.pos, v);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.room(2);
    this.view.setUint16(this.pos, v);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.room(4);
    this.view.setUint32(this.pos, v >>> 0);
    this.pos += 4;
    return this;
  }

  put(b: Uint8Array): this {
    this.room(b.length);
    this.bytes.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Writes `n` zero bytes. */
  zero(n: number): this {
    this.room(n);
    this.bytes.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }
}

/** Lowercase hex of some bytes. */
export function toHex(b: Uint8Array): string {
  return Buffer.from(b.buffer, b.byteOffset, b.byteLength).toString('hex');
}

/** Bytes from a hex string (whitespace and ':' ignored); throws on odd or bad digits. */
export function fromHex(hex: string): Uint8Array {
  const clean = hex.replace(/[\s:]/g, '');
  if (clean.length % 2 !== 0 || /[^0-9a-fA-F]/.test(clean)) {
    throw new RangeError(`not a hex string: ${hex}`);
  }
  return Uint8Array.from(Buffer.from(clean, 'hex'));
}
