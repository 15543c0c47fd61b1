// PDF name objects (ISO 32000-1 §7.3.5) and the names Ferry refuses. A name is "/" followed by regular
// characters; since PDF 1.2 any byte may be written as #xx, so /J#61vaScript is /JavaScript to every
// reader. Names are decoded before they are compared, never matched as raw text.

export type PdfRisk = 'script' | 'action' | 'embedded' | 'encrypt';

const RISKY: ReadonlyMap<string, PdfRisk> = new Map<string, PdfRisk>([
  // §12.6.4.16 JavaScript actions, §12.7.8 XFA forms (XFA carries its own scripts).
  ['JavaScript', 'script'],
  ['JS', 'script'],
  ['XFA', 'script'],
  // §12.6.2 automatic actions (document open, additional-actions on pages, fields, annotations) and
  // §12.6.4.5 Launch, which runs a program.
  ['OpenAction', 'action'],
  ['AA', 'action'],
  ['Launch', 'action'],
  // §7.11.4 embedded file streams, §7.7.4 the EmbeddedFiles name tree; RichMedia (Adobe extension
  // level 3) embeds Flash/video with its own scripting.
  ['EmbeddedFile', 'embedded'],
  ['EmbeddedFiles', 'embedded'],
  // §7.6 the trailer's /Encrypt: strings and streams are encrypted, so nothing inside can be checked.
  ['Encrypt', 'encrypt'],
]);

/** Every RichMedia* name (RichMedia, RichMediaContent, RichMediaExecute, ...). */
const RICH_MEDIA = 'RichMedia';

/** The longest name we need to decode in full; longer ones are only prefix-checked. */
const MAX_DECODED = 32;

function isRegular(b: number): boolean {
  // Not white space (§7.2.2 Table 1) and not a delimiter (Table 2).
  switch (b) {
    case 0x00: case 0x09: case 0x0a: case 0x0c: case 0x0d: case 0x20:
    case 0x28: case 0x29: case 0x3c: case 0x3e: case 0x5b: case 0x5d: case 0x7b: case 0x7d: case 0x2f: case 0x25:
      return false;
    default:
      return true;
  }
}

function hexValue(b: number | undefined): number {
  if (b === undefined) return -1;
  if (b >= 0x30 && b <= 0x39) return b - 0x30;
  if (b >= 0x41 && b <= 0x46) return b - 0x37;
  if (b >= 0x61 && b <= 0x66) return b - 0x57;
  return -1;
}

/** Reads the name whose "/" is at `at`: its decoded text (truncated to MAX_DECODED) and where it ends. */
export function readName(buf: Uint8Array, at: number, end: number): { name: string; next: number } {
  let i = at + 1;
  let name = '';
  while (i < end) {
    const b = buf[i]!;
    if (!isRegular(b)) break;
    let c = b;
    if (b === 0x23) {
      // "#" + two hex digits is one byte; a lone "#" stays itself (pdf.js, MuPDF behave the same).
      const hi = hexValue(buf[i + 1]);
      const lo = hexValue(buf[i + 2]);
      if (hi >= 0 && lo >= 0 && i + 2 < end) {
        c = hi * 16 + lo;
        i += 2;
      }
    }
    if (name.length < MAX_DECODED) name += String.fromCharCode(c);
    i++;
  }
  return { name, next: i };
}

export function nameRisk(name: string): PdfRisk | undefined {
  return RISKY.get(name) ?? (name.startsWith(RICH_MEDIA) ? 'embedded' : undefined);
}

export interface NameHit {
  readonly offset: number;
  readonly name: string;
  readonly risk: PdfRisk;
}

/** Calls `onHit` for each risky name in buf[from, to); stops when it returns false. */
export function scanRiskyNames(buf: Buffer, from: number, to: number, onHit: (hit: NameHit) => boolean): void {
  let at = buf.indexOf(0x2f, from);
  while (at >= 0 && at < to) {
    const { name, next } = readName(buf, at, to);
    const risk = nameRisk(name);
    if (risk !== undefined && !onHit({ offset: at, name, risk })) return;
    at = buf.indexOf(0x2f, Math.max(next, at + 1));
  }
}
