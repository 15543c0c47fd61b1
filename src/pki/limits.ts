// Limits of the certificate reader and the chain checker (STYLE §6): one value each, used by every
// caller (link, sealer, TSA verifier, CLI).

/** Longest path walked (leaf + intermediates + anchor). Ferry deploys root → (intermediate) → leaf;
 *  8 leaves room for a county CA under a provincial one under a national root, and the bound keeps a
 *  hostile bundle of cross-signed certificates from making the walk explode. */
export const MAX_CHAIN_DEPTH = 8;

/** Cap on issuer candidates tried in one walk, for the same reason. */
export const MAX_CANDIDATE_TRIES = 64;

/** Certificate facts kept by DER digest, for the fresh objects a caller makes from the same bytes
 *  (a signer certificate attached to every packet). The oldest entry goes first. */
export const CERT_FACTS_CACHE_MAX = 1024;

/** Parsed certificate objects kept for reuse across verifications (a TSA sends the same certificate
 *  in every token): a handful of TSA and CA certificates; 256 covers rollovers without letting
 *  hostile tokens grow memory. */
export const MAX_PARSED_CERTS = 256;

/** Largest CRL read from a file or fetched from a URL. Ferry's CA revokes a handful of certificates
 *  a year; 8 MiB still holds ~200,000 entries of a large public CA, and a hostile server cannot make
 *  a gateway buffer more. */
export const MAX_CRL_BYTES = 8 * 1024 * 1024;
/** Entries read from one CRL (each becomes a map entry): the same bound in entries. */
export const MAX_CRL_ENTRIES = 250_000;
