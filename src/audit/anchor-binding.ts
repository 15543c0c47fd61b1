// What verify-walk.ts keeps of each anchor row during its pass (digests, not token bytes), and the check that
// an anchor row still says what its audit.anchor entry recorded when the anchor was made.
import type { AnchorRow, AuditRow } from './chain.js';
import { sha256 } from './canonical.js';

/** Equality that is false, not a TypeError, when a retyped cell is not a BLOB. */
export function sameBytes(x: unknown, y: Buffer): boolean {
  return Buffer.isBuffer(x) && x.equals(y);
}

export const hexOf = (x: unknown): string => (Buffer.isBuffer(x) ? x.toString('hex') : `(not a BLOB: ${typeof x})`);

/** What the pass keeps of an anchor row: digests instead of the token and certificate bytes. */
export interface AnchorMeta {
  readonly entrySeq: number;
  readonly headSeq: number;
  readonly headHash: unknown;
  readonly kind: string;
  /** null when the token cell is not a BLOB. */
  readonly tokenSha256: string | null;
  /** undefined: no certificate; null: the cell is not a BLOB. */
  readonly signerSha256: string | null | undefined;
  /** The full row, kept only when the source cannot reload it. */
  readonly row?: AnchorRow;
}

export function anchorMeta(a: AnchorRow, keep: boolean): AnchorMeta {
  const signer = a.signerCert === null || a.signerCert === undefined ? undefined : Buffer.isBuffer(a.signerCert) ? sha256(a.signerCert).toString('hex') : null;
  return {
    entrySeq: a.entrySeq,
    headSeq: a.headSeq,
    headHash: a.headHash,
    kind: a.kind,
    tokenSha256: Buffer.isBuffer(a.token) ? sha256(a.token).toString('hex') : null,
    signerSha256: signer,
    ...(keep ? { row: a } : {}),
  };
}

/** Does the anchor row match its audit.anchor entry's detail (head, kind, token and signer digests)? */
export function anchorBindingProblem(row: AuditRow, a: AnchorMeta): string | null {
  let d: Record<string, unknown>;
  try {
    d = JSON.parse(row.detail) as Record<string, unknown>;
  } catch {
    return 'the entry detail is not JSON';
  }
  if (d.headSeq !== a.headSeq) return `head seq ${a.headSeq} vs ${String(d.headSeq)}`;
  if (a.headSeq >= row.seq) return `it anchors seq ${a.headSeq}, not an earlier entry`;
  if (d.headHash !== hexOf(a.headHash)) return 'head hash';
  if (d.kind !== a.kind) return `kind ${a.kind} vs ${String(d.kind)}`;
  if (a.tokenSha256 === null || d.tokenSha256 !== a.tokenSha256) return 'the token bytes (SHA-256 differs)';
  if (a.signerSha256 === null || d.signerSha256 !== a.signerSha256) return 'the signer certificate (SHA-256 differs)';
  return null;
}
