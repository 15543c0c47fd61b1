// Generates src/proto/ferry.js and ferry.d.ts from proto/ferry.proto. Never edit the output by hand.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync, mkdirSync, existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'proto/ferry.proto');
const outDir = join(root, 'src/proto');
const js = join(outDir, 'ferry.js');
const dts = join(outDir, 'ferry.d.ts');
mkdirSync(outDir, { recursive: true });
if (existsSync(js) && existsSync(dts) && statSync(js).mtimeMs > statSync(src).mtimeMs
    && statSync(js).mtimeMs > statSync(fileURLToPath(import.meta.url)).mtimeMs) process.exit(0);

const bin = (n) => join(root, 'node_modules/.bin', n);
execFileSync(bin('pbjs'), ['-t', 'static-module', '-w', 'es6', '--force-number', '--no-verify',
  '--no-convert', '--no-delimited', '--no-beautify', '-o', js, src], { stdio: 'inherit' });
// protobufjs has no "exports" map, so Node's ESM resolver needs the file extension.
writeFileSync(js, readFileSync(js, 'utf8').replace(/from "protobufjs\/minimal"/g, 'from "protobufjs/minimal.js"'));
execFileSync(bin('pbts'), ['-o', dts, js], { stdio: 'inherit' });
writeFileSync(dts, readFileSync(dts, 'utf8').replace(/from "protobufjs"/g, 'from "protobufjs/minimal.js"')
  .replace(/^import Long = require\("long"\);\n/m, ''));
