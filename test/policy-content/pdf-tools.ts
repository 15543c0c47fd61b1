// Independent views of a PDF for cross-checks: qpdf 11 (Debian package qpdf) and MuPDF's mutool
// (mupdf-tools). A test that needs one fails when it is missing under CI, and is skipped elsewhere.

import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function hasTool(tool: string): boolean {
  const found = spawnSync('sh', ['-c', `command -v ${tool}`]).status === 0;
  if (!found && process.env.CI) throw new Error(`${tool} is required under CI (Debian: ${tool === 'qpdf' ? 'qpdf' : 'mupdf-tools'})`);
  return found;
}

const dir = mkdtempSync(join(tmpdir(), 'ferry-pdf-tools-'));
let serial = 0;
process.on('exit', () => rmSync(dir, { recursive: true, force: true }));

export function saveTemp(bytes: Uint8Array, ext = 'pdf'): string {
  const path = join(dir, `f${++serial}.${ext}`);
  writeFileSync(path, bytes);
  return path;
}

/** Every object qpdf finds (qpdf --json=2), as object numbers; undefined if qpdf cannot read the file. */
export function qpdfObjects(bytes: Uint8Array): { objects: number[]; json: string } | undefined {
  const r = spawnSync('qpdf', ['--json=2', '--json-key=qpdf', '--decode-level=none', saveTemp(bytes)], { maxBuffer: 256 * 1024 * 1024 });
  const out = r.stdout.toString('utf8');
  if (r.status === 2 || out.length === 0) return undefined; // 2: errors; 3: warnings (still a view)
  const json = JSON.parse(out) as { qpdf: [unknown, Record<string, unknown>] };
  // qpdf also lists objects that are only referenced (a dangling "3 0 R" in /Kids) with a null value:
  // no content there to judge, so those are left out.
  const objects = Object.entries(json.qpdf[1]).flatMap(([k, v]) => {
    const m = /^obj:(\d+) \d+ R$/.exec(k);
    return m === null || (v as { value?: unknown }).value === null ? [] : [Number(m[1])];
  });
  return { objects, json: out };
}

/** The in-use entries of MuPDF's xref (mutool show FILE xref): "n" at an offset, "o" in an object stream. */
export function mutoolXref(bytes: Uint8Array): number[] | undefined {
  const r = spawnSync('mutool', ['show', saveTemp(bytes), 'xref'], { maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) return undefined;
  const out: number[] = [];
  for (const line of r.stdout.toString('latin1').split('\n')) {
    const m = /^(\d+): +\d+ +\d+ +([no])/.exec(line);
    if (m !== null) out.push(Number(m[1]));
  }
  return out;
}

/** Rewrites a PDF with qpdf (e.g. ['--object-streams=generate']); throws if qpdf fails. */
export function qpdfRewrite(bytes: Uint8Array, args: string[]): Buffer {
  const input = saveTemp(bytes);
  const output = `${input}.out.pdf`;
  const r = spawnSync('qpdf', [...args, input, output]);
  if (r.status !== 0 && r.status !== 3) throw new Error(`qpdf ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return readFileSync(output);
}

/** Rewrites a PDF with mutool clean (e.g. ['-z'] to compress); throws if it fails. */
export function mutoolClean(bytes: Uint8Array, args: string[]): Buffer {
  const input = saveTemp(bytes);
  const output = `${input}.clean.pdf`;
  const r = spawnSync('mutool', ['clean', ...args, input, output]);
  if (r.status !== 0) throw new Error(`mutool clean ${args.join(' ')} failed: ${r.stderr.toString()}`);
  return readFileSync(output);
}

/** Names of active content anywhere in qpdf's JSON view (keys and name values, #-escapes resolved). */
export const ACTIVE_NAMES = /"\/(?:OpenAction|AA|JS|JavaScript|Launch|EmbeddedFiles?|RichMedia\w*|XFA|Encrypt)"/;
