// Seal: encrypt a body to the peer's encryption certificate, then sign header and ciphertext.
import { randomBytes } from 'node:crypto';
import { ferry } from '../proto/ferry.js';
import type { SealKeys } from './keyring.js';
import { IV_BYTES, PACKET_ID_BYTES, PROTOCOL_VERSION } from './limits.js';
import { kindValue, type KindName } from './packet-kind.js';
import { deriveKey, encrypt, ephemeralAgreement, signPacket } from './suite.js';

export interface PacketDraft {
  kind: KindName;
  fromDomain: string;
  toDomain: string;
  caseId: string;
  createdAt: Date;
  body: Uint8Array;
  /** Defaults to 16 fresh random bytes. */
  packetId?: Uint8Array;
}

export interface SealedPacket {
  packetId: Buffer;
  bytes: Buffer;
}

/** Test vectors pin the otherwise random inputs. */
export interface SealRandomness { ephemeralPrivateKey: Uint8Array; iv: Uint8Array }

export function sealPacket(draft: PacketDraft, keys: SealKeys, fixed?: SealRandomness): SealedPacket {
  const packetId = Buffer.from(draft.packetId ?? randomBytes(PACKET_ID_BYTES));
  const iv = fixed ? Buffer.from(fixed.iv) : randomBytes(IV_BYTES);
  const eph = ephemeralAgreement(keys.recipientPoint, fixed?.ephemeralPrivateKey);
  const header = Buffer.from(ferry.v1.PacketHeader.encode({
    version: PROTOCOL_VERSION,
    packetId,
    kind: kindValue(draft.kind),
    fromDomain: draft.fromDomain,
    toDomain: draft.toDomain,
    createdAtMs: draft.createdAt.getTime(),
    caseId: draft.caseId,
    senderCertSha256: keys.signCertSha256,
    recipientCertSha256: keys.recipientCertSha256,
    ephemeralPublicKey: eph.publicKey,
    iv,
    bodyLength: draft.body.length,
  }).finish());
  const key = deriveKey(eph.shared, packetId, eph.publicKey, keys.recipientCertSha256);
  const ciphertext = encrypt(key, iv, header, draft.body);
  const signature = signPacket(keys.signKey, header, ciphertext);
  const bytes = Buffer.from(ferry.v1.Packet.encode({
    header, ciphertext, signature, signerCertificate: keys.signCertDer,
  }).finish());
  return { packetId, bytes };
}
