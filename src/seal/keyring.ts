// The keys and certificates one gateway seals and opens with. Built once at start from files (see
// gateway key loading); seal/ itself does no file I/O.
import { createECDH, createHash, X509Certificate, type KeyObject } from 'node:crypto';
import { CURVE, ecPoint, ecScalar } from './suite.js';

export interface OwnKeys {
  /** Signs every packet this gateway sends. */
  signKey: KeyObject;
  signCert: X509Certificate;
  /** Static ECDH key that peers encrypt to; separate from the signing key (key separation). */
  encKey: KeyObject;
  encCert: X509Certificate;
}

export interface PeerKeys {
  /** The peer's encryption certificate: we encrypt to it. */
  encCert: X509Certificate;
}

export interface SealKeys {
  signKey: KeyObject;
  signCertDer: Buffer;
  signCertSha256: Buffer;
  recipientPoint: Buffer;
  recipientCertSha256: Buffer;
}

export interface OpenKeys {
  /** ECDH with our static encryption key; throws on a point not on the curve. */
  agree(ephemeralPoint: Uint8Array): Buffer;
  encCertSha256: Buffer;
}

export function sha256(data: Uint8Array): Buffer {
  return createHash('sha256').update(data).digest();
}

export function sealKeys(own: OwnKeys, peer: PeerKeys): SealKeys {
  return {
    signKey: own.signKey,
    signCertDer: own.signCert.raw,
    signCertSha256: sha256(own.signCert.raw),
    recipientPoint: ecPoint(peer.encCert.publicKey),
    recipientCertSha256: sha256(peer.encCert.raw),
  };
}

export function openKeys(own: OwnKeys): OpenKeys {
  // One ECDH object for the process: setPrivateKey derives the public point, which is not free.
  const ecdh = createECDH(CURVE);
  ecdh.setPrivateKey(ecScalar(own.encKey));
  return { agree: (point) => ecdh.computeSecret(point), encCertSha256: sha256(own.encCert.raw) };
}
