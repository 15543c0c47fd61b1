// Named limits of the audit chain, each with the reason for its value.

/** Actors are identities ("gateway:external", "staff:A-1043"), not prose. */
export const MAX_ACTOR_CHARS = 256;
/** Subjects are ids (case, packet, certificate fingerprint, config file path). */
export const MAX_SUBJECT_CHARS = 512;
/** The detail records reasons, codes and ids, never a submission's content or personal data (STYLE
 *  §14): 16 KiB is far above any such record and keeps a million-entry chain under a few GiB. */
export const MAX_DETAIL_BYTES = 16 * 1024;
/** Nesting depth of the detail JSON, so canonicalisation is bounded. */
export const MAX_DETAIL_DEPTH = 16;
/** Entries verified between two progress reports. */
export const VERIFY_PROGRESS_EVERY = 10_000;
/** Anchor interval. A hash chain alone cannot show that its tail was cut off: only an anchor can, so
 *  this bounds how many of the newest entries a host attacker could silently drop. 10 minutes is 144
 *  signatures or time-stamps a day, nothing for the signer or the TSA. */
export const DEFAULT_ANCHOR_INTERVAL_MS = 10 * 60 * 1000;
/** Bytes written to an export file per write call. */
export const EXPORT_WRITE_CHUNK = 1024 * 1024;
/** Width of the zero-padded entry numbers in an export (split's suffix length): 10^12 entries. */
export const EXPORT_SEQ_DIGITS = 12;
/** Entries the export's verify script hashes per batch: one small file each, so a batch of 10,000
 *  stays ~40 MiB even on a RAM disk, and a million-entry export never makes a million-file directory. */
export const EXPORT_VERIFY_BATCH = 10_000;
/** How far an rfc3161 anchor's genTime may lie from the time of its audit.anchor entry. The TSA runs on
 *  the same trusted clock in the same process and stamps within milliseconds of the entry's time being
 *  fixed; a minute allows a slow TSA call, and is far shorter than the anchor interval. */
export const DEFAULT_ANCHOR_TIME_TOLERANCE_MS = 60_000;
/** Added to the anchor interval when holding signature anchors to their schedule: a run waits for the
 *  previous one, and the event loop may be busy. An entry must be under a signature anchor within
 *  interval + slack of being written, while the gateway runs. */
export const DEFAULT_ANCHOR_SLACK_MS = 60_000;
/** Peer heads kept per gateway: one per anchor interval (144 a day at the default) for ten years is
 *  ~530k rows of ~400 bytes. The receiver refuses more rather than grow without bound. */
export const MAX_PEER_HEADS = 1_000_000;
/** How far one anchor's time (entry time, or rfc3161 genTime) may lie before the previous one's and
 *  still count as in order: the trusted clock is re-anchored to the NTP quorum at each poll, which may
 *  move it back by a few milliseconds. A second is far above that and far below an anchor interval. */
export const ANCHOR_CLOCK_STEP_MS = 1_000;
