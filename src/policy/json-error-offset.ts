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
  const n = b.length;
  let i = 0;
  const stack: ('[' | '{')[] = [];
  const skipWs = () => { while (i < n && WS.has(b[i]!)) i++; };

  // Each returns true when a token was read and i is past it; false leaves i at the fault.
  const string = (): boolean => {
    if (b[i] !== 0x22) return false;
    i++;
    while (i < n) {
      const c = b[i]!;
      if (c === 0x22) { i++; return true; }
      if (c < 0x20) return false;
      if (c === 0x5c) {
        i++;
        if (b[i] === 0x75) { for (let k = 1; k <= 4; k++) if (!isHex(b[i + k])) { i += k; return false; } i += 5; continue; }
        if (i >= n || !ESCAPES.has(b[i]!)) return false;
      }
      i++;
    }
    return false;
  };
  const number = (): boolean => {
    if (b[i] === 0x2d) i++;
    if (b[i] === 0x30) i++;
    else if (isDigit(b[i])) while (isDigit(b[i])) i++;
    else return false;
    if (b[i] === 0x2e) { i++; if (!isDigit(b[i])) return false; while (isDigit(b[i])) i++; }
    if (b[i] === 0x65 || b[i] === 0x45) {
      i++;
      if (b[i] === 0x2b || b[i] === 0x2d) i++;
      if (!isDigit(b[i])) return false;
      while (isDigit(b[i])) i++;
    }
    return true;
  };
  const literal = (): boolean => {
    for (const word of ['true', 'false', 'null']) {
      if (b[i] !== word.charCodeAt(0)) continue;
      for (let k = 0; k < word.length; k++) if (b[i + k] !== word.charCodeAt(k)) { i += k; return false; }
      i += word.length;
      return true;
    }
    return false;
  };
  /** An object member's key and colon; i ends before the value. */
  const key = (): boolean => {
    skipWs();
    if (!string()) return false;
    skipWs();
    if (b[i] !== 0x3a) return false;
    i++;
    return true;
  };

  let wantValue = true;
  for (;;) {
    skipWs();
    if (wantValue) {
      const c = b[i];
      if (c === 0x7b || c === 0x5b) {
        i++;
        skipWs();
        if (b[i] === (c === 0x7b ? 0x7d : 0x5d)) { i++; wantValue = false; continue; }
        stack.push(c === 0x7b ? '{' : '[');
        if (c === 0x7b && !key()) return Math.min(i, n);
        continue;
      }
      const ok = c === 0x22 ? string() : c === 0x2d || isDigit(c) ? number() : literal();
      if (!ok) return Math.min(i, n);
      wantValue = false;
      continue;
    }
    const top = stack[stack.length - 1];
    if (top === undefined) return i === n ? -1 : i;
    if (b[i] === 0x2c) { i++; if (top === '{' && !key()) return Math.min(i, n); wantValue = true; continue; }
    if (b[i] === (top === '{' ? 0x7d : 0x5d)) { i++; stack.pop(); continue; }
    return Math.min(i, n);
  }
}

/** The refusal text for a body that is not JSON: the position, never the text. */
export function invalidJsonMessage(b: Uint8Array): string {
  const at = jsonErrorOffset(b);
  return at < 0 ? 'body: invalid JSON' : `body: invalid JSON at byte ${at}`;
}
