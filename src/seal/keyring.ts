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
  /** Keys this gateway decrypted with before a rotation, each accepted until its grace period ends,
   *  so that packets sealed to the old certificate while the rotation was under way still open. */
  previous?: readonly PreviousOpenKey[];
}

export interface PreviousOpenKey {
  agree(ephemeralPoint: Uint8Array): Buffer;
  encCertSha256: Buffer;
  /** ms since the epoch: after this the key no longer opens anything (WRONG_RECIPIENT, saying so). */
  until: number;
}

/** A decryption key from before a rotation, with the end of its grace period. */
export interface PreviousKey { encKey: KeyObject; encCert: X509Certificate; until: Date }

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

export function openKeys(own: OwnKeys, previous: readonly PreviousKey[] = []): OpenKeys {
  return openKeysFrom(own.encKey, own.encCert, previous);
}

/** The same from the encryption key and certificate alone (a crypto worker has no signing key here). */
export function openKeysFrom(encKey: KeyObject, encCert: X509Certificate, previous: readonly PreviousKey[] = []): OpenKeys {
  const current = agreement(encKey);
  const currentSha = sha256(encCert.raw);
  return {
    agree: current, encCertSha256: currentSha,
    previous: previous.filter((p) => !sha256(p.encCert.raw).equals(currentSha))
      .map((p) => ({ agree: agreement(p.encKey), encCertSha256: sha256(p.encCert.raw), until: p.until.getTime() })),
  };
}

function agreement(key: KeyObject): (point: Uint8Array) => Buffer {
  // One ECDH object per key for the process: setPrivateKey derives the public point, which is not free.
  const ecdh = createECDH(CURVE);
  ecdh.setPrivateKey(ecScalar(key));
  return (point) => ecdh.computeSecret(point);
}
