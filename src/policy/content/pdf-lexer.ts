// Just enough of the PDF object syntax (ISO 32000-1 §7.2–7.3) to read a stream's dictionary: white
// space and comments, names, numbers, indirect references, strings, arrays and nested dictionaries.
// The lexer follows pdf.js's rules (a string ends at its balancing ")", "\" escapes one byte, a
// comment runs to the end of the line), and every step is paid from a shared byte budget so that a
// hostile file of overlapping objects cannot make the scan quadratic.

import { readName } from './pdf-names.js';

export type PdfValue =
  | { readonly t: 'name'; readonly v: string }
  | { readonly t: 'int'; readonly v: number }
  | { readonly t: 'ref' }
  | { readonly t: 'other' }
  | { readonly t: 'array'; readonly items: readonly PdfValue[]; readonly truncated: boolean }
  | { readonly t: 'dict'; readonly map: ReadonlyMap<string, PdfValue> };

/** Arrays keep only their first items: Ferry reads short arrays (/Filter, /W), never page trees; a
 *  reader that needs a long one (/Index) asks for more and checks `truncated`. */
const MAX_ARRAY_ITEMS = 16;
const MAX_DEPTH = 64;

export class BudgetExceeded extends Error {}

export interface Budget {
  remaining: number;
}

export function isPdfWhite(b: number | undefined): boolean {
  return b === 0x20 || b === 0x0a || b === 0x0d || b === 0x09 || b === 0x0c || b === 0x00;
}

export function isPdfDelimiter(b: number | undefined): boolean {
  return b === 0x28 || b === 0x29 || b === 0x3c || b === 0x3e || b === 0x5b || b === 0x5d || b === 0x7b || b === 0x7d || b === 0x2f || b === 0x25;
}

export class PdfLexer {
  pos: number;
  readonly #buf: Buffer;
  readonly #end: number;
  readonly #budget: Budget;
  readonly #maxArrayItems: number;

  constructor(buf: Buffer, pos: number, budget: Budget, maxArrayItems = MAX_ARRAY_ITEMS) {
    this.#buf = buf;
    this.pos = pos;
    this.#end = buf.length;
    this.#budget = budget;
    this.#maxArrayItems = maxArrayItems;
  }

  #pay(n: number): void {
    this.#budget.remaining -= n;
    if (this.#budget.remaining < 0) throw new BudgetExceeded();
  }

