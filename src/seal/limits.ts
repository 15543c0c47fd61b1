// Size limits of a packet, checked from the outer envelope before any crypto, and again after decrypting.

/** Largest sealed packet accepted: the largest submission body (DEFAULT_MAX_BODY_BYTES) plus envelope. */
export const DEFAULT_MAX_PACKET_BYTES = 48 * 1024 * 1024 + 64 * 1024;
/** Largest plaintext body: a submission with its attachments, base64 in JSON (applicant API limit). */
export const DEFAULT_MAX_BODY_BYTES = 48 * 1024 * 1024;
/** A header is a dozen short fields; anything bigger is not a Ferry header. */
export const MAX_HEADER_BYTES = 1024;
/** A signer certificate is a few hundred bytes; 8 KiB leaves room for long subjects and policies. */
export const MAX_CERT_BYTES = 8 * 1024;
/** DER ECDSA P-256 signature: at most 72 bytes. */
export const MAX_SIGNATURE_BYTES = 80;
/** RFC 3161 token with the TSA certificate: a few KiB. */
export const MAX_TOKEN_BYTES = 16 * 1024;

export const PACKET_ID_BYTES = 16;
export const IV_BYTES = 12;
export const GCM_TAG_BYTES = 16;
export const EC_POINT_BYTES = 65;
export const SHA256_BYTES = 32;
export const PROTOCOL_VERSION = 1;
/** Days a previous decryption key keeps opening packets after the current encryption certificate's
 *  notBefore (key rotation with overlap): a packet can wait in the sender's outbox as long as the link
 *  is down, and 30 days matches the certificate-expiry warning, so a rotation started at the warning
 *  finishes inside the grace. */
export const DEFAULT_PREVIOUS_KEY_GRACE_DAYS = 30;
