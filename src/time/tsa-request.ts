// TimeStampReq (RFC 3161 §2.4.1): parse a client's request into a verdict; build one for Ferry's own use.
//   TimeStampReq ::= SEQUENCE { version INTEGER { v1(1) }, messageImprint MessageImprint,
//     reqPolicy TSAPolicyId OPTIONAL, nonce INTEGER OPTIONAL, certReq BOOLEAN DEFAULT FALSE,
//     extensions [0] IMPLICIT Extensions OPTIONAL }
import { FerryError, fail, type Verdict } from '../errors.js';
import { TsaReject, asVerdict, encodeMessageImprint, readMessageImprint, type TsaHashName } from './tsa-algorithms.js';
import { SeqReader, TAG, boolean, content, ctx, integer, oid, parseDer, raw, readBoolean, readInteger, readOid, readSmallInt, seq, isOidText } from '../pki/der.js';
import { MAX_NONCE_BYTES, MAX_REQUEST_BYTES } from './tsa-limits.js';

export interface TimeStampRequest {
  readonly hashAlg: TsaHashName;
  readonly digest: Buffer;
  /** The MessageImprint exactly as received, to be copied into the TSTInfo. */
  readonly messageImprintDer: Buffer;
  readonly reqPolicy?: string;
  readonly nonce?: bigint;
  /** The nonce INTEGER exactly as received (tag and length included), echoed byte for byte. */
  readonly nonceDer?: Buffer;
  readonly certReq: boolean;
}

/** Parse a DER TimeStampReq. Codes: TOO_LARGE, MALFORMED, VERSION, BAD_ALG, DIGEST_LENGTH, EXTENSION. */
export function parseTimeStampReq(der: Buffer): Verdict<TimeStampRequest> {
  if (der.length > MAX_REQUEST_BYTES) return fail('FERRY_ERR_TSA_TOO_LARGE', `request is ${der.length} bytes, limit ${MAX_REQUEST_BYTES}`);
  return asVerdict(() => {
    const r = new SeqReader(parseDer(der, TAG.SEQUENCE), 'TimeStampReq');
    const version = readSmallInt(r.next(TAG.INTEGER, 'version'), 'TimeStampReq.version');
    if (version !== 1) throw new TsaReject('FERRY_ERR_TSA_VERSION', `TimeStampReq version ${version}, expected 1`);
    const imprint = readMessageImprint(r.next(TAG.SEQUENCE, 'messageImprint'), 'TimeStampReq.messageImprint');
    const policyNode = r.optional(TAG.OID);
    const nonceNode = r.optional(TAG.INTEGER);
    const certReqNode = r.optional(TAG.BOOLEAN);
    // RFC 3161 §2.4.2 unacceptedExtension: we recognise none, so any extension is refused.
    if (r.optional(ctx(0, true))) throw new TsaReject('FERRY_ERR_TSA_EXTENSION', 'the request carries extensions; none are supported');
    r.end();
    let nonce: bigint | undefined;
    if (nonceNode) {
      if (content(nonceNode).length > MAX_NONCE_BYTES) {
        throw new TsaReject('FERRY_ERR_TSA_TOO_LARGE', `nonce is ${content(nonceNode).length} bytes, limit ${MAX_NONCE_BYTES}`);
      }
      nonce = readInteger(nonceNode, 'TimeStampReq.nonce');
    }
    const out: TimeStampRequest = {
      hashAlg: imprint.hashAlg,
      digest: imprint.digest,
      messageImprintDer: imprint.der,
      certReq: certReqNode ? readBoolean(certReqNode, 'TimeStampReq.certReq') : false,
      ...(policyNode ? { reqPolicy: readOid(policyNode, 'TimeStampReq.reqPolicy') } : {}),
      ...(nonceNode ? { nonce: nonce!, nonceDer: raw(nonceNode) } : {}),
    };
    return out;
  });
}

/** A nonce given as bytes is an unsigned big-endian number (what a random generator gives). */
export function nonceValue(n: bigint | Buffer): bigint {
  if (typeof n === 'bigint') return n;
  return n.length === 0 ? 0n : BigInt(`0x${n.toString('hex')}`);
}

/** The nonce INTEGER for Ferry's own requests and tokens; throws FerryError for a negative or
 *  over-long one (a caller bug). */
export function encodeNonce(nonce: bigint | Buffer): Buffer {
  const n = nonceValue(nonce);
  if (n < 0n) throw new FerryError('FERRY_ERR_TSA_NONCE', 'a nonce must not be negative');
  const der = integer(n);
  if (content(parseDer(der)).length > MAX_NONCE_BYTES) throw new FerryError('FERRY_ERR_TSA_NONCE', `nonce longer than ${MAX_NONCE_BYTES} bytes`);
  return der;
}

export interface BuildRequestOptions {
  /** Default SHA-256; the digest length must fit. */
  hashAlg?: TsaHashName;
  /** RFC 3161 §2.4.1: a large random number; strongly advised when the requester has no trusted clock. */
  nonce?: bigint | Buffer;
  /** Ask the TSA to include its certificate in the token. */
  certReq?: boolean;
  reqPolicy?: string;
}

/** Build a DER TimeStampReq (version 1). Throws FerryError on bad arguments: this is Ferry's own call. */
export function buildTimeStampReq(digest: Buffer, opts: BuildRequestOptions = {}): Buffer {
  const h = opts.hashAlg ?? 'SHA-256';
  const parts = [integer(1n), encodeMessageImprint(h, digest)];
  if (opts.reqPolicy !== undefined) {
    if (!isOidText(opts.reqPolicy)) throw new FerryError('FERRY_ERR_TSA_POLICY', `not an OID: ${opts.reqPolicy}`);
    parts.push(oid(opts.reqPolicy));
  }
  if (opts.nonce !== undefined) parts.push(encodeNonce(opts.nonce));
  // DER (X.690 §11.5): a DEFAULT FALSE is left out rather than encoded.
  if (opts.certReq) parts.push(boolean(true));
  return seq(...parts);
}
