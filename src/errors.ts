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
  FERRY_ERR_API_RECEIPT: { status: 502, meaning: 'the stored receipt token failed verification and is withheld (logged as an incident)' },
  FERRY_ERR_API_UNKNOWN_ITEM: { status: 404, meaning: 'the submission names an item code that is not in the published catalogue' },
  FERRY_ERR_API_FORM: { status: 400, meaning: "a form field is missing, unknown or invalid for the item's field schema; the message names each" },
  FERRY_ERR_API_CLIENT_CERT: { status: 403, meaning: 'the TLS client certificate is missing, does not chain to the deployment CA, or lacks the role this listener requires' },
  FERRY_ERR_API_INTERNAL: { status: 500, meaning: 'an unexpected fault; nothing was accepted' },
  FERRY_ERR_API_CASE_ACCESS: { status: 404, meaning: 'no case matches this case number and case secret (the same answer for an unknown case, a wrong secret and none)' },
  FERRY_ERR_API_THROTTLED: { status: 429, meaning: 'too many wrong case secrets from this address or for this case; retry after the given seconds' },
  FERRY_ERR_API_BUSY: { status: 503, meaning: 'every inspection worker is busy and the inspection queue is full; nothing was inspected, retry after the Retry-After seconds' },
  FERRY_ERR_API_IDEMPOTENCY_KEY: { status: 400, meaning: 'the Idempotency-Key header is not 1-128 visible ASCII characters (sent once, no spaces)' },
  FERRY_ERR_API_IDEMPOTENCY_MISMATCH: { status: 422, meaning: 'this Idempotency-Key was already used by this client for a different request body or route; use a new key for a new request' },
  FERRY_ERR_API_IDEMPOTENCY_IN_PROGRESS: { status: 409, meaning: 'a request with this Idempotency-Key from this client is still being processed; retry after the Retry-After seconds to get its answer' },

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
  FERRY_ERR_SEAL_SIGNER_ROLE: { meaning: 'the signer certificate lacks the Ferry packet-signer role marker or is a CA certificate' },
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
  FERRY_ERR_POLICY_DOMAIN: { status: 403, meaning: 'the packet names a domain that the policy does not declare' },
  FERRY_ERR_POLICY_TOO_LARGE: { status: 413, meaning: 'the packet is larger than the maxBytes of the rule that carries it' },
  FERRY_ERR_POLICY_ATTACHMENT_TYPE: { status: 415, meaning: 'an attachment is not of a type the rule allows for this item (or its type was not identified)' },
  FERRY_ERR_POLICY_ATTACHMENT_COUNT: { status: 413, meaning: 'more attachments than the rule allows (a rule without an attachments section allows none)' },
  FERRY_ERR_POLICY_ATTACHMENT_SIZE: { status: 413, meaning: 'an attachment is larger than the rule allows for one attachment' },
  FERRY_ERR_POLICY_RATE: { status: 429, meaning: 'a rate limit of the rule was reached for this applicant, source address or township; retry after the given seconds' },
  FERRY_ERR_POLICY_STALE: { meaning: 'the packet was created longer ago than freshness.maxAgeSeconds by the receiver\'s trusted clock' },
  FERRY_ERR_POLICY_FUTURE: { meaning: 'the packet claims a creation time further ahead than freshness.maxFutureSeconds by the receiver\'s trusted clock' },
  FERRY_ERR_POLICY_UNSOLICITED: { meaning: 'an outbound packet answers no case that came in from outside, and its kind is not in outbound.allowUnsolicited' },
  FERRY_ERR_POLICY_CLIENT_CERT: { status: 403, meaning: 'a client certificate was presented that is unverified or matches no township domain of the policy' },
  FERRY_ERR_POLICY_FILE: { meaning: 'the policy file is not valid; the message names the file, line and field (the old policy stays in force)' },
  FERRY_ERR_POLICY_QUARANTINE_NOT_FOUND: { status: 404, meaning: 'no quarantined packet with this id' },
  FERRY_ERR_POLICY_QUARANTINE_STATE: { status: 409, meaning: 'the quarantined packet was already released or rejected; a decision is made once' },
  FERRY_ERR_POLICY_QUARANTINE_REASON: { status: 400, meaning: 'releasing or rejecting a quarantined packet needs an operator name and a non-empty reason' },

  // --- store ---
  FERRY_ERR_STORE_OUTBOX_FULL: { status: 503, meaning: 'the outbox holds its maximum number of packets; the sender waits' },
  FERRY_ERR_STORE_MISSING: { meaning: 'a command named a gateway database that does not exist (dataDir in the config, or --db); commands never create one, the gateway does on its first start' },
  FERRY_ERR_STORE_BACKUP: { meaning: 'a backup or restore was refused: the file exists, is not an intact backup of this gateway role, or the database is open in a running gateway; the message names the file' },
  FERRY_ERR_STORE_FULL: { status: 503, meaning: 'the gateway\'s disk is full (SQLITE_FULL, ENOSPC, EDQUOT): nothing was accepted; retry after the Retry-After seconds' },
  FERRY_ERR_STORE_UNAVAILABLE: { status: 503, meaning: 'a storage read or write failed (I/O error, locked, read-only, cannot open): nothing was accepted; retry after the Retry-After seconds' },
  FERRY_ERR_STORE_LOW_SPACE: { status: 503, meaning: 'free space in dataDir is below storage.minFreeBytes / minFreePercent: intake stopped until space is freed; retry after the Retry-After seconds' },
  FERRY_ERR_STORE_HELD_NOT_FOUND: { meaning: '`ferry outbox drop` named a packet that is not held (never refused, already retried or dropped)' },
  FERRY_ERR_STORE_BLOB: { meaning: 'a row names a large body in the blob store (<dataDir>/blobs) whose file is missing, truncated or altered (its SHA-256 does not match); restore the blobs directory with the database' },
  FERRY_ERR_STORE_SCHEMA: { meaning: 'a read-only command found a gateway database at an older schema version; start the gateway of this version once to migrate it' },

  // --- ops (the operator listener's health rule: docs/OPERATIONS.md "Monitoring") ---
  FERRY_ERR_OPS_LINK_DOWN: { status: 503, meaning: 'the link between the gateways has been down longer than operator.linkGraceSeconds' },
  FERRY_ERR_OPS_STORE: { status: 503, meaning: "a read of the gateway's SQLite store failed while answering /health or /metrics" },
  FERRY_ERR_OPS_STORAGE_LOW: { status: 503, meaning: 'free space in dataDir is below the storage threshold (or could not be read): /health answers 503 and intake is stopped' },
  FERRY_ERR_OPS_INTAKE_PAUSED: { status: 503, meaning: 'an operator paused intake (`ferry intake pause`): new submissions and actions are refused, statuses and the link keep flowing' },
  FERRY_ERR_OPS_SOCKET: { meaning: 'the gateway\'s local status socket cannot be reached or answered outside its protocol (`ferry status` exits 2); the message names the socket' },
  FERRY_ERR_OPS_OUTBOX_HIGH: { status: 503, meaning: 'the outbox holds more packets than its high-water mark (80% of maxOutbox)' },

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
  FERRY_ERR_PKI_LEAF_IS_CA: { meaning: 'a CA certificate (basicConstraints cA=true) was presented as an end entity (peer, signer, TSA, client)' },
  FERRY_ERR_PKI_ROLE: { meaning: 'a certificate lacks the Ferry role marker (certificate policy OID) its use requires' },
  FERRY_ERR_PKI_MALFORMED: { meaning: 'a certificate is not a well-formed RFC 5280 certificate in strict DER' },
  FERRY_ERR_PKI_KEY_TYPE: { meaning: "a key's algorithm or curve cannot do its role's job (e.g. an RSA key where packet signing needs EC P-256)" },
  FERRY_ERR_PKI_KEY_MISMATCH: { meaning: 'a private key does not belong to the certificate it is configured or imported with' },
  FERRY_ERR_PKI_KEY_USAGE: { meaning: "a certificate's keyUsage or extendedKeyUsage does not allow its role's job" },
  FERRY_ERR_PKI_REVOKED: { meaning: 'a certificate (link peer, packet signer, TSA) is on a verified CRL of its CA: refused' },
  FERRY_ERR_PKI_CRL: { meaning: 'a CRL cannot be read, is not an X.509 v2 CRL, or its signature does not verify with the configured CA' },
  FERRY_ERR_PKI_CRL_STALE: { meaning: "the CRL of a certificate's CA is past its nextUpdate or never arrived, and pki.whenStale is hold: refused" },
  FERRY_ERR_PKI_CA_DB: { meaning: "the dev CA's database (ca-db.json) is missing or damaged, or names no such serial" },
  FERRY_ERR_LINK_ANNOUNCE: { meaning: "the peer's encryption-certificate announcement was refused (signature, link identity binding, chain, role, subject, or older than the one in use)" },
  FERRY_ERR_PKI_EXISTS: { meaning: 'a PKI already exists in the target directory; refusing to overwrite it without --force' },

  // --- config ---
  FERRY_ERR_CONFIG: { meaning: 'a configuration file is missing, not valid YAML, or has a bad or unknown key; the message names it' },

  // --- cli ---
  FERRY_ERR_CLI_USAGE: { meaning: 'a command was given bad arguments' },

  // --- approval (catalogue, calendar, case workflow, supervision) ---
  FERRY_ERR_APPROVAL_CATALOGUE: { meaning: 'an item file in config/items is not valid YAML or has a bad, missing or unknown key; the message names the file and the key' },
  FERRY_ERR_CATALOGUE_SHEET: { meaning: 'a catalogue spreadsheet (ferry catalogue import/export) cannot be read or written, or holds faults; each fault is named as Sheet!Cell' },
  FERRY_ERR_CATALOGUE_RELOAD: { meaning: 'the running internal gateway did not take the new catalogue (not reachable, or the catalogue failed validation there); the catalogue in force stays' },
  FERRY_ERR_APPROVAL_CALENDAR: { meaning: 'a calendar file in config/calendar is not valid YAML or has a bad, missing or unknown key; the message names the file and the key' },
  FERRY_ERR_APPROVAL_CALENDAR_RANGE: { meaning: 'a working-day computation reached a year for which no calendar file is loaded' },
  FERRY_ERR_APPROVAL_UNKNOWN_ITEM: { status: 404, meaning: 'no catalogue item has this code' },
  FERRY_ERR_APPROVAL_FORM: { status: 400, meaning: 'a form field is missing, unknown, of the wrong type or breaks its rule; the message names each field' },
  FERRY_ERR_APPROVAL_COMMAND: { status: 400, meaning: 'a case command is malformed (missing or mistyped field, score out of 1..5); the message names the field' },
  FERRY_ERR_APPROVAL_TRANSITION: { status: 409, meaning: 'the transition table has no such event from the case\'s current state' },
  FERRY_ERR_APPROVAL_ROLE: { status: 403, meaning: 'this actor may not perform this event on this case (role, department, or A/B assignment)' },
  FERRY_ERR_APPROVAL_CLOCK: { status: 409, meaning: 'the trusted time given is earlier than the case\'s last recorded transition' },
  FERRY_ERR_APPROVAL_MATERIALS_MISSING: { status: 409, meaning: 'acceptance asked while a material is missing that is not tolerated against a commitment' },
  FERRY_ERR_APPROVAL_NOTICE_INCOMPLETE: { status: 409, meaning: 'a one-time notice does not list every missing material, or names an unknown one' },
  FERRY_ERR_APPROVAL_NOTICE_REPEAT: { status: 409, meaning: 'a later notice asks for a material an earlier notice could have named and that was not re-supplied since' },
  FERRY_ERR_APPROVAL_TOLERANCE: { status: 409, meaning: 'a material is not tolerable for this item, or its commitment date is outside the allowed window' },
  FERRY_ERR_APPROVAL_ASSIGNMENT: { status: 409, meaning: 'acceptance lacks a distinct A and B officer for an involved department' },
  FERRY_ERR_APPROVAL_GREEN: { status: 409, meaning: 'the green channel was asked for an item that is not eligible' },
  FERRY_ERR_APPROVAL_OPINION_GIVEN: { status: 409, meaning: 'this department has already given its opinion on the case' },
  FERRY_ERR_APPROVAL_OPINIONS_PENDING: { status: 409, meaning: 'a decision was asked before every involved department gave its opinion' },
  FERRY_ERR_APPROVAL_FEE_UNPAID: { status: 409, meaning: 'the result cannot be issued before the catalogue fee is charged' },
  FERRY_ERR_APPROVAL_FEE_AMOUNT: { status: 409, meaning: 'the amount recorded is not the catalogue fee (or the item is free); refused, and a red card is filed' },
  FERRY_ERR_APPROVAL_FEE_CHARGED: { status: 409, meaning: 'the fee was already charged on this case; it is charged once' },
  FERRY_ERR_APPROVAL_ORIGINALS: { status: 409, meaning: 'a pre-review item\'s result cannot be issued before the originals are checked' },
  FERRY_ERR_APPROVAL_NOT_ENDED: { status: 409, meaning: 'the case has not ended, so it cannot be evaluated yet' },
  FERRY_ERR_APPROVAL_EVALUATED: { status: 409, meaning: 'the case has already been evaluated (one case, one evaluation)' },

  // --- tsa (RFC 3161 time-stamp authority and verifier) ---
  FERRY_ERR_TSA_MALFORMED: { meaning: 'a time-stamp request, response or token is not valid DER or not the RFC 3161 / RFC 5652 structure' },
  FERRY_ERR_TSA_TOO_LARGE: { meaning: 'a time-stamp request, response or token exceeds its size limit, or carries too many certificates' },
  FERRY_ERR_TSA_VERSION: { meaning: 'a time-stamp request or TSTInfo has a version other than 1' },
  FERRY_ERR_TSA_BAD_ALG: { meaning: 'a hash or signature algorithm is not accepted (imprints: SHA-256/384/512 only)' },
  FERRY_ERR_TSA_DIGEST_LENGTH: { meaning: 'a message imprint has the wrong length for its hash algorithm' },
  FERRY_ERR_TSA_POLICY: { meaning: 'the request asks for a TSA policy this TSA does not issue under' },
  FERRY_ERR_TSA_EXTENSION: { meaning: 'the request carries extensions, which this TSA does not support' },
  FERRY_ERR_TSA_CONTENT_TYPE: { meaning: 'the token is not SignedData over id-ct-TSTInfo, or its contentType attribute disagrees' },
  FERRY_ERR_TSA_SIGNER: { meaning: 'the token does not have exactly one signer with signed attributes' },
  FERRY_ERR_TSA_NO_CERT: { meaning: 'the token names a signer certificate that is neither in the token nor given to the verifier' },
  FERRY_ERR_TSA_SIGNATURE: { meaning: 'the token signature over its signed attributes does not verify' },
  FERRY_ERR_TSA_MESSAGE_DIGEST: { meaning: 'the messageDigest attribute is missing or does not match the TSTInfo (the token was altered)' },
  FERRY_ERR_TSA_ESS: { meaning: 'the ESS signingCertificate(V2) attribute is missing or does not identify the signer certificate' },
  FERRY_ERR_TSA_EKU: { meaning: 'the TSA certificate lacks timeStamping as its sole, critical extended key usage' },
  FERRY_ERR_TSA_KEY_USAGE: { meaning: 'the TSA certificate key usage allows more than digitalSignature and nonRepudiation' },
  FERRY_ERR_TSA_CHAIN: { meaning: 'the TSA certificate does not chain to a trusted certificate' },
  FERRY_ERR_TSA_CERT_EXPIRED: { meaning: 'a certificate on the TSA path was not valid at the token genTime' },
  FERRY_ERR_TSA_IMPRINT: { meaning: 'the token message imprint does not match the data or digest' },
  FERRY_ERR_TSA_NONCE: { meaning: 'the token nonce is missing or differs from the request nonce' },
  FERRY_ERR_TSA_STATUS: { meaning: 'the TSA refused the request (status other than granted); the detail names its failure info' },
  FERRY_ERR_TSA_CONFIG: { meaning: 'the TSA cannot start: key, certificate (sole critical timeStamping EKU, validity), policy or accuracy unfit' },
  FERRY_ERR_TSA_SYSTEM: { meaning: 'the TSA could not issue a token now (serial source, clock or signing failed); answered as systemFailure' },
  // --- time (trusted clock from several NTP sources) ---
  FERRY_ERR_TIME_REPLY_LENGTH: { meaning: 'an NTP reply is not exactly 48 bytes (we send no extension fields or MAC, so none may come back)' },
  FERRY_ERR_TIME_REPLY_VERSION: { meaning: 'an NTP reply carries a version other than 3 or 4' },
  FERRY_ERR_TIME_REPLY_MODE: { meaning: 'an NTP reply is not in server mode (4)' },
  FERRY_ERR_TIME_BOGUS_ORIGIN: { meaning: 'an NTP reply does not echo our random transmit timestamp: spoofed, replayed or stale (RFC 5905 §9.2)' },
  FERRY_ERR_TIME_KISS_OF_DEATH: { meaning: 'an NTP server sent a kiss-o\'-death (stratum 0); the message names the kiss code' },
  FERRY_ERR_TIME_UNSYNCHRONISED: { meaning: 'an NTP server says it is not synchronised (leap indicator 3)' },
  FERRY_ERR_TIME_STRATUM: { meaning: 'an NTP server reports stratum 16 or more (unsynchronised)' },
  FERRY_ERR_TIME_ZERO_TRANSMIT: { meaning: 'an NTP reply has a zero transmit or receive timestamp' },
  FERRY_ERR_TIME_ROOT_DISTANCE: { meaning: 'an NTP sample\'s root distance exceeds the configured maximum, so it cannot vote' },
  FERRY_ERR_TIME_TIMEOUT: { meaning: 'an NTP server gave no acceptable reply within the timeout' },
  FERRY_ERR_TIME_SOCKET: { meaning: 'an NTP query failed at the socket or name lookup (refused, unreachable, unknown host); the message names the cause' },
  FERRY_ERR_TIME_NO_QUORUM: { meaning: 'fewer NTP sources than the quorum agree, or no strict majority of the answering sources agrees' },
  FERRY_ERR_TIME_OFFSET_LIMIT: { meaning: 'the agreeing NTP sources put the local clock off by more than the hard limit' },
  FERRY_ERR_TIME_UNTRUSTED: { meaning: 'trusted time was asked for while the trusted clock is untrusted; the message says why' },
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
  FERRY_ERR_CONTENT_PDF_UNSCANNABLE: { status: 422, meaning: 'a PDF holds something the scanner cannot account for: an object that does not parse, an object or xref stream it cannot decode, an xref entry that points at no object it saw, or a limit reached' },
  FERRY_ERR_CONTENT_XML_ENCODING: { status: 415, meaning: 'an XML member (or XML-looking text) is in an encoding the scanner does not read (UTF-32, UTF-7, EBCDIC, unknown) or declares one that disagrees with its bytes' },
  FERRY_ERR_CONTENT_BUDGET: { status: 422, meaning: "the request's decode budget is spent: its attachments together inflate past the per-request limit" },
  FERRY_ERR_CONTENT_DEADLINE: { status: 422, meaning: 'inspecting the request\'s attachments took longer than the per-request inspection deadline; the worker was stopped and the message names the attachment' },
  FERRY_ERR_CONTENT_INSPECT_FAILED: { status: 422, meaning: 'the inspection worker died on this request (crash or memory limit); refused, fail closed, and the worker replaced' },
  // --- desk (intranet approval service: staff sessions, case store, supervision queue) ---
  FERRY_ERR_DESK_UNAUTHENTICATED: { status: 401, meaning: 'no bearer token, or a token that names no session' },
  FERRY_ERR_DESK_SESSION_EXPIRED: { status: 401, meaning: 'the staff session passed its lifetime or its idle timeout, or the account was disabled; log in again' },
  FERRY_ERR_DESK_LOGIN_FAILED: { status: 401, meaning: 'wrong staff name or password, or the account is disabled or locked for this address (none of these is told apart)' },
  FERRY_ERR_DESK_LOCKED: { status: 429, meaning: 'retired: a locked account now answers exactly as a failed login (FERRY_ERR_DESK_LOGIN_FAILED), so the lock tells nobody the name exists' },
  FERRY_ERR_DESK_THROTTLED: { status: 429, meaning: 'too many failed logins from this address (over all accounts); Retry-After says when to try again' },
  FERRY_ERR_DESK_FORBIDDEN: { status: 403, meaning: 'the staff member\'s roles do not allow this (supervisors change nothing; admins manage accounts only)' },
  FERRY_ERR_DESK_NO_CASE: { status: 404, meaning: 'no case with this id in the intranet case store' },
  FERRY_ERR_DESK_CASE_EXISTS: { status: 409, meaning: 'a submission names a case id that is already in the case store' },
  FERRY_ERR_DESK_CONFLICT: { status: 409, meaning: 'the case changed while the step ran (optimistic concurrency); reload and retry' },
  FERRY_ERR_DESK_STALE: { status: 412, meaning: 'If-Match names a case version the case has moved past (RFC 9110 §13.1.1); reload and retry' },
  FERRY_ERR_DESK_SUBMISSION: { status: 400, meaning: 'a submission handed to the desk is malformed (channel, township, attachment metadata); the message names the field' },
  FERRY_ERR_DESK_FIELD: { status: 400, meaning: 'a staff API request field or query parameter is missing or malformed; the message names it' },
  FERRY_ERR_DESK_STAFF: { status: 400, meaning: 'a staff account field is invalid (name, department, roles, password rule); the message names it' },
  FERRY_ERR_DESK_STAFF_EXISTS: { status: 409, meaning: 'a staff account with this name already exists' },
  FERRY_ERR_DESK_NO_STAFF: { status: 404, meaning: 'no staff account with this name' },
  FERRY_ERR_DESK_CSRF: { status: 403, meaning: 'a workbench form was posted without the CSRF token bound to its session (or from another site); nothing was changed' },
  FERRY_ERR_DESK_NO_MATERIAL: { status: 404, meaning: 'the case has no such material, or its bytes are not held on the intranet (only the filed originals are)' },
  FERRY_ERR_DESK_STORE: { meaning: 'a stored case row cannot be read back (hand-edited, or written by an unknown schema version)' },
  // --- audit (tamper-evident audit chain) ---
  FERRY_ERR_AUDIT_ENTRY: { meaning: 'an audit entry to append is invalid (unknown action, field too long, detail not plain JSON); a programming fault' },
  FERRY_ERR_AUDIT_BROKEN: { meaning: 'the audit chain does not verify: an entry was altered, removed, inserted or reordered; the report names the first bad seq' },
  FERRY_ERR_AUDIT_ANCHOR: { meaning: 'an anchor of the audit chain head could not be made, or a stored anchor does not verify' },
  FERRY_ERR_AUDIT_EXPORT: { meaning: 'an audit export cannot be written (empty range, output directory not empty, or the chain segment is broken)' },
  FERRY_ERR_AUDIT_STORE: { meaning: 'the audit database cannot be opened or lacks the audit tables' },
  FERRY_ERR_AUDIT_ANCHOR_GAP: { meaning: 'signature anchors of the audit chain are further apart than the recorded anchor interval (+ slack) while the gateway ran, or out of time order' },
  FERRY_ERR_AUDIT_PEER_MISMATCH: { meaning: 'the audit chain lacks, or has another hash for, a head the peer gateway holds a signed copy of: the chain was cut or rewritten' },
  FERRY_ERR_AUDIT_PEER_HEAD: { meaning: 'an audit head received from the peer (or read from its database) is refused: bad record, unpinned signer or bad signature' },
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
