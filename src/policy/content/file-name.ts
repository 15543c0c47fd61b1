// Attachment file names. A name is stored, shown to staff and possibly written to disk on an intranet
// Windows desktop, so it must be one plain path component on Linux and on Windows alike.

import { fail, type Verdict } from '../../errors.js';
import { DEFAULT_CONTENT_LIMITS } from './limits.js';

// Cc: C0, DEL, C1 controls. Cf: format characters — the bidi overrides/embeddings/isolates
// (U+202A–U+202E, U+2066–U+2069, U+200E/F, U+061C) behind "a\u202Efdp.exe" showing as "aexe.pdf",
// zero-width characters and the BOM. Zl/Zp: line and paragraph separators (break logs and UIs).
// Cs: a lone surrogate (UTF-16 that is not valid Unicode); U+FFFD: text already mis-decoded.
const CONTROL = /[\p{Cc}\p{Cf}\p{Zl}\p{Zp}\p{Cs}\uFFFD]/u;

// Slashes that are not "/" or "\" but that Unicode normalisation (NFKC) or Windows "best fit"
// code-page conversion turn into one (the 2025 "WorstFit" research): fullwidth and small solidi,
// division and fraction slashes, the set-minus and big solidus operators.
const SLASH_LOOKALIKES = /[\/\\\uFF0F\uFF3C\uFE68\u2215\u2044\u2216\u29F5\u29F8\u29F9]/u;

// Characters Win32 forbids in a file name (Microsoft "Naming Files, Paths, and Namespaces");
// ":" also selects an NTFS alternate data stream ("a.pdf:evil.exe").
const WINDOWS_FORBIDDEN = /[<>:"|?*]/;

// Win32 device names, reserved whatever the extension ("CON.pdf" opens the console). Windows also
// treats the superscript digits ¹²³ as digits here.
const RESERVED = /^(CON|PRN|AUX|NUL|CLOCK\$|CONIN\$|CONOUT\$|COM[0-9\u00B9\u00B2\u00B3]|LPT[0-9\u00B9\u00B2\u00B3])$/;

/** Checks that `name` is a single, safe file name component. */
export function checkFileName(name: string, maxBytes: number = DEFAULT_CONTENT_LIMITS.maxFileNameBytes): Verdict<void> {
  if (typeof name !== 'string' || name.length === 0) return fail('FERRY_ERR_CONTENT_NAME_EMPTY', 'the file name is empty');
  // One UTF-16 unit is at least one UTF-8 byte, so this bounds the work below before counting bytes.
  if (name.length > maxBytes || Buffer.byteLength(name, 'utf8') > maxBytes) {
    return fail('FERRY_ERR_CONTENT_NAME_TOO_LONG', `the file name exceeds ${maxBytes} UTF-8 bytes`);
  }
  const control = CONTROL.exec(name);
  if (control !== null) {
    const cp = control[0].codePointAt(0) ?? 0;
    return fail('FERRY_ERR_CONTENT_NAME_CONTROL', `the file name holds U+${cp.toString(16).toUpperCase().padStart(4, '0')} at index ${control.index}`);
  }
  const folded = name.normalize('NFKC');
  if (SLASH_LOOKALIKES.test(name) || SLASH_LOOKALIKES.test(folded)) {
    return fail('FERRY_ERR_CONTENT_NAME_PATH', 'the file name holds a path separator');
  }
  if (name.includes('..') || folded === '.' || folded === '..') {
    return fail('FERRY_ERR_CONTENT_NAME_PATH', 'the file name holds ".."');
  }
  if (/^[. ]+$/.test(name)) return fail('FERRY_ERR_CONTENT_NAME_EMPTY', 'the file name is only dots and spaces');
  if (WINDOWS_FORBIDDEN.test(name)) {
    return fail('FERRY_ERR_CONTENT_NAME_CHARACTER', 'the file name holds one of < > : " | ? *');
  }
  // Win32 strips trailing dots and spaces, so "a.exe." and "a.pdf " are not the names they show.
  if (/[. ]$/.test(name)) return fail('FERRY_ERR_CONTENT_NAME_CHARACTER', 'the file name ends in a dot or space');
  for (const candidate of [name, folded]) {
    const stem = (candidate.split('.')[0] ?? '').replace(/ +$/, '').toUpperCase();
    if (RESERVED.test(stem)) return fail('FERRY_ERR_CONTENT_NAME_RESERVED', `"${stem}" is a reserved Windows device name`);
  }
  return { ok: true, value: undefined };
}

/** The extension after the last dot, lower-cased; '' when there is none ("README", ".profile"). */
export function fileExtension(name: string): string {
  const dot = name.lastIndexOf('.');
  if (dot <= 0 || dot === name.length - 1) return '';
  return name.slice(dot + 1).toLowerCase();
}
