// The export bundle is checked by its own VERIFY.md commands — openssl and coreutils, no Ferry code —
// run for real: they pass on the export and fail on every kind of change to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createPrivateKey, sign, X509Certificate } from 'node:crypto';
import { join } from 'node:path';
import { anchorHead, SignatureAnchorer, TsaAnchorer } from '../../src/audit/anchor.js';
import { exportBundle, type ExportSummary } from '../../src/audit/export.js';
import { sha256 } from '../../src/audit/canonical.js';
import { EXPORT_VERIFY_BATCH } from '../../src/audit/limits.js';
import { devPki, fill, MINUTE, openStore, T0, tempDir, type Pki, type Store } from './helpers.js';
import { makeTestTsa, type TestTsa } from './openssl-tsa.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let tsa: TestTsa;
let s: Store;
let whole: ExportSummary;
let n = 0;

// Entries 1..10 (T0+0..9 min), signature anchor of 10 as entry 11; 12..21, rfc3161 anchor of 21 as 22;
// 23..27, signature anchor of 27 as 28; 29..31 not anchored.
beforeAll(async () => {
  tmp = tempDir('audit-export');
  pki = await devPki(tmp.dir);
  tsa = makeTestTsa(tmp.dir, pki.files.ca.cert, pki.files.ca.key);
  s = openStore(tmp.dir);
  let now = T0;
  const opts = { clock: { now: () => new Date(now) }, actor: 'gateway:external' };
  const sig = new SignatureAnchorer(pki.signKey, pki.signCert);
  fill(s.log, 10, T0);
  now = T0 + 10 * MINUTE;
  await anchorHead(s.log, sig, opts);
  fill(s.log, 10, T0 + 11 * MINUTE);
  now = T0 + 21 * MINUTE;
  await anchorHead(s.log, new TsaAnchorer(tsa.stamp), opts);
  fill(s.log, 5, T0 + 22 * MINUTE);
  now = T0 + 27 * MINUTE;
  await anchorHead(s.log, sig, opts);
  fill(s.log, 3, T0 + 28 * MINUTE);
  whole = exportBundle(s.db, { from: new Date(T0 - 3_600_000), to: new Date(T0 + 3_600_000), outDir: join(tmp.dir, 'whole'), certs: certs() });
});
afterAll(() => {
  s.db.close();
  tmp.cleanup();
});

function certs() {
  return { ca: pki.ca, signCert: pki.signCert, tsaCert: tsa.cert };
}

/** The openssl test TSA's policy (openssl-tsa.ts ts.cnf): the anchor policy in these tests. */
const ANCHOR_POLICY = '1.3.6.1.4.1.99999.1';
/** What a supervision office passes from its own records: CA fingerprint, signer fingerprint, policy. */
const pins = (): string[] => [sha256(pki.ca.raw).toString('hex'), sha256(pki.signCert.raw).toString('hex'), ANCHOR_POLICY];

function sh(shell: string, script: string, cwd: string, args: string[] = pins()): { status: number; out: string; err: string } {
  const r = spawnSync(shell, [script, ...args], { cwd, encoding: 'utf8' });
  return { status: r.status ?? -1, out: r.stdout, err: r.stderr };
}

/** The fenced sh blocks of VERIFY.md, in order, as one script. */
function verifyMdScript(dir: string): string {
  const md = readFileSync(join(dir, 'VERIFY.md'), 'utf8');
  const blocks = [...md.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1]);
  const f = join(tmp.dir, `verify-md-${++n}.sh`);
  // VERIFY.md's blocks take the pins as "$1 $2 $3"; sh() passes them to this script as to verify.sh.
  writeFileSync(f, blocks.join('\n'));
  return f;
}

function copyOf(dir: string): string {
  const d = join(tmp.dir, `copy-${++n}`);
  cpSync(dir, d, { recursive: true });
  return d;
}

const lines = (f: string): string[] => readFileSync(f, 'utf8').split('\n').slice(0, -1);
const save = (f: string, ls: string[]): void => writeFileSync(f, ls.map((l) => `${l}\n`).join(''));
const hashLine = (line: string, seq: number): string => `${sha256(Buffer.from(`${line}\n`)).toString('hex')}  entries/${String(seq).padStart(12, '0')}`;

