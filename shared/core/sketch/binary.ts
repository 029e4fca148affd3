/**
 * Minimal binary encoding helpers shared by the sketches: unsigned LEB128 varints (up to 2^53−1),
 * zig-zag signed varints, little-endian float64 and UTF-8 strings, plus strict base64 framing.
 * Pure: no I/O. Every reader method throws {@link SketchFormatError} on truncated or
 * out-of-range input, so a corrupted Table entity is reported instead of silently misread.
 */

/** Thrown when serialized sketch text is not something our serialize() wrote. */
export class SketchFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SketchFormatError';
  }
}

/** Growable byte buffer with the few writers the sketch encodings need. */
export class ByteWriter {
  private bytes = new Uint8Array(64);
  private length = 0;
  private readonly scratch = new DataView(new ArrayBuffer(8));

  private ensure(extra: number): void {
    if (this.length + extra <= this.bytes.length) return;
    let size = this.bytes.length * 2;
    while (size < this.length + extra) size *= 2;
    const grown = new Uint8Array(size);
    grown.set(this.bytes.subarray(0, this.length));
    this.bytes = grown;
  }

  byte(value: number): void {
    this.ensure(1);
    this.bytes[this.length++] = value & 0xff;
  }

  /** Unsigned varint; `value` must be a safe non-negative integer. */
  uint(value: number): void {
    if (!Number.isSafeInteger(value) || value < 0) throw new RangeError(`cannot encode ${value} as an unsigned varint`);
    this.ensure(8);
    let rest = value;
    while (rest >= 0x80) {
      this.bytes[this.length++] = (rest % 0x80) | 0x80;
      rest = Math.floor(rest / 0x80);
    }
    this.bytes[this.length++] = rest;
  }

  /** Signed varint (zig-zag); |value| must stay below 2^52. */
  int(value: number): void {
    if (!Number.isSafeInteger(value) || Math.abs(value) >= 2 ** 52) throw new RangeError(`cannot encode ${value} as a signed varint`);
    this.uint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  float64(value: number): void {
    this.ensure(8);
    this.scratch.setFloat64(0, value, true);
    for (let i = 0; i < 8; i++) this.bytes[this.length++] = this.scratch.getUint8(i);
  }

  /** Length-prefixed UTF-8 string. The string must be well-formed UTF-16 to round-trip. */
  string(value: string): void {
    const encoded = textEncoder.encode(value);
    this.uint(encoded.length);
    this.ensure(encoded.length);
    this.bytes.set(encoded, this.length);
    this.length += encoded.length;
  }

  toBase64(): string {
    return Buffer.from(this.bytes.buffer, this.bytes.byteOffset, this.length).toString('base64');
  }
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder('utf-8', { fatal: true });

/** Reads what {@link ByteWriter} wrote, checking bounds at every step. */
export class ByteReader {
  private position = 0;
  private readonly view: DataView;

  constructor(private readonly bytes: Uint8Array) {
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  private need(count: number, what: string): void {
    if (this.position + count > this.bytes.length) throw new SketchFormatError(`truncated sketch: missing ${what}`);
  }

  byte(what = 'byte'): number {
    this.need(1, what);
    return this.bytes[this.position++] ?? 0;
  }

  uint(what = 'varint'): number {
    let result = 0;
    let scale = 1;
    for (let i = 0; i < 8; i++) {
      const b = this.byte(what);
      result += (b & 0x7f) * scale;
      if ((b & 0x80) === 0) {
        if (!Number.isSafeInteger(result)) throw new SketchFormatError(`${what} is too large`);
        return result;
      }
      scale *= 0x80;
    }
    throw new SketchFormatError(`${what} is too long`);
  }

  int(what = 'signed varint'): number {
    const z = this.uint(what);
    return z % 2 === 0 ? z / 2 : -(z + 1) / 2;
  }

  float64(what = 'float64'): number {
    this.need(8, what);
    const value = this.view.getFloat64(this.position, true);
    this.position += 8;
    return value;
  }

  string(what = 'string'): string {
    const length = this.uint(`${what} length`);
    this.need(length, what);
    try {
      return textDecoder.decode(this.bytes.subarray(this.position, (this.position += length)));
    } catch {
      throw new SketchFormatError(`${what} is not valid UTF-8`);
    }
  }

  /** Throws unless every byte was consumed: trailing garbage means the text is not ours. */
  end(): void {
    if (this.position !== this.bytes.length) throw new SketchFormatError(`${this.bytes.length - this.position} unexpected trailing bytes`);
  }
}

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard base64 and checks the leading tag and version bytes. Rejects anything that
 * is not canonical padded base64 (Buffer alone would skip bad characters silently).
 */
export function openSketch(text: string, tag: number, version: number, kind: string): ByteReader {
  if (typeof text !== 'string' || !BASE64.test(text)) throw new SketchFormatError(`${kind}: not base64 text`);
  const reader = new ByteReader(new Uint8Array(Buffer.from(text, 'base64')));
  const seenTag = reader.byte('tag');
  if (seenTag !== tag) throw new SketchFormatError(`${kind}: wrong tag ${seenTag} (is this another kind of sketch?)`);
  const seenVersion = reader.byte('version');
  if (seenVersion !== version) throw new SketchFormatError(`${kind}: unsupported version ${seenVersion}`);
  return reader;
}

