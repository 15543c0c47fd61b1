// Does a key and its certificate fit the job it is configured or imported for? One table of what each
// Ferry role needs (key algorithm and curve, key usage, extended key usage, the role marker), checked
// by `ferry certs import` before a file is written and by each gateway before it starts, so that a key
// that cannot work is refused with its file and reason instead of failing every packet later
// (issue 13, loss #2: an RSA signing key made every packet fail to open at the peer).
import { createPublicKey, type KeyObject, type X509Certificate } from 'node:crypto';
import type { FerryErrorCode } from '../errors.js';
import { certFacts, type CertFacts, type KeyUsageName } from './cert-extensions.js';
import { verifyChain } from './chain.js';
import { EKU } from './oids.js';
import { FERRY_ROLE_OIDS, hasRole, isCaAsserted, rolesOf, type FerryRole } from './roles.js';

/** Key algorithms a role may use, as node:crypto names them (asymmetricKeyType / namedCurve). */
export type KeyKind = 'ec-p256' | 'ec-p384' | 'rsa' | 'ed25519';

/** RSA below this is refused everywhere it is allowed at all (NIST SP 800-57: 112-bit security). */
export const MIN_RSA_BITS = 2048;

export interface RoleNeeds {
  readonly keys: readonly KeyKind[];
  /** Why those keys: the message an operator reads when the key is another kind. */
  readonly keysWhy: string;
  /** keyUsage bits the certificate must assert (Ferry requires an explicit keyUsage). */
  readonly keyUsage: readonly KeyUsageName[];
  /** A purpose the extendedKeyUsage must list when the extension is present (RFC 5280 §4.2.1.12:
   *  absent means any purpose, as OpenSSL's purpose checks also read it). */
  readonly eku?: string;
  /** A stricter EKU rule of its own (the TSA's). */
  readonly ekuRule?: (f: CertFacts) => UsageProblem | null;
}

export type UsageProblem = { code: 'FERRY_ERR_TSA_EKU' | 'FERRY_ERR_TSA_KEY_USAGE'; detail: string };

const TLS_KEYS: readonly KeyKind[] = ['ec-p256', 'ec-p384', 'rsa', 'ed25519'];
const TLS_WHY = `TLS 1.3 signs its handshake with ECDSA P-256/P-384, RSA (at least ${MIN_RSA_BITS} bits) or Ed25519`;
const client = (): RoleNeeds => ({ keys: TLS_KEYS, keysWhy: TLS_WHY, keyUsage: ['digitalSignature'], eku: EKU.clientAuth });

/** RFC 3161 §2.3: the TSA certificate "MUST contain only one instance of the extended key usage field
 *  extension ... with KeyPurposeID having value id-kp-timeStamping. This extension MUST be critical."
 *  Like OpenSSL's timestampsign purpose, a keyUsage, when present, may only allow signing. */
export function timeStampingUsageProblem(f: CertFacts): UsageProblem | null {
  if (!f.extKeyUsage) return { code: 'FERRY_ERR_TSA_EKU', detail: 'the certificate has no extendedKeyUsage extension' };
  if (!f.extKeyUsageCritical) return { code: 'FERRY_ERR_TSA_EKU', detail: 'the extendedKeyUsage extension is not critical' };
  if (f.extKeyUsage.length !== 1 || f.extKeyUsage[0] !== EKU.timeStamping) {
    return { code: 'FERRY_ERR_TSA_EKU', detail: `extendedKeyUsage is [${f.extKeyUsage.join(', ')}], not timeStamping alone` };
  }
  if (f.keyUsage) {
    const extra = f.keyUsage.filter((u) => u !== 'digitalSignature' && u !== 'nonRepudiation');
    if (extra.length || f.keyUsage.length === 0) {
      return { code: 'FERRY_ERR_TSA_KEY_USAGE', detail: `keyUsage [${f.keyUsage.join(', ')}] allows more than digitalSignature/nonRepudiation` };
    }
  }
  return null;
}

