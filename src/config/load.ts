// Reads a YAML config file once, validates it against a schema, resolves every relative path in it
// against the file's own directory (so `ferry ... --config /etc/ferry/internal.yaml` means the same
// from any working directory), and freezes the result. Every fault names the file and LINE:
//   config/internal.yaml:42: link.window: must be an integer from 1 to 4096 (got "x")
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { FerryError, type FerryErrorCode } from '../errors.js';
import { SchemaError, type Check } from './schema.js';
import { lineOf } from './source-lines.js';

/** A config file parsed once: its plain value, and the document that maps a key path to its line. */
export interface ParsedConfig {
  readonly file: string;
  readonly value: unknown;
  readonly doc: Document;
  readonly counter: LineCounter;
}

const configError = (where: string, message: string, code: FerryErrorCode = 'FERRY_ERR_CONFIG') => new FerryError(code, `${where}: ${message}`);

export interface ParseOptions {
  /** The code a fault is reported with (item and calendar files have their own). */
  readonly code?: FerryErrorCode;
  /** Item and calendar files refuse aliases (0): a file read by people must not hide what a key holds. */
  readonly maxAliasCount?: number;
}

/** Parses YAML text once (duplicate keys are errors); a syntax fault names FILE:LINE. */
export function parseConfigText(text: string, file: string, opts: ParseOptions = {}): ParsedConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, strict: true, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) throw configError(`${file}:${counter.linePos(first.pos[0]).line}`, `not valid YAML: ${first.message.split('\n')[0]}`, opts.code);
  let value: unknown;
  try {
    value = doc.toJS(opts.maxAliasCount === undefined ? {} : { maxAliasCount: opts.maxAliasCount });
  } catch (e) {
    const why = (e as Error).message.split('\n')[0];
    throw configError(file, opts.maxAliasCount === 0 ? `not valid here: ${why} (YAML aliases are not allowed)` : `not valid YAML: ${why}`, opts.code);
  }
  return { file, value, doc, counter };
}

/** The 1-based line of a key path in a parsed file (where a fault about it is reported). */
export function lineOfPath(parsed: ParsedConfig, path: string): number {
  return lineOf(parsed.doc, parsed.counter, path);
}

export function readConfigFile(file: string): ParsedConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw configError(file, `cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  return parseConfigText(text, file);
}

/** Validates a parsed file; a SchemaError becomes FERRY_ERR_CONFIG `FILE:LINE: key.path: reason`. */
export function validateConfig<T>(parsed: ParsedConfig, schema: Check<T>): T {
  try {
    return schema(parsed.value, '', { baseDir: dirname(resolve(parsed.file)) });
  } catch (e) {
    if (!(e instanceof SchemaError)) throw e;
    throw configError(`${parsed.file}:${lineOfPath(parsed, e.path)}`, e.message);
  }
}

export function loadConfigFile<T>(file: string, schema: Check<T>): T {
  return validateConfig(readConfigFile(file), schema);
}
