// The crypto worker (a worker_threads entry; see crypto-pool.ts): seals and opens large packets with
// the same functions the main thread uses for small ones (src/seal/seal.ts, src/seal/open.ts), so a
// packet's verdict does not depend on where it was opened. It holds the gateway's packet keys; the
// inspection workers, which parse hostile content, never do (key separation).
import { parentPort, workerData } from 'node:worker_threads';
import { X509Certificate, createHash } from 'node:crypto';
import { sealPacket } from '../seal/seal.js';
import { openPacket } from '../seal/open.js';
import { openKeysFrom } from '../seal/keyring.js';
import { SignerTrust } from '../seal/signer-trust.js';
import type { CryptoWorkerData, FromCryptoWorker, ToCryptoWorker } from './crypto-protocol.js';
import { lowerThreadPriority } from './thread-priority.js';

const port = parentPort;
if (!port) throw new Error('crypto-worker.ts runs as a worker thread (crypto-pool.ts starts it)');

// Less than inspection's 10: a large packet's seal is on an applicant's 202, its open on the link's
// ack; still below the event loop, which answers /health and heartbeats first.
lowerThreadPriority(5);

const data = workerData as CryptoWorkerData;
const keys = data.seal;
const open = {
  keys: openKeysFrom(data.open.encKey, new X509Certificate(data.open.encCertDer),
    data.open.previous.map((p) => ({ encKey: p.encKey, encCert: new X509Certificate(p.encCertDer), until: new Date(p.until) }))),
  signers: new SignerTrust({
    roots: data.open.signer.rootsDer.map((d) => new X509Certificate(d)),
    expectedSubjects: data.open.signer.expectedSubjects, pinnedSha256: data.open.signer.pinnedSha256,
  }),
};

/** A Buffer that shares its memory (Node's small-buffer pool, a view of a larger frame) is copied
 *  before it is transferred: transferring would detach its neighbours. */
function own(b: Uint8Array): Uint8Array {
  return b.byteOffset === 0 && b.byteLength === b.buffer.byteLength && b.buffer instanceof ArrayBuffer ? b : new Uint8Array(b);
}

const send = (m: FromCryptoWorker, transfer: ArrayBuffer[] = []) => port.postMessage(m, [...new Set(transfer)]);

port.on('message', (m: ToCryptoWorker) => {
  try {
    if (m.type === 'seal') {
      const s = sealPacket({ ...m.draft, createdAt: new Date(m.draft.createdAt), body: Buffer.from(m.draft.body.buffer, m.draft.body.byteOffset, m.draft.body.byteLength) }, keys);
      const bytes = own(s.bytes);
      const sha256 = createHash('sha256').update(bytes).digest();
      send({ type: 'sealed', id: m.id, packetId: new Uint8Array(s.packetId), bytes, sha256 }, [bytes.buffer as ArrayBuffer]);
      return;
    }
    const bytes = Buffer.from(m.bytes.buffer, m.bytes.byteOffset, m.bytes.byteLength);
    const result = openPacket(bytes, {
      ...open, now: new Date(m.nowMs),
      ...(m.maxPacketBytes !== undefined ? { maxPacketBytes: m.maxPacketBytes } : {}),
      ...(m.maxBodyBytes !== undefined ? { maxBodyBytes: m.maxBodyBytes } : {}),
    });
    const transfer = [m.bytes.buffer as ArrayBuffer];
    if (result.ok) {
      const body = own(result.packet.body);
      result.packet.body = body as Buffer;
      transfer.push(body.buffer as ArrayBuffer);
    }
    send({ type: 'opened', id: m.id, result, bytes: m.bytes, sha256: createHash('sha256').update(bytes).digest() }, transfer);
  } catch (e) {
    // A throw is a bug or a broken environment (a hostile packet is a verdict, not an exception).
    // The packet's bytes go back with the failure: the caller keeps them (a retry, or evidence).
    if (m.type === 'open' && m.bytes.byteLength) send({ type: 'failed', id: m.id, message: (e as Error).message, bytes: m.bytes }, [m.bytes.buffer as ArrayBuffer]);
    else send({ type: 'failed', id: m.id, message: (e as Error).message });
  }
});

send({ type: 'ready' });