/** What each role needs. The packet keys follow the v1 suite (src/seal/suite.ts, PROTOCOL §3): ECDSA
 *  P-256 signatures and ECDH P-256 key agreement; the TSA signs tokens with ECDSA P-256 (tsa-token.ts). */
export const ROLE_NEEDS: Readonly<Record<FerryRole, RoleNeeds>> = {
  'packet-signer': {
    keys: ['ec-p256'], keysWhy: 'the v1 packet suite signs with ECDSA P-256 (PROTOCOL §3); the peer cannot verify any other signature',
    keyUsage: ['digitalSignature'],
  },
  'packet-encryption': {
    keys: ['ec-p256'], keysWhy: 'the v1 packet suite agrees keys with ECDH P-256 (PROTOCOL §3)',
    keyUsage: ['keyAgreement'],
  },
  // The external gateway's link certificate serves the link (and the API, operator listener) as a TLS
  // server; the internal gateway's dials out as a TLS client.
  'external-gateway-link': { keys: TLS_KEYS, keysWhy: TLS_WHY, keyUsage: ['digitalSignature'], eku: EKU.serverAuth },
  'internal-gateway-link': { keys: TLS_KEYS, keysWhy: TLS_WHY, keyUsage: ['digitalSignature'], eku: EKU.clientAuth },
  'intranet-server': { keys: TLS_KEYS, keysWhy: TLS_WHY, keyUsage: ['digitalSignature'], eku: EKU.serverAuth },
  'township-client': client(),
  'staff-client': client(),
  'operator-client': client(),
  tsa: {
    keys: ['ec-p256'], keysWhy: 'the TSA signs tokens with ECDSA P-256',
    keyUsage: ['digitalSignature'], ekuRule: timeStampingUsageProblem,
  },
};

/** The kind of a public or private key, or a description of what it is instead. */
export function keyKind(key: KeyObject): KeyKind | string {
  const t = key.asymmetricKeyType ?? 'unknown';
  const d = key.asymmetricKeyDetails;
  if (t === 'ec') {
    if (d?.namedCurve === 'prime256v1') return 'ec-p256';
    if (d?.namedCurve === 'secp384r1') return 'ec-p384';
    return `an EC key on ${d?.namedCurve ?? 'an unknown curve'}`;
  }
  if (t === 'rsa') return (d?.modulusLength ?? 0) >= MIN_RSA_BITS ? 'rsa' : `an RSA-${d?.modulusLength ?? '?'} key (under ${MIN_RSA_BITS} bits)`;
  if (t === 'ed25519') return 'ed25519';
  return `a ${t} key`;
}

const KIND_TEXT: Record<KeyKind, string> = { 'ec-p256': 'EC P-256', 'ec-p384': 'EC P-384', rsa: `RSA (≥ ${MIN_RSA_BITS} bits)`, ed25519: 'Ed25519' };

function describe(key: KeyObject): string {
  const k = keyKind(key);
  if (k === 'rsa') return `an RSA-${key.asymmetricKeyDetails?.modulusLength ?? '?'} key`;
  return k in KIND_TEXT ? `an ${KIND_TEXT[k as KeyKind]} key` : k;
}

/** Why `key` cannot do `role`'s job, or null. */
export function keyTypeProblem(key: KeyObject, role: FerryRole): string | null {
  const needs = ROLE_NEEDS[role];
  const k = keyKind(key);
  if ((needs.keys as readonly string[]).includes(k)) return null;
  return `is ${describe(key)}; the ${role} role needs ${needs.keys.map((x) => KIND_TEXT[x]).join(' or ')}: ${needs.keysWhy}`;
}

function spki(key: KeyObject): Buffer {
  return (key.type === 'public' ? key : createPublicKey(key)).export({ type: 'spki', format: 'der' });
}

/** Whether the private key is the one whose public half the certificate carries. */
export function keyMatchesCertificate(key: KeyObject, cert: X509Certificate): boolean {
  return spki(key).equals(spki(cert.publicKey));
}

