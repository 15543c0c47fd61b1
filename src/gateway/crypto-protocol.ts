// Messages between the crypto pool (main thread) and its workers. The keys go once, in workerData
// (KeyObjects and DER clone across threads); each job moves its bytes both ways (transferred).
//   main → worker  seal     a packet draft (body transferred) → sealed   { packetId, bytes, sha256 }
//   main → worker  open     packet bytes (transferred), the instant to judge at → opened { result, bytes, sha256 }
// sha256 is the packet's digest, computed here so the blob store and the stamp need not hash on the loop.
//   worker → main  ready    keys loaded (once, at start)
import type { KeyObject } from 'node:crypto';
import type { OpenResult } from '../seal/open.js';
import type { KindName } from '../seal/packet-kind.js';
import type { SealKeys } from '../seal/keyring.js';

/** A packet draft (src/seal/seal.ts PacketDraft: only outbound.ts and the worker import the sealer). */
export interface SealDraft { kind: KindName; fromDomain: string; toDomain: string; caseId: string; createdAt: Date; body: Uint8Array }

/** What a worker needs to seal and open exactly as the main thread would (cloneable: no closures). */
export interface CryptoWorkerData {
  seal: SealKeys;
  open: {
    encKey: KeyObject;
    encCertDer: Uint8Array;
    previous: { encKey: KeyObject; encCertDer: Uint8Array; until: number }[];
    signer: { rootsDer: Uint8Array[]; expectedSubjects: string[]; pinnedSha256: string[] };
  };
}

export type ToCryptoWorker =
  | { type: 'seal'; id: number; draft: SealDraft }
  | { type: 'open'; id: number; bytes: Uint8Array; nowMs: number; maxPacketBytes?: number; maxBodyBytes?: number };

export type FromCryptoWorker =
  | { type: 'ready' }
  | { type: 'sealed'; id: number; packetId: Uint8Array; bytes: Uint8Array; sha256: Uint8Array }
  | { type: 'opened'; id: number; result: OpenResult; bytes: Uint8Array; sha256: Uint8Array }
  | { type: 'failed'; id: number; message: string; bytes?: Uint8Array };
