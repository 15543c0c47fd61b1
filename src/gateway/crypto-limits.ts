// Defaults of the crypto pool (src/gateway/crypto-pool.ts): which packets are sealed and opened off
// the event loop, by how many threads, with how long a line.

/** Bodies (seal) and packets (open) larger than this are sealed or opened in a crypto worker. At the
 *  measured rates here (AES-256-GCM 1,490 MiB/s, SHA-256 1,840 MiB/s, plus protobuf copies) 256 KiB
 *  costs the loop well under 1 ms, less than the round trip to a worker (~0.2-0.5 ms of messaging and
 *  a copy); a 22 MB packet costs 56-114 ms, which is what held /health. Small packets (statuses, desk
 *  events, 1 KiB submissions) keep the synchronous path, where a transaction can span the seal. */
export const DEFAULT_OFFLOAD_BYTES = 256 * 1024;

/** One thread: sealing and opening are on the path of every large packet, one at a time per
 *  direction; on the 2-core host the other core runs the event loop and inspection. More threads
 *  than cores only share them, and the loop then waits for the scheduler (inspect-limits.ts). */
export const DEFAULT_CRYPTO_WORKERS = 1;

/** Jobs waiting for a crypto worker before an applicant's request is refused (503, like a full
 *  inspection queue). Each holds its body (≤ 48 MiB); callers that must not be refused (the link's
 *  inbox, bounded by the link window) wait instead. */
export const DEFAULT_CRYPTO_QUEUE = 16;
