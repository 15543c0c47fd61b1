// LinkFrame bytes <-> values. A frame that does not decode is a verdict, not an exception.
import { ferry } from '../proto/ferry.js';
import { fail, type Verdict } from '../errors.js';
import { MAX_CERT_BYTES } from '../seal/limits.js';

export type Frame =
  | { type: 'hello'; versions: number[]; gatewayId: string; window: number; features?: string[]; catalogueSha256?: string }
  | { type: 'packet'; packet: Buffer; packetId: Buffer; seq?: number }
  | { type: 'ack'; packetIds: Buffer[] }
  | { type: 'heartbeat'; sentAtMs: number; reply: boolean }
  | { type: 'auditHead'; record: Buffer; signature: Buffer; signerCertificate: Buffer }
  | { type: 'refusal'; packetId: Buffer; code: string; detail: string }
  | { type: 'keyAnnounce'; encCertificate: Buffer; signerCertificate: Buffer; atMs: number; signature: Buffer }
  | { type: 'replayRequest'; fromSeq: number };

/** Bounds on what a peer's Hello and Refusal may carry (a frame is already bounded by maxPayload; these
 *  keep a hostile value out of logs and the held table). */
export const MAX_FEATURES = 16;
export const MAX_FEATURE_CHARS = 32;
export const MAX_REFUSAL_DETAIL_CHARS = 500;
const CODE_PATTERN = /^FERRY_ERR_[A-Z0-9_]{1,60}$/;
const SHA256_HEX = /^([0-9a-f]{64})?$/;

export function encodeFrame(f: Frame): Buffer {
  const F = ferry.v1.LinkFrame;
  switch (f.type) {
    case 'hello': return Buffer.from(F.encode({ hello: {
      versions: f.versions, gatewayId: f.gatewayId, window: f.window, features: f.features ?? [], catalogueSha256: f.catalogueSha256 ?? '',
    } }).finish());
    case 'packet': return Buffer.from(F.encode({ packet: { packet: f.packet, packetId: f.packetId, ...(f.seq ? { seq: f.seq } : {}) } }).finish());
    case 'ack': return Buffer.from(F.encode({ ack: { packetIds: f.packetIds } }).finish());
    case 'heartbeat': return Buffer.from(F.encode({ heartbeat: { sentAtMs: f.sentAtMs, reply: f.reply } }).finish());
    case 'auditHead': return Buffer.from(F.encode({ auditHead: { record: f.record, signature: f.signature, signerCertificate: f.signerCertificate } }).finish());
    case 'replayRequest': return Buffer.from(F.encode({ replayRequest: { fromSeq: f.fromSeq } }).finish());
    case 'refusal': return Buffer.from(F.encode({ refusal: { packetId: f.packetId, code: f.code, detail: f.detail.slice(0, MAX_REFUSAL_DETAIL_CHARS) } }).finish());
    case 'keyAnnounce': return Buffer.from(F.encode({ keyAnnounce: {
      encCertificate: f.encCertificate, signerCertificate: f.signerCertificate, atMs: f.atMs, signature: f.signature,
    } }).finish());
  }
}

/** protobuf varint (the wire format's length prefix). */
function varint(n: number): Buffer {
  const out: number[] = [];
  while (n > 0x7f) { out.push((n & 0x7f) | 0x80); n = Math.floor(n / 128); }
  out.push(n);
  return Buffer.from(out);
}

/** A packet frame as two parts whose concatenation is a LinkFrame{packet: PacketFrame{packet_id,
 *  seq, packet}}: the encoded head, then the packet's own bytes, not copied. The link sends them as two
 *  fragments of one WebSocket message, so a 22 MB packet is never copied into a frame buffer on the
 *  event loop. Same fields as encodeFrame's; packet_id comes first, which the wire format allows (a
 *  parser takes fields in any order: decodeFrame reads both). */
export function encodePacketFrameParts(packetId: Buffer, packet: Buffer, seq?: number): [head: Buffer, packet: Buffer] {
  const id = Buffer.concat([Buffer.from([0x12]), varint(packetId.length), packetId]); // field 2, length-delimited
  const sq = seq ? Buffer.concat([Buffer.from([0x18]), varint(seq)]) : Buffer.alloc(0); // field 3, varint (rule 13)
  const pk = Buffer.concat([Buffer.from([0x0a]), varint(packet.length)]);              // field 1, length-delimited
  const inner = id.length + sq.length + pk.length + packet.length;
  return [Buffer.concat([Buffer.from([0x12]), varint(inner), id, sq, pk]), packet];      // LinkFrame field 2
}

