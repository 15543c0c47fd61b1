// Reads a YAML config file, validates it against a schema, resolves every relative path in it against
// the file's own directory (so `ferry ... --config /etc/ferry/internal.yaml` means the same from any
// working directory), and freezes the result.
import { readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parse } from 'yaml';
import { FerryError } from '../errors.js';
import { SchemaError, type Check } from './schema.js';

export function loadConfigFile<T>(file: string, schema: Check<T>): T {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new FerryError('FERRY_ERR_CONFIG', `${file}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = parse(text, { strict: true, uniqueKeys: true });
  } catch (e) {
    throw new FerryError('FERRY_ERR_CONFIG', `${file}: not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    return schema(doc, '', { baseDir: dirname(resolve(file)) });
  } catch (e) {
    if (e instanceof SchemaError) throw new FerryError('FERRY_ERR_CONFIG', `${file}: ${e.message}`);
    throw e;
  }
}
