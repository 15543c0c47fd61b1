// PNG predictors as FlateDecode uses them (ISO 32000-1 §7.4.4.4, Table 10; PNG spec §6 and §9).
// Cross-reference streams are written with /Predictor 12 (PNG "Up") by qpdf, Acrobat and most
// libraries, so the xref cannot be read without undoing it. Only what xref streams need is decoded:
// PNG predictors 10–15 with one colour component of 8 bits (the defaults); every row carries its own
// filter-type byte, whatever /Predictor 10–15 says. Anything else is refused by the caller.

/** Undoes a PNG predictor; returns a reason string when the data cannot be decoded exactly. */
export function unpredictPng(data: Buffer, columns: number): Buffer | string {
  if (!Number.isInteger(columns) || columns < 1) return `/Columns ${columns} is not a positive integer`;
  const rowIn = columns + 1;
  // A final partial row is what pdf.js and MuPDF would pad or drop; the two disagree, so refuse it.
  if (data.length % rowIn !== 0) return `${data.length} bytes are not whole predictor rows of ${rowIn}`;
  const rows = data.length / rowIn;
  const out = Buffer.alloc(rows * columns);
  for (let r = 0; r < rows; r++) {
    const type = data[r * rowIn]!;
    const src = r * rowIn + 1;
    const dst = r * columns;
    const up = dst - columns; // the previous output row (zeros above the first)
    for (let i = 0; i < columns; i++) {
      const raw = data[src + i]!;
      const left = i > 0 ? out[dst + i - 1]! : 0; // bpp = 1 (one 8-bit component)
      const above = r > 0 ? out[up + i]! : 0;
      const upperLeft = r > 0 && i > 0 ? out[up + i - 1]! : 0;
      let v: number;
      switch (type) {
        case 0: v = raw; break; // None
        case 1: v = raw + left; break; // Sub
        case 2: v = raw + above; break; // Up
        case 3: v = raw + ((left + above) >>> 1); break; // Average
        case 4: v = raw + paeth(left, above, upperLeft); break; // Paeth
        default: return `row ${r} has PNG filter type ${type}`;
      }
      out[dst + i] = v & 0xff;
    }
  }
  return out;
}

/** PNG §9.4 Paeth predictor. */
function paeth(a: number, b: number, c: number): number {
  const p = a + b - c;
  const pa = Math.abs(p - a);
  const pb = Math.abs(p - b);
  const pc = Math.abs(p - c);
  if (pa <= pb && pa <= pc) return a;
  return pb <= pc ? b : c;
}
