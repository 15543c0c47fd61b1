// One read-only view of an attachment's bytes, shared by every check so that the Buffer wrapper and
// the latin1 string (for indexOf-style searches) are made once, lazily, without copying the bytes.

export class ByteView {
  readonly buf: Buffer;
  #latin1: string | undefined;
  #lower: string | undefined;

  constructor(bytes: Uint8Array) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get length(): number {
    return this.buf.length;
  }

  /** The bytes as a latin1 string: one char per byte, so string offsets are byte offsets. */
  latin1(): string {
    this.#latin1 ??= this.buf.toString('latin1');
    return this.#latin1;
  }

  /** latin1() with ASCII letters lower-cased (latin1 case mapping keeps the length). */
  lower(): string {
    this.#lower ??= this.latin1().toLowerCase();
    return this.#lower;
  }
}

/** True when `sig` occurs in `buf` at offset `at`. */
export function matchAt(buf: Uint8Array, at: number, sig: readonly number[]): boolean {
  if (at < 0 || at + sig.length > buf.length) return false;
  for (let i = 0; i < sig.length; i++) if (buf[at + i] !== sig[i]) return false;
  return true;
}

export function ascii(s: string): readonly number[] {
  return Array.from(s, (c) => c.charCodeAt(0) & 0xff);
}
