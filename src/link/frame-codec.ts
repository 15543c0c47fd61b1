// LinkFrame bytes <-> values. A frame that does not decode is a verdict, not an exception.
import { ferry } from '../proto/ferry.js';
import { fail, type Verdict } from '../errors.js';

export type Frame =
  | { type: 'hello'; versions: number[]; gatewayId: string; window: number }
  | { type: 'packet'; packet: Buffer; packetId: Buffer }
  | { type: 'ack'; packetIds: Buffer[] }
  | { type: 'heartbeat'; sentAtMs: number; reply: boolean }
  | { type: 'auditHead'; record: Buffer; signature: Buffer; signerCertificate: Buffer };

export function encodeFrame(f: Frame): Buffer {
  const F = ferry.v1.LinkFrame;
  switch (f.type) {
    case 'hello': return Buffer.from(F.encode({ hello: { versions: f.versions, gatewayId: f.gatewayId, window: f.window } }).finish());
    case 'packet': return Buffer.from(F.encode({ packet: { packet: f.packet, packetId: f.packetId } }).finish());
    case 'ack': return Buffer.from(F.encode({ ack: { packetIds: f.packetIds } }).finish());
    case 'heartbeat': return Buffer.from(F.encode({ heartbeat: { sentAtMs: f.sentAtMs, reply: f.reply } }).finish());
    case 'auditHead': return Buffer.from(F.encode({ auditHead: { record: f.record, signature: f.signature, signerCertificate: f.signerCertificate } }).finish());
  }
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
      return { ok: true, value: { type: 'hello', versions: [...(h.versions ?? [])], gatewayId: h.gatewayId ?? '', window: h.window ?? 0 } };
    }
    case 'packet': {
      const p = m.packet!;
      if (!p.packet || p.packet.length === 0) return fail('FERRY_ERR_LINK_FRAME', 'empty packet frame');
      return { ok: true, value: { type: 'packet', packet: Buffer.from(p.packet), packetId: Buffer.from(p.packetId ?? []) } };
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
    default:
      return fail('FERRY_ERR_LINK_FRAME', 'frame of no known type');
  }
}
