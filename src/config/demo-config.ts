// `ferry start demo` runs both gateways on a laptop that has no NTP quorum. It does not edit the
// shipped production configs: it writes a copy of each beside it (config/<role>.demo.yaml, git-ignored,
// so relative paths resolve the same way) whose only change is the time
// section (no sources, stamp with a warning), and starts the gateway with --demo, the one flag that lets
// a start accept `whenUntrusted: warn` (production-time.ts).
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { FerryError } from '../errors.js';

export const DEMO_TIME = Object.freeze({ sources: [], whenUntrusted: 'warn' });

/** The shipped config's text with the demo time section (comments kept). Pure. */
export function demoConfigText(shipped: string, from: string, approvalItems?: string): string {
  const doc = parseDocument(shipped);
  if (doc.errors.length > 0) throw new FerryError('FERRY_ERR_CONFIG', `${from}: not valid YAML: ${doc.errors[0]!.message.split('\n')[0]}`);
  doc.set('time', doc.createNode({ ...DEMO_TIME }, { flow: true }));
  // The demo's catalogue: the county sample (src/catalogue-io/demo-catalogue.ts), not the 4 test items.
  if (approvalItems !== undefined) doc.setIn(['approval', 'items'], approvalItems);
  doc.commentBefore = ` Written by \`ferry start demo\` from ${from}: DEMO ONLY, time is never trusted and packets are\n` +
    ' stamped with a warning. A production start refuses this file (time.whenUntrusted: warn).';
  return doc.toString();
}

/** Writes <configDir>/<role>.demo.yaml from <configDir>/<role>.yaml; returns its path. Beside the
 *  shipped file, because paths in a config resolve against the directory of the file that holds them. */
export function writeDemoConfig(role: 'external' | 'internal', configDir = 'config', outDir = configDir, approvalItems?: string): string {
  const from = join(configDir, `${role}.yaml`);
  let text: string;
  try { text = readFileSync(from, 'utf8'); } catch (e) {
    throw new FerryError('FERRY_ERR_CONFIG', `${from}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  mkdirSync(outDir, { recursive: true, mode: 0o700 });
  const out = join(outDir, `${role}.demo.yaml`);
  writeFileSync(out, demoConfigText(text, from, approvalItems), { mode: 0o600 });
  return out;
}
