// The v1 algorithm suite: ECDSA P-256/SHA-256 signatures over header and ciphertext, and per-packet
// ECDH P-256 (ephemeral-static) + HKDF-SHA256 + AES-256-GCM with the header as associated data.
// docs/PROTOCOL.md §3 specifies it byte by byte; test/seal/vector.test.ts pins it.
import { createCipheriv, createDecipheriv, createECDH, hkdfSync, sign, verify, type KeyObject } from 'node:crypto';
import { GCM_TAG_BYTES } from './limits.js';

export const SIGNING_CONTEXT = Buffer.from('FERRY-PACKET-V1\0', 'latin1'); // 16 bytes, domain separation
export const KDF_INFO_PREFIX = Buffer.from('ferry/v1/seal', 'latin1');
export const CURVE = 'prime256v1';

/** SIGNING_CONTEXT || uint32be(len(header)) || header || ciphertext. The length prefix stops bytes
 *  from moving between header and ciphertext. */
export function signingInput(header: Uint8Array, ciphertext: Uint8Array): Buffer {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(header.length);
  return Buffer.concat([SIGNING_CONTEXT, len, header, ciphertext]);
}

export function signPacket(key: KeyObject, header: Uint8Array, ciphertext: Uint8Array): Buffer {
  return sign('sha256', signingInput(header, ciphertext), { key, dsaEncoding: 'der' });
}

export function verifyPacket(publicKey: KeyObject, header: Uint8Array, ciphertext: Uint8Array, sig: Uint8Array): boolean {
  try {
    return verify('sha256', signingInput(header, ciphertext), { key: publicKey, dsaEncoding: 'der' }, sig);
  } catch {
    return false; // a malformed DER signature is a failed verification, not a crash
  }
}

/** HKDF-SHA256(ikm = ECDH secret, salt = packet id, info = prefix || ephemeral point || recipient cert hash). */
export function deriveKey(shared: Uint8Array, packetId: Uint8Array, ephemeral: Uint8Array, recipientCertSha256: Uint8Array): Buffer {
  const info = Buffer.concat([KDF_INFO_PREFIX, ephemeral, recipientCertSha256]);
  return Buffer.from(hkdfSync('sha256', shared, packetId, info, 32));
}

export interface Ephemeral { publicKey: Buffer; shared: Buffer }

/** A fresh key pair per packet, so one leaked packet key reveals nothing of another packet. */
export function ephemeralAgreement(recipientPoint: Uint8Array, privateKey?: Uint8Array): Ephemeral {
  const ecdh = createECDH(CURVE);
  if (privateKey) ecdh.setPrivateKey(privateKey);
  else ecdh.generateKeys();
  return { publicKey: ecdh.getPublicKey(), shared: ecdh.computeSecret(recipientPoint) };
}

export function encrypt(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, plaintext: Uint8Array): Buffer {
  const c = createCipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
  c.setAAD(aad);
  return Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()]);
}

/** Returns null when the tag does not authenticate. */
export function decrypt(key: Uint8Array, iv: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Buffer | null {
  if (sealed.length < GCM_TAG_BYTES) return null;
  const body = sealed.subarray(0, sealed.length - GCM_TAG_BYTES);
  const tag = sealed.subarray(sealed.length - GCM_TAG_BYTES);
  try {
    const d = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: GCM_TAG_BYTES });
    d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(body), d.final()]);
  } catch {
    return null;
  }
}

/** Uncompressed P-256 point (0x04 || X || Y) of an EC public or private KeyObject. */
export function ecPoint(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.x || !jwk.y) throw new Error('not a P-256 key');
  return Buffer.concat([Buffer.from([4]), Buffer.from(jwk.x, 'base64url'), Buffer.from(jwk.y, 'base64url')]);
}

/** The raw 32-byte scalar of an EC private KeyObject, for node's ECDH class. */
export function ecScalar(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (jwk.kty !== 'EC' || jwk.crv !== 'P-256' || !jwk.d) throw new Error('not a P-256 private key');
  return Buffer.from(jwk.d, 'base64url');
}
