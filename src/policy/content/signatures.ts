// Magic numbers and extension lists for what Ferry refuses by name: executables and archives.
// file-type identifies most of these, but not shebang scripts, DEX or every archive, and a member of
// a zip is checked with this table before (and without) file-type.

import { ascii, matchAt } from './byte-view.js';

interface Magic {
  readonly at: number;
  readonly sig: readonly number[];
  readonly what: string;
}

const EXECUTABLE_MAGIC: readonly Magic[] = [
  { at: 0, sig: ascii('MZ'), what: 'DOS/Windows PE executable' },
  { at: 0, sig: ascii('ZM'), what: 'DOS executable' },
  { at: 0, sig: [0x7f, 0x45, 0x4c, 0x46], what: 'ELF executable' },
  { at: 0, sig: [0xfe, 0xed, 0xfa, 0xce], what: 'Mach-O executable' },
  { at: 0, sig: [0xfe, 0xed, 0xfa, 0xcf], what: 'Mach-O executable' },
  { at: 0, sig: [0xce, 0xfa, 0xed, 0xfe], what: 'Mach-O executable' },
  { at: 0, sig: [0xcf, 0xfa, 0xed, 0xfe], what: 'Mach-O executable' },
  { at: 0, sig: [0xca, 0xfe, 0xba, 0xbe], what: 'Mach-O universal binary or Java class' },
  { at: 0, sig: ascii('dex\n'), what: 'Android DEX' },
  { at: 0, sig: [0x00, 0x61, 0x73, 0x6d], what: 'WebAssembly module' },
  { at: 0, sig: [0x4c, 0x00, 0x00, 0x00, 0x01, 0x14, 0x02, 0x00], what: 'Windows shortcut (LNK)' },
  { at: 0, sig: ascii('#!'), what: 'shebang script' },
  { at: 0, sig: [0xef, 0xbb, 0xbf, 0x23, 0x21], what: 'shebang script' },
  { at: 0, sig: ascii('Joy!peff'), what: 'classic Mac OS executable' },
];

const ARCHIVE_MAGIC: readonly Magic[] = [
  { at: 0, sig: [0x50, 0x4b, 0x03, 0x04], what: 'zip' },
  { at: 0, sig: [0x50, 0x4b, 0x05, 0x06], what: 'zip' },
  { at: 0, sig: [0x50, 0x4b, 0x07, 0x08], what: 'spanned zip' },
  { at: 0, sig: ascii('Rar!\x1a\x07'), what: 'RAR' },
  { at: 0, sig: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c], what: '7z' },
  { at: 0, sig: [0x1f, 0x8b], what: 'gzip' },
  { at: 0, sig: [0x1f, 0x9d], what: 'compress (.Z)' },
  { at: 0, sig: [0x1f, 0xa0], what: 'compress (.Z)' },
  { at: 0, sig: ascii('BZh'), what: 'bzip2' },
  { at: 0, sig: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00], what: 'xz' },
  { at: 0, sig: [0x28, 0xb5, 0x2f, 0xfd], what: 'zstd' },
  { at: 0, sig: [0x04, 0x22, 0x4d, 0x18], what: 'lz4' },
  { at: 0, sig: ascii('LZIP'), what: 'lzip' },
  { at: 0, sig: ascii('MSCF'), what: 'cabinet' },
  { at: 0, sig: ascii('!<arch>\n'), what: 'ar / deb' },
  { at: 0, sig: [0xed, 0xab, 0xee, 0xdb], what: 'RPM' },
  { at: 0, sig: ascii('xar!'), what: 'xar / pkg' },
  { at: 0, sig: [0x60, 0xea], what: 'ARJ' },
  { at: 0, sig: ascii('070707'), what: 'cpio' },
  { at: 0, sig: ascii('070701'), what: 'cpio' },
  { at: 257, sig: ascii('ustar'), what: 'tar' },
  { at: 0x8001, sig: ascii('CD001'), what: 'ISO 9660 image' },
];

function firstMatch(bytes: Uint8Array, table: readonly Magic[]): string | undefined {
  for (const m of table) if (matchAt(bytes, m.at, m.sig)) return m.what;
  return undefined;
}

/** What executable format `bytes` start with, if any. */
export function executableMagic(bytes: Uint8Array): string | undefined {
  return firstMatch(bytes, EXECUTABLE_MAGIC);
}

/** What archive format `bytes` start with, if any. */
export function archiveMagic(bytes: Uint8Array): string | undefined {
  return firstMatch(bytes, ARCHIVE_MAGIC);
}

/** file-type extensions that are programs, installers or active packages. */
export const EXECUTABLE_FILE_TYPES: ReadonlySet<string> = new Set([
  'exe', 'elf', 'macho', 'class', 'wasm', 'apk', 'jar', 'xpi', 'crx', 'lnk', 'swf', 'chm', 'reg',
]);

/** file-type extensions that are archives or disk images. */
export const ARCHIVE_FILE_TYPES: ReadonlySet<string> = new Set([
  'zip', 'tar', 'rar', 'gz', 'tar.gz', 'bz2', '7z', 'dmg', 'xz', 'cab', 'deb', 'ar', 'rpm', 'Z', 'lz', 'lzh',
  'zst', 'arj', 'cpio', 'ace', 'lz4', 'asar',
]);

/** Member names that run when opened on Windows, macOS or Linux desktops. */
const EXECUTABLE_NAME_EXTENSIONS: ReadonlySet<string> = new Set([
  'exe', 'dll', 'scr', 'com', 'pif', 'cpl', 'msi', 'msp', 'msc', 'sys', 'drv', 'ocx', 'bat', 'cmd',
  'ps1', 'psm1', 'psd1', 'vbs', 'vbe', 'js', 'jse', 'wsf', 'wsh', 'hta', 'lnk', 'url', 'scf', 'inf', 'reg',
  'jar', 'class', 'apk', 'dex', 'app', 'appref-ms', 'application', 'gadget', 'msix', 'appx',
  'sh', 'bash', 'zsh', 'csh', 'ksh', 'command', 'py', 'pyw', 'pl', 'rb', 'php', 'elf', 'so', 'dylib', 'bin',
  'run', 'deb', 'rpm', 'pkg', 'dmg', 'wasm',
]);

const ARCHIVE_NAME_EXTENSIONS: ReadonlySet<string> = new Set([
  'zip', 'rar', '7z', 'gz', 'tgz', 'bz2', 'tbz2', 'xz', 'txz', 'tar', 'cab', 'zst', 'lz', 'lz4', 'lzh',
  'arj', 'cpio', 'iso', 'img', 'vhd', 'vhdx', 'ofd', 'z',
]);

export function isExecutableName(ext: string): boolean {
  return EXECUTABLE_NAME_EXTENSIONS.has(ext);
}

export function isArchiveName(ext: string): boolean {
  return ARCHIVE_NAME_EXTENSIONS.has(ext);
}
