// Packet kinds by name, as config, logs and policy write them.
import { ferry } from '../proto/ferry.js';

export const Kind = ferry.v1.PacketKind;
export type KindName = 'submission' | 'status' | 'notice' | 'decision' | 'supplement' | 'evaluation' | 'catalogue';

const BY_NAME: Record<KindName, ferry.v1.PacketKind> = {
  submission: Kind.PACKET_KIND_SUBMISSION,
  status: Kind.PACKET_KIND_STATUS,
  notice: Kind.PACKET_KIND_NOTICE,
  decision: Kind.PACKET_KIND_DECISION,
  supplement: Kind.PACKET_KIND_SUPPLEMENT,
  evaluation: Kind.PACKET_KIND_EVALUATION,
  catalogue: Kind.PACKET_KIND_CATALOGUE,
};
const BY_VALUE = new Map<number, KindName>(Object.entries(BY_NAME).map(([k, v]) => [v, k as KindName]));

export const KIND_NAMES = Object.keys(BY_NAME) as KindName[];
export function kindValue(name: KindName): ferry.v1.PacketKind { return BY_NAME[name]; }
export function kindName(value: number): KindName | undefined { return BY_VALUE.get(value); }
