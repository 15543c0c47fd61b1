// The bytes a signature anchor signs, and that a gateway sends its peer as its newest anchored head:
//   ferry-audit-anchor/1 seq=<seq> hash=<64 hex> at=<ISO-8601 UTC, ms> signer=<64 hex>\n
// - seq and hash name the chain head (seq is also the entry count: the chain starts at 1).
// - at is the trusted time of the audit.anchor entry that records the anchor (the entry carries the
//   same instant), so a verifier can hold the anchors to the schedule and to each other in time.
// - signer is the SHA-256 of the signing certificate's DER: a signature made with another key, or
//   with the same key under another certificate, cannot be passed off as this signer's.
// Fixed field order, no optional parts, so `printf` in the export's verify.sh rebuilds it exactly.
import { validAtMs, validSeq, HASH_BYTES } from './canonical.js';

export const ANCHOR_RECORD_FORMAT = 'ferry-audit-anchor/1';

export interface AnchorRecord {
  readonly seq: number;
  readonly hash: Buffer;
  /** Milliseconds since the epoch. */
  readonly at: number;
  /** SHA-256 of the signer certificate's DER (32 bytes). */
  readonly signerSha256: Buffer;
}

/** Returns null for values the format cannot hold (the caller's fault is reported by the caller). */
export function encodeAnchorRecord(r: AnchorRecord): Buffer | null {
  if (!validSeq(r.seq) || r.hash.length !== HASH_BYTES || !validAtMs(r.at) || r.signerSha256.length !== HASH_BYTES) return null;
  return Buffer.from(
    `${ANCHOR_RECORD_FORMAT} seq=${r.seq} hash=${r.hash.toString('hex')} at=${new Date(r.at).toISOString()} signer=${r.signerSha256.toString('hex')}\n`,
    'latin1',
  );
}

const RECORD = /^ferry-audit-anchor\/1 seq=([1-9][0-9]{0,15}) hash=([0-9a-f]{64}) at=(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z) signer=([0-9a-f]{64})\n$/;

/** Parses received record bytes; null unless they are exactly what encodeAnchorRecord writes. */
export function decodeAnchorRecord(bytes: Buffer): AnchorRecord | null {
  if (bytes.length > 256) return null;
  const m = RECORD.exec(bytes.toString('latin1'));
  if (!m) return null;
  const r: AnchorRecord = { seq: Number(m[1]), hash: Buffer.from(m[2]!, 'hex'), at: Date.parse(m[3]!), signerSha256: Buffer.from(m[4]!, 'hex') };
  // Round trip: a date such as 2026-02-30 parses to another day; only the canonical form is accepted.
  return encodeAnchorRecord(r)?.equals(bytes) ? r : null;
}
