// The names a client gives a file (its extension, its declared media type) must agree with what the
// bytes are: a downstream viewer or the intranet desktop may trust the name, so a disagreement is
// refused rather than corrected.

import { fail, type Verdict } from '../../errors.js';
import { fileExtension } from './file-name.js';
import type { ContentType } from './limits.js';

/** The media type Ferry reports for each type (OFD: GB/T 33190-2016 registers application/ofd). */
export const MEDIA_TYPE: Readonly<Record<ContentType, string>> = {
  pdf: 'application/pdf',
  jpeg: 'image/jpeg',
  png: 'image/png',
  ofd: 'application/ofd',
};

const EXTENSIONS: Readonly<Record<ContentType, readonly string[]>> = {
  pdf: ['pdf'],
  jpeg: ['jpg', 'jpeg', 'jpe', 'jfif'],
  png: ['png'],
  ofd: ['ofd'],
};

// What browsers and upload tools actually send for these files. Browsers that do not know .ofd send
// the generic type or application/zip (which the container is).
const DECLARED_ALIASES: Readonly<Record<ContentType, readonly string[]>> = {
  pdf: ['application/pdf', 'application/x-pdf', 'application/acrobat'],
  jpeg: ['image/jpeg', 'image/jpg', 'image/pjpeg'],
  png: ['image/png', 'image/x-png'],
  ofd: ['application/ofd', 'application/x-ofd', 'application/zip', 'application/x-zip-compressed'],
};
const GENERIC = new Set(['', 'application/octet-stream', 'binary/octet-stream', 'application/unknown', 'application/x-download']);

export function checkExtension(fileName: string, type: ContentType): Verdict<void> {
  const ext = fileExtension(fileName);
  if (EXTENSIONS[type].includes(ext)) return { ok: true, value: undefined };
  return fail('FERRY_ERR_CONTENT_EXTENSION_MISMATCH', `the bytes are ${type.toUpperCase()} but the name ends in "${ext === '' ? '(no extension)' : '.' + ext}"`);
}

export function checkDeclaredMediaType(declared: string | undefined, type: ContentType): Verdict<void> {
  if (declared === undefined) return { ok: true, value: undefined };
  if (typeof declared !== 'string') return fail('FERRY_ERR_CONTENT_MEDIA_TYPE_MISMATCH', 'the declared media type is not a string');
  // RFC 9110 §8.3.1: type "/" subtype, then parameters; case-insensitive.
  const essence = (declared.split(';')[0] ?? '').trim().toLowerCase();
  if (GENERIC.has(essence) || DECLARED_ALIASES[type].includes(essence)) return { ok: true, value: undefined };
  const shown = essence.length > 64 || !/^[\x21-\x7e]*$/.test(essence) ? '(unprintable or overlong)' : `"${essence}"`;
  return fail('FERRY_ERR_CONTENT_MEDIA_TYPE_MISMATCH', `the bytes are ${MEDIA_TYPE[type]} but the declared type is ${shown}`);
}
