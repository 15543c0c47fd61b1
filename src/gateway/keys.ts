// Loads a gateway's own keys and its peer's certificates from the files named in config, with the
// key-file permission checks, and builds the seal/open key material once.
import { readFileSync } from 'node:fs';
import { loadCertificate, loadCertificates, loadPrivateKey } from '../pki/key-files.js';
import { openKeys, sealKeys, type OpenKeys, type OwnKeys, type SealKeys } from '../seal/keyring.js';
import { SignerTrust } from '../seal/signer-trust.js';
import { loadPreviousKeys, type PreviousKeyFiles } from './previous-keys.js';
import type { TlsMaterial } from '../link/tls-material.js';

export interface KeyFiles extends PreviousKeyFiles { ca: string; signCert: string; signKey: string; encCert: string; encKey: string }
export interface PeerFiles { encCert: string; signerSubjects: readonly string[]; signerSha256: readonly string[] }

export interface GatewayKeys {
  seal: SealKeys;
  open: OpenKeys;
  signers: SignerTrust;
}

export function loadGatewayKeys(own: KeyFiles, peer: PeerFiles): GatewayKeys {
  const roots = loadCertificates(own.ca);
  const mine: OwnKeys = {
    signKey: loadPrivateKey(own.signKey), signCert: loadCertificate(own.signCert),
    encKey: loadPrivateKey(own.encKey), encCert: loadCertificate(own.encCert),
  };
  const peerEnc = loadCertificate(peer.encCert);
  return {
    seal: sealKeys(mine, { encCert: peerEnc }),
    open: openKeys(mine, loadPreviousKeys(own, mine.encCert)),
    signers: new SignerTrust({ roots, expectedSubjects: peer.signerSubjects, pinnedSha256: peer.signerSha256 }),
  };
}

/** TLS material for a listener or the link; the key file gets the same permission check. */
export function loadTls(files: { cert: string; key: string }, caFile: string): TlsMaterial {
  loadPrivateKey(files.key); // refuses a group/world-readable key before TLS ever sees it
  return { key: readFileSync(files.key), cert: readFileSync(files.cert), ca: readFileSync(caFile) };
}
