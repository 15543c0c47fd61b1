// Where a stream's data lies (ISO 32000-1 §7.3.8), found the same way by the object scanner and the
// xref reader: /Length when it lands on "endstream", else the next "endstream" keyword.
import { isPdfWhite, type PdfLexer, type PdfValue } from './pdf-lexer.js';

/** A few EOL/space bytes may precede "endstream"; capped so that many streams whose /Length ends in
 *  one long run of white space cannot make the search quadratic. */
const MAX_WHITE_BEFORE_ENDSTREAM = 64;

/**
 * [start, end) of the data of the stream whose dictionary ended at `lex.pos`, or undefined if no
 * stream follows. `nextEndstream(from)` gives the offset of the first "endstream" at or after `from`.
 */
export function streamData(
  buf: Buffer, lex: PdfLexer, dict: ReadonlyMap<string, PdfValue>, nextEndstream: (from: number) => number | undefined,
): [number, number] | undefined {
  lex.skipSpace();
  if (!lex.keyword('stream')) return undefined;
  // §7.3.8.1: the keyword is followed by CRLF or LF (a lone CR is tolerated by readers).
  let start = lex.pos;
  if (buf[start] === 0x0d) start++;
  if (buf[start] === 0x0a) start++;
  const length = dict.get('Length');
  if (length?.t === 'int' && start + length.v <= buf.length) {
    let after = start + length.v;
    const limit = Math.min(buf.length, after + MAX_WHITE_BEFORE_ENDSTREAM);
    while (after < limit && isPdfWhite(buf[after])) after++;
    if (buf.toString('latin1', after, after + 9) === 'endstream') return [start, start + length.v];
  }
  return [start, nextEndstream(start) ?? buf.length];
}
