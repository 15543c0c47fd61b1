// The other gateway's anchored audit heads, kept here. Each gateway sends its newest signature anchor
// (record + signature + certificate, PROTOCOL.md §6 rule 9) over the link; the receiver checks it against
// the peer's pinned signing identity and keeps it append-only in its own database. Whoever rewrites
// one gateway's chain (even with that gateway's key) cannot reach the copies the other one holds, so
// `ferry audit verify --peer <other db>` shows the rewrite: a head the peer holds is missing or differs.
// Receiving a head writes no audit entry: that entry would need anchoring, whose head would be sent
// back, and an idle pair would never fall quiet.
import { verify as verifySig, X509Certificate } from 'node:crypto';
import type { Db } from '../store/db.js';
import { fail, type Verdict } from '../errors.js';
import { SIGNATURE_HASH } from './anchor.js';
import { decodeAnchorRecord, encodeAnchorRecord, type AnchorRecord } from './anchor-record.js';
import { ANCHOR_COLUMNS, type AnchorRow } from './chain.js';
import { sha256 } from './canonical.js';
import { MAX_PEER_HEADS } from './limits.js';

export const PEER_HEADS_SQL = `
CREATE TABLE IF NOT EXISTS audit_peer_heads (
  id          INTEGER PRIMARY KEY,
  seq         INTEGER NOT NULL,
  hash        BLOB NOT NULL,
  at          INTEGER NOT NULL,
  record      BLOB NOT NULL,
  signature   BLOB NOT NULL,
  signer_cert BLOB NOT NULL,
  received_at INTEGER NOT NULL,
  UNIQUE (seq, hash)
);
CREATE TRIGGER IF NOT EXISTS audit_peer_heads_append_only_u BEFORE UPDATE ON audit_peer_heads BEGIN SELECT RAISE(ABORT, 'audit_peer_heads is append-only'); END;
CREATE TRIGGER IF NOT EXISTS audit_peer_heads_append_only_d BEFORE DELETE ON audit_peer_heads BEGIN SELECT RAISE(ABORT, 'audit_peer_heads is append-only'); END;
`;

/** A certificate far larger than any gateway signing certificate is refused before parsing. */
const MAX_SIGNER_CERT_BYTES = 16 * 1024;

export interface SignedHead {
  readonly record: Buffer;
  readonly signature: Buffer;
  readonly signerCertificate: Buffer;
}

/** The peer's signing identity: the gateway's SignerTrust (chain to the CA + pinned subject/SHA-256). */
export interface PeerSignerCheck {
  check(certDer: Uint8Array, at: Date, now: Date): Verdict<unknown>;
}

export type Received = { readonly stored: boolean; readonly record: AnchorRecord; readonly regress: string | null };

/** Checks a head received from the peer; the pure part of receive(), so it is testable without a db. */
export function checkSignedHead(h: SignedHead, signers: PeerSignerCheck, now: Date): Verdict<AnchorRecord> {
  const r = decodeAnchorRecord(h.record);
  if (!r) return fail('FERRY_ERR_AUDIT_PEER_HEAD', 'the record is not a ferry-audit-anchor/1 record');
  if (h.signerCertificate.length > MAX_SIGNER_CERT_BYTES) return fail('FERRY_ERR_AUDIT_PEER_HEAD', 'the signer certificate is too large');
  if (!sha256(h.signerCertificate).equals(r.signerSha256)) return fail('FERRY_ERR_AUDIT_PEER_HEAD', 'the record names another signer certificate than the one sent');
  const who = signers.check(h.signerCertificate, new Date(r.at), now);
  if (!who.ok) return fail('FERRY_ERR_AUDIT_PEER_HEAD', `signer: ${who.detail}`);
  let good = false;
  try {
    good = verifySig(SIGNATURE_HASH, h.record, new X509Certificate(h.signerCertificate).publicKey, h.signature);
  } catch {
    good = false;
  }
  return good ? { ok: true, value: r } : fail('FERRY_ERR_AUDIT_PEER_HEAD', 'the signature over the record does not verify');
}

export class PeerHeads {
  private readonly insert;
  private readonly count;
  private readonly newest;

  constructor(db: Db, private readonly signers: PeerSignerCheck) {
    db.exec(PEER_HEADS_SQL); // idempotent: an existing gateway file gains the table at the next start
    this.insert = db.prepare('INSERT OR IGNORE INTO audit_peer_heads (seq, hash, at, record, signature, signer_cert, received_at) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.count = db.prepare('SELECT COUNT(*) FROM audit_peer_heads').pluck();
    this.newest = db.prepare('SELECT seq, hash FROM audit_peer_heads ORDER BY seq DESC, id DESC LIMIT 1');
  }

  /** Checks and keeps a head from the peer. `regress` says when it goes back on an earlier one (a
   *  lower seq than already held, or the same seq with another hash): the peer's chain was cut or
   *  rewritten, or rolled back from a backup; both heads are kept as evidence. */
  receive(h: SignedHead, now: Date): Verdict<Received> {
    const v = checkSignedHead(h, this.signers, now);
    if (!v.ok) return v;
    const r = v.value;
    if ((this.count.get() as number) >= MAX_PEER_HEADS) return fail('FERRY_ERR_AUDIT_PEER_HEAD', `already ${MAX_PEER_HEADS} peer heads kept; refusing more`);
    const top = this.newest.get() as { seq: number; hash: Buffer } | undefined;
    let regress: string | null = null;
    if (top && r.seq < top.seq) regress = `the peer sent head seq ${r.seq} after seq ${top.seq}`;
    else if (top && r.seq === top.seq && !r.hash.equals(top.hash)) regress = `the peer sent head seq ${r.seq} with another hash than before`;
    const stored = this.insert.run(r.seq, r.hash, r.at, h.record, h.signature, h.signerCertificate, now.getTime()).changes === 1;
    return { ok: true, value: { stored, record: r, regress } };
  }
}

/** This gateway's newest signature anchor as a head to send: the anchor's signature already covers
 *  exactly the record (anchor.ts), so nothing is signed again. */
export function newestOwnHead(db: Db): SignedHead | null {
  const a = db.prepare(`SELECT ${ANCHOR_COLUMNS}, e.at AS at FROM audit_anchors JOIN audit_entries e ON e.seq = entry_seq WHERE kind = 'signature' ORDER BY entry_seq DESC LIMIT 1`)
    .get() as (AnchorRow & { at: number }) | undefined;
  if (!a || !a.signerCert) return null;
  const record = encodeAnchorRecord({ seq: a.headSeq, hash: a.headHash, at: a.at, signerSha256: sha256(a.signerCert) });
  return record ? { record, signature: a.token, signerCertificate: a.signerCert } : null;
}

export interface StoredPeerHead extends SignedHead {
  readonly seq: number;
  readonly hash: Buffer;
  readonly at: number;
  readonly receivedAt: number;
}

/** The heads a gateway database holds of its peer's chain (empty when it has none yet). */
export function readPeerHeads(db: Db): StoredPeerHead[] {
  const has = db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'audit_peer_heads'").get();
  if (!has) return [];
  return db.prepare('SELECT seq, hash, at, record, signature, signer_cert AS signerCertificate, received_at AS receivedAt FROM audit_peer_heads ORDER BY seq, id').all() as StoredPeerHead[];
}