/** Why the certificate's usages or marker do not allow `role`, or null. */
function usageProblem(cert: X509Certificate, f: CertFacts, role: FerryRole): { code: FerryErrorCode; detail: string } | null {
  const needs = ROLE_NEEDS[role];
  if (isCaAsserted(cert)) {
    return { code: 'FERRY_ERR_PKI_LEAF_IS_CA', detail: 'is a CA certificate (basicConstraints cA=true); a CA is never accepted as an end entity' };
  }
  if (!hasRole(cert, role)) {
    return { code: 'FERRY_ERR_PKI_ROLE', detail: `lacks the Ferry ${role} role marker (certificate policy ${FERRY_ROLE_OIDS[role]}); it has ${rolesOf(cert).join(', ') || 'none'}` };
  }
  const missing = needs.keyUsage.filter((u) => !(f.keyUsage ?? []).includes(u));
  if (missing.length) {
    return { code: 'FERRY_ERR_PKI_KEY_USAGE', detail: `keyUsage [${(f.keyUsage ?? []).join(', ') || 'absent'}] lacks ${missing.join(', ')}, which the ${role} role needs` };
  }
  if (needs.eku && f.extKeyUsage && !f.extKeyUsage.includes(needs.eku)) {
    return { code: 'FERRY_ERR_PKI_KEY_USAGE', detail: `extendedKeyUsage [${f.extKeyUsage.join(', ')}] lacks ${needs.eku}, which the ${role} role needs` };
  }
  const rule = needs.ekuRule?.(f);
  if (rule) return { code: 'FERRY_ERR_PKI_KEY_USAGE', detail: rule.detail };
  return null;
}

export interface RoleFitInput {
  readonly role: FerryRole;
  readonly cert: X509Certificate;
  /** The private key configured or imported with the certificate; absent for a peer's certificate. */
  readonly key?: KeyObject;
  /** The configured CA: the certificate must chain to it at `at`. Absent: the chain is not judged. */
  readonly ca?: readonly X509Certificate[];
  readonly intermediates?: readonly X509Certificate[];
  readonly at: Date;
}

/** A refusal, with which file it is about: the key file (its type), the certificate file, or both. */
export type RoleFitProblem = { ok: false; code: FerryErrorCode; detail: string; about: 'key' | 'cert' | 'pair' };

/**
 * Checks, in this order: the private key's type and curve, the certificate's key type, that the key
 * belongs to the certificate, that the certificate is an end entity with the role's marker, key usage
 * and extended key usage, and (with `ca`) its chain to the configured CA at `at`.
 */
export function roleFit(input: RoleFitInput): { ok: true } | RoleFitProblem {
  const { role, cert, key } = input;
  const problem = (code: FerryErrorCode, detail: string, about: RoleFitProblem['about']): RoleFitProblem => ({ ok: false, code, detail, about });
  if (key) {
    const k = keyTypeProblem(key, role);
    if (k) return problem('FERRY_ERR_PKI_KEY_TYPE', `the private key ${k}`, 'key');
  }
  const c = keyTypeProblem(cert.publicKey, role);
  if (c) return problem('FERRY_ERR_PKI_KEY_TYPE', `the certificate's key ${c}`, 'cert');
  if (key && !keyMatchesCertificate(key, cert)) {
    return problem('FERRY_ERR_PKI_KEY_MISMATCH', `the private key does not belong to the certificate ${cert.subject.replace(/\n/g, ', ')}`, 'pair');
  }
  let f: CertFacts;
  try {
    f = certFacts(cert);
  } catch (e) {
    return problem('FERRY_ERR_PKI_MALFORMED', `the certificate is not well-formed DER (${(e as Error).message})`, 'cert');
  }
  const u = usageProblem(cert, f, role);
  if (u) return problem(u.code, `the certificate ${u.detail}`, 'cert');
  if (input.ca) {
    const chain = verifyChain(cert, input.ca, input.at, input.intermediates ? { intermediates: input.intermediates } : {});
    if (!chain.ok) return problem(chain.code, `the certificate does not chain to the configured CA: ${chain.detail}`, 'cert');
  }
  return { ok: true };
}
