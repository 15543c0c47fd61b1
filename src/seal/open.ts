// Open: check the signer and the signature over the exact received bytes BEFORE decoding the header
// or decrypting; only then decrypt. Every failure is a value with its own code, never an exception.
import { ferry } from '../proto/ferry.js';
import { fail, type FerryErrorCode } from '../errors.js';
import type { OpenKeys } from './keyring.js';
import {
  DEFAULT_MAX_BODY_BYTES, DEFAULT_MAX_PACKET_BYTES, EC_POINT_BYTES, GCM_TAG_BYTES, IV_BYTES, MAX_CERT_BYTES,
  MAX_HEADER_BYTES, MAX_SIGNATURE_BYTES, MAX_TOKEN_BYTES, PACKET_ID_BYTES, PROTOCOL_VERSION, SHA256_BYTES,
} from './limits.js';
import { kindName, type KindName } from './packet-kind.js';
import type { SignerTrust } from './signer-trust.js';
import { decrypt, deriveKey, verifyPacket } from './suite.js';
import { timingSafeEqual } from 'node:crypto';

export interface OpenedPacket {
  packetId: Buffer;
  kind: KindName;
  fromDomain: string;
  toDomain: string;
  caseId: string;
  createdAt: Date;
  body: Buffer;
  signerSubject: string;
  /** The signer's certificate (DER) as the packet carried it: a packet opened in the crypto worker is
   *  judged again on the main thread against the live trust (revocation, reloaded roots). */
  signerCertificate?: Buffer;
  timestampToken: Buffer | null;
}

export type OpenResult =
  | { ok: true; packet: OpenedPacket }
  | { ok: false; code: FerryErrorCode; detail: string; packetId?: string };

export interface OpenContext {
  keys: OpenKeys;
  signers: SignerTrust;
  now: Date;
  maxPacketBytes?: number;
  maxBodyBytes?: number;
}

/** The decryption key the header names: the current one, or a previous one inside its grace period
 *  (key rotation with overlap: packets sealed to the old certificate before the sender switched). */
function recipientKey(keys: OpenKeys, named: Uint8Array, now: Date): { ok: true; agree: OpenKeys['agree'] } | { ok: false; detail: string } {
  if (timingSafeEqual(named, keys.encCertSha256)) return { ok: true, agree: keys.agree };
  const hex = Buffer.from(named).toString('hex');
  for (const p of keys.previous ?? []) {
    if (!timingSafeEqual(named, p.encCertSha256)) continue;
    // Written as "not inside" so that an Invalid Date fails closed.
    if (!(now.getTime() <= p.until)) return { ok: false, detail: `encrypted to the previous certificate sha256:${hex}, whose grace period ended ${new Date(p.until).toISOString()}` };
    return { ok: true, agree: p.agree };
  }
  return { ok: false, detail: `encrypted to sha256:${hex}, not the current certificate sha256:${keys.encCertSha256.toString('hex')}${keys.previous?.length ? ' nor a previous one' : ''}` };
}

