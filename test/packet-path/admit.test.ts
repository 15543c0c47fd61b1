// What each gateway checks of an opened, authentic packet before delivery (src/gateway/admit.ts), from
// its own copy of the shipped policy, as a table: the packet, the side, the expected code and rule.
import { describe, expect, it } from 'vitest';
import { admitPackets } from '../../src/gateway/admit.js';
import type { OpenedPacket } from '../../src/seal/open.js';
import type { KindName } from '../../src/seal/packet-kind.js';
import { policyFrom, samplePolicy, sampleText, T0 } from './fixtures.js';

const policy = samplePolicy(); // freshness: 2 days old, 5 minutes ahead
const KNOWN = 'QX-20310506-000003';
const DAY = 86_400_000;

function packet(over: Partial<Omit<OpenedPacket, 'kind'>> & { kind?: KindName; bytes?: number } = {}): OpenedPacket {
  const { bytes, ...rest } = over;
  return {
    packetId: Buffer.alloc(16, 1), kind: 'status', fromDomain: 'intranet', toDomain: 'public', caseId: KNOWN, createdAt: T0,
    body: Buffer.alloc(bytes ?? 100), signerSubject: 'ferry-internal-sign', timestampToken: null, ...rest,
  };
}

const external = admitPackets('external', () => policy, (id) => id === KNOWN);
const internal = admitPackets('internal', () => policy);

type Row = [name: string, side: 'external' | 'internal', p: OpenedPacket, expected: { code: string; rule: string } | null];
const TABLE: Row[] = [
  ['a fresh status for a case this side filed', 'external', packet(), null],
  ['the catalogue, which answers no case (outbound.allowUnsolicited)', 'external', packet({ kind: 'catalogue', caseId: '' }), null],
  ['a submission into the intranet', 'internal', packet({ kind: 'submission', fromDomain: 'public', toDomain: 'intranet' }), null],
  ['a packet older than freshness.maxAgeSeconds', 'external', packet({ createdAt: new Date(T0.getTime() - 2 * DAY - 1) }), { code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' }],
  ['a packet from more than five minutes ahead', 'internal', packet({ kind: 'submission', fromDomain: 'public', toDomain: 'intranet', createdAt: new Date(T0.getTime() + 300_001) }), { code: 'FERRY_ERR_POLICY_FUTURE', rule: 'freshness' }],
  ['a domain the policy does not declare', 'external', packet({ toDomain: 'township-nowhere' }), { code: 'FERRY_ERR_POLICY_DOMAIN', rule: 'default-deny' }],
  ['a packet that does not enter this side\'s zone (intranet to intranet)', 'internal', packet({ fromDomain: 'dept-tax', toDomain: 'intranet' }), { code: 'FERRY_ERR_POLICY_DIRECTION', rule: 'default-deny' }],
  ['a packet travelling the wrong way for this side (into the intranet, at the external gateway)', 'external', packet({ kind: 'submission', fromDomain: 'public', toDomain: 'intranet' }), { code: 'FERRY_ERR_POLICY_DIRECTION', rule: 'default-deny' }],
  ['two domains no rule connects (public straight to a department)', 'internal', packet({ kind: 'submission', fromDomain: 'public', toDomain: 'dept-market' }), { code: 'FERRY_ERR_POLICY_DIRECTION', rule: 'default-deny' }],
  ['a kind no rule carries that way (the catalogue to a township)', 'external', packet({ kind: 'catalogue', caseId: '', toDomain: 'township-qinghe' }), { code: 'FERRY_ERR_POLICY_KIND', rule: 'default-deny' }],
  ['a status for a case this side never filed', 'external', packet({ caseId: 'QX-20310506-999999' }), { code: 'FERRY_ERR_POLICY_UNSOLICITED', rule: 'outbound.requireCorrelation' }],
];

describe('admit', () => {
  it.each(TABLE)('%s', (_n, side, p, expected) => {
    const r = (side === 'external' ? external : internal)(p, T0);
    if (expected === null) expect(r).toBeNull();
    else expect(r).toMatchObject(expected);
  });

  it('on the external side, holds an outbound packet to the full rule: its size against maxBytes', () => {
    const small = admitPackets('external', () => policyFrom(sampleText().replace(/(- id: intranet-to-public[\s\S]*?maxBytes:) 32 MiB([\s\S]*?maxBytes:) 16 MiB/, '$1 100$2 100')), () => true);
    expect(small(packet({ bytes: 100 }), T0)).toBeNull();
    expect(small(packet({ bytes: 101 }), T0)).toMatchObject({ code: 'FERRY_ERR_POLICY_TOO_LARGE', rule: 'intranet-to-public' });
  });

  it('judges freshness by the time it is given, not the host clock', () => {
    const p = packet({ createdAt: T0 });
    expect(external(p, T0)).toBeNull();
    expect(external(p, new Date(T0.getTime() + 2 * DAY + 1))).toMatchObject({ code: 'FERRY_ERR_POLICY_STALE' });
  });

  it('on release from quarantine, waives only the refusal that held the packet', () => {
    const stale = packet({ createdAt: new Date(T0.getTime() - 3 * DAY) });
    expect(external(stale, T0, { code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' })).toBeNull();
    // The waiver of staleness does not waive correlation.
    expect(external({ ...stale, caseId: 'QX-20310506-999999' }, T0, { code: 'FERRY_ERR_POLICY_STALE', rule: 'freshness' }))
      .toMatchObject({ code: 'FERRY_ERR_POLICY_UNSOLICITED' });
    // A waiver of another refusal does not waive staleness.
    expect(external(stale, T0, { code: 'FERRY_ERR_POLICY_TOO_LARGE', rule: 'intranet-to-public' })).toMatchObject({ code: 'FERRY_ERR_POLICY_STALE' });
  });
});
