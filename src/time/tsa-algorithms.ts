// The hash algorithms the TSA accepts, and the MessageImprint (RFC 3161 §2.4.1).
import { OID } from '../pki/oids.js';
import { FerryError, fail, type FerryErrorCode, type Verdict } from '../errors.js';
import { DerError, SeqReader, TAG, oid, octets, raw, readNull, readOctets, readOid, seq, type DerNode } from '../pki/der.js';

export type TsaHashName = 'SHA-256' | 'SHA-384' | 'SHA-512';

interface HashSpec {
  readonly oid: string;
  readonly node: 'sha256' | 'sha384' | 'sha512';
  readonly length: number;
}

/** The imprint algorithms Ferry accepts. SHA-1 and MD5 are refused (badAlg): RFC 5816 §1 moves TSAs
 *  off SHA-1, and a colliding imprint would let one token vouch for two documents. */
export const HASHES: Readonly<Record<TsaHashName, HashSpec>> = {
  'SHA-256': { oid: OID.sha256, node: 'sha256', length: 32 },
  'SHA-384': { oid: OID.sha384, node: 'sha384', length: 48 },
  'SHA-512': { oid: OID.sha512, node: 'sha512', length: 64 },
};

export function hashByOid(o: string): TsaHashName | undefined {
  for (const [name, spec] of Object.entries(HASHES) as [TsaHashName, HashSpec][]) if (spec.oid === o) return name;
  return undefined;
}

/** A rejection with a Ferry code, thrown inside the parsers and turned into a Verdict at their edge. */
export class TsaReject extends Error {
  override readonly name = 'TsaReject';
  constructor(readonly code: FerryErrorCode, detail: string) {
    super(detail);
  }
}

/** Run a parser; DER faults become FERRY_ERR_TSA_MALFORMED, rejections keep their code, bugs rethrow. */
export function asVerdict<T>(fn: () => T): Verdict<T> {
  try {
    return { ok: true, value: fn() };
  } catch (e) {
    if (e instanceof DerError) return fail('FERRY_ERR_TSA_MALFORMED', e.message);
    if (e instanceof TsaReject) return fail(e.code, e.message);
    throw e;
  }
}

/** AlgorithmIdentifier for a SHA-2 hash. RFC 5754 §2: parameters absent when generating. */
export function hashAlgorithmDer(h: TsaHashName): Buffer {
  return seq(oid(HASHES[h].oid));
}

/** Read a hash AlgorithmIdentifier: one of HASHES, parameters absent or NULL (RFC 5754 §2). */
export function readHashAlgorithm(n: DerNode, what: string): TsaHashName {
  const r = new SeqReader(n, what);
  const o = readOid(r.next(TAG.OID, 'algorithm'), `${what}.algorithm`);
  const params = r.any();
  if (params) readNull(params, `${what}.parameters`);
  r.end();
  const h = hashByOid(o);
  if (!h) throw new TsaReject('FERRY_ERR_TSA_BAD_ALG', `${what}: hash algorithm ${o} is not accepted (SHA-256/384/512 only)`);
  return h;
}

export interface MessageImprint {
  readonly hashAlg: TsaHashName;
  readonly digest: Buffer;
  /** The exact received encoding; RFC 3161 §2.4.2 has the TSTInfo carry "the same value". */
  readonly der: Buffer;
}

/** For Ferry's own requests and tokens: a digest of the wrong length is a caller bug, so it throws
 *  FerryError FERRY_ERR_TSA_DIGEST_LENGTH (hostile input goes through readMessageImprint instead). */
export function encodeMessageImprint(h: TsaHashName, digest: Buffer): Buffer {
  if (digest.length !== HASHES[h].length) {
    throw new FerryError('FERRY_ERR_TSA_DIGEST_LENGTH', `a ${h} digest is ${HASHES[h].length} bytes, got ${digest.length}`);
  }
  return seq(hashAlgorithmDer(h), octets(digest));
}

export function readMessageImprint(n: DerNode, what: string): MessageImprint {
  const r = new SeqReader(n, what);
  const hashAlg = readHashAlgorithm(r.next(TAG.SEQUENCE, 'hashAlgorithm'), `${what}.hashAlgorithm`);
  const digest = readOctets(r.next(TAG.OCTET_STRING, 'hashedMessage'), `${what}.hashedMessage`);
  r.end();
  if (digest.length !== HASHES[hashAlg].length) {
    throw new TsaReject('FERRY_ERR_TSA_DIGEST_LENGTH', `a ${hashAlg} digest is ${HASHES[hashAlg].length} bytes, got ${digest.length}`);
  }
  return { hashAlg, digest, der: raw(n) };
}
