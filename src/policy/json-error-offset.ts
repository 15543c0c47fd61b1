// Where a JSON text stops being JSON, as a byte offset. A JSON parser's own message quotes the text
// around the fault (V8: `Unexpected token 'x', "…王清河 3301…" is not valid JSON`), and an applicant's
// body is personal data: a refusal, a log line or an audit entry may carry the position and nothing
// else. RFC 8259 grammar, scanned over the bytes without recursion (a body of a million '[' is fine).
// Pure; run only after JSON.parse has already failed, so it need not be fast.

const WS = new Set([0x20, 0x09, 0x0a, 0x0d]);
const ESCAPES = new Set([...'"\\/bfnrt'].map((c) => c.charCodeAt(0)));
const isDigit = (c: number | undefined) => c !== undefined && c >= 0x30 && c <= 0x39;
const isHex = (c: number | undefined) => c !== undefined && (isDigit(c) || (c >= 0x41 && c <= 0x46) || (c >= 0x61 && c <= 0x66));

/** Byte offset of the first fault (the length if the text ends too soon); -1 if the bytes are JSON. */
export function jsonErrorOffset(b: Uint8Array): number {
  return new JsonScanner(b).faultOffset();
}

/** One pass over the bytes: `i` is the read position, `stack` the open arrays and objects. The token
 *  readers return true when a token was read and i is past it; false leaves i at the fault. */
class JsonScanner {
  private i = 0;
  private readonly n: number;
  private readonly stack: ('[' | '{')[] = [];

  constructor(private readonly b: Uint8Array) {
    this.n = b.length;
  }

  faultOffset(): number {
    const { b } = this;
    let wantValue = true;
    for (;;) {
      this.skipWs();
      if (wantValue) {
        const c = b[this.i];
        if (c === 0x7b || c === 0x5b) {
          const opened = this.open(c);
          if (opened === 'fault') return this.fault();
          wantValue = opened === 'value';
          continue;
        }
        if (!this.scalar(c)) return this.fault();
        wantValue = false;
        continue;
      }
      const top = this.stack[this.stack.length - 1];
      if (top === undefined) return this.i === this.n ? -1 : this.i;
      if (b[this.i] === 0x2c) {
        this.i++;
        if (top === '{' && !this.key()) return this.fault();
        wantValue = true;
        continue;
      }
      if (b[this.i] === (top === '{' ? 0x7d : 0x5d)) { this.i++; this.stack.pop(); continue; }
      return this.fault();
    }
  }

  /** Past '{' or '[': an empty one is a whole value ('closed'); else the first member is wanted. */
  private open(c: 0x7b | 0x5b): 'closed' | 'value' | 'fault' {
    this.i++;
    this.skipWs();
    if (this.b[this.i] === (c === 0x7b ? 0x7d : 0x5d)) { this.i++; return 'closed'; }
    this.stack.push(c === 0x7b ? '{' : '[');
    if (c === 0x7b && !this.key()) return 'fault';
    return 'value';
  }

  private fault(): number {
    return Math.min(this.i, this.n);
  }

  private skipWs(): void {
    while (this.i < this.n && WS.has(this.b[this.i]!)) this.i++;
  }

  private scalar(c: number | undefined): boolean {
    return c === 0x22 ? this.string() : c === 0x2d || isDigit(c) ? this.number() : this.literal();
  }

  private string(): boolean {
    const { b, n } = this;
    if (b[this.i] !== 0x22) return false;
    this.i++;
    while (this.i < n) {
      const c = b[this.i]!;
      if (c === 0x22) { this.i++; return true; }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        this.i++;
        if (b[this.i] === 0x75) {
          for (let k = 1; k <= 4; k++) if (!isHex(b[this.i + k])) { this.i += k; return false; }
          this.i += 5;
          continue;
        }
        if (this.i >= n || !ESCAPES.has(b[this.i]!)) return false;
      }
      this.i++;
    }
    return false;
  }

  private number(): boolean {
    const { b } = this;
    if (b[this.i] === 0x2d) this.i++;
    if (b[this.i] === 0x30) this.i++;
    else if (isDigit(b[this.i])) this.digits();
    else return false;
    if (b[this.i] === 0x2e) { this.i++; if (!isDigit(b[this.i])) return false; this.digits(); }
    if (b[this.i] === 0x65 || b[this.i] === 0x45) {
      this.i++;
      if (b[this.i] === 0x2b || b[this.i] === 0x2d) this.i++;
      if (!isDigit(b[this.i])) return false;
      this.digits();
    }
    return true;
  }

  private digits(): void {
    while (isDigit(this.b[this.i])) this.i++;
  }

  private literal(): boolean {
    const { b } = this;
    for (const word of ['true', 'false', 'null']) {
      if (b[this.i] !== word.charCodeAt(0)) continue;
      for (let k = 0; k < word.length; k++) if (b[this.i + k] !== word.charCodeAt(k)) { this.i += k; return false; }
      this.i += word.length;
      return true;
    }
    return false;
  }

  /** An object member's key and colon; i ends before the value. */
  private key(): boolean {
    this.skipWs();
    if (!this.string()) return false;
    this.skipWs();
    if (this.b[this.i] !== 0x3a) return false;
    this.i++;
    return true;
  }
}

/** The refusal text for a body that is not JSON: the position, never the text. */
export function invalidJsonMessage(b: Uint8Array): string {
  const at = jsonErrorOffset(b);
  return at < 0 ? 'body: invalid JSON' : `body: invalid JSON at byte ${at}`;
}
