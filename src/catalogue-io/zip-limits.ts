// An .xlsx is a zip: 16 MiB of it can inflate to gigabytes (a zip bomb) before a reader sees a cell.
// Before exceljs reads it, its central directory is read here: entry count and declared inflated sizes
// are bounded, and what cannot be accounted for (zip64, a directory that does not parse) is refused.
// Declared sizes can lie; this stops the honest-looking bomb, and the import runs in its own short-lived
// CLI process (the gateways never read a spreadsheet), so a lying one costs that process only.

/** A county workbook of a few thousand rows inflates to a few MiB; 64 MiB is far above any real one. */
export const MAX_XLSX_INFLATED_BYTES = 64 * 1024 * 1024;
/** Parts of a workbook: a handful of sheets, styles, strings, relationships. */
export const MAX_XLSX_ENTRIES = 500;

const EOCD = 0x06054b50;
const CDH = 0x02014b50;

/** undefined when the zip is within bounds, else why not. */
export function zipProblem(buf: Buffer): string | undefined {
  const from = Math.max(0, buf.length - 22 - 65535);
  let eocd = -1;
  for (let i = buf.length - 22; i >= from; i--) if (buf.readUInt32LE(i) === EOCD) { eocd = i; break; }
  if (eocd < 0) return 'not a zip file (no end of central directory)';
  const entries = buf.readUInt16LE(eocd + 10);
  const size = buf.readUInt32LE(eocd + 12);
  const offset = buf.readUInt32LE(eocd + 16);
  if (entries === 0xffff || size === 0xffffffff || offset === 0xffffffff) return 'zip64 archives are not accepted';
  if (entries > MAX_XLSX_ENTRIES) return `${entries} parts; at most ${MAX_XLSX_ENTRIES}`;
  if (offset + size > eocd) return 'the central directory lies outside the file';
  let total = 0;
  let p = offset;
  for (let n = 0; n < entries; n++) {
    if (p + 46 > eocd || buf.readUInt32LE(p) !== CDH) return 'the central directory does not parse';
    const inflated = buf.readUInt32LE(p + 24);
    if (inflated === 0xffffffff) return 'zip64 entries are not accepted';
    total += inflated;
    if (total > MAX_XLSX_INFLATED_BYTES) return `its parts declare more than ${MAX_XLSX_INFLATED_BYTES} bytes inflated`;
    p += 46 + buf.readUInt16LE(p + 28) + buf.readUInt16LE(p + 30) + buf.readUInt16LE(p + 32);
  }
  return undefined;
}
