// The heads a gateway keeps of its peer's chain, and what `verifyChain` makes of them; and the anchor
// schedule held against the interval the chain records. Real keys from the dev PKI, real SQLite files.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import Database from 'better-sqlite3';
import { anchorHead, SignatureAnchorer } from '../../src/audit/anchor.js';
import { checkSignedHead, newestOwnHead, PeerHeads, readPeerHeads } from '../../src/audit/peer-heads.js';
import { decodeAnchorRecord } from '../../src/audit/anchor-record.js';
import { sha256 } from '../../src/audit/canonical.js';
import { verifyChain } from '../../src/audit/verify.js';
import { SignerTrust } from '../../src/seal/signer-trust.js';
import { devPki, fill, MINUTE, openStore, T0, tamper, tempDir, type Pki } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let n = 0;
let peerSigners: SignerTrust;
const now = new Date(T0 + 3_600_000);
const opts = (at = now) => ({ clock: { now: () => at }, actor: 'gateway:external' });

beforeAll(async () => {
  tmp = tempDir('audit-peer');
  pki = await devPki(tmp.dir);
  // The internal gateway's view of its peer: the external gateway's signing identity, pinned by subject.
  peerSigners = new SignerTrust({ roots: [pki.ca], expectedSubjects: ['ferry-external-sign'], pinnedSha256: [] });
});
afterAll(() => tmp.cleanup());

const fresh = () => openStore(tmp.dir, `p${++n}.sqlite`);
const trust = () => ({ ca: [pki.ca], signers: new Set([sha256(pki.signCert.raw).toString('hex')]) });

async function anchored(count = 5) {
  const s = fresh();
  fill(s.log, count);
  await anchorHead(s.log, new SignatureAnchorer(pki.signKey, pki.signCert), opts());
  return s;
}

describe('checkSignedHead (what the receiver of an AuditHead frame accepts)', () => {
  it('accepts the newest signature anchor of the peer, as sent, and refuses each altered part', async () => {
    const s = await anchored();
    const h = newestOwnHead(s.db)!;
    expect(decodeAnchorRecord(h.record)).toMatchObject({ seq: 5, at: now.getTime() });
    expect(checkSignedHead(h, peerSigners, now)).toMatchObject({ ok: true, value: { seq: 5 } });
    const cases: Array<[string, typeof h, RegExp]> = [
      ['another seq in the record', { ...h, record: Buffer.from(h.record.toString().replace('seq=5', 'seq=6')) }, /signature over the record does not verify/],
      ['a record that is not one', { ...h, record: Buffer.from('hello\n') }, /not a ferry-audit-anchor\/1 record/],
      ['another certificate than the record names', { ...h, signerCertificate: readFileSync(pki.files['internal-sign'].cert) }, /names another signer certificate|not a ferry/],
    ];
    for (const [what, bad, why] of cases) {
      const v = checkSignedHead(bad, peerSigners, now);
      expect(v.ok, what).toBe(false);
      if (!v.ok) expect(v.detail, what).toMatch(why);
    }
    s.db.close();
  });

  it('refuses a head signed by another key the same CA certified (not the pinned peer)', async () => {
    const s = fresh();
    fill(s.log, 2);
    const internalCert = new X509Certificate(readFileSync(pki.files['internal-sign'].cert));
    await anchorHead(s.log, new SignatureAnchorer(createPrivateKey(readFileSync(pki.files['internal-sign'].key)), internalCert), opts());
    const v = checkSignedHead(newestOwnHead(s.db)!, peerSigners, now);
    expect(v).toMatchObject({ ok: false, code: 'FERRY_ERR_AUDIT_PEER_HEAD' });
    s.db.close();
  });
});

describe('PeerHeads (append-only store of the peer’s heads)', () => {
  it('keeps each head once, says when the peer goes back, and cannot be rewritten by Ferry itself', async () => {
    const peer = await anchored(3);
    const first = newestOwnHead(peer.db)!;
    fill(peer.log, 3);
    await anchorHead(peer.log, new SignatureAnchorer(pki.signKey, pki.signCert), opts(new Date(now.getTime() + MINUTE)));
    const second = newestOwnHead(peer.db)!;
    const mine = fresh();
    const heads = new PeerHeads(mine.db, peerSigners);
    expect(heads.receive(first, now)).toMatchObject({ ok: true, value: { stored: true, regress: null } });
    expect(heads.receive(first, now)).toMatchObject({ ok: true, value: { stored: false } }); // re-sent on every Hello
    expect(heads.receive(second, now)).toMatchObject({ ok: true, value: { stored: true, regress: null } });
    // The peer's chain was rewritten back to seq 3 (other entries) and it now sends that head.
    const rewound = fresh();
    fill(rewound.log, 3, T0 + 7 * MINUTE);
    await anchorHead(rewound.log, new SignatureAnchorer(pki.signKey, pki.signCert), opts());
    const back = newestOwnHead(rewound.db)!;
    const v = heads.receive(back, now);
    expect(v.ok && v.value.regress).toMatch(/sent head seq 3 after seq \d+|another hash/);
    expect(readPeerHeads(mine.db).length).toBe(3);
    expect(() => mine.db.prepare('DELETE FROM audit_peer_heads').run()).toThrow(/append-only/);
    for (const s of [peer, mine, rewound]) s.db.close();
  });
});

