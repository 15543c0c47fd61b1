// Every section of both gateway configs is validated by the one schema language at load, from one
// parse of the file: a bad value or an unknown key is refused naming FILE:LINE and the key path, and
// the line is the one the planted fault is on (found here by its marker comment, not by the loader's
// own line mapper).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseDocument } from 'yaml';
import { loadAnyGatewayConfig } from '../../src/config/load-gateway.js';
import { isFerryError } from '../../src/errors.js';

const ROOT = join(import.meta.dirname, '../..');
const dir = mkdtempSync(join(tmpdir(), 'ferry-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MARK = '<- planted';
type Path = (string | number)[];

/** The shipped config with `value` set at `path` (a new key when the path does not exist), and the
 *  1-based line the marker comment ended up on. */
function plant(role: 'internal' | 'external', path: Path, value: unknown): { file: string; line: number } {
  const doc = parseDocument(readFileSync(join(ROOT, `config/${role}.yaml`), 'utf8'));
  const node = doc.createNode(value);
  node.comment = ` ${MARK}`;
  doc.setIn(path, node);
  const text = doc.toString();
  const line = text.split('\n').findIndex((l) => l.includes(MARK)) + 1;
  expect(line).toBeGreaterThan(0);
  const file = join(dir, `${role}-${path.join('.')}.yaml`);
  writeFileSync(file, text);
  return { file, line };
}

function refusal(file: string): string {
  try {
    loadAnyGatewayConfig(file);
  } catch (e) {
    expect(isFerryError(e) && e.code).toBe('FERRY_ERR_CONFIG');
    return (e as Error).message;
  }
  throw new Error(`${file} was accepted`);
}

const dotted = (p: Path) => p.map((s, i) => (typeof s === 'number' ? `[${s}]` : i === 0 ? s : `.${s}`)).join('');

// One bad value per section (and per nested block), with the reason the loader must give.
const BAD: [role: 'internal' | 'external', path: Path, value: unknown, reason: string][] = [
  ['internal', ['link', 'window'], 'x', 'must be an integer from 1 to 4096 (got "x")'],
  ['internal', ['link', 'url'], 'https://h/link', 'does not match /^wss:\\/\\// (got "https://h/link")'],
  ['internal', ['link', 'tls', 'cert'], 7, 'must be a file path (got 7)'],
  ['internal', ['link', 'peer', 'subjects'], 'ferry-external-tls', 'must be a list (got "ferry-external-tls")'],
  ['internal', ['link', 'backoffBaseMs'], 1, 'must be an integer of at least 10 (got 1)'],
  ['internal', ['intranet', 'port'], 70000, 'must be an integer from 0 to 65535 (got 70000)'],
  ['internal', ['intranet', 'clientCerts'], 'yes', 'must be one of off, optional, required (got "yes")'],
  ['internal', ['intranet', 'limits', 'maxTotal'], 0, 'must be an integer from 1 to 1000000 (got 0)'],
  ['internal', ['tsa', 'accuracyMs'], 0, 'must be an integer from 1 to 60000 (got 0)'],
  ['internal', ['tsa', 'policyOid'], '1.2.x', 'does not match /^[0-2](\\.(0|[1-9][0-9]*))+$/ (got "1.2.x")'],
  ['internal', ['approval', 'boardLimit'], 0, 'must be an integer from 1 to 5000 (got 0)'],
  ['internal', ['approval', 'staff', 'lockMinutes'], 2000, 'must be an integer from 1 to 1440 (got 2000)'],
  ['internal', ['approval', 'supervision', 'yellowShare'], 1.2, 'must be a number from 0.01 to 0.99 (got 1.2)'],
  ['internal', ['notify', 'maxAttempts'], 0, 'must be an integer from 1 to 1000 (got 0)'],
  ['internal', ['time', 'quorum'], 'two', 'must be an integer of at least 1 (got "two")'],
  ['internal', ['time', 'sources', 1, 'port'], 0, 'must be an integer from 1 to 65535 (got 0)'],
  ['internal', ['time', 'hardLimitMs'], 600_000, 'must be an integer from 1 to 60000 (got 600000)'],
  ['internal', ['time', 'whenUntrusted'], 'ignore', 'must be one of hold, warn (got "ignore")'],
  ['internal', ['operator', 'linkGraceSeconds'], 0, 'must be an integer from 1 to 86400 (got 0)'],
  ['internal', ['audit', 'anchorIntervalMs'], 10, 'must be an integer from 1000 to 86400000 (got 10)'],
  ['internal', ['inspect', 'workers'], 0, 'must be an integer from 1 to 256 (got 0)'],
  ['internal', ['keys', 'signKey'], '', 'must be a file path (got "")'],
  ['internal', ['peer', 'signerSubjects', 0], ' ', 'must not be empty (got " ")'],
  ['internal', ['domains', 'self'], '', 'must not be empty (got "")'],
  ['internal', ['log', 'level'], 'verbose', 'must be one of debug, info, warn, error (got "verbose")'],
  ['internal', ['maxRejected'], -1, 'must be an integer from 1 to 10000000 (got -1)'],
  ['internal', ['maxOutbox'], 1.5, 'must be an integer of at least 1 (got 1.5)'],
  ['internal', ['allowRoot'], 'yes', 'must be true or false (got "yes")'],
  ['external', ['api', 'maxBodyBytes'], 64 * 1024 * 1024, 'must be an integer from 1024 to 50331648 (got 67108864)'],
  ['external', ['api', 'limits', 'handshakeTimeoutMs'], 5, 'must be an integer from 100 to 120000 (got 5)'],
  ['external', ['link', 'heartbeatMs'], 10, 'must be an integer from 100 to 600000 (got 10)'],
  ['external', ['link', 'path'], 'link', 'does not match /^\\// (got "link")'],
  ['external', ['link', 'limits', 'maxPerAddress'], 0, 'must be an integer from 1 to 100000 (got 0)'],
  ['external', ['operator', 'port'], 'x', 'must be an integer from 0 to 65535 (got "x")'],
  ['external', ['time', 'toleranceMs'], -1, 'must be an integer of at least 0 (got -1)'],
];

describe('a bad value in any section is named with FILE:LINE, key and the value given', () => {
  it.each(BAD)('%s %j = %j', (role, path, value, reason) => {
    const { file, line } = plant(role, path, value);
    expect(refusal(file)).toBe(`${file}:${line}: ${dotted(path)}: ${reason}`);
  });
});

// Deny by default: a key the schema does not declare is refused, in every mapping of both files.
const UNKNOWN: [role: 'internal' | 'external', parent: Path][] = [
  ['internal', []], ['internal', ['link']], ['internal', ['link', 'tls']], ['internal', ['link', 'peer']], ['internal', ['intranet']],
  ['internal', ['intranet', 'limits']], ['internal', ['tsa']], ['internal', ['approval']], ['internal', ['approval', 'staff']],
  ['internal', ['approval', 'supervision']], ['internal', ['notify']], ['internal', ['time']], ['internal', ['time', 'sources', 0]],
  ['internal', ['operator']], ['internal', ['audit']], ['internal', ['inspect']], ['internal', ['keys']], ['internal', ['peer']],
  ['internal', ['domains']], ['internal', ['log']],
  ['external', []], ['external', ['api']], ['external', ['api', 'limits']], ['external', ['link']], ['external', ['link', 'limits']],
  ['external', ['operator']], ['external', ['time']],
];

describe('an unknown key in any section is refused, naming it and its line', () => {
  it.each(UNKNOWN)('%s %j', (role, parent) => {
    const { file, line } = plant(role, [...parent, 'windw'], 1);
    expect(refusal(file)).toBe(`${file}:${line}: ${dotted([...parent, 'windw'])}: unknown key`);
  });
});

describe('cross-key rules and the file itself', () => {
  it('time: hardLimitMs below maxOffsetMs, quorum above the sources, two sources with one name', () => {
    let p = plant('internal', ['time', 'maxOffsetMs'], 20_000);
    expect(refusal(p.file)).toMatch(new RegExp(`^${p.file}:\\d+: time\\.hardLimitMs: \\(10000\\) must be at least maxOffsetMs \\(20000\\)$`));
    p = plant('internal', ['time', 'quorum'], 4);
    expect(refusal(p.file)).toBe(`${p.file}:${p.line}: time.quorum: is 4 but only 3 source(s) are configured`);
    p = plant('internal', ['time', 'sources', 2, 'name'], 'ntp1.replace-me.invalid:123');
    expect(refusal(p.file)).toMatch(/:\d+: time\.sources\[2\]: duplicate source name "ntp1\.replace-me\.invalid:123"$/);
  });

  it('operator: an address off loopback without TLS names operator.tls', () => {
    const p = plant('external', ['operator', 'host'], '0.0.0.0');
    expect(refusal(p.file)).toMatch(/:\d+: operator\.tls: is required when operator\.host \(0\.0\.0\.0\) is not a loopback address$/);
  });

  it('the role is read from the same parse: a wrong or missing gateway: key is named with its line', () => {
    const p = plant('internal', ['gateway'], 'intranet');
    expect(refusal(p.file)).toBe(`${p.file}:${p.line}: gateway: must be one of external, internal (got "intranet")`);
    const none = join(dir, 'no-role.yaml');
    writeFileSync(none, '# no role\ndataDir: x\n');
    expect(refusal(none)).toBe(`${none}:2: gateway: is required (external or internal)`);
  });

  it('a missing required key points at its parent mapping', () => {
    const text = readFileSync(join(ROOT, 'config/internal.yaml'), 'utf8').replace(/^ {2}policyOid: .*$/m, '');
    const file = join(dir, 'no-oid.yaml');
    writeFileSync(file, text);
    const line = text.split('\n').findIndex((l) => l.startsWith('tsa:')) + 1;
    expect(refusal(file)).toBe(`${file}:${line}: tsa.policyOid: is required`);
  });

  it('YAML faults are named with their line: a syntax error, a duplicate key', () => {
    const bad = join(dir, 'syntax.yaml');
    writeFileSync(bad, 'gateway: internal\ndataDir: x\nlink:\n  url: [wss://x\n');
    expect(refusal(bad)).toMatch(new RegExp(`^${bad}:\\d+: not valid YAML: `));
    const dup = join(dir, 'dup.yaml');
    writeFileSync(dup, 'gateway: internal\ndataDir: x\ndataDir: y\n');
    expect(refusal(dup)).toMatch(new RegExp(`^${dup}:3: not valid YAML: Map keys must be unique`));
  });

  it('the shipped configs load', () => {
    expect(loadAnyGatewayConfig(join(ROOT, 'config/internal.yaml')).role).toBe('internal');
    expect(loadAnyGatewayConfig(join(ROOT, 'config/external.yaml')).role).toBe('external');
  });
});
