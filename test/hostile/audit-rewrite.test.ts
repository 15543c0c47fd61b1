// The audit chain against someone who can write internal.sqlite and reach POST /tsa, end to end with
// the real gateways: a live pair (trusted time from three chronyd, a 1 s anchor interval) writes anchors
// of every kind and sends its signed heads across the link; `ferry audit verify --json` reports each
// kind verified on both sides. Then the attacker drops entries, re-hashes the chain and re-anchors it
// (a) with tokens from the public /tsa and (b) with signatures by another key the same CA certified:
// both fail on the rewritten side alone and against the peer's copy. Every packet the test sent is
// stamped over SHA-256 of its exact bytes (openssl ts -verify on a sample), the CLI desk command writes
// its staff.action entry into the live chain, and the export is 0600 and refuses a wrong CA.
//
// Needs: openssl, chrony (Debian packages `openssl`, `chrony`); with CI set a missing chronyd fails.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { intranetCall, operatorHealth, preparePair, sampleSubmission, spawnGateway, TEST_POLICY_OID, type GatewayProc, type PairFiles } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { startChronyServer, type ChronyServer } from '../helpers/chrony.js';
import { policyWithoutRateLimits } from '../helpers/policy-variants.js';
import { canonicalJson, encodeEntry, GENESIS_PREV, headRecord, sha256 } from '../../src/audit/canonical.js';
import { SignatureAnchorer } from '../../src/audit/anchor.js';
import { verifyTimeStampToken } from '../../src/time/tsa-verify.js';

const ANCHOR_OID = `${TEST_POLICY_OID}.1`;
let files: PairFiles;
let external: GatewayProc;
let internal: GatewayProc;
const ntp: ChronyServer[] = [];
/** The packets the test sent, exactly as they crossed: id (hex) -> bytes, read from the external outbox. */
const sent = new Map<string, Buffer>();
const ferry = (args: string[]) => spawnSync(process.execPath, ['bin/ferry.js', ...args], { encoding: 'utf8' });
const db = (side: 'internal' | 'external') => join(files.dir, `var/${side}/${side}.sqlite`);
const cert = (n: string) => join(files.certs, n);

