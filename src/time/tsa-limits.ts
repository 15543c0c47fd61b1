// Limits for the TSA and the verifier, checked before any parsing (STYLE §6).

/** A TimeStampReq is ~60–120 bytes (imprint ≤ 64 bytes, nonce, policy OID); 4 KiB leaves room for a
 *  client that adds extensions we then refuse, and stops a request body from costing parse time. */
export const MAX_REQUEST_BYTES = 4 * 1024;

/** A token with a 3-certificate chain is ~3 KiB (EC) to ~6 KiB (RSA-4096); 64 KiB bounds the work. */
export const MAX_TOKEN_BYTES = 64 * 1024;

/** A TimeStampResp is a token plus a status; the status text is short. */
export const MAX_RESPONSE_BYTES = MAX_TOKEN_BYTES + 4 * 1024;

/** Certificates a token may carry; a TSA needs its own and at most a few intermediates. */
export const MAX_TOKEN_CERTS = 8;

/** Certificates between the TSA certificate and a trust anchor, anchor included. */
export const MAX_CHAIN_DEPTH = 6;

/** RFC 3161 sets no nonce size; clients use 64 bits (OpenSSL) to 160 bits. 32 bytes bounds the echo. */
export const MAX_NONCE_BYTES = 32;

/** RFC 3161 §2.4.2: serialNumber "up to 160 bits" must be handled by requesters. */
export const MAX_SERIAL_BITS = 160;

/** Parsed certificates kept for reuse across verifications: a deployment has a handful of TSA and CA
 *  certificates; 256 covers key rollovers without letting hostile tokens grow memory. */
export const MAX_PARSED_CERTS = 256;
