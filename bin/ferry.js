#!/usr/bin/env node
// The `ferry` command. Runs the compiled CLI (npm install builds it: see "prepare").
import { main } from '../dist/src/cli/main.js';
main(process.argv.slice(2)).then((code) => { process.exitCode = code; });