export function decodeFrame(bytes: Uint8Array): Verdict<Frame> {
  let m: ferry.v1.LinkFrame;
  try {
    m = ferry.v1.LinkFrame.decode(bytes);
  } catch (e) {
    return fail('FERRY_ERR_LINK_FRAME', `frame does not decode: ${(e as Error).message}`);
  }
  switch (m.frame) {
    case 'hello': {
      const h = m.hello!;
      const features = [...(h.features ?? [])];
      if (features.length > MAX_FEATURES || features.some((x) => x.length > MAX_FEATURE_CHARS)) return fail('FERRY_ERR_LINK_FRAME', 'hello with too many or too long features');
      const catalogueSha256 = h.catalogueSha256 ?? '';
      if (!SHA256_HEX.test(catalogueSha256)) return fail('FERRY_ERR_LINK_FRAME', 'hello catalogue_sha256 is not 64 lowercase hex digits');
      return { ok: true, value: { type: 'hello', versions: [...(h.versions ?? [])], gatewayId: h.gatewayId ?? '', window: h.window ?? 0, features, catalogueSha256 } };
    }
    case 'refusal': {
      const r = m.refusal!;
      // The code lands in the sender's held table, metrics labels and logs: only a well-formed code.
      if (!r.packetId?.length || !CODE_PATTERN.test(r.code ?? '')) return fail('FERRY_ERR_LINK_FRAME', 'refusal without a packet id or a well-formed Ferry error code');
      return { ok: true, value: { type: 'refusal', packetId: Buffer.from(r.packetId), code: r.code as string, detail: (r.detail ?? '').slice(0, MAX_REFUSAL_DETAIL_CHARS) } };
    }
    case 'packet': {
      const p = m.packet!;
      if (!p.packet || p.packet.length === 0) return fail('FERRY_ERR_LINK_FRAME', 'empty packet frame');
      const seq = Number(p.seq ?? 0);
      // A seq is a SQLite rowid: a value past 2^53 cannot be one and would not compare exactly.
      if (!Number.isSafeInteger(seq) || seq < 0) return fail('FERRY_ERR_LINK_FRAME', 'packet frame seq out of range');
      return { ok: true, value: { type: 'packet', packet: Buffer.from(p.packet), packetId: Buffer.from(p.packetId ?? []), ...(seq > 0 ? { seq } : {}) } };
    }
    case 'ack':
      return { ok: true, value: { type: 'ack', packetIds: (m.ack!.packetIds ?? []).map((id) => Buffer.from(id)) } };
    case 'heartbeat':
      return { ok: true, value: { type: 'heartbeat', sentAtMs: Number(m.heartbeat!.sentAtMs ?? 0), reply: !!m.heartbeat!.reply } };
    case 'auditHead': {
      const h = m.auditHead!;
      // Checked in full by the receiver (src/audit/peer-heads.ts); here only that the parts are there.
      if (!h.record?.length || !h.signature?.length || !h.signerCertificate?.length) return fail('FERRY_ERR_LINK_FRAME', 'audit head frame with an empty part');
      return { ok: true, value: { type: 'auditHead', record: Buffer.from(h.record), signature: Buffer.from(h.signature), signerCertificate: Buffer.from(h.signerCertificate) } };
    }
    case 'keyAnnounce': {
      const k = m.keyAnnounce!;
      // Checked in full by the receiver (src/gateway/key-announce.ts); here only sizes and presence.
      const parts = [k.encCertificate, k.signerCertificate, k.signature];
      if (parts.some((p) => !p?.length || p.length > MAX_CERT_BYTES)) return fail('FERRY_ERR_LINK_FRAME', 'key announcement with an empty or oversized part');
      const atMs = Number(k.atMs ?? 0);
      if (!Number.isSafeInteger(atMs) || atMs <= 0) return fail('FERRY_ERR_LINK_FRAME', 'key announcement without a time');
      return { ok: true, value: { type: 'keyAnnounce', encCertificate: Buffer.from(k.encCertificate!), signerCertificate: Buffer.from(k.signerCertificate!), atMs, signature: Buffer.from(k.signature!) } };
    }
    case 'replayRequest': {
      const fromSeq = Number(m.replayRequest!.fromSeq ?? 0);
      if (!Number.isSafeInteger(fromSeq) || fromSeq < 0) return fail('FERRY_ERR_LINK_FRAME', 'replay request from_seq out of range');
      return { ok: true, value: { type: 'replayRequest', fromSeq } };
    }
    default:
      return fail('FERRY_ERR_LINK_FRAME', 'frame of no known type');
  }
}