export function openPacket(bytes: Uint8Array, ctx: OpenContext): OpenResult {
  if (bytes.length > (ctx.maxPacketBytes ?? DEFAULT_MAX_PACKET_BYTES)) {
    return fail('FERRY_ERR_SEAL_TOO_LARGE', `packet of ${bytes.length} bytes exceeds the limit`);
  }
  let outer: ferry.v1.Packet;
  try {
    outer = ferry.v1.Packet.decode(bytes);
  } catch (e) {
    return fail('FERRY_ERR_SEAL_MALFORMED', `envelope does not decode: ${(e as Error).message}`);
  }
  const { header, ciphertext, signature, signerCertificate, timestampToken } = outer;
  if (header.length === 0 || header.length > MAX_HEADER_BYTES) return fail('FERRY_ERR_SEAL_MALFORMED', `header length ${header.length}`);
  if (ciphertext.length < GCM_TAG_BYTES) return fail('FERRY_ERR_SEAL_MALFORMED', `ciphertext length ${ciphertext.length}`);
  if (signature.length === 0 || signature.length > MAX_SIGNATURE_BYTES) return fail('FERRY_ERR_SEAL_MALFORMED', `signature length ${signature.length}`);
  if (signerCertificate.length === 0 || signerCertificate.length > MAX_CERT_BYTES) return fail('FERRY_ERR_SEAL_MALFORMED', `signer certificate length ${signerCertificate.length}`);
  if (timestampToken.length > MAX_TOKEN_BYTES) return fail('FERRY_ERR_SEAL_MALFORMED', `token length ${timestampToken.length}`);

  // The creation time is needed to judge the signer's validity, but the header is not yet verified:
  // judge the certificate at `now` first (chain, identity, usage), verify, and only then use createdAt.
  const early = ctx.signers.check(signerCertificate, ctx.now, ctx.now);
  if (!early.ok) return early;
  const signer = early.value;
  if (!verifyPacket(signer.publicKey, header, ciphertext, signature)) {
    return fail('FERRY_ERR_SEAL_BAD_SIGNATURE', `signature by ${signer.subject} does not verify`);
  }

  let h: ferry.v1.PacketHeader;
  try {
    h = ferry.v1.PacketHeader.decode(header);
  } catch (e) {
    return fail('FERRY_ERR_SEAL_MALFORMED', `signed header does not decode: ${(e as Error).message}`);
  }
  const packetId = Buffer.from(h.packetId);
  const id = packetId.toString('hex');
  const bad = (code: FerryErrorCode, detail: string): OpenResult => ({ ok: false, code, detail, packetId: id });
  if (h.version !== PROTOCOL_VERSION) return bad('FERRY_ERR_SEAL_VERSION', `header version ${h.version}`);
  if (packetId.length !== PACKET_ID_BYTES) return bad('FERRY_ERR_SEAL_MALFORMED', `packet id length ${packetId.length}`);
  if (h.iv.length !== IV_BYTES || h.ephemeralPublicKey.length !== EC_POINT_BYTES
    || h.senderCertSha256.length !== SHA256_BYTES || h.recipientCertSha256.length !== SHA256_BYTES) {
    return bad('FERRY_ERR_SEAL_MALFORMED', 'a fixed-length header field has the wrong length');
  }
  const kind = kindName(h.kind);
  if (!kind) return bad('FERRY_ERR_SEAL_MALFORMED', `unknown packet kind ${h.kind}`);
  if (!timingSafeEqual(h.senderCertSha256, signer.sha256)) {
    return bad('FERRY_ERR_SEAL_SIGNER_MISMATCH', 'header names another signer certificate than the one attached');
  }
  const recipient = recipientKey(ctx.keys, h.recipientCertSha256, ctx.now);
  if (!recipient.ok) return bad('FERRY_ERR_SEAL_WRONG_RECIPIENT', recipient.detail);
  // uint64 decodes to a Long object at run time (protobufjs picks up the installed `long` package;
  // the generated typing says number). `new Date(Long)` is an Invalid Date, whose NaN compares false
  // with every bound and so passed the validity check: convert explicitly, refuse what is not a time.
  const createdAtMs = Number(h.createdAtMs);
  const createdAt = new Date(createdAtMs);
  if (!Number.isSafeInteger(createdAtMs) || Number.isNaN(createdAt.getTime())) {
    return bad('FERRY_ERR_SEAL_MALFORMED', `created_at_ms ${String(h.createdAtMs)} is not a representable time`);
  }
  const atCreation = ctx.signers.check(signerCertificate, createdAt, ctx.now);
  if (!atCreation.ok) return { ...atCreation, packetId: id };
  if (h.bodyLength > (ctx.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES)
    || h.bodyLength !== ciphertext.length - GCM_TAG_BYTES) {
    return bad('FERRY_ERR_SEAL_TOO_LARGE', `declared body length ${h.bodyLength} vs ciphertext ${ciphertext.length}`);
  }

  let shared: Buffer;
  try {
    shared = recipient.agree(h.ephemeralPublicKey);
  } catch {
    return bad('FERRY_ERR_SEAL_MALFORMED', 'ephemeral public key is not a P-256 point');
  }
  const key = deriveKey(shared, packetId, h.ephemeralPublicKey, h.recipientCertSha256);
  const body = decrypt(key, h.iv, header, ciphertext);
  if (!body) return bad('FERRY_ERR_SEAL_DECRYPT', 'AES-GCM tag does not authenticate');
  return {
    ok: true,
    packet: {
      packetId, kind, fromDomain: h.fromDomain, toDomain: h.toDomain, caseId: h.caseId, createdAt, body,
      signerSubject: signer.subject, signerCertificate: Buffer.from(signerCertificate), timestampToken: timestampToken.length ? Buffer.from(timestampToken) : null,
    },
  };
}
