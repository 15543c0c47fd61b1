// The intranet time-stamp authority: RFC 3161 tokens for Ferry's own packets and receipts, and for
// other intranet systems at POST /tsa. Serials come from the gateway's SQLite file so that they are
// unique across restarts.
import type { X509Certificate } from 'node:crypto';
import { loadCertificate, loadPrivateKey } from '../pki/key-files.js';
import type { Db } from '../store/db.js';
import { TimeStampAuthority } from '../time/tsa-issue.js';
import { SqliteSerialSource } from '../time/tsa-serials.js';
import type { Clock } from '../time/clock.js';

export interface TsaFiles { cert: string; key: string; policyOid: string; anchorPolicyOid?: string; accuracyMs: number; serialBlock: number }

/** The policy audit anchors are issued under: configured, or the sub-arc .1 of the public policy (an
 *  arc the owner of policyOid controls; for 2.25.<UUID> no registration is needed, X.667). */
export function anchorPolicyOf(files: Pick<TsaFiles, 'policyOid' | 'anchorPolicyOid'>): string {
  return files.anchorPolicyOid || `${files.policyOid}.1`;
}

/** Reads the TSA's own certificate and key (their one read); `ca` is the CA the gateway keys loaded. */
export function createTsa(files: TsaFiles, ca: readonly X509Certificate[], db: Db, clock: Clock, onFault: (e: unknown) => void,
  onIssued?: () => void): { tsa: TimeStampAuthority; cert: X509Certificate } {
  const cert = loadCertificate(files.cert);
  const chain = ca.filter((c) => cert.checkIssued(c));
  const accuracy = files.accuracyMs >= 1000
    ? { seconds: Math.floor(files.accuracyMs / 1000), millis: files.accuracyMs % 1000 || undefined }
    : { millis: files.accuracyMs };
  const tsa = new TimeStampAuthority({
    signingKey: loadPrivateKey(files.key), certificate: cert, chain, policyOid: files.policyOid, anchorPolicyOid: anchorPolicyOf(files),
    accuracy, ordering: false, clock, serials: new SqliteSerialSource(db, { block: files.serialBlock }), onSystemFailure: onFault,
    ...(onIssued ? { onIssued } : {}),
  });
  return { tsa, cert };
}
