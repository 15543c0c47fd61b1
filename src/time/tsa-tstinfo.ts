// TSTInfo (RFC 3161 §2.4.2), the signed content of a time-stamp token: encode and decode.
//   TSTInfo ::= SEQUENCE { version INTEGER { v1(1) }, policy TSAPolicyId, messageImprint MessageImprint,
//     serialNumber INTEGER, genTime GeneralizedTime, accuracy Accuracy OPTIONAL,
//     ordering BOOLEAN DEFAULT FALSE, nonce INTEGER OPTIONAL, tsa [0] GeneralName OPTIONAL,
//     extensions [1] IMPLICIT Extensions OPTIONAL }
//   Accuracy ::= SEQUENCE { seconds INTEGER OPTIONAL, millis [0] INTEGER (1..999) OPTIONAL,
//     micros [1] INTEGER (1..999) OPTIONAL }            -- the module has IMPLICIT TAGS
import { TsaReject, readMessageImprint, type TsaHashName } from './tsa-algorithms.js';
import {
  DerError, SeqReader, TAG, content, ctx, integer, oid, parseDer, readBoolean, readGeneralizedTime, readInteger, readOid,
  readSmallInt, seq, tlv, type DerNode,
} from '../pki/der.js';
import { MAX_SERIAL_BITS } from './tsa-limits.js';

export interface Accuracy {
  readonly seconds?: number;
  readonly millis?: number;
  readonly micros?: number;
}

export interface TstInfo {
  readonly policy: string;
  readonly hashAlg: TsaHashName;
  readonly digest: Buffer;
  readonly serial: bigint;
  readonly genTime: Date;
  /** genTime as written, with any sub-millisecond digits the Date drops. */
  readonly genTimeText: string;
  readonly accuracy?: Accuracy;
  readonly ordering: boolean;
  readonly nonce?: bigint;
}

/** True when the accuracy is finer than one second, so genTime should carry a fraction. */
export function subSecond(a: Accuracy | undefined): boolean {
  return a !== undefined && !a.seconds && Boolean(a.millis || a.micros);
}

/** GeneralizedTime text per RFC 3161 §2.4.2: UTC, "Z", fraction only when asked for and without
 *  trailing zeros (a whole second has no fraction at all). */
export function formatGenTime(t: Date, withMillis: boolean): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  const base = `${p(t.getUTCFullYear(), 4)}${p(t.getUTCMonth() + 1)}${p(t.getUTCDate())}${p(t.getUTCHours())}${p(t.getUTCMinutes())}${p(t.getUTCSeconds())}`;
  const ms = t.getUTCMilliseconds();
  if (!withMillis || ms === 0) return `${base}Z`;
  return `${base}.${p(ms, 3).replace(/0+$/, '')}Z`;
}

export function encodeAccuracy(a: Accuracy): Buffer | undefined {
  const parts: Buffer[] = [];
  if (a.seconds) parts.push(integer(BigInt(a.seconds)));
  // [0] IMPLICIT INTEGER: the INTEGER's content under a context tag; zero is left out (range 1..999).
  if (a.millis) parts.push(tlv(ctx(0, false), integer(BigInt(a.millis)).subarray(2)));
  if (a.micros) parts.push(tlv(ctx(1, false), integer(BigInt(a.micros)).subarray(2)));
  return parts.length ? seq(...parts) : undefined;
}

export interface TstInfoFields {
  policy: string;
  /** MessageImprint DER, copied from the request (RFC 3161 §2.4.2: "the same value"). */
  messageImprintDer: Buffer;
  serial: bigint;
  genTime: Date;
  /** Pre-encoded Accuracy, or undefined to leave it out. */
  accuracyDer?: Buffer;
  withMillis: boolean;
  /** Nonce INTEGER DER, copied from the request. */
  nonceDer?: Buffer;
}

export function encodeTstInfo(f: TstInfoFields): Buffer {
  const parts = [integer(1n), oid(f.policy), f.messageImprintDer, integer(f.serial), tlv(TAG.GENERALIZED_TIME, Buffer.from(formatGenTime(f.genTime, f.withMillis), 'latin1'))];
  if (f.accuracyDer) parts.push(f.accuracyDer);
  // ordering is DEFAULT FALSE and Ferry never orders, so DER leaves it out (X.690 §11.5).
  if (f.nonceDer) parts.push(f.nonceDer);
  return seq(...parts);
}

function readAccuracyField(n: DerNode, what: string): number {
  const v = readSmallInt({ ...n, tag: TAG.INTEGER }, what);
  if (v < 1 || v > 999) throw new DerError(`${what}: ${v} outside 1..999`);
  return v;
}

function readAccuracy(n: DerNode): Accuracy {
  const r = new SeqReader(n, 'Accuracy');
  const s = r.optional(TAG.INTEGER);
  const ms = r.optional(ctx(0, false));
  const us = r.optional(ctx(1, false));
  r.end();
  const seconds = s ? readSmallInt(s, 'Accuracy.seconds') : undefined;
  if (seconds !== undefined && seconds < 0) throw new DerError('Accuracy.seconds negative');
  return {
    ...(seconds !== undefined ? { seconds } : {}),
    ...(ms ? { millis: readAccuracyField(ms, 'Accuracy.millis') } : {}),
    ...(us ? { micros: readAccuracyField(us, 'Accuracy.micros') } : {}),
  };
}

/** Decode TSTInfo DER. Throws DerError (malformed) or TsaReject (version, algorithm). */
export function decodeTstInfo(der: Buffer): TstInfo {
  const r = new SeqReader(parseDer(der, TAG.SEQUENCE), 'TSTInfo');
  const version = readSmallInt(r.next(TAG.INTEGER, 'version'), 'TSTInfo.version');
  if (version !== 1) throw new TsaReject('FERRY_ERR_TSA_VERSION', `TSTInfo version ${version}, expected 1`);
  const policy = readOid(r.next(TAG.OID, 'policy'), 'TSTInfo.policy');
  const imprint = readMessageImprint(r.next(TAG.SEQUENCE, 'messageImprint'), 'TSTInfo.messageImprint');
  const serialNode = r.next(TAG.INTEGER, 'serialNumber');
  if (content(serialNode).length > MAX_SERIAL_BITS / 8 + 1) throw new DerError('TSTInfo.serialNumber longer than 160 bits');
  const serial = readInteger(serialNode, 'TSTInfo.serialNumber');
  const gen = readGeneralizedTime(r.next(TAG.GENERALIZED_TIME, 'genTime'), 'TSTInfo.genTime');
  const acc = r.optional(TAG.SEQUENCE);
  const ord = r.optional(TAG.BOOLEAN);
  const nonceNode = r.optional(TAG.INTEGER);
  r.optional(ctx(0, true)); // tsa GeneralName: informative only (RFC 3161 §2.4.2), not checked
  r.optional(ctx(1, true)); // extensions: none defined that a verifier must act on
  r.end();
  return {
    policy,
    hashAlg: imprint.hashAlg,
    digest: imprint.digest,
    serial,
    genTime: gen.date,
    genTimeText: gen.text,
    ordering: ord ? readBoolean(ord, 'TSTInfo.ordering') : false,
    ...(acc ? { accuracy: readAccuracy(acc) } : {}),
    ...(nonceNode ? { nonce: readInteger(nonceNode, 'TSTInfo.nonce') } : {}),
  };
}
