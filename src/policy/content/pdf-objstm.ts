// The header of a decoded object stream (ISO 32000-1 §7.5.7): /N pairs "objnum offset" before /First.
// Readers find a compressed object by reading exactly these pairs, so Ferry reads them the same way and
// refuses a header it cannot read in full: /N and /First must be direct integers, every pair must be
// two integers, and each offset must lie inside the decoded data after /First.

import { fail, type Verdict } from '../../errors.js';
import { BudgetExceeded, PdfLexer, type Budget, type PdfValue } from './pdf-lexer.js';

const unscannable = (detail: string) => fail('FERRY_ERR_CONTENT_PDF_UNSCANNABLE', detail);

/** The object numbers an object stream holds, in header order. */
export function readObjectStreamHeader(what: string, dict: ReadonlyMap<string, PdfValue>, decoded: Buffer, maxMembers: number): Verdict<number[]> {
  const n = dict.get('N');
  const first = dict.get('First');
  if (n?.t !== 'int' || first?.t !== 'int') return unscannable(`${what} has no direct integer /N and /First`);
  if (first.v > decoded.length) return unscannable(`${what} has /First ${first.v} past its ${decoded.length} decoded bytes`);
  // Each pair takes at least 4 bytes ("1 0 "), so a larger /N cannot be honest.
  if (n.v > maxMembers || n.v * 4 > first.v + 4) return unscannable(`${what} claims /N ${n.v} objects`);
  const head = decoded.subarray(0, first.v);
  const budget: Budget = { remaining: head.length * 4 + 1024 };
  const lex = new PdfLexer(head, 0, budget);
  const members: number[] = [];
  try {
    for (let i = 0; i < n.v; i++) {
      lex.skipSpace();
      const num = lex.integer();
      lex.skipSpace();
      const offset = lex.integer();
      if (num === undefined || offset === undefined) return unscannable(`${what}: header pair ${i} of ${n.v} is not two integers`);
      if (first.v + offset >= decoded.length) return unscannable(`${what}: object ${num} lies past the decoded data`);
      members.push(num);
    }
  } catch (err) {
    if (err instanceof BudgetExceeded) return unscannable(`${what}: the header does not parse within its budget`);
    throw err;
  }
  return { ok: true, value: members };
}
