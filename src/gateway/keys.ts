// Loads a gateway's own keys and its peer's certificates from the files named in config, once, with
// the key-file permission checks, and refuses to go on with a key that cannot do its job: every key
// and certificate is checked against its role (src/pki/role-fit.ts: key type and curve, the key
// matching its certificate, role marker, key usage and EKU, chain to the configured CA) before the
// gateway opens a port, and the refusal names the file and the reason (issue 13, loss #2).
import type { KeyObject, X509Certificate } from 'node:crypto';
import { FerryError } from '../errors.js';
import { loadCertificates, loadPrivateKey, readCertificateFile } from '../pki/key-files.js';
import { toPem } from '../pki/pem.js';
import { keyMatchesCertificate, roleFit, type RoleFitInput } from '../pki/role-fit.js';
import type { FerryRole } from '../pki/roles.js';
import { openKeys, sealKeys, type OpenKeys, type PreviousKey, type SealKeys } from '../seal/keyring.js';
import { SignerTrust, type SignerPolicy } from '../seal/signer-trust.js';
import type { RevocationCheck } from '../pki/revocation.js';
import { loadPreviousKeys, type PreviousKeyFiles } from './previous-keys.js';
import type { TlsMaterial } from '../link/tls-material.js';

export interface KeyFiles extends PreviousKeyFiles { ca: string; signCert: string; signKey: string; encCert: string; encKey: string }
export interface PeerFiles { encCert: string; signerSubjects: readonly string[]; signerSha256: readonly string[] }

export interface GatewayKeys {
  seal: SealKeys;
  open: OpenKeys;
  signers: SignerTrust;
  /** The material itself, for the callers that sign other things with it (audit anchors, result
   *  tokens) or show it: taken from here, never read from the files again. */
  signKey: KeyObject;
  signCert: X509Certificate;
  encCert: X509Certificate;
  /** The peer's encryption certificate (what packets are sealed to). */
  peerEncCert: X509Certificate;
  /** The configured CA certificates, and the same as PEM for TLS `ca` options. */
  ca: readonly X509Certificate[];
  caPem: Buffer;
  /** What a crypto worker needs to open exactly as `open` and `signers` do (crypto-pool.ts). */
  openMaterial: { encKey: KeyObject; previous: readonly PreviousKey[]; signerPolicy: SignerPolicy };
}

export interface LoadOptions {
  /** The instant certificates must be valid at (default: now, at start). */
  readonly at?: Date;
  /** false only for tools that load deliberately unfit material (tests forging packets). */
  readonly roleChecks?: boolean;
  /** The gateway's CRLs: packet signers are checked against them on every packet. */
  readonly revocation?: RevocationCheck;
}

/** A leaf certificate file may carry its chain after the leaf; those are offered as intermediates. */
interface CertFile { leaf: X509Certificate; intermediates: X509Certificate[]; bytes: Buffer }

function readLeaf(path: string): CertFile {
  const { bytes, certs } = readCertificateFile(path);
  const [leaf, ...intermediates] = certs;
  if (!leaf) throw new FerryError('FERRY_ERR_PKI_CERT_FILE', `${path} contains no certificate`);
  return { leaf, intermediates, bytes };
}

/** Throws the role check's refusal as a FerryError naming the file it is about. */
export function requireRoleFit(input: RoleFitInput, files: { key?: string; cert: string }): void {
  const v = roleFit(input);
  if (v.ok) return;
  const file = v.about === 'key' && files.key ? files.key : v.about === 'pair' && files.key ? `${files.key} (with ${files.cert})` : files.cert;
  throw new FerryError(v.code, `${file}: not usable as the ${input.role} ${v.about === 'key' ? 'key' : 'certificate'}: ${v.detail}`);
}

export function loadGatewayKeys(own: KeyFiles, peer: PeerFiles, opts: LoadOptions = {}): GatewayKeys {
  const at = opts.at ?? new Date();
  const ca = loadCertificates(own.ca);
  const signKey = loadPrivateKey(own.signKey);
  const sign = readLeaf(own.signCert);
  const encKey = loadPrivateKey(own.encKey);
  const enc = readLeaf(own.encCert);
  const peerEnc = readLeaf(peer.encCert);
  if (opts.roleChecks !== false) {
    requireRoleFit({ role: 'packet-signer', key: signKey, cert: sign.leaf, ca, intermediates: sign.intermediates, at }, { key: own.signKey, cert: own.signCert });
    requireRoleFit({ role: 'packet-encryption', key: encKey, cert: enc.leaf, ca, intermediates: enc.intermediates, at }, { key: own.encKey, cert: own.encCert });
    requireRoleFit({ role: 'packet-encryption', cert: peerEnc.leaf, ca, intermediates: peerEnc.intermediates, at }, { cert: peer.encCert });
  }
  const mine = { signKey, signCert: sign.leaf, encKey, encCert: enc.leaf };
  const previous = loadPreviousKeys(own, mine.encCert);
  const signerPolicy: SignerPolicy = { roots: ca, expectedSubjects: peer.signerSubjects, pinnedSha256: peer.signerSha256, ...(opts.revocation ? { revocation: opts.revocation } : {}) };
  return {
    seal: sealKeys(mine, { encCert: peerEnc.leaf }),
    open: openKeys(mine, previous),
    signers: new SignerTrust(signerPolicy),
    openMaterial: { encKey, previous, signerPolicy },
    signKey, signCert: sign.leaf, encCert: enc.leaf, peerEncCert: peerEnc.leaf, ca,
    caPem: Buffer.from(ca.map((c) => toPem(c.raw, 'CERTIFICATE')).join(''), 'latin1'),
  };
}

/** TLS material as loaded: what TLS takes, and the leaf certificate for those who show or pin it. */
export interface LoadedTls extends TlsMaterial { leaf: X509Certificate }

/**
 * TLS material for a listener or the link, each file read once. The key file gets the same permission
 * check as the packet keys, and always has to belong to the certificate. With `role` (the link and the
 * intranet listener, whose certificates the deployment CA issues) the certificate is checked for that
 * role and its chain to the CA as well; the applicant API may carry a certificate of a public CA.
 * `ca` is the CA file, or the already-loaded gateway keys.
 */
export function loadTls(files: { cert: string; key: string }, ca: string | GatewayKeys, role?: FerryRole, at = new Date()): LoadedTls {
  const key = loadPrivateKey(files.key); // refuses a group/world-readable key before TLS ever sees it
  const cert = readLeaf(files.cert);
  const roots = typeof ca === 'string' ? loadCertificates(ca) : ca.ca;
  if (role) {
    requireRoleFit({ role, key, cert: cert.leaf, ca: roots, intermediates: cert.intermediates, at }, { key: files.key, cert: files.cert });
  } else if (!keyMatchesCertificate(key, cert.leaf)) {
    throw new FerryError('FERRY_ERR_PKI_KEY_MISMATCH', `${files.key} (with ${files.cert}): the private key does not belong to the certificate`);
  }
  return {
    key: key.export({ type: 'pkcs8', format: 'pem' }) as string,
    cert: cert.bytes,
    ca: typeof ca === 'string' ? roots.map((c) => toPem(c.raw, 'CERTIFICATE')).join('') : ca.caPem,
    leaf: cert.leaf,
  };
}
