// Reads a YAML config file once, validates it against a schema, resolves every relative path in it
// against the file's own directory (so `ferry ... --config /etc/ferry/internal.yaml` means the same
// from any working directory), and freezes the result. Every fault names the file and LINE:
//   config/internal.yaml:42: link.window: must be an integer from 1 to 4096 (got "x")
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import { FerryError } from '../errors.js';
import { SchemaError, type Check } from './schema.js';
import { lineOf } from './source-lines.js';

/** A config file parsed once: its plain value, and the document that maps a key path to its line. */
export interface ParsedConfig {
  readonly file: string;
  readonly value: unknown;
  readonly doc: Document;
  readonly counter: LineCounter;
}

const configError = (where: string, message: string) => new FerryError('FERRY_ERR_CONFIG', `${where}: ${message}`);

export function parseConfigText(text: string, file: string): ParsedConfig {
  const counter = new LineCounter();
  const doc = parseDocument(text, { lineCounter: counter, strict: true, uniqueKeys: true, prettyErrors: false });
  const first = doc.errors[0];
  if (first) throw configError(`${file}:${counter.linePos(first.pos[0]).line}`, `not valid YAML: ${first.message.split('\n')[0]}`);
  let value: unknown;
  try {
    value = doc.toJS();
  } catch (e) {
    throw configError(file, `not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  return { file, value, doc, counter };
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
    throw configError(`${parsed.file}:${lineOf(parsed.doc, parsed.counter, e.path)}`, e.message);
  }
}

export function loadConfigFile<T>(file: string, schema: Check<T>): T {
  return validateConfig(readConfigFile(file), schema);
}
