// The TSA's view of a certificate is the shared one (src/pki): the reader, and the RFC 3161 §2.3 usage
// rule kept with the other roles' needs. Re-exported here for config/config-check.ts, which imports
// them from this path.
export { certFacts, parseCertificate, validAt, type CertFacts } from '../pki/cert-extensions.js';
export { timeStampingUsageProblem, type UsageProblem } from '../pki/role-fit.js';
