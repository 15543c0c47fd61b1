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

  // --- store ---
  FERRY_ERR_STORE_OUTBOX_FULL: { status: 503, meaning: 'the outbox holds its maximum number of packets; the sender waits' },

  // --- pki (certificates and keys) ---
  FERRY_ERR_PKI_KEY_FILE: { meaning: 'a private-key file is missing, unreadable, or readable by group or others' },
  FERRY_ERR_PKI_CERT_FILE: { meaning: 'a certificate file is missing or not a valid PEM/DER certificate' },
  FERRY_ERR_PKI_P12: { meaning: 'a PKCS#12 file cannot be read (wrong password, unsupported algorithm, no key or certificate)' },
  FERRY_ERR_PKI_CHAIN: { meaning: 'a certificate does not chain to the configured CA' },

  // --- config ---
  FERRY_ERR_CONFIG: { meaning: 'a configuration file is missing, not valid YAML, or has a bad or unknown key; the message names it' },

  // --- cli ---
  FERRY_ERR_CLI_USAGE: { meaning: 'a command was given bad arguments' },

  // --- content (attachment inspection: src/policy/content) ---
  FERRY_ERR_CONTENT_NAME_EMPTY: { status: 400, meaning: 'an attachment file name is empty or only dots and spaces' },
  FERRY_ERR_CONTENT_NAME_TOO_LONG: { status: 400, meaning: 'an attachment file name exceeds 255 UTF-8 bytes (the per-component limit of ext4 and NTFS)' },
  FERRY_ERR_CONTENT_NAME_PATH: { status: 400, meaning: 'an attachment file name holds a path separator (/ \\ or a look-alike) or a .. sequence' },
  FERRY_ERR_CONTENT_NAME_CONTROL: { status: 400, meaning: 'an attachment file name holds a control, bidirectional-override or invisible formatting character, or broken UTF-16' },
  FERRY_ERR_CONTENT_NAME_CHARACTER: { status: 400, meaning: 'an attachment file name holds a character Windows forbids (< > : " | ? *) or ends in a dot or space' },
  FERRY_ERR_CONTENT_NAME_RESERVED: { status: 400, meaning: 'an attachment file name is a reserved Windows device name (CON, PRN, AUX, NUL, COM1-9, LPT1-9), with or without extension' },
  FERRY_ERR_CONTENT_TOO_LARGE: { status: 413, meaning: 'an attachment exceeds the per-attachment size limit' },
  FERRY_ERR_CONTENT_EMPTY: { status: 400, meaning: 'an attachment has no bytes' },
  FERRY_ERR_CONTENT_UNKNOWN_TYPE: { status: 415, meaning: 'the attachment bytes are not positively identified as any known type (deny by default)' },
  FERRY_ERR_CONTENT_TYPE_NOT_ALLOWED: { status: 415, meaning: 'the attachment bytes are a known type that is not on the allowed list' },
  FERRY_ERR_CONTENT_EXTENSION_MISMATCH: { status: 400, meaning: 'the file name extension disagrees with the type found in the bytes (e.g. x.pdf holding PNG)' },
  FERRY_ERR_CONTENT_MEDIA_TYPE_MISMATCH: { status: 400, meaning: 'the declared media type names another type than the one found in the bytes' },
  FERRY_ERR_CONTENT_EXECUTABLE: { status: 415, meaning: 'the attachment is an executable or installable program (PE, ELF, Mach-O, Java, wasm, shebang script, shortcut, ...)' },
  FERRY_ERR_CONTENT_SCRIPT: { status: 415, meaning: 'the attachment (or an OFD member) is HTML, a server or shell script, or SVG/XML carrying script' },
  FERRY_ERR_CONTENT_ARCHIVE: { status: 415, meaning: 'the attachment is an archive (zip without OFD.xml, rar, 7z, gzip, ...); archives are not accepted' },
  FERRY_ERR_CONTENT_ARCHIVE_EXECUTABLE: { status: 415, meaning: 'an archive holds an executable or script member (by name or by content)' },
  FERRY_ERR_CONTENT_ARCHIVE_NESTED: { status: 415, meaning: 'an archive holds another archive' },
  FERRY_ERR_CONTENT_ARCHIVE_PATH: { status: 400, meaning: 'an archive member name is absolute, climbs out with .., has a drive, control character or reserved name, or is a symbolic link (zip-slip)' },
  FERRY_ERR_CONTENT_ARCHIVE_MALFORMED: { status: 400, meaning: 'a zip cannot be read safely: broken or inconsistent directory, zip64, unsupported method, gaps, duplicate names, wrong CRC or size' },
  FERRY_ERR_CONTENT_ENCRYPTED: { status: 415, meaning: 'the attachment is encrypted (a zip member with the encryption flag or AES, or a PDF with /Encrypt) and cannot be inspected' },
  FERRY_ERR_CONTENT_ZIP_BOMB: { status: 413, meaning: 'a zip exceeds the entry count, uncompressed size or compression ratio limits, inflates past its declared size, or overlaps entries' },
  FERRY_ERR_CONTENT_POLYGLOT: { status: 415, meaning: 'the bytes are also another format: an embedded zip directory, a displaced %PDF header, data after the end of the image or PDF, or HTML/script markup inside' },
  FERRY_ERR_CONTENT_MALFORMED: { status: 400, meaning: 'the bytes start as an allowed type but its structure is broken (bad PNG chunk or CRC, JPEG without end of image, PDF without %%EOF)' },
  FERRY_ERR_CONTENT_OFD_INVALID: { status: 400, meaning: 'a zip with OFD.xml is not a valid OFD package (root element, namespace or DocRoot missing or wrong)' },
  FERRY_ERR_CONTENT_OFD_MEMBER: { status: 415, meaning: 'an OFD package holds a member an OFD document does not use (PDF, office document, media, ...)' },
  FERRY_ERR_CONTENT_XML_DTD: { status: 415, meaning: 'an XML member declares a DOCTYPE or ENTITY (external-entity and entity-expansion attacks)' },
  FERRY_ERR_CONTENT_PDF_SCRIPT: { status: 415, meaning: 'a PDF carries JavaScript (/JavaScript, /JS) or an XFA form (/XFA), also when hex-escaped or inside an object stream' },
  FERRY_ERR_CONTENT_PDF_ACTION: { status: 415, meaning: 'a PDF carries an automatic or launching action (/OpenAction, /AA, /Launch)' },
  FERRY_ERR_CONTENT_PDF_EMBEDDED: { status: 415, meaning: 'a PDF carries embedded files or rich media (/EmbeddedFile, /EmbeddedFiles, /RichMedia)' },
  FERRY_ERR_CONTENT_PDF_UNSCANNABLE: { status: 415, meaning: 'a PDF object stream cannot be decoded within the limits (unsupported filter or predictor, corrupt, too large, too many)' },
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

export function isFerryError(e: unknown): e is FerryError {
  return e instanceof FerryError;
}

/** A verdict: a value, never an exception, for hostile input. */
export type Verdict<T> = { ok: true; value: T } | { ok: false; code: FerryErrorCode; detail: string };

export function fail(code: FerryErrorCode, detail: string): { ok: false; code: FerryErrorCode; detail: string } {
  return { ok: false, code, detail };
}
