// The intranet's audit chain: anchored with the intranet TSA (RFC 3161) while time is trusted, under
// the anchor policy OID, and signed always; the certificates it records at start include the TSA's.
import type { X509Certificate } from 'node:crypto';
import type { InternalConfig } from '../config/gateway-config.js';
import type { Db } from '../store/db.js';
import type { Logger } from '../gateway/logger.js';
import type { GatewayKeys } from '../gateway/keys.js';
import { startAudit, type GatewayAudit } from '../gateway/audit.js';
import { SignatureAnchorer, TsaAnchorer } from '../audit/anchor.js';
import type { TimeTrust } from '../time/time-trust.js';
import type { TimeStampAuthority } from '../time/tsa-issue.js';

export interface InternalAuditStart {
  cfg: InternalConfig; keys: GatewayKeys; linkCert: X509Certificate; db: Db; trust: TimeTrust; tsa: TimeStampAuthority; tsaCert: X509Certificate; log: Logger; configFile: string;
}

export function startInternalAudit(o: InternalAuditStart): GatewayAudit {
  const { cfg, keys, trust, tsa } = o;
  return startAudit({
    db: o.db, gateway: 'internal', clock: trust, log: o.log, configFile: o.configFile,
    anchorers: [
      new SignatureAnchorer(keys.signKey, keys.signCert),
      new TsaAnchorer(async (digest) => {
        if (trust.state() === 'untrusted') throw new Error('time not trusted: no RFC 3161 anchor now');
        // Under the anchor policy OID, which POST /tsa never issues under (src/time/tsa-issue.ts).
        return tsa.stamp(digest, 'SHA-256', { certReq: true, purpose: 'audit-anchor' });
      }),
    ],
    certificates: { sign: keys.signCert, tls: o.linkCert, tsa: o.tsaCert, ca: keys.ca[0]! },
    intervalMs: cfg.audit.anchorIntervalMs, peerSigners: keys.signers,
  });
}
