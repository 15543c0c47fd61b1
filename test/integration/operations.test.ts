// What an operator relies on, against real gateway processes: host refusals at start, policy reload
// on SIGHUP (a bad file refused, the old policy kept, the link untouched), quarantine release by an
// operator, and `ferry audit verify` naming the first altered, removed, inserted or reordered entry.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { makePng } from '../policy-content/samples.js';

let pair: Pair;
let externalPolicy: string;
let internalPolicy: string;
const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8' });

beforeAll(async () => {
  externalPolicy = policyWithoutRateLimits();
  // The inside is stricter than the outside: no PNG for the business licence. What the outside lets
  // through, the inside must catch and hold.
  internalPolicy = policyWithoutRateLimits();
  writeFileSync(internalPolicy, readFileSync(internalPolicy, 'utf8').replace(/SCJG-001: \[pdf, jpeg, png, ofd\]/g, 'SCJG-001: [pdf, jpeg, ofd]'));
  pair = await startPair({ policyFile: externalPolicy, policyFileInternal: internalPolicy });
  await pair.waitLinkUp();
}, 60_000);
afterAll(async () => { await pair?.stop(); });

const secrets = new CaseSecrets();
const status = async (id: string) => (await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${id}`, pair.ca, undefined, secrets.header(id))).json;
async function until<T>(what: string, f: () => Promise<T | false | undefined>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('host refusals at start', () => {
  it('refuses to run as root without --allow-root', () => {
    const r = ferry(['start', 'internal', '--demo', '--config', join(pair.dir, 'internal.yaml')]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('refusing to run as root');
  });
  it('refuses a private key that others can read, naming the file', () => {
    const key = join(pair.dir, 'certs/tsa.key');
    chmodSync(key, 0o644);
    try {
      const r = ferry(['start', 'internal', '--allow-root', '--demo', '--config', join(pair.dir, 'internal.yaml')]);
      expect(r.status).toBe(2);
      expect(r.stderr).toContain('FERRY_ERR_PKI_KEY_FILE');
    } finally { chmodSync(key, 0o600); }
  });
});

describe('quarantine', () => {
  it('holds what only the inside refuses, lists it, and delivers it once an operator releases it', async () => {
    const body = JSON.parse(sampleSubmission(7));
    body.attachments.push({ fileName: 'photo.png', mediaType: 'image/png', materialId: 'shareholder-ids', contentBase64: makePng().toString('base64') });
    const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, JSON.stringify(body)));
    expect(r.status, JSON.stringify(r.json)).toBe(202);
    const cfg = join(pair.dir, 'internal.yaml');
    const row = await until('held', async () => {
      const l = ferry(['quarantine', 'list', '--json', '--config', cfg]);
      const rows = JSON.parse(l.stdout) as { packetId: string; code: string; rule: string; state: string }[];
      return rows.find((x) => x.code === 'FERRY_ERR_POLICY_ATTACHMENT_TYPE');
    });
    expect(row.rule).toBe('public-apply');
    expect((await status(r.json.caseId)).status).toBe('submitted');
    expect(ferry(['quarantine', 'release', row.packetId, '--config', cfg, '--operator', 'ops.zhang']).status).toBe(2); // a reason is required
    const rel = ferry(['quarantine', 'release', row.packetId, '--config', cfg, '--operator', 'ops.zhang', '--reason', 'photo of ID accepted by the window']);
    expect(rel.status, rel.stderr).toBe(0);
    await until('delivered after release', async () => (await status(r.json.caseId)).status === 'received');
    const again = ferry(['quarantine', 'reject', row.packetId, '--config', cfg, '--operator', 'ops.zhang', '--reason', 'changed my mind']);
    expect(again.status).toBe(1); // decided once, never again
  });
});

describe('policy reload on SIGHUP', () => {
  it('refuses a broken policy and keeps the old one, then applies a valid change without dropping the link', async () => {
    const original = readFileSync(externalPolicy, 'utf8');
    writeFileSync(externalPolicy, original.replace('kinds: [submission, supplement]', 'kinds: [submission, statu]'));
    pair.external.proc.kill('SIGHUP');
    await until('refusal logged', async () => pair.external.log.some((l) => l.includes('new policy refused')));
    expect((await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(8))).status).toBe(202);

    // A valid change: the public may no longer submit.
    writeFileSync(externalPolicy, original.replace(/- id: public-apply\n(\s+)from: \[public\]/, '- id: public-apply\n$1from: [township-baishi]'));
    pair.external.proc.kill('SIGHUP');
    await until('reload logged', async () => pair.external.log.some((l) => l.includes('"msg":"policy reloaded"')));
    const denied = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(9));
    expect(denied.status).toBe(403);
    expect(denied.json.error.code).toBe('FERRY_ERR_POLICY_KIND');
    expect((await operatorHealth(pair.externalOperatorUrl)).link).toBe('up');
    writeFileSync(externalPolicy, original);
    pair.external.proc.kill('SIGHUP');
  });
});

describe('ferry audit verify', () => {
  it.each([
    ['altered', (db: Database.Database) => db.prepare("UPDATE audit_entries SET subject = 'forged' WHERE seq = 3").run()],
    ['removed', (db: Database.Database) => db.prepare('DELETE FROM audit_entries WHERE seq = 3').run()],
    ['inserted', (db: Database.Database) => {
      const r = db.prepare('SELECT * FROM audit_entries WHERE seq = 2').get() as Record<string, unknown>;
      db.prepare('UPDATE audit_entries SET seq = seq + 1000 WHERE seq >= 3').run();
      db.prepare('UPDATE audit_entries SET seq = seq - 999 WHERE seq >= 1003').run();
      db.prepare('INSERT INTO audit_entries (seq, at, actor, action, subject, detail, prev_hash, hash, canonical) VALUES (3, @at, @actor, @action, @subject, @detail, @prev_hash, @hash, @canonical)').run(r);
    }],
    ['reordered', (db: Database.Database) => {
      const a = db.prepare('SELECT * FROM audit_entries WHERE seq = 3').get() as Record<string, unknown>;
      const b = db.prepare('SELECT * FROM audit_entries WHERE seq = 4').get() as Record<string, unknown>;
      const set = db.prepare('UPDATE audit_entries SET at = @at, actor = @actor, action = @action, subject = @subject, detail = @detail, prev_hash = @prev_hash, hash = @hash, canonical = @canonical WHERE seq = @seq');
      set.run({ ...b, seq: 3 });
      set.run({ ...a, seq: 4 });
    }],
  ])('names the first %s entry', (kind, tamper) => {
    const src = join(pair.dir, 'var/internal/internal.sqlite');
    // Pinned to the gateway's own signing certificate: an anchor by any other key is not verified.
    const clean = ferry(['audit', 'verify', '--db', src, '--ca', join(pair.dir, 'certs/ca.crt'), '--sign-cert', join(pair.dir, 'certs/internal-sign.crt')]);
    expect(clean.status, clean.stdout + clean.stderr).toBe(0);
    const copy = join(pair.dir, `tampered-${kind}.sqlite`);
    const live = new Database(src, { readonly: true });
    live.prepare('VACUUM INTO ?').run(copy);
    live.close();
    const db = new Database(copy);
    for (const t of ['audit_entries_append_only_u', 'audit_entries_append_only_d']) db.exec(`DROP TRIGGER ${t}`);
    tamper(db);
    db.close();
    const r = ferry(['audit', 'verify', '--db', copy, '--ca', join(pair.dir, 'certs/ca.crt')]);
    expect(r.status).toBe(1);
    expect(r.stdout + r.stderr).toMatch(new RegExp(`BROKEN at seq 3: ${kind}`));
  });
});
