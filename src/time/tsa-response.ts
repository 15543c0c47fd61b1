// TimeStampResp (RFC 3161 §2.4.2): encode a grant or a rejection; parse one.
//   TimeStampResp ::= SEQUENCE { status PKIStatusInfo, timeStampToken TimeStampToken OPTIONAL }
//   PKIStatusInfo ::= SEQUENCE { status PKIStatus, statusString PKIFreeText OPTIONAL,
//     failInfo PKIFailureInfo OPTIONAL }
import { fail, type FerryErrorCode, type Verdict } from '../errors.js';
import { asVerdict } from './tsa-algorithms.js';
import { SeqReader, TAG, children, content, expect, integer, namedBits, parseDer, raw, readNamedBits, readSmallInt, seq, tlv } from '../pki/der.js';
import { MAX_RESPONSE_BYTES } from './tsa-limits.js';

/** PKIStatus values (RFC 3161 §2.4.2). */
export const PKI_STATUS = { granted: 0, grantedWithMods: 1, rejection: 2, waiting: 3, revocationWarning: 4, revocationNotification: 5 } as const;

/** PKIFailureInfo bit numbers (RFC 3161 §2.4.2). */
export const PKI_FAILURE = {
  badAlg: 0,
  badRequest: 2,
  badDataFormat: 5,
  timeNotAvailable: 14,
  unacceptedPolicy: 15,
  unacceptedExtension: 16,
  addInfoNotAvailable: 17,
  systemFailure: 25,
} as const;

export type PkiFailureName = keyof typeof PKI_FAILURE;

/** Which failure a request rejection code is reported as (RFC 3161 §2.4.2 meanings). */
export function failureFor(code: FerryErrorCode): PkiFailureName {
  switch (code) {
    case 'FERRY_ERR_TSA_BAD_ALG':
      return 'badAlg'; // "unrecognized or unsupported Algorithm Identifier"
    case 'FERRY_ERR_TSA_POLICY':
      return 'unacceptedPolicy';
    case 'FERRY_ERR_TSA_EXTENSION':
      return 'unacceptedExtension';
    case 'FERRY_ERR_TSA_TOO_LARGE':
      return 'badRequest'; // "transaction not permitted or supported": we refuse to read it at all
    case 'FERRY_ERR_TSA_MALFORMED':
    case 'FERRY_ERR_TSA_VERSION':
    case 'FERRY_ERR_TSA_DIGEST_LENGTH':
      return 'badDataFormat'; // "the data submitted has the wrong format"
    default:
      return 'systemFailure';
  }
}

export function encodeGranted(tokenDer: Buffer): Buffer {
  return seq(seq(integer(BigInt(PKI_STATUS.granted))), tokenDer);
}

export function encodeRejection(failure: PkiFailureName, text: string): Buffer {
  const statusString = seq(tlv(TAG.UTF8_STRING, Buffer.from(text, 'utf8')));
  return seq(seq(integer(BigInt(PKI_STATUS.rejection)), statusString, namedBits([PKI_FAILURE[failure]])));
}

export interface TimeStampResponse {
  readonly status: number;
  readonly statusText: string[];
  readonly failures: PkiFailureName[];
  /** The token's exact bytes (ContentInfo), when the status carries one. */
  readonly tokenDer?: Buffer;
}

export function parseTimeStampResp(der: Buffer): Verdict<TimeStampResponse> {
  if (der.length > MAX_RESPONSE_BYTES) return fail('FERRY_ERR_TSA_TOO_LARGE', `response is ${der.length} bytes, limit ${MAX_RESPONSE_BYTES}`);
  return asVerdict(() => {
    const r = new SeqReader(parseDer(der, TAG.SEQUENCE), 'TimeStampResp');
    const s = new SeqReader(r.next(TAG.SEQUENCE, 'status'), 'PKIStatusInfo');
    const status = readSmallInt(s.next(TAG.INTEGER, 'status'), 'PKIStatusInfo.status');
    const textNode = s.optional(TAG.SEQUENCE);
    const infoNode = s.optional(TAG.BIT_STRING);
    s.end();
    const token = r.optional(TAG.SEQUENCE);
    r.end();
    const statusText = textNode ? children(textNode).map((n) => content(expect(n, TAG.UTF8_STRING, 'PKIFreeText')).toString('utf8')) : [];
    const bits = infoNode ? readNamedBits(infoNode, 'PKIFailureInfo') : new Set<number>();
    const failures = (Object.keys(PKI_FAILURE) as PkiFailureName[]).filter((k) => bits.has(PKI_FAILURE[k]));
    return { status, statusText, failures, ...(token ? { tokenDer: raw(token) } : {}) };
  });
}
