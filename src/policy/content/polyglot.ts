// Checks that apply to every allowed type: is this file also another format? Each format's own
// trailing-data rule lives with its parser (png-check, jpeg-check, pdf-check, zip-reader's tiling);
// here are the markers that make a second reader see a second file anywhere in the bytes.

import { fail, type Verdict } from '../../errors.js';
import type { ByteView } from './byte-view.js';
import type { ContentType } from './limits.js';
import { findEmbeddedMarkup } from './markup.js';
import { findZipStructure } from './zip-reader.js';

/** Acrobat accepts a PDF header anywhere in the first 1024 bytes (PDF Reference 1.7, Appendix H note on §3.4.1). */
export const PDF_HEADER_WINDOW = 1024;

/** Offset of "%PDF-" at or after `from`, or -1. */
export function findPdfHeader(view: ByteView, from: number): number {
  return view.buf.indexOf('%PDF-', from, 'latin1');
}

export function checkPolyglot(view: ByteView, type: ContentType): Verdict<void> {
  const polyglot = (detail: string) => fail('FERRY_ERR_CONTENT_POLYGLOT', detail);
  if (type !== 'pdf') {
    const at = findPdfHeader(view, 0);
    if (at >= 0) {
      return polyglot(at < PDF_HEADER_WINDOW ? `a %PDF header at offset ${at}, where PDF readers still find it` : `a PDF header at offset ${at}`);
    }
  }
  if (type !== 'ofd') {
    const at = findZipStructure(view.buf, 0);
    if (at >= 0) return polyglot(`a zip structure at offset ${at}`);
  }
  const markup = findEmbeddedMarkup(view.lower());
  if (markup !== undefined) return polyglot(`markup ${markup}`);
  return { ok: true, value: undefined };
}
