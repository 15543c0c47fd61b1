// Packets the way a compromised or broken external gateway could make them: the real v1 suite
// (src/seal/suite.ts) with header fields a correct sealer never writes. Everything not overridden is
// what sealPacket would write, so each forgery differs from a valid packet in one field.
import { randomBytes } from 'node:crypto';
import { ferry } from '../../src/proto/ferry.js';
import type { SealKeys } from '../../src/seal/keyring.js';
import { kindValue } from '../../src/seal/packet-kind.js';
import type { PacketDraft, SealedPacket } from '../../src/seal/seal.js';
import { deriveKey, encrypt, ephemeralAgreement, signPacket } from '../../src/seal/suite.js';

export interface HeaderOverrides {
  version?: number;
  kind?: number;
  createdAtMs?: number;
  senderCertSha256?: Buffer;
  bodyLength?: number;
}

export function sealForged(draft: PacketDraft, keys: SealKeys, over: HeaderOverrides): SealedPacket {
  const packetId = Buffer.from(draft.packetId ?? randomBytes(16));
  const iv = randomBytes(12);
  const eph = ephemeralAgreement(keys.recipientPoint);
  const header = Buffer.from(ferry.v1.PacketHeader.encode({
    version: over.version ?? 1,
    packetId,
    kind: over.kind ?? kindValue(draft.kind),
    fromDomain: draft.fromDomain,
    toDomain: draft.toDomain,
    createdAtMs: over.createdAtMs ?? draft.createdAt.getTime(),
    caseId: draft.caseId,
    senderCertSha256: over.senderCertSha256 ?? keys.signCertSha256,
    recipientCertSha256: keys.recipientCertSha256,
    ephemeralPublicKey: eph.publicKey,
    iv,
    bodyLength: over.bodyLength ?? draft.body.length,
  }).finish());
  const ciphertext = encrypt(deriveKey(eph.shared, packetId, eph.publicKey, keys.recipientCertSha256), iv, header, draft.body);
  const signature = signPacket(keys.signKey, header, ciphertext);
  return { packetId, bytes: Buffer.from(ferry.v1.Packet.encode({ header, ciphertext, signature, signerCertificate: keys.signCertDer }).finish()) };
}

/** The same packet with one bit of its ciphertext flipped: the signature covers it. */
export function flipCiphertextBit(bytes: Buffer): Buffer {
  const p = ferry.v1.Packet.decode(bytes);
  const c = Buffer.from(p.ciphertext);
  c[0] = c[0]! ^ 0x01;
  p.ciphertext = c;
  return Buffer.from(ferry.v1.Packet.encode(p).finish());
}
