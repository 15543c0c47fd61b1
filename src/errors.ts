// The one registry of Ferry's error codes. Every code is listed once, with the HTTP status it maps to
// where it reaches an HTTP client, and a one-line meaning. docs/ERRORS.md is checked against this
// table by test/errors-registry.test.ts. Codes are stable: never rename one, add a new one.

interface ErrorSpec {
  readonly status?: number;
  readonly meaning: string;
}

export const ERRORS = {
  // --- api (external gateway, applicant-facing) ---
  FERRY_ERR_API_FIELD: { status: 400, meaning: 'a request field is missing, of the wrong type or out of range; the message names it' },
  FERRY_ERR_API_JSON: { status: 400, meaning: 'the request body is not valid JSON' },
  FERRY_ERR_API_MEDIA_TYPE: { status: 415, meaning: 'the request body has an unsupported Content-Type' },
  FERRY_ERR_API_TOO_LARGE: { status: 413, meaning: 'the request body or an attachment exceeds its size limit' },
  FERRY_ERR_API_NOT_FOUND: { status: 404, meaning: 'no such case or resource' },
  FERRY_ERR_API_UNAVAILABLE: { status: 503, meaning: 'the gateway cannot take the request now (outbox full or store unavailable); retry later' },
  FERRY_ERR_API_BAD_ATTACHMENT: { status: 400, meaning: 'an attachment is not valid base64 or its declared size disagrees with its content' },
  FERRY_ERR_API_INTERNAL: { status: 500, meaning: 'an unexpected fault; nothing was accepted' },

  // --- seal (packet sealing and opening) ---
  FERRY_ERR_SEAL_MALFORMED: { meaning: 'the packet or its header cannot be decoded, or a field has the wrong length' },
  FERRY_ERR_SEAL_TOO_LARGE: { meaning: 'the packet or its declared body exceeds the size limit' },
  FERRY_ERR_SEAL_VERSION: { meaning: 'the packet header names a protocol version this gateway does not speak' },
  FERRY_ERR_SEAL_UNKNOWN_SIGNER: { meaning: 'the signer certificate does not chain to the trusted CA or is not the pinned peer' },
  FERRY_ERR_SEAL_SIGNER_EXPIRED: { meaning: 'the signer certificate was not valid at the packet creation time or now' },
  FERRY_ERR_SEAL_SIGNER_MISMATCH: { meaning: 'the header names a different signer certificate than the one attached' },
  FERRY_ERR_SEAL_BAD_SIGNATURE: { meaning: 'the signature over header and ciphertext does not verify' },
  FERRY_ERR_SEAL_WRONG_RECIPIENT: { meaning: 'the packet is encrypted to another recipient certificate' },
  FERRY_ERR_SEAL_DECRYPT: { meaning: 'AES-GCM authentication failed after a valid signature (a sender fault or key mix-up)' },
  FERRY_ERR_SEAL_KEY_USAGE: { meaning: 'a certificate lacks the key usage its role needs (signing or key agreement)' },

  // --- link (gateway-to-gateway transport) ---
  FERRY_ERR_LINK_FRAME: { meaning: 'a link frame cannot be decoded or is of an unexpected type' },
  FERRY_ERR_LINK_VERSION: { meaning: 'the peer speaks no protocol version in common' },
  FERRY_ERR_LINK_PEER: { meaning: 'the peer TLS certificate is not the pinned peer' },
  FERRY_ERR_LINK_TIMEOUT: { meaning: 'the peer stopped answering heartbeats' },

  // --- policy (domain control) ---
  FERRY_ERR_POLICY_DIRECTION: { status: 403, meaning: 'the packet travels between domains that no rule connects' },
  FERRY_ERR_POLICY_KIND: { status: 403, meaning: 'this packet kind may not travel in this direction' },
  FERRY_ERR_POLICY_CASE: { status: 409, meaning: 'the packet refers to a case that does not exist, or already exists' },

  // --- store ---
  FERRY_ERR_STORE_OUTBOX_FULL: { status: 503, meaning: 'the outbox holds its maximum number of packets; the sender waits' },

  // --- pki (certificates and keys) ---
  FERRY_ERR_PKI_KEY_FILE: { meaning: 'a private-key file is missing, unreadable, or readable by group or others' },
  FERRY_ERR_PKI_CERT_FILE: { meaning: 'a certificate file is missing or not a valid PEM/DER certificate' },
  FERRY_ERR_PKI_P12: { meaning: 'a PKCS#12 file cannot be read (wrong password, unsupported algorithm, no key or certificate)' },
  FERRY_ERR_PKI_CHAIN: { meaning: 'a certificate does not chain to the configured CA' },
  FERRY_ERR_PKI_BAD_SIGNATURE: { meaning: 'a certificate names an issuer whose key does not verify its signature' },
  FERRY_ERR_PKI_NOT_CA: { meaning: 'a certificate on the path is used as an issuer but is not a CA, lacks keyCertSign, or exceeds its path length' },
  FERRY_ERR_PKI_EXPIRED: { meaning: 'a certificate on the path had expired at the time checked' },
  FERRY_ERR_PKI_NOT_YET_VALID: { meaning: 'a certificate on the path was not yet valid at the time checked' },
  FERRY_ERR_PKI_CRITICAL_EXTENSION: { meaning: 'a certificate carries a critical extension Ferry does not process (RFC 5280 §4.2)' },
  FERRY_ERR_PKI_EXISTS: { meaning: 'a PKI already exists in the target directory; refusing to overwrite it without --force' },

  // --- config ---
  FERRY_ERR_CONFIG: { meaning: 'a configuration file is missing, not valid YAML, or has a bad or unknown key; the message names it' },

  // --- cli ---
  FERRY_ERR_CLI_USAGE: { meaning: 'a command was given bad arguments' },

  // --- audit (tamper-evident audit chain) ---
  FERRY_ERR_AUDIT_ENTRY: { meaning: 'an audit entry to append is invalid (unknown action, field too long, detail not plain JSON); a programming fault' },
  FERRY_ERR_AUDIT_BROKEN: { meaning: 'the audit chain does not verify: an entry was altered, removed, inserted or reordered; the report names the first bad seq' },
  FERRY_ERR_AUDIT_ANCHOR: { meaning: 'an anchor of the audit chain head could not be made, or a stored anchor does not verify' },
  FERRY_ERR_AUDIT_EXPORT: { meaning: 'an audit export cannot be written (empty range, output directory not empty, or the chain segment is broken)' },
  FERRY_ERR_AUDIT_STORE: { meaning: 'the audit database cannot be opened or lacks the audit tables' },
} as const satisfies Record<string, ErrorSpec>;

export type FerryErrorCode = keyof typeof ERRORS;

/** An error with a stable code. Thrown for broken environments and bad configuration; hostile input
 *  is reported as a value (see seal/open.ts), not thrown. */
export class FerryError extends Error {
  readonly code: FerryErrorCode;
  constructor(code: FerryErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'FerryError';
    this.code = code;
  }
  get status(): number | undefined {
    const spec: ErrorSpec = ERRORS[this.code];
    return spec.status;
  }
}

/** The HTTP status a code maps to (500 for codes that never reach an HTTP client on their own). */
export function httpStatus(code: FerryErrorCode): number {
  const spec: ErrorSpec = ERRORS[code];
  return spec.status ?? 500;
}

export function isFerryError(e: unknown): e is FerryError {
  return e instanceof FerryError;
}

/** A verdict: a value, never an exception, for hostile input. */
export type Verdict<T> = { ok: true; value: T } | { ok: false; code: FerryErrorCode; detail: string };

export function fail(code: FerryErrorCode, detail: string): { ok: false; code: FerryErrorCode; detail: string } {
  return { ok: false, code, detail };
}
