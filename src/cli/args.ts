// Thin wrapper over node:util parseArgs that turns its errors into usage errors.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { FerryError } from '../errors.js';

export function parse<T extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: T, allowPositionals = false) {
  try {
    return parseArgs({ args, options, allowPositionals, strict: true });
  } catch (e) {
    // node's message runs over several lines (a hint about '--'); the `ferry:` format is one line.
    throw new FerryError('FERRY_ERR_CLI_USAGE', (e as Error).message.split('\n').map((l) => l.trim()).filter(Boolean).join(' '));
  }
}