describe('verifyChain with the peer’s copies', () => {
  it('matches every head the peer holds, and names a rewrite or a cut tail as a peer mismatch', async () => {
    const s = await anchored(5);
    const h = decodeAnchorRecord(newestOwnHead(s.db)!.record)!;
    fill(s.log, 2, T0 + 100 * MINUTE);
    const expectedHeads = [{ seq: h.seq, hash: h.hash, source: "the peer's signed copy" }];
    expect(await verifyChain(s.db, { trust: trust(), expectedHeads })).toMatchObject({ ok: true, kinds: { peer: { count: 1, verified: 1, failures: [] } } });
    s.db.close();

    // Entries 1..8 re-written consistently (the anchor too), as by someone with the key: only the copy shows it.
    tamper(s.file, (db) => db.prepare('DELETE FROM audit_entries WHERE seq > 6').run());
    const cut = new Database(s.file, { readonly: true });
    const r = await verifyChain(cut, { trust: trust(), expectedHeads: [{ seq: 7, hash: Buffer.alloc(32, 1), source: "the peer's signed copy" }] });
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_AUDIT_PEER_MISMATCH', kind: 'removed', firstBad: 7 });
    const r2 = await verifyChain(cut, { trust: trust(), expectedHeads: [{ seq: 5, hash: Buffer.alloc(32, 1), source: "the peer's signed copy" }] });
    expect(r2).toMatchObject({ ok: false, code: 'FERRY_ERR_AUDIT_PEER_MISMATCH', kind: 'altered' });
    if (!r2.ok) expect(r2.kinds?.peer.failures.join()).toMatch(/the peer's signed copy holds head seq 5/);
    cut.close();
  });
});

describe('anchor schedule (continuity)', () => {
  const start = (s: ReturnType<typeof fresh>, at: number, intervalMs = 10 * MINUTE) =>
    s.log.append({ at: new Date(at), actor: 'gateway:external', action: 'gateway.start', subject: 'external', detail: { anchorIntervalMs: intervalMs } });
  const sig = () => new SignatureAnchorer(pki.signKey, pki.signCert);
  /** Ordinary entries (fill() cycles through every action, gateway.start included). */
  const work = (s: ReturnType<typeof fresh>, count: number, from: number) => {
    for (let i = 0; i < count; i++) s.log.append({ at: new Date(from + i * MINUTE), actor: 'gateway:external', action: 'policy.allow', subject: `p${i}`, detail: {} });
  };

  it('accepts anchors within the recorded interval + slack', async () => {
    const s = fresh();
    start(s, T0);
    work(s, 5, T0 + MINUTE); // T0+1..5 min
    await anchorHead(s.log, sig(), opts(new Date(T0 + 10 * MINUTE)));
    expect(await verifyChain(s.db, { trust: trust() })).toMatchObject({ ok: true });
    s.db.close();
  });

  it('fails when a run went on longer than the interval without a signature anchor', async () => {
    const s = fresh();
    start(s, T0);
    work(s, 30, T0 + MINUTE); // one a minute for 30 min, anchored only at the end
    await anchorHead(s.log, sig(), opts(new Date(T0 + 31 * MINUTE)));
    const r = await verifyChain(s.db, { trust: trust() });
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_AUDIT_ANCHOR_GAP', kind: 'unanchored', firstBad: 1 });
    s.db.close();
  });

  it('fails when every anchor was dropped from a long run', async () => {
    const s = fresh();
    start(s, T0);
    work(s, 30, T0 + MINUTE);
    expect(await verifyChain(s.db, { trust: trust() })).toMatchObject({ ok: false, code: 'FERRY_ERR_AUDIT_ANCHOR_GAP' });
    s.db.close();
  });

  it('fails when an anchor entry is dated before the previous anchor (beyond the clock-step allowance)', async () => {
    const s = fresh();
    start(s, T0);
    work(s, 2, T0 + MINUTE);
    await anchorHead(s.log, sig(), opts(new Date(T0 + 5 * MINUTE)));
    work(s, 1, T0 + 6 * MINUTE);
    await anchorHead(s.log, sig(), opts(new Date(T0 + 2 * MINUTE)));
    const r = await verifyChain(s.db, { trust: trust() });
    expect(r).toMatchObject({ ok: false, code: 'FERRY_ERR_AUDIT_ANCHOR_GAP', firstBad: 6 });
    if (!r.ok) expect(r.detail).toMatch(/before the anchor entry 4 .*: anchors are not in time order/);
    s.db.close();
  });

  it('notes, and does not fail, entries anchored only after a restart', async () => {
    const s = fresh();
    start(s, T0);
    work(s, 2, T0 + MINUTE); // crash: no final anchor
    start(s, T0 + 600 * MINUTE);
    await anchorHead(s.log, sig(), opts(new Date(T0 + 601 * MINUTE)));
    const r = await verifyChain(s.db, { trust: trust() });
    expect(r).toMatchObject({ ok: true });
    if (r.ok) expect(r.notes.join('\n')).toMatch(/entries 1\.\.3 were anchored only after the restart at seq 4/);
    s.db.close();
  });
});