async function until<T>(what: string, f: () => T | false | undefined | Promise<T | false | undefined>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out: ${what}\ninternal:\n${internal?.log.slice(-15).join('\n')}\nexternal:\n${external?.log.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function query<T>(file: string, sql: string, ...args: unknown[]): T[] {
  const d = new Database(file, { readonly: true, fileMustExist: true });
  try { return d.prepare(sql).all(...args) as T[]; } finally { d.close(); }
}

async function stop(g: GatewayProc): Promise<void> {
  if (g.proc.exitCode === null && g.proc.signalCode === null) { g.proc.kill('SIGTERM'); await g.exited; }
}

function openssl(args: string[], input?: Buffer): { status: number; out: string; err: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', ...(input ? { input } : {}) });
  if (r.error) throw r.error; // openssl missing: a failure, never a skip
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** POST /tsa as any intranet client may: a TimeStampReq for `data`, optionally naming a policy. */
async function publicToken(data: Buffer, policy?: string): Promise<{ token: Buffer | null; text: string }> {
  const dir = files.dir;
  const n = Math.random().toString(36).slice(2);
  writeFileSync(join(dir, `${n}.bin`), data);
  const q = openssl(['ts', '-query', '-data', join(dir, `${n}.bin`), '-sha256', '-cert', ...(policy ? ['-tspolicy', policy] : []), '-out', join(dir, `${n}.tsq`)]);
  expect(q.status, q.err).toBe(0);
  const res = await intranetCall(files, 'POST', '/tsa', readFileSync(join(dir, `${n}.tsq`)), { 'content-type': 'application/timestamp-query' });
  writeFileSync(join(dir, `${n}.tsr`), res.body);
  const text = openssl(['ts', '-reply', '-in', join(dir, `${n}.tsr`), '-text']).out;
  const t = openssl(['ts', '-reply', '-in', join(dir, `${n}.tsr`), '-token_out', '-out', join(dir, `${n}.tst`)]);
  return { token: t.status === 0 && /Status: Granted/.test(text) ? readFileSync(join(dir, `${n}.tst`)) : null, text };
}

interface Row { seq: number; at: number; actor: string; action: string; subject: string; detail: string }

/**
 * The attacker's rewrite of a copy of internal.sqlite: drop the packet.in entries (and every old
 * anchor), re-number and re-hash what is left from the genesis, then anchor the new head with what
 * `anchor` returns. The triggers are the gateway's guard against its own mistakes, not against the
 * file's owner: dropped first.
 */
async function rewrite(copy: string, anchor: (head: { seq: number; hash: Buffer }, at: Date) => Promise<{ kind: string; token: Buffer; signerCert?: Buffer; at: Date }>) {
  const d = new Database(copy);
  try {
    for (const t of ['audit_entries_append_only_u', 'audit_entries_append_only_d', 'audit_anchors_append_only_u', 'audit_anchors_append_only_d']) d.exec(`DROP TRIGGER IF EXISTS ${t}`);
    const kept = (d.prepare('SELECT seq, at, actor, action, subject, detail FROM audit_entries ORDER BY seq').all() as Row[])
      .filter((r) => r.action !== 'packet.in' && r.action !== 'audit.anchor');
    d.exec('DELETE FROM audit_entries; DELETE FROM audit_anchors');
    const ins = d.prepare('INSERT INTO audit_entries (seq, at, actor, action, subject, detail, prev_hash, hash, canonical) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    let prev = GENESIS_PREV;
    let seq = 0;
    const append = (r: Omit<Row, 'seq'>) => {
      seq++;
      const canonical = encodeEntry({ seq, prevHash: prev, at: r.at, actor: r.actor, action: r.action, subject: r.subject, detail: r.detail });
      const hash = sha256(canonical);
      ins.run(seq, r.at, r.actor, r.action, r.subject, r.detail, prev, hash, canonical);
      prev = hash;
    };
    for (const r of kept) append(r);
    const head = { seq, hash: prev };
    const last = kept[kept.length - 1]!;
    const a = await anchor(head, new Date(last.at + 10));
    const detail = canonicalJson({ headSeq: head.seq, headHash: head.hash.toString('hex'), kind: a.kind, tokenSha256: sha256(a.token).toString('hex'),
      ...(a.signerCert ? { signerSha256: sha256(a.signerCert).toString('hex') } : {}) });
    append({ at: a.at.getTime(), actor: 'gateway:internal', action: 'audit.anchor', subject: `seq:${head.seq}`, detail });
    d.prepare('INSERT INTO audit_anchors (entry_seq, head_seq, head_hash, kind, token, signer_cert) VALUES (?, ?, ?, ?, ?, ?)')
      .run(seq, head.seq, head.hash, a.kind, a.token, a.signerCert ?? null);
    expect(d.prepare("SELECT COUNT(*) FROM audit_entries WHERE action = 'packet.in'").pluck().get()).toBe(0);
  } finally {
    d.close();
  }
}

const verify = (args: string[]) => {
  const r = ferry(['audit', 'verify', ...args, '--json']);
  let json: any = null;
  try { json = JSON.parse(r.stdout); } catch { /* exit 2 prints no JSON */ }
  return { status: r.status, json, out: r.stdout + r.stderr };
};

let attackTsa = '';
let attackKey = '';
let anchorPolicyRefusal = '';

beforeAll(async () => {
  for (let i = 0; i < 3; i++) ntp.push(await startChronyServer());
  const src = ntp.map((s, i) => `{ name: ntp${i}, host: 127.0.0.1, port: ${s.port} }`).join(', ');
  files = await preparePair({
    policyFile: policyWithoutRateLimits(),
    timeInternal: `time:\n  sources: [${src}]\n  quorum: 2\n  pollIntervalMs: 500\n  timeoutMs: 300\n  whenUntrusted: hold`,
    extraInternal: 'audit: { anchorIntervalMs: 1000 }',
    extraExternal: 'audit: { anchorIntervalMs: 1000 }',
  });
  external = spawnGateway('external', files.externalConfig);
  internal = spawnGateway('internal', files.internalConfig);
  const health = async () => { try { return await operatorHealth(files.externalOperatorUrl); } catch { return null; } };
  await until('link up with the catalogue', async () => { const h = await health(); return h?.link === 'up' && h.catalogue; });
  // Hold the intranet back so the packets wait in the external outbox, where the test reads their bytes.
  await stop(internal);
  for (let i = 0; i < 3; i++) {
    const r = await httpsCall('POST', `${files.apiUrl}/api/v1/submissions`, files.ca, sampleSubmission(900 + i));
    expect(r.status, r.body.toString()).toBe(202);
  }
  for (const p of query<{ id: Buffer; bytes: Buffer }>(db('external'), 'SELECT packet_id AS id, bytes FROM outbox')) sent.set(p.id.toString('hex'), p.bytes);
  expect(sent.size).toBe(3);
  internal = spawnGateway('internal', files.internalConfig);
  await until('every packet stamped', () => query<{ n: number }>(db('internal'), 'SELECT COUNT(*) AS n FROM packet_stamps')[0]!.n >= 3);
  await until('external outbox drained', async () => (await health())?.outbox === 0);

  // A CLI desk command while the gateway runs: same entry as the staff API, in the same chain.
  writeFileSync(join(files.dir, 'pw'), 'Qingxi-2026-audit-cli\n', { mode: 0o600 });
  const add = ferry(['staff', 'add', '--config', files.internalConfig, '--id', 'aic.cli', '--name', 'CLI', '--department', 'aic', '--roles', 'window', '--password-file', join(files.dir, 'pw')]);
  expect(add.status, add.stderr).toBe(0);
  const cliSeq = await until('the staff.action entry', () => query<{ seq: number }>(db('internal'), "SELECT seq FROM audit_entries WHERE action = 'staff.action' AND subject = 'aic.cli'")[0]?.seq);

  // Anchors of every kind over the CLI entry, and each side holding the other's signed heads.
  await until('anchors of both kinds over the CLI entry', () => ['signature', 'rfc3161'].every((k) =>
    query(db('internal'), 'SELECT 1 FROM audit_anchors WHERE kind = ? AND head_seq >= ?', k, cliSeq).length > 0));
  await until('external signature anchors', () => query(db('external'), "SELECT 1 FROM audit_anchors WHERE kind = 'signature'").length > 1);
  await until('heads kept across the link', () => query(db('internal'), 'SELECT 1 FROM audit_peer_heads').length > 1 && query(db('external'), 'SELECT 1 FROM audit_peer_heads').length > 1);

  // The attacker's material, fetched while the intranet TSA serves: the rewritten chain's tokens.
  anchorPolicyRefusal = (await publicToken(Buffer.from('anything'), ANCHOR_OID)).text;
  const snapshot = (name: string) => {
    const f = join(files.dir, name);
    const live = new Database(db('internal'), { readonly: true });
    live.prepare('VACUUM INTO ?').run(f);
    live.close();
    return f;
  };
  attackTsa = snapshot('attack-tsa.sqlite');
  attackKey = snapshot('attack-key.sqlite');
  await rewrite(attackTsa, async (head) => {
    const t = await publicToken(headRecord(head));
    expect(t.token, t.text).not.toBeNull();
    const genTime = (await verifyTimeStampToken(t.token!, { data: headRecord(head), trusted: [new X509Certificate(files.ca)] }));
    expect(genTime.ok).toBe(true);
    // The forger dates the entry at the token's genTime, so time consistency alone cannot catch it.
    return { kind: 'rfc3161', token: t.token!, at: genTime.ok ? genTime.value.genTime : new Date() };
  });
  // Another key the same CA certified: the external gateway's signing key.
  const other = new SignatureAnchorer(createPrivateKey(readFileSync(cert('external-sign.key'))), new X509Certificate(readFileSync(cert('external-sign.crt'))));
  await rewrite(attackKey, async (head, at) => ({ ...(await other.anchor(head, at)), at }));

  // A clean stop: each gateway anchors its tail once more.
  await stop(internal);
  await stop(external);
}, 180_000);

afterAll(async () => {
  if (internal) await stop(internal);
  if (external) await stop(external);
  for (const s of ntp) await s.stop();
});

describe('live gateways write anchors of every kind, verified on both sides', () => {
  it('internal: signature, rfc3161 and the external gateway’s copies (peer) all verify', () => {
    const r = verify(['--config', files.internalConfig, '--peer', db('external')]);
    expect(r.status, r.out).toBe(0);
    for (const k of ['signature', 'rfc3161', 'peer'] as const) {
      expect(r.json.kinds[k].count, k).toBeGreaterThan(0);
      expect(r.json.kinds[k].verified, k).toBe(r.json.kinds[k].count);
      expect(r.json.kinds[k].failures, k).toEqual([]);
    }
  });

  it('external: signature and the internal gateway’s copies (peer) all verify', () => {
    const r = verify(['--config', files.externalConfig, '--peer', db('internal')]);
    expect(r.status, r.out).toBe(0);
    for (const k of ['signature', 'peer'] as const) {
      expect(r.json.kinds[k].count, k).toBeGreaterThan(0);
      expect(r.json.kinds[k].verified, k).toBe(r.json.kinds[k].count);
    }
    expect(r.json.kinds.rfc3161.count).toBe(0); // no TSA on the external network
  });

  it('the CLI desk command wrote the same staff.action entry as the API, with the trusted clock, anchored', () => {
    const [e] = query<Row>(db('internal'), "SELECT seq, at, actor, action, subject, detail FROM audit_entries WHERE action = 'staff.action' AND subject = 'aic.cli'");
    expect(JSON.parse(e!.detail)).toEqual({ action: 'staff.create', department: 'aic', roles: ['window'], by: 'cli' });
    expect(e!.actor).toMatch(/^cli:/);
    // In time order with the gateway's own entries around it (both on the NTP quorum's time).
    const [before] = query<{ at: number }>(db('internal'), 'SELECT at FROM audit_entries WHERE seq = ?', e!.seq - 1);
    const [after] = query<{ at: number }>(db('internal'), 'SELECT at FROM audit_entries WHERE seq = ?', e!.seq + 1);
    expect(before!.at).toBeLessThanOrEqual(e!.at);
    expect(e!.at).toBeLessThanOrEqual(after!.at);
  });
});

describe('the public /tsa cannot make anchors', () => {
  it('refuses a request for the anchor policy', () => {
    expect(anchorPolicyRefusal).toMatch(/Status: Rejected/);
    expect(anchorPolicyRefusal).toMatch(/the requested TSA policy is not supported by the TSA/); // unacceptedPolicy
    expect(anchorPolicyRefusal).toMatch(/TST info:\nNot included/);
  });
});

describe('a rewritten internal chain (entries dropped, re-hashed, re-anchored) fails', () => {
  it('re-anchored with a token from the public /tsa: fails on its own side (wrong policy)', () => {
    const r = verify(['--config', files.internalConfig, '--db', attackTsa]);
    expect(r.status, r.out).toBe(1);
    expect(r.json.ok).toBe(false);
    expect(r.json.kinds.rfc3161.failures.join('\n')).toMatch(new RegExp(`issued under policy ${TEST_POLICY_OID.replace(/\./g, '\\.')}, not the anchor policy ${ANCHOR_OID.replace(/\./g, '\\.')}`));
  });

  it('re-anchored with a token from the public /tsa: fails against the external gateway’s copy', () => {
    const r = verify(['--config', files.internalConfig, '--db', attackTsa, '--peer', db('external')]);
    expect(r.status, r.out).toBe(1);
    expect(r.json.kinds.peer.failures.join('\n')).toMatch(/the peer's signed copy .* holds head seq \d+|the chain ends at seq \d+, but the peer's signed copy/);
  });

  it('re-signed with another key from the same CA: fails on its own side (signer not pinned)', () => {
    const r = verify(['--config', files.internalConfig, '--db', attackKey]);
    expect(r.status, r.out).toBe(1);
    expect(r.json.kinds.signature.failures.join('\n')).toMatch(/CN=ferry-external-sign \(SHA-256 [0-9a-f]{64}\), which is not a pinned signer/);
  });

  it('re-signed with another key from the same CA: fails against the external gateway’s copy', () => {
    const r = verify(['--config', files.internalConfig, '--db', attackKey, '--peer', db('external')]);
    expect(r.status, r.out).toBe(1);
    expect(r.json.kinds.peer.failures.length).toBeGreaterThan(0);
  });
});

describe('packet stamps', () => {
  it('every packet the test sent has a stamp whose imprint is SHA-256 of its exact bytes', async () => {
    const stamps = query<{ id: Buffer; digest: Buffer; token: Buffer }>(db('internal'), 'SELECT packet_id AS id, digest, token FROM packet_stamps');
    expect(new Set(stamps.map((s) => s.id.toString('hex')))).toEqual(new Set(sent.keys()));
    const trusted = [new X509Certificate(files.ca)];
    const tsaCertificate = new X509Certificate(readFileSync(cert('tsa.crt'))); // packet tokens carry no certificate
    for (const s of stamps) {
      const bytes = sent.get(s.id.toString('hex'))!;
      expect(s.digest.equals(sha256(bytes))).toBe(true);
      const v = await verifyTimeStampToken(s.token, { data: bytes, trusted, tsaCertificate });
      expect(v.ok, v.ok ? '' : v.detail).toBe(true);
      if (v.ok) expect(v.value.policy).toBe(TEST_POLICY_OID); // packets: the public policy, never the anchor one
    }
    // openssl as the judge on a sample.
    const s = stamps[0]!;
    writeFileSync(join(files.dir, 'p.bin'), sent.get(s.id.toString('hex'))!);
    writeFileSync(join(files.dir, 'p.tst'), s.token);
    const o = openssl(['ts', '-verify', '-data', join(files.dir, 'p.bin'), '-in', join(files.dir, 'p.tst'), '-token_in', '-CAfile', cert('ca.crt'), '-untrusted', cert('tsa.crt')]);
    expect(o.out + o.err).toMatch(/Verification: OK/);
  });
});

describe('export', () => {
  it('writes 0600 files in 0700 directories; verify.sh passes with the pins and fails with a wrong CA fingerprint', () => {
    const out = join(files.dir, 'bundle');
    const day = new Date().toISOString().slice(0, 10);
    const e = ferry(['audit', 'export', '--db', db('internal'), '--from', `${day}T00:00:00Z`, '--to', `${day}T23:59:59Z`, '--out', out,
      '--ca', cert('ca.crt'), '--sign-cert', cert('internal-sign.crt'), '--tsa-cert', cert('tsa.crt'), '--tsa-policy', ANCHOR_OID]);
    expect(e.status, e.stderr).toBe(0);
    const walk = (d: string): void => {
      expect(statSync(d).mode & 0o777, d).toBe(0o700);
      for (const f of readdirSync(d, { withFileTypes: true })) {
        if (f.isDirectory()) walk(join(d, f.name));
        else expect(statSync(join(d, f.name)).mode & 0o777, f.name).toBe(0o600);
      }
    };
    walk(out);
    const fp = (f: string) => sha256(new X509Certificate(readFileSync(f)).raw).toString('hex');
    const ok = spawnSync('sh', [join(out, 'verify.sh'), fp(cert('ca.crt')), fp(cert('internal-sign.crt')), ANCHOR_OID], { encoding: 'utf8' });
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toMatch(/^OK: entries 1\.\./m);
    const bad = spawnSync('sh', [join(out, 'verify.sh'), fp(cert('tsa.crt')), fp(cert('internal-sign.crt')), ANCHOR_OID], { encoding: 'utf8' });
    expect(bad.status).not.toBe(0);
    expect(bad.stderr).toMatch(/not your CA/);
  });
});
