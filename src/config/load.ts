// Reads a YAML config file, validates it against a schema, resolves relative paths against the
// file's directory's parent (the project root, for config/*.yaml), and freezes the result.
import { readFileSync } from 'node:fs';
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
    return schema(doc, '');
  } catch (e) {
    if (e instanceof SchemaError) throw new FerryError('FERRY_ERR_CONFIG', `${file}: ${e.message}`);
    throw e;
  }
}
