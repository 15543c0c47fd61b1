// Limits and the allowed-type list for attachment content inspection. Every limit is checked the
// moment it can be known (sizes from headers before a byte is inflated) and again on the real data,
// because a zip's or PDF's declared sizes lie.

/** The attachment types Ferry can accept. Anything else is refused (deny by default). */
export type ContentType = 'pdf' | 'jpeg' | 'png' | 'ofd';

export const CONTENT_TYPES: readonly ContentType[] = Object.freeze(['pdf', 'jpeg', 'png', 'ofd']);

/** Which of the four types a deployment accepts (policy.yaml may narrow the default). */
export type AllowedTypes = ReadonlySet<ContentType>;

export const DEFAULT_ALLOWED_TYPES: AllowedTypes = new Set<ContentType>(CONTENT_TYPES);

export interface ContentLimits {
  /** Per-attachment size, compared with bytes.length before any parsing. */
  readonly maxAttachmentBytes: number;
  /** File name length in UTF-8 bytes. */
  readonly maxFileNameBytes: number;
  /** Entries a zip (OFD) may list; compared with the end-of-central-directory count before parsing. */
  readonly zipMaxEntries: number;
  /** Uncompressed size of one zip member (declared, then real). */
  readonly zipMaxEntryBytes: number;
  /** Uncompressed size of all members together (declared, then real). */
  readonly zipMaxTotalBytes: number;
  /** Uncompressed/compressed ratio, per member and for the whole archive. */
  readonly zipMaxRatio: number;
  /** Members (and archives) smaller than this uncompressed are exempt from the ratio test. */
  readonly zipRatioFloorBytes: number;
  /** OFD.xml, the package entry point, is inflated up to this size. */
  readonly ofdMaxRootXmlBytes: number;
  /** Object streams (/ObjStm) a PDF may have; each is inflated and scanned. */
  readonly pdfMaxObjectStreams: number;
  /** Inflated size of one PDF object stream. */
  readonly pdfMaxObjectStreamBytes: number;
  /** Inflated size of all PDF object streams together. */
  readonly pdfMaxInflatedBytes: number;
  /** JPEG images chained one after another in one file (MPF / Ultra HDR gain maps). */
  readonly jpegMaxChainedImages: number;
}

const MiB = 1024 * 1024;

export const DEFAULT_CONTENT_LIMITS: ContentLimits = Object.freeze({
  // A scanned A4 page is 0.3–1.5 MiB as JPEG at 300 dpi, so 20 MiB holds a 15–60 page scan; it is
  // also the common cap of Chinese government upload portals. Larger files are split by the applicant.
  maxAttachmentBytes: 20 * MiB,
  // NAME_MAX of ext4 and the NTFS component limit are both 255; a longer name cannot be stored as given.
  maxFileNameBytes: 255,
  // An OFD has ~3 members per page plus resources; 10,000 covers a 3,000-page document while keeping
  // the central directory walk (46+ bytes an entry) well under a millisecond per thousand.
  zipMaxEntries: 10_000,
  // One member: a page image at 600 dpi colour is ~100 MiB raw, but OFD stores it as PNG/JPEG/JBIG2;
  // 64 MiB leaves room for an uncompressed-TIFF-like resource and stops single-member bombs.
  zipMaxEntryBytes: 64 * MiB,
  // All members: 10x the largest attachment. XML compresses 5–20x, images ~1x, so a genuine 20 MiB
  // OFD stays below 200 MiB; more is exhaustion, not a document.
  zipMaxTotalBytes: 200 * MiB,
  // Deflate tops out at ~1032:1; text and XML compress 3–30:1, media ~1:1. 100:1 is far above any
  // document and far below a bomb (the 42.zip layers are ~1000:1).
  zipMaxRatio: 100,
  // A 1 MiB member cannot exhaust anything whatever its ratio (a 100 KiB page of spaces is 1000:1).
  zipRatioFloorBytes: 1 * MiB,
  // OFD.xml is a short index (GB/T 33190 §7.4: DocBody entries); real ones are 1–10 KiB.
  ofdMaxRootXmlBytes: 1 * MiB,
  // Writers put ~100 objects in each object stream; 10,000 streams is a million objects, beyond any
  // real 20 MiB PDF, and bounds the per-stream overhead of inflating.
  pdfMaxObjectStreams: 10_000,
  // Object streams hold dictionaries, not images: real ones are KiB to a few MiB.
  pdfMaxObjectStreamBytes: 16 * MiB,
  // Same 10x-the-attachment budget as zips, for all object streams of one PDF together.
  pdfMaxInflatedBytes: 200 * MiB,
  // Phones append a gain-map JPEG (Ultra HDR) or MPF secondary images after the first one; four covers
  // those without letting a file be an unbounded chain.
  jpegMaxChainedImages: 4,
});

/**
 * What one request may still inflate, shared by every attachment of that request (and every inflate
 * inside each: PDF object and cross-reference streams, zip members). Each inflate caps its output at
 * the smaller of its own limit and `inflatedBytesLeft`, then subtracts what it produced; the caller
 * (a worker pool inspecting a request's attachments) creates one per request and passes it to each
 * inspectAttachment call. Exhausting it refuses with FERRY_ERR_CONTENT_BUDGET.
 */
export interface DecodeBudget {
  inflatedBytesLeft: number;
}

// 32 attachments (the API's count limit) of 20 MiB could each inflate 200 MiB under the per-file
// limits: 6.4 GiB of work for one request. A real request (a few scans and an OFD or two) inflates
// well under 100 MiB; 256 MiB is room for one PDF or OFD at its own 200 MiB limit plus the rest, and
// bounds one request to ~1 s of inflating on this hardware and 256 MiB of transient memory.
export const DEFAULT_REQUEST_INFLATE_BYTES = 256 * MiB;

// Cross-reference limits (not per-deployment settings, so not in ContentLimits). A classic table
// entry is 20 bytes, so a 20 MiB file holds at most ~1M; xref streams compress entries, so their
// count is capped here too. Real files have one section per revision (a few, rarely dozens).
export const PDF_MAX_XREF_ENTRIES = 4_000_000;
export const PDF_MAX_XREF_SECTIONS = 1_000;
/** Objects listed by all object streams together (each header pair costs a parse). */
export const PDF_MAX_COMPRESSED_OBJECTS = 4_000_000;

/** Turns a configured list (policy.yaml) into AllowedTypes; unknown names are a config error to report. */
export function parseAllowedTypes(list: readonly string[]): { ok: true; value: AllowedTypes } | { ok: false; unknown: string } {
  const out = new Set<ContentType>();
  for (const name of list) {
    const t = CONTENT_TYPES.find((c) => c === name);
    if (t === undefined) return { ok: false, unknown: name };
    out.add(t);
  }
  return { ok: true, value: out };
}