  #advance(to: number): void {
    this.#pay(to - this.pos);
    this.pos = to;
  }

  /** Skips white space and % comments. */
  skipSpace(): void {
    const buf = this.#buf;
    let p = this.pos;
    while (p < this.#end) {
      const b = buf[p]!;
      if (isPdfWhite(b)) {
        p++;
      } else if (b === 0x25) {
        while (p < this.#end && buf[p] !== 0x0a && buf[p] !== 0x0d) p++;
      } else {
        break;
      }
    }
    this.#advance(p);
  }

  peek(offset = 0): number | undefined {
    return this.#buf[this.pos + offset];
  }

  /** True (and consumed) when the next bytes are `word` followed by a delimiter, space or the end. */
  keyword(word: string): boolean {
    for (let i = 0; i < word.length; i++) if (this.#buf[this.pos + i] !== word.charCodeAt(i)) return false;
    const after = this.#buf[this.pos + word.length];
    if (after !== undefined && !isPdfWhite(after) && !isPdfDelimiter(after)) return false;
    this.#advance(this.pos + word.length);
    return true;
  }

  /** An unsigned integer token (at most 12 digits), consumed; undefined (nothing consumed) otherwise. */
  integer(): number | undefined {
    let p = this.pos;
    let v = 0;
    const start = p;
    while (p < this.#end && p - start < 12) {
      const b = this.#buf[p]!;
      if (b < 0x30 || b > 0x39) break;
      v = v * 10 + (b - 0x30);
      p++;
    }
    if (p === start) return undefined;
    const after = this.#buf[p];
    if (after !== undefined && !isPdfWhite(after) && !isPdfDelimiter(after)) return undefined;
    this.#advance(p);
    return v;
  }

  #skipRegular(): void {
    let p = this.pos;
    while (p < this.#end && !isPdfWhite(this.#buf[p]) && !isPdfDelimiter(this.#buf[p])) p++;
    this.#advance(Math.max(p, this.pos + 1));
  }

  /** Skips a literal string "( ... )"; false if it never closes. */
  #skipLiteral(): boolean {
    const buf = this.#buf;
    let p = this.pos + 1;
    let depth = 1;
    while (p < this.#end) {
      const b = buf[p]!;
      if (b === 0x5c) p += 2;
      else {
        if (b === 0x28) depth++;
        else if (b === 0x29 && --depth === 0) {
          this.#advance(p + 1);
          return true;
        }
        p++;
      }
    }
    this.#pay(this.#end - this.pos); // the failed scan read to the end: it is paid for too
    return false;
  }

  /** Parses one value; undefined when the syntax is broken here (the caller then gives up on it). */
  value(depth = 0): PdfValue | undefined {
    if (depth > MAX_DEPTH) return undefined;
    this.skipSpace();
    const b = this.peek();
    if (b === undefined) return undefined;
    if (b === 0x2f) {
      const { name, next } = readName(this.#buf, this.pos, this.#end);
      this.#advance(next);
      return { t: 'name', v: name };
    }
    if (b === 0x3c && this.peek(1) === 0x3c) return this.dict(depth);
    if (b === 0x3c) {
      const close = this.#buf.indexOf(0x3e, this.pos);
      if (close < 0) {
        this.#pay(this.#end - this.pos);
        return undefined;
      }
      this.#advance(close + 1);
      return { t: 'other' };
    }
    if (b === 0x28) return this.#skipLiteral() ? { t: 'other' } : undefined;
    if (b === 0x5b) {
      this.#advance(this.pos + 1);
      const items: PdfValue[] = [];
      let truncated = false;
      for (;;) {
        this.skipSpace();
        if (this.peek() === 0x5d) {
          this.#advance(this.pos + 1);
          return { t: 'array', items, truncated };
        }
        const item = this.value(depth + 1);
        if (item === undefined) return undefined;
        if (items.length < this.#maxArrayItems) items.push(item);
        else truncated = true;
      }
    }
    if (b >= 0x30 && b <= 0x39) {
      const save = this.pos;
      const n = this.integer();
      if (n !== undefined) {
        // "n g R" is an indirect reference (§7.3.10); otherwise the integer stands alone.
        const afterInt = this.pos;
        this.skipSpace();
        if (this.integer() !== undefined) {
          this.skipSpace();
          if (this.keyword('R')) return { t: 'ref' };
        }
        this.pos = afterInt;
        return { t: 'int', v: n };
      }
      this.pos = save;
    }
    if (b === 0x3e || b === 0x5d || b === 0x29) return undefined; // a closer where a value belongs
    if (b === 0x7b || b === 0x7d) {
      this.#advance(this.pos + 1); // PostScript calculator braces (§7.10.5)
      return { t: 'other' };
    }
    this.#skipRegular(); // numbers with sign or point, true, false, null
    return { t: 'other' };
  }

  /** Parses "<< ... >>" at the current position. */
  dict(depth = 0): PdfValue | undefined {
    this.#advance(this.pos + 2);
    const map = new Map<string, PdfValue>();
    for (;;) {
      this.skipSpace();
      const b = this.peek();
      if (b === undefined) return undefined;
      if (b === 0x3e && this.peek(1) === 0x3e) {
        this.#advance(this.pos + 2);
        return { t: 'dict', map };
      }
      if (b !== 0x2f) return undefined;
      const { name, next } = readName(this.#buf, this.pos, this.#end);
      this.#advance(next);
      const v = this.value(depth + 1);
      if (v === undefined) return undefined;
      map.set(name, v);
    }
  }
}
