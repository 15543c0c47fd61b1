// Which source domain a request at the external gateway belongs to: `public` without a client
// certificate, `township-<name>` when a verified client certificate matches that township's
// clientCert entry (extended mode). A certificate that is presented but unverified or matches no
// township is refused, not downgraded to `public`: a centre whose certificate stopped matching
// should hear so at once, not have its filings quietly counted as an anonymous applicant's.
// Pure: the TLS layer supplies the facts.
import type { Verdict } from '../errors.js';
import type { Policy } from './policy-model.js';

export interface ClientCertFacts {
  /** tls.TLSSocket#authorized: the chain was verified against the configured client CA. */
  authorized: boolean;
  /** Subject common name, if any. */
  subjectCN: string | undefined;
  /** SHA-256 of the certificate DER, hex (colons and case ignored). */
  sha256: string;
}

export const PUBLIC_DOMAIN = 'public';

function normalise(fp: string): string {
  return fp.replace(/:/g, '').toLowerCase();
}

/** `cert` is null when the client presented none. */
export function clientDomain(policy: Policy, cert: ClientCertFacts | null): Verdict<string> {
  if (!cert) return { ok: true, value: PUBLIC_DOMAIN };
  // A CN is only an identity once the chain is verified; without that anyone can write any CN.
  if (!cert.authorized) return { ok: false, code: 'FERRY_ERR_POLICY_CLIENT_CERT', detail: 'client certificate not verified by the deployment CA' };
  const fp = normalise(cert.sha256);
  const matches = [...policy.domains.values()].filter((d) => {
    const cc = d.clientCert;
    if (!cc) return false;
    const cnOk = cc.subjects.length === 0 || (cert.subjectCN !== undefined && cc.subjects.includes(cert.subjectCN));
    const fpOk = cc.sha256.length === 0 || cc.sha256.includes(fp);
    return cnOk && fpOk;
  });
  if (matches.length === 1) return { ok: true, value: matches[0]!.name };
  const who = `client certificate CN=${JSON.stringify(cert.subjectCN ?? '')} sha256=${fp}`;
  return {
    ok: false, code: 'FERRY_ERR_POLICY_CLIENT_CERT',
    detail: matches.length === 0 ? `${who} matches no township domain` : `${who} matches several domains: ${matches.map((d) => d.name).join(', ')}`,
  };
}

/** What the external gateway writes into SubmissionBody.client_identity ('' for the public), so the
 *  internal gateway can resolve the domain again against its own copy of the policy. */
export function formatClientIdentity(cert: ClientCertFacts | null): string {
  return cert ? `sha256=${normalise(cert.sha256)};cn=${cert.subjectCN ?? ''}` : '';
}

/** The internal gateway's re-check: the domain the recorded identity maps to under ITS policy. The
 *  external gateway only records identities of verified certificates, so `authorized` is implied. */
export function domainFromIdentity(policy: Policy, identity: string): Verdict<string> {
  if (identity === '') return clientDomain(policy, null);
  const m = /^sha256=([0-9a-f]{64});cn=(.*)$/s.exec(identity);
  if (!m) return { ok: false, code: 'FERRY_ERR_POLICY_CLIENT_CERT', detail: 'client identity is not in the form sha256=<hex>;cn=<name>' };
  return clientDomain(policy, { authorized: true, sha256: m[1]!, subjectCN: m[2] === '' ? undefined : m[2] });
}
