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

/** RFC 3161 sets no nonce size; clients use 64 bits (OpenSSL) to 160 bits. 32 bytes bounds the echo. */
export const MAX_NONCE_BYTES = 32;

/** RFC 3161 §2.4.2: serialNumber "up to 160 bits" must be handled by requesters. */
export const MAX_SERIAL_BITS = 160;

