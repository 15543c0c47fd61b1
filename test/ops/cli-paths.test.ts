// Paths in a config file resolve against that file's directory, never the working directory, and
// operator commands never create a database: run from an unrelated directory, the reading commands give
// the right answer from the real file, or a `ferry:` error naming the missing file — and leave nothing
// behind in the working directory or at the configured dataDir.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { openDb } from '../../src/store/db.js';
import { INTERNAL_MIGRATIONS } from '../../src/internal/store.js';
import { Quarantine } from '../../src/store/quarantine.js';
import { AuditLog } from '../../src/audit/chain.js';
import { loadConfigFile } from '../../src/config/load.js';
import { internalSchema } from '../../src/config/gateway-config.js';
import { TEST_POLICY_OID } from '../helpers/gateways.js';

const ROOT = join(import.meta.dirname, '../..');
const BIN = join(ROOT, 'bin/ferry.js');

/** internal.yaml with every path relative: certs and state beside conf/, catalogue and calendar in it. */
function writeConfig(dir: string, dataDir: string, calendar = './calendar'): string {
  const file = join(dir, 'conf/internal.yaml');
  mkdirSync(join(dir, 'conf'), { recursive: true });
  writeFileSync(file, `gateway: internal
dataDir: ${dataDir}
link: { url: "wss://127.0.0.1:9/link", tls: { cert: ../certs/internal-tls.crt, key: ../certs/internal-tls.key }, peer: { subjects: [ferry-external-tls] } }
intranet: { host: 127.0.0.1, port: 9, tls: { cert: ../certs/intranet-tls.crt, key: ../certs/intranet-tls.key } }
tsa: { cert: ../certs/tsa.crt, key: ../certs/tsa.key, policyOid: ${TEST_POLICY_OID} }
approval: { items: ${join(ROOT, 'config/items')}, calendar: ${calendar} }
keys: { ca: ../certs/ca.crt, signCert: ../certs/internal-sign.crt, signKey: ../certs/internal-sign.key, encCert: ../certs/internal-enc.crt, encKey: ../certs/internal-enc.key }
peer: { encCert: ../certs/external-enc.crt, signerSubjects: [ferry-external-sign] }
domains: { self: intranet, peer: public }
policy: ${join(ROOT, 'config/policy.yaml')}
time: { sources: [{ host: 127.0.0.1, port: 123 }, { host: 127.0.0.2, port: 123 }], whenUntrusted: hold }
`);
  return file;
}

