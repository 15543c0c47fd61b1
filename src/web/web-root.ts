// Where the web pages' files (web/assets, web/strings) are: the folder holding Ferry's package.json,
// found from this module's own location, so it is the same from src/ (tests), dist/ and the .deb.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export function packageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'web'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no folder above ${from} holds package.json and web/`);
  }
}

export const webDir = (): string => join(packageRoot(), 'web');