/** Rewrites entries from `seq` on as a forger would: change it, then fix every later prev and hash. */
function rewriteFrom(dir: string, seq: number, first: number): void {
  const e = lines(join(dir, 'entries.jsonl'));
  const h = lines(join(dir, 'hashes.sha256'));
  for (let i = seq - first; i < e.length; i++) {
    let l = e[i]!;
    if (i === seq - first) l = l.replace('"F20261125-', '"FORGED-');
    if (i > 0) l = l.slice(0, 18) + h[i - 1]!.slice(0, 64) + l.slice(82);
    e[i] = l;
    h[i] = hashLine(l, first + i);
  }
  save(join(dir, 'entries.jsonl'), e);
  save(join(dir, 'hashes.sha256'), h);
}

describe('exportBundle + VERIFY.md', () => {
  it('exports the whole chain with its three anchors and the unanchored tail', () => {
    expect(whole).toMatchObject({ first: 1, last: 31, requestedLast: 31, prefix: '0'.repeat(64), anchors: 3, anchoredThrough: 27 });
    const at = (m: number) => new Date(T0 + m * MINUTE).toISOString();
    expect(readFileSync(join(whole.outDir, 'anchors.txt'), 'utf8')).toBe(`11 10 signature ${at(10)}\n22 21 rfc3161 ${at(21)}\n28 27 signature ${at(27)}\n`);
    expect(readFileSync(join(whole.outDir, 'entries.jsonl'), 'utf8')).toBe(
      (s.db.prepare('SELECT canonical FROM audit_entries ORDER BY seq').all() as Array<{ canonical: Buffer }>).map((r) => r.canonical.toString('utf8')).join(''),
    );
  });

  it('passes verify.sh under sh and bash, and the same commands pasted from VERIFY.md', () => {
    const a = sh('sh', join(whole.outDir, 'verify.sh'), tmp.dir); // run from elsewhere: the script cds to its bundle
    expect(a.err).toBe('');
    expect(a.status).toBe(0);
    expect(a.out).toMatch(/^entries 1\.\.31 \(31\)$/m);
    expect(a.out).toMatch(/^anchor 11: seq 10 at \S+ signed by subject=CN=ferry-external-sign$/m);
    expect(a.out).toMatch(/^anchor 22: seq 21 Time stamp: .* GMT$/m);
    expect(a.out).toMatch(/^OK: entries 1\.\.31 link from prefix 0{64}; 3 anchor\(s\) verified, the last covering seq 27$/m);
    expect(a.out).toMatch(/^NOTE: entries 28\.\.31 are chained but not anchored$/m);
    const b = sh('bash', join(whole.outDir, 'verify.sh'), tmp.dir);
    expect(b).toEqual(a);
    const c = sh('sh', verifyMdScript(whole.outDir), whole.outDir);
    expect(c).toEqual(a);
  });

  it('exports a middle period from its prefix hash up to the next anchor, and that verifies too', () => {
    const mid = exportBundle(s.db, { from: new Date(T0 + 13 * MINUTE), to: new Date(T0 + 15 * MINUTE), outDir: join(tmp.dir, 'mid'), certs: certs() });
    const h13 = (s.db.prepare('SELECT hash FROM audit_entries WHERE seq = 13').get() as { hash: Buffer }).hash;
    // Extended past the rfc3161 anchor of 21 to the signature anchor of 27: the gateway key vouches for all.
    expect(mid).toMatchObject({ first: 14, requestedLast: 16, last: 27, prefix: h13.toString('hex'), anchors: 2, anchoredThrough: 27 });
    expect(readFileSync(join(mid.outDir, 'VERIFY.md'), 'utf8')).toMatch(/hash of entry 13/);
    const r = sh('sh', join(mid.outDir, 'verify.sh'), mid.outDir);
    expect(r.err).toBe('');
    expect(r.status).toBe(0);
    expect(r.out).toMatch(/^OK: entries 14\.\.27 link from prefix [0-9a-f]{64}; 2 anchor\(s\) verified, the last covering seq 27$/m);
    expect(sh('sh', verifyMdScript(mid.outDir), mid.outDir).status).toBe(0);
  });

  const tampers: Array<{ change: string; edit: (dir: string) => void; says: RegExp }> = [
    {
      change: 'one character of entry 5 changed',
      edit: (d) => { const e = lines(join(d, 'entries.jsonl')); e[4] = e[4]!.replace('"F20261125-', '"F20261126-'); save(join(d, 'entries.jsonl'), e); },
      says: /entries\/000000000005: FAILED[\s\S]*FAILED: the entries named FAILED above were altered/,
    },
    {
      change: 'entry 5 changed and its listed hash recomputed',
      edit: (d) => {
        const e = lines(join(d, 'entries.jsonl'));
        const h = lines(join(d, 'hashes.sha256'));
        e[4] = e[4]!.replace('"F20261125-', '"F20261126-');
        h[4] = hashLine(e[4]!, 5);
        save(join(d, 'entries.jsonl'), e);
        save(join(d, 'hashes.sha256'), h);
      },
      says: /FAILED: entry 6 does not link to the entry before it/,
    },
    {
      change: 'entry 5 removed with its hash line',
      edit: (d) => { for (const f of ['entries.jsonl', 'hashes.sha256']) save(join(d, f), lines(join(d, f)).filter((_, i) => i !== 4)); },
      says: /FAILED: line 5 of entries.jsonl is not entry/,
    },
    {
      change: 'entries 5 and 6 swapped with their hash lines',
      edit: (d) => { for (const f of ['entries.jsonl', 'hashes.sha256']) { const l = lines(join(d, f)); [l[4], l[5]] = [l[5]!, l[4]!]; save(join(d, f), l); } },
      says: /FAILED: line 5 of entries.jsonl is not entry/,
    },
    { change: 'entries rewritten from 5 on, every hash and link recomputed', edit: (d) => rewriteFrom(d, 5, 1), says: /FAILED: anchors\/11\/head.bin is not the head record of entry 10/ },
    {
      change: 'entries rewritten from 5 on and the head records rewritten to match',
      edit: (d) => {
        rewriteFrom(d, 5, 1);
        const h = lines(join(d, 'hashes.sha256'));
        for (const [entry, seq] of [[11, 10], [22, 21], [28, 27]] as const) {
          writeFileSync(join(d, 'anchors', String(entry), 'head.bin'), `ferry-audit-head/1 seq=${seq} hash=${h[seq - 1]!.slice(0, 64)}\n`);
        }
      },
      says: /FAILED: anchors\/11\/record.bin is not the anchor record of entry 10/,
    },
    {
      change: 'entries rewritten from 5 on and the head and anchor records rewritten to match',
      edit: (d) => {
        rewriteFrom(d, 5, 1);
        const h = lines(join(d, 'hashes.sha256'));
        const idx = lines(join(d, 'anchors.txt'));
        for (const [entry, seq, i] of [[11, 10, 0], [22, 21, 1], [28, 27, 2]] as const) {
          writeFileSync(join(d, 'anchors', String(entry), 'head.bin'), `ferry-audit-head/1 seq=${seq} hash=${h[seq - 1]!.slice(0, 64)}\n`);
          if (entry !== 22) {
            const fp = sha256(pki.signCert.raw).toString('hex');
            writeFileSync(join(d, 'anchors', String(entry), 'record.bin'), `ferry-audit-anchor/1 seq=${seq} hash=${h[seq - 1]!.slice(0, 64)} at=${idx[i]!.split(' ')[3]} signer=${fp}\n`);
          }
        }
      },
      says: /FAILED: anchors\/11: the signature does not verify/,
    },
    {
      change: "the head record of anchor 22 replaced by anchor 11's",
      edit: (d) => cpSync(join(d, 'anchors', '11', 'head.bin'), join(d, 'anchors', '22', 'head.bin')),
      says: /FAILED: anchors\/22\/head.bin is not the head record of entry 21/,
    },
    { change: 'the prefix changed', edit: (d) => writeFileSync(join(d, 'prefix.txt'), `${'1'.repeat(64)}\n`), says: /FAILED: entry 1 does not link to the entry before it/ },
    { change: 'anchors.txt carrying shell code instead of a number', edit: (d) => writeFileSync(join(d, 'anchors.txt'), '11 a[$(touch pwned)] signature\n'), says: /FAILED: anchors.txt: bad seq/ },
  ];

  for (const t of tampers) {
    it(`fails when ${t.change}`, () => {
      const d = copyOf(whole.outDir);
      t.edit(d);
      const r = sh('sh', join(d, 'verify.sh'), d);
      expect(r.status).not.toBe(0);
      expect(r.out + r.err).toMatch(t.says);
      expect(r.out).not.toMatch(/^OK:/m);
      expect(sh('sh', verifyMdScript(d), d).status).not.toBe(0);
      // Neither script ran what a tampered file carried (the shell row's `touch pwned`).
      expect(existsSync(join(d, 'pwned'))).toBe(false);
    });
  }

  it('fails when a token is swapped for a valid token over another head', async () => {
    const d = copyOf(whole.outDir);
    const foreign = await new TsaAnchorer(tsa.stamp).anchor({ seq: 21, hash: sha256(Buffer.from('elsewhere')) }, new Date(T0));
    writeFileSync(join(d, 'anchors', '22', 'token.tst'), foreign.token);
    const r = sh('sh', join(d, 'verify.sh'), d);
    expect(r.status).not.toBe(0);
    expect(r.err).toMatch(/FAILED: anchors\/22: the time-stamp token does not verify/);
  });

  it('hashes a large export in batches and names an altered entry in a later batch', async () => {
    const big = openStore(tmp.dir, 'big.sqlite');
    const batch = big.db.transaction(() => fill(big.log, EXPORT_VERIFY_BATCH + 500, T0));
    batch();
    await anchorHead(big.log, new SignatureAnchorer(pki.signKey, pki.signCert), { clock: { now: () => new Date(T0 + 20_000 * MINUTE) }, actor: 'gateway:external' });
    const out = join(tmp.dir, 'big-export');
    const sum = exportBundle(big.db, { from: new Date(T0), to: new Date(T0 + 20_000 * MINUTE), outDir: out, certs: certs() });
    big.db.close();
    expect(sum).toMatchObject({ first: 1, last: EXPORT_VERIFY_BATCH + 501, anchoredThrough: EXPORT_VERIFY_BATCH + 500 });
    expect(sh('sh', join(out, 'verify.sh'), out)).toMatchObject({ status: 0, err: '' });
    const k = EXPORT_VERIFY_BATCH + 250;
    const e = lines(join(out, 'entries.jsonl'));
    e[k - 1] = e[k - 1]!.replace('"F20261125-', '"F20261126-');
    save(join(out, 'entries.jsonl'), e);
    const r = sh('sh', join(out, 'verify.sh'), out);
    expect(r.status).not.toBe(0);
    const [ca, signer] = pins();
    expect(r.out).toBe(`CA ${ca}; signer ${signer} (pinned by argument)\nentries 1..${EXPORT_VERIFY_BATCH + 501} (${EXPORT_VERIFY_BATCH + 501})\nentries/${String(k).padStart(12, '0')}: FAILED\n`);
  });

  it('refuses an empty period, a period no anchor covers, and a non-empty output directory', () => {
    const c = certs();
    expect(() => exportBundle(s.db, { from: new Date(T0 + 600 * MINUTE), to: new Date(T0 + 700 * MINUTE), outDir: join(tmp.dir, 'x1'), certs: c })).toThrow(/no audit entries/);
    expect(() => exportBundle(s.db, { from: new Date(T0 + 29 * MINUTE), to: new Date(T0 + 30 * MINUTE), outDir: join(tmp.dir, 'x2'), certs: c })).toThrow(/no signature anchor covers entries 30\.\.31/);
    mkdirSync(join(tmp.dir, 'x3'));
    writeFileSync(join(tmp.dir, 'x3', 'keep'), '');
    expect(() => exportBundle(s.db, { from: new Date(T0), to: new Date(T0 + MINUTE), outDir: join(tmp.dir, 'x3'), certs: c })).toThrow(/not empty/);
  });

  it('writes every file 0600 and every directory 0700', () => {
    const walk = (d: string): void => {
      expect(statSync(d).mode & 0o777, d).toBe(0o700);
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const f = join(d, e.name);
        if (e.isDirectory()) walk(f);
        else expect(statSync(f).mode & 0o777, f).toBe(0o600);
      }
    };
    walk(whole.outDir);
  });

  it('refuses to run without the CA fingerprint, or with one that is not the bundle CA', () => {
    const none = sh('sh', join(whole.outDir, 'verify.sh'), whole.outDir, []);
    expect(none.status).not.toBe(0);
    expect(none.err).toMatch(/FAILED: usage: sh verify.sh CA_SHA256/);
    const [, signer] = pins();
    const wrong = sh('sh', join(whole.outDir, 'verify.sh'), whole.outDir, ['ab'.repeat(32), signer!, ANCHOR_POLICY]);
    expect(wrong.status).not.toBe(0);
    expect(wrong.err).toMatch(/FAILED: certs\/ca.crt has SHA-256 [0-9a-f]{64}, not (ab){32}: not your CA/);
    expect(wrong.out).not.toMatch(/^entries /m); // before anything else
  });

  it('refuses a ca.crt that carries a second certificate after the pinned one', () => {
    const d = copyOf(whole.outDir);
    appendFileSync(join(d, 'certs', 'ca.crt'), readFileSync(pki.files['internal-sign'].cert));
    const r = sh('sh', join(d, 'verify.sh'), d);
    expect(r.status).not.toBe(0);
    expect(r.err).toMatch(/FAILED: certs\/ca.crt must hold exactly one certificate/);
  });

  it('refuses signature anchors re-made with another key that has a certificate from the same CA', () => {
    // The forger holds the internal gateway's signing key (same CA) and re-signs the records with it.
    const d = copyOf(whole.outDir);
    const otherCert = new X509Certificate(readFileSync(pki.files['internal-sign'].cert));
    const otherKey = createPrivateKey(readFileSync(pki.files['internal-sign'].key));
    for (const entry of ['11', '28']) {
      const dir = join(d, 'anchors', entry);
      const rec = readFileSync(join(dir, 'record.bin'), 'utf8').replace(/signer=[0-9a-f]{64}/, `signer=${sha256(otherCert.raw).toString('hex')}`);
      writeFileSync(join(dir, 'record.bin'), rec);
      writeFileSync(join(dir, 'signature.der'), sign('sha256', Buffer.from(rec), otherKey));
      writeFileSync(join(dir, 'signer.crt'), readFileSync(pki.files['internal-sign'].cert));
    }
    const pinned = sh('sh', join(d, 'verify.sh'), d);
    expect(pinned.status).not.toBe(0);
    expect(pinned.err).toMatch(/FAILED: anchors\/11: signed by the certificate [0-9a-f]{64}, not the pinned signer/);
    // Also with certs/sign.crt swapped to the forger's: the signer fingerprint argument catches it.
    writeFileSync(join(d, 'certs', 'sign.crt'), readFileSync(pki.files['internal-sign'].cert));
    const swapped = sh('sh', join(d, 'verify.sh'), d);
    expect(swapped.status).not.toBe(0);
    expect(swapped.err).toMatch(/FAILED: certs\/sign.crt has SHA-256 [0-9a-f]{64}, not /);
  });

  it('refuses an rfc3161 anchor issued under another policy than the anchor policy', () => {
    const [ca, signer] = pins();
    const r = sh('sh', join(whole.outDir, 'verify.sh'), whole.outDir, [ca!, signer!, '1.3.6.1.4.1.99999.2']);
    expect(r.status).not.toBe(0);
    expect(r.err).toMatch(/FAILED: anchors\/22: the token was issued under policy 1.3.6.1.4.1.99999.1, not the anchor policy 1.3.6.1.4.1.99999.2/);
  });
});