describe('paths resolve against the config file; commands never create a database', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ferry-paths-'));
  const elsewhere = mkdtempSync(join(tmpdir(), 'ferry-cwd-'));
  let good = '';
  let missing = '';
  const ferry = (args: string[], env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [BIN, ...args], { cwd: elsewhere, encoding: 'utf8', env: { ...process.env, ...env } });

  beforeAll(async () => {
    await initDevPki(join(dir, 'certs'));
    // The calendar beside the config (./calendar) proves a relative directory resolves there too.
    mkdirSync(join(dir, 'conf/calendar'), { recursive: true });
    for (const y of ['cn-2026.yaml', 'cn-2027.yaml']) writeFileSync(join(dir, 'conf/calendar', y), readFileSync(join(ROOT, 'config/calendar', y), 'utf8'));
    good = writeConfig(dir, '../state/internal');
    // The database as the gateway leaves it: one held packet and one audit entry.
    const db = openDb(join(dir, 'state/internal/internal.sqlite'), INTERNAL_MIGRATIONS);
    new Quarantine(db, { now: () => new Date() }).hold({ packetId: 'ab'.repeat(16), code: 'FERRY_ERR_POLICY_KIND', rule: 'r1', detail: 'held for the test', bytes: Buffer.from('x'), receivedAt: Date.now() });
    new AuditLog(db).append({ at: new Date(), actor: 'test', action: 'config.change', subject: 'cli-paths', detail: {} });
    db.close();
    const other = join(dir, 'other');
    mkdirSync(other);
    missing = writeConfig(other, '../never/internal', join(ROOT, 'config/calendar'));
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
    rmSync(elsewhere, { recursive: true, force: true });
  });

  it('loadConfigFile resolves relative paths (and the default catalogue) against the file, keeps absolute ones', () => {
    const cfg = loadConfigFile(good, internalSchema);
    expect(cfg.dataDir).toBe(join(dir, 'state/internal'));
    expect(cfg.keys.ca).toBe(join(dir, 'certs/ca.crt'));
    expect(cfg.link.tls.key).toBe(join(dir, 'certs/internal-tls.key'));
    expect(cfg.tsa.cert).toBe(join(dir, 'certs/tsa.crt'));
    expect(cfg.approval.calendar).toBe(join(dir, 'conf/calendar'));
    expect(cfg.approval.items).toBe(join(ROOT, 'config/items'));
    expect(cfg.policy).toBe(join(ROOT, 'config/policy.yaml'));
    // Without an approval: block, the default catalogue is the items/ directory beside the file.
    const bare = join(dir, 'conf/bare.yaml');
    writeFileSync(bare, readFileSync(good, 'utf8').replace(/^approval:.*\n/m, ''));
    expect(loadConfigFile(bare, internalSchema).approval.items).toBe(join(dir, 'conf/items'));
  });

  it('the shipped config/*.yaml resolve to the project tree from any working directory', () => {
    const cfg = loadConfigFile(join(ROOT, 'config/internal.yaml'), internalSchema);
    expect(cfg.dataDir).toBe(join(ROOT, 'var/internal'));
    expect(cfg.keys.ca).toBe(join(ROOT, 'certs/ca.crt'));
    expect(cfg.approval.items).toBe(join(ROOT, 'config/items'));
    expect(cfg.policy).toBe(join(ROOT, 'config/policy.yaml'));
  });

  it('from another directory, the reading commands answer from the configured database', () => {
    const q = ferry(['quarantine', 'list', '--json', '--config', good]);
    expect(q.status, q.stderr).toBe(0);
    expect(JSON.parse(q.stdout)).toMatchObject([{ packetId: 'ab'.repeat(16), state: 'held', code: 'FERRY_ERR_POLICY_KIND' }]);

    const a = ferry(['audit', 'verify', '--db', join(dir, 'state/internal/internal.sqlite'), '--json']);
    expect(a.status, a.stdout + a.stderr).toBe(0);
    expect(JSON.parse(a.stdout)).toMatchObject({ ok: true });

    const add = ferry(['staff', 'add', '--id', 'aic.wang', '--name', 'Wang', '--department', 'aic', '--roles', 'window', '--config', good], { FERRY_STAFF_PASSWORD: 'Qingxi-2026-window' });
    expect(add.status, add.stderr).toBe(0);
    const s = ferry(['staff', 'list', '--json', '--config', good]);
    expect(s.status, s.stderr).toBe(0);
    expect(JSON.parse(s.stdout)).toMatchObject([{ id: 'aic.wang', department: 'aic' }]);

    const c = ferry(['case', 'list', '--json', '--config', good]);
    expect(c.status, c.stderr).toBe(0);
    expect(JSON.parse(c.stdout)).toEqual([]);

    const check = ferry(['config', 'check', '--config', good]);
    expect(check.stdout).toMatch(new RegExp(`^ok\\s+approval\\.calendar\\s+${join(dir, 'conf/calendar')}`, 'm'));
    expect(check.status, check.stdout).toBe(0);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it.each([
    ['quarantine list', ['quarantine', 'list']],
    ['staff list', ['staff', 'list']],
    ['case list', ['case', 'list']],
    ['case show', ['case', 'show', 'C-1']],
    ['supervision report', ['supervision', 'report', '--month', '2026-11']],
    ['quarantine reject', ['quarantine', 'reject', 'ab'.repeat(16), '--operator', 'ops', '--reason', 'x']],
    ['rejected list', ['rejected', 'list']],
    ['rejected retry', ['rejected', 'retry', 'ab'.repeat(16), '--operator', 'ops']],
    ['rejected drop', ['rejected', 'drop', 'ab'.repeat(16), '--operator', 'ops', '--reason', 'x']],
    ['outbox held', ['outbox', 'held']],
    ['outbox retry', ['outbox', 'retry', '--all', '--operator', 'ops']],
  ])('%s with a missing database: a ferry: error naming the file, exit 2, nothing created', (_name, args) => {
    const r = ferry([...args, '--config', missing]);
    expect(r.status, r.stdout + r.stderr).toBe(2);
    expect(r.stderr).toMatch(new RegExp(`^ferry: FERRY_ERR_STORE_MISSING: ${join(dir, 'other/never/internal/internal.sqlite')} does not exist`, 'm'));
    expect(r.stdout).toBe('');
    expect(existsSync(join(dir, 'other/never'))).toBe(false);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('audit verify of a missing file: a ferry: error naming it, exit 2, nothing created', () => {
    const r = ferry(['audit', 'verify', '--db', 'var/internal/internal.sqlite']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ferry: FERRY_ERR_AUDIT_STORE: var\/internal\/internal\.sqlite: cannot open: the file does not exist/m);
    expect(readdirSync(elsewhere)).toEqual([]);
  });

  it('a reading command cannot write: the database is opened read-only', () => {
    // A listing of a database the gateway has not yet migrated is refused, not silently migrated.
    const old = join(dir, 'old');
    mkdirSync(join(old, 'state'), { recursive: true });
    const db = openDb(join(old, 'state/internal.sqlite'), INTERNAL_MIGRATIONS.slice(0, 1));
    db.close();
    const cfg = writeConfig(old, '../state');
    const r = ferry(['quarantine', 'list', '--config', cfg]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^ferry: FERRY_ERR_STORE_SCHEMA: .*start the gateway once to migrate it/m);
  });
});
