// Anchoring the chain head. A hash chain shows that nothing inside it changed, but whoever can write
// the database can rewrite it from any point and re-hash the rest, or cut its tail off. An anchor is a
// statement about the head (seq + hash) that a database writer cannot make alone: a signature by the
// gateway's signing key (stops whoever has the file but not the key: a backup, a copied disk, a DB
// admin), or an RFC 3161 time-stamp token from the TSA, whose key is not on the gateway at all (stops
// a gateway-host attacker too, and dates the head). Each anchor is also recorded as an audit.anchor
// entry, so the chain itself says when it was anchored and deleting an anchor is visible.
//
// What each kind binds. A signature anchor signs the anchor record (anchor-record.ts): the head, the
// trusted time of its audit.anchor entry, and the SHA-256 of the signer certificate, so the verifier
// pins the signer by fingerprint and holds the anchor to its entry's time. An rfc3161 anchor is issued
// under the TSA's ANCHOR policy OID, which the public POST /tsa never issues under (tsa-issue.ts), so a
// token anyone can fetch from /tsa never passes as an anchor; its genTime must match the entry's time.
//
// Why a raw signature and not CMS for the signature kind: the signed bytes are the record itself, so
// `openssl dgst -sha256 -verify <key> -signature anchor.sig record.bin` checks it with
// no ASN.1 container to build or parse; node:crypto makes and checks it synchronously (pkijs SignedData
// runs 166/s here against 41.8k ECDSA signatures/s, with the SHA-1 / messageDigest pitfalls listed in
// TOOLCHAIN.md). A CMS container would add only a signingTime, which is the gateway's own claim; a time
// someone else vouches for is what the rfc3161 kind is for.
import { sign, verify, type KeyObject, type X509Certificate } from 'node:crypto';
import { FerryError } from '../errors.js';
import type { Clock } from '../time/clock.js';
import { headRecord, sha256, type ChainHead } from './canonical.js';
import type { AnchorToken, AuditEntry, AuditLog } from './chain.js';
import { encodeAnchorRecord } from './anchor-record.js';

export interface Anchorer {
  readonly kind: AnchorToken['kind'];
  /** `at`: the trusted time the audit.anchor entry will carry. */
  anchor(head: ChainHead, at: Date): Promise<AnchorToken>;
}

/** Hash for a raw signature over the head record: SHA-256 (what `openssl dgst -sha256` checks). */
export const SIGNATURE_HASH = 'sha256';

export class SignatureAnchorer implements Anchorer {
  readonly kind = 'signature' as const;

  /** Throws FERRY_ERR_AUDIT_ANCHOR when the key does not belong to the certificate or cannot sign. */
  constructor(
    private readonly signKey: KeyObject,
    private readonly signCert: X509Certificate,
  ) {
    const probe = Buffer.from('ferry-audit-anchor key check\n');
    let ok = false;
    try {
      ok = verify(SIGNATURE_HASH, probe, signCert.publicKey, sign(SIGNATURE_HASH, probe, signKey));
    } catch (e) {
      throw new FerryError('FERRY_ERR_AUDIT_ANCHOR', `the audit signing key cannot sign (${(e as Error).message})`, { cause: e });
    }
    if (!ok) throw new FerryError('FERRY_ERR_AUDIT_ANCHOR', `the audit signing key does not match the certificate ${signCert.subject.replace(/\n/g, ', ')}`);
  }

  /** SHA-256 of the signing certificate's DER: what verifiers pin. */
  get signerSha256(): Buffer {
    return sha256(this.signCert.raw);
  }

  /** Signs any anchor record (also the heads sent to the peer): the key never leaves this object. */
  signRecord(head: ChainHead, at: Date): { record: Buffer; signature: Buffer; signerCert: Buffer } {
    const record = encodeAnchorRecord({ seq: head.seq, hash: head.hash, at: at.getTime(), signerSha256: this.signerSha256 });
    if (!record) throw new FerryError('FERRY_ERR_AUDIT_ANCHOR', `not an anchorable head: seq ${head.seq} at ${at.toISOString()}`);
    // DER-encoded ECDSA-Sig-Value (node's default dsaEncoding), the form openssl dgst -verify reads.
    return { record, signature: sign(SIGNATURE_HASH, record, this.signKey), signerCert: this.signCert.raw };
  }

  anchor(head: ChainHead, at: Date): Promise<AnchorToken> {
    const s = this.signRecord(head, at);
    return Promise.resolve({ kind: 'signature', token: s.signature, signerCert: s.signerCert });
  }
}

/** Asks the TSA to stamp a SHA-256 digest; resolves to the TimeStampToken (ContentInfo, DER). */
export type TimeStamper = (digest: Buffer) => Promise<Buffer>;

export class TsaAnchorer implements Anchorer {
  readonly kind = 'rfc3161' as const;

  constructor(private readonly stamp: TimeStamper) {}

  /** RFC 3161 §2.4.1: the message imprint is SHA-256 of the head record, so
   *  `openssl ts -verify -data head.bin -in token.tst -token_in -CAfile ca.crt` checks the token. */
  async anchor(head: ChainHead, _at: Date): Promise<AnchorToken> {
    let token: Buffer;
    try {
      token = await this.stamp(sha256(headRecord(head)));
    } catch (e) {
      throw new FerryError('FERRY_ERR_AUDIT_ANCHOR', `the TSA did not stamp audit head ${head.seq} (${(e as Error).message})`, { cause: e });
    }
    // A ContentInfo is a DER SEQUENCE; anything else is a TSA fault, not something to store.
    if (!Buffer.isBuffer(token) || token.length < 2 || token[0] !== 0x30) {
      throw new FerryError('FERRY_ERR_AUDIT_ANCHOR', `the TSA returned no TimeStampToken for audit head ${head.seq}`);
    }
    return { kind: 'rfc3161', token };
  }
}

export interface AnchorOptions {
  readonly clock: Clock;
  /** Actor of the audit.anchor entry, e.g. "gateway:external". */
  readonly actor: string;
}

/**
 * Anchors the current head with `anchorer` and records it (audit_anchors row + audit.anchor entry).
 * Resolves to the audit.anchor entry, or null when nothing new was appended since this kind's last
 * anchor. The head may move on while the anchorer works; the anchor covers the head it was given.
 * Throws FERRY_ERR_AUDIT_ANCHOR when the anchorer fails.
 */
export async function anchorHead(log: AuditLog, anchorer: Anchorer, opts: AnchorOptions): Promise<AuditEntry | null> {
  const head = log.headToAnchor(anchorer.kind);
  if (!head) return null;
  // The entry's time is fixed before anchoring: the signature binds it, and a token's genTime is
  // compared with it (within DEFAULT_ANCHOR_TIME_TOLERANCE_MS).
  const at = opts.clock.now();
  const token = await anchorer.anchor(head, at);
  if (token.kind !== anchorer.kind) throw new FerryError('FERRY_ERR_AUDIT_ANCHOR', `anchorer of kind ${anchorer.kind} returned a ${token.kind} token`);
  return log.recordAnchor(head, token, at, opts.actor);
}
