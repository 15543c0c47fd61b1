// Ferry's role markers: which job a certificate's key is for, stated by the CA in the certificate, so
// that a certificate issued for one job (a township centre's client certificate) can never be taken
// for another (a gateway's link identity, a packet signer) even with the same CA and a chosen CN.
//
// Markers are certificate-policy OIDs (RFC 5280 §4.2.1.4, non-critical) under one self-assigned
// 2.25.<UUID> arc (ITU-T X.667: no registration needed). Policies, not extended key usages, because
// the TSA certificate must keep exactly one EKU, id-kp-timeStamping (RFC 3161 §2.3), and TLS
// certificates keep serverAuth/clientAuth for OpenSSL's own purpose checks; a policy OID fits every
// role the same way and every CA product can issue one.
import type { X509Certificate } from 'node:crypto';
import { certFacts } from './cert-extensions.js';

/** The arc: 2.25.<UUID 7445c852-7ca7-44e2-a340-2c6c04f7a632>.1 = Ferry role markers. */
export const FERRY_ROLE_ARC = '2.25.154552779011497557998341573817522431538.1';

/** One OID per role; the numbers are part of the deployed certificates: never renumber. */
export const FERRY_ROLE_OIDS = {
  'external-gateway-link': `${FERRY_ROLE_ARC}.1`,
  'internal-gateway-link': `${FERRY_ROLE_ARC}.2`,
  'packet-signer': `${FERRY_ROLE_ARC}.3`,
  'packet-encryption': `${FERRY_ROLE_ARC}.4`,
  'township-client': `${FERRY_ROLE_ARC}.5`,
  'staff-client': `${FERRY_ROLE_ARC}.6`,
  tsa: `${FERRY_ROLE_ARC}.7`,
  'intranet-server': `${FERRY_ROLE_ARC}.8`,
  'operator-client': `${FERRY_ROLE_ARC}.9`,
} as const;
export type FerryRole = keyof typeof FERRY_ROLE_OIDS;
export const FERRY_ROLES = Object.keys(FERRY_ROLE_OIDS) as FerryRole[];

/** The Ferry roles the certificate's policies name (unknown OIDs under the arc are ignored). */
export function rolesOf(cert: X509Certificate): FerryRole[] {
  const policies = certFacts(cert).policies;
  return FERRY_ROLES.filter((r) => policies.includes(FERRY_ROLE_OIDS[r]));
}

export function hasRole(cert: X509Certificate, role: FerryRole): boolean {
  return certFacts(cert).policies.includes(FERRY_ROLE_OIDS[role]);
}

/** RFC 5280 §4.2.1.9: a certificate whose basicConstraints says cA=true is a CA key. Ferry never takes
 *  a CA certificate as an end entity (peer, signer, TSA, client): a CA key that also served TLS or
 *  signed packets could mint its own look-alikes. */
export function isCaAsserted(cert: X509Certificate): boolean {
  return certFacts(cert).basicConstraints?.ca === true;
}

/** Why `cert` may not act as an end entity in `role`, or null. Chain and validity are the caller's. */
export function endEntityProblem(cert: X509Certificate, role: FerryRole): string | null {
  if (isCaAsserted(cert)) return 'is a CA certificate (basicConstraints cA=true); a CA is never accepted as an end entity';
  if (!hasRole(cert, role)) return `lacks the Ferry ${role} role marker (certificate policy ${FERRY_ROLE_OIDS[role]})`;
  return null;
}
