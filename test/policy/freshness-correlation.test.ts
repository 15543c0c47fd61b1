// Freshness of the signed creation time against the receiver's trusted clock, and outbound
// correlation (a packet leaving the intranet must answer a case that came in from outside).
import { describe, expect, it } from 'vitest';
import { checkFreshness } from '../../src/policy/freshness.js';
import { checkCorrelation, type OutboundPacket } from '../../src/policy/correlation.js';
import { policyFrom, samplePolicy, sampleText } from './sample.js';

const policy = samplePolicy(); // maxAgeSeconds 172800, maxFutureSeconds 300
const NOW = new Date('2026-11-25T08:00:00.000Z');
const at = (offsetMs: number) => NOW.getTime() + offsetMs;
const S = 1000;

describe('freshness', () => {
  const TABLE: [name: string, createdAtMs: number, code: string | null][] = [
    ['created now', at(0), null],
    ['created a day ago', at(-86_400 * S), null],
    ['exactly maxAgeSeconds old (inclusive)', at(-172_800 * S), null],
    ['one millisecond older than maxAge', at(-172_800 * S - 1), 'FERRY_ERR_POLICY_STALE'],
    ['a month old', at(-30 * 86_400 * S), 'FERRY_ERR_POLICY_STALE'],
    ['created at the epoch', 0, 'FERRY_ERR_POLICY_STALE'],
    ['a minute in the future (sender clock ahead)', at(60 * S), null],
    ['exactly maxFutureSeconds ahead (inclusive)', at(300 * S), null],
    ['one millisecond beyond maxFuture', at(300 * S + 1), 'FERRY_ERR_POLICY_FUTURE'],
    ['a year ahead', at(365 * 86_400 * S), 'FERRY_ERR_POLICY_FUTURE'],
    ['not a number', Number.NaN, 'FERRY_ERR_POLICY_STALE'],
  ];
  it.each(TABLE)('%s', (_n, created, code) => {
    const v = checkFreshness(policy.freshness, created, NOW);
    if (code === null) expect(v).toEqual({ ok: true, ageMs: NOW.getTime() - created });
    else expect(v).toMatchObject({ ok: false, code });
  });

  it('says by how much and against which limit', () => {
    const v = checkFreshness(policy.freshness, at(-172_801 * S), NOW);
    expect(v.ok ? '' : v.detail).toBe('created 2026-11-23T07:59:59.000Z, 172801 s before the receiver\'s time 2026-11-25T08:00:00.000Z; maxAgeSeconds is 172800');
    const f = checkFreshness(policy.freshness, at(301_500), NOW);
    expect(f.ok ? '' : f.detail).toContain('301.5 s after');
  });

  it('judges by the time it is given, not the machine clock', () => {
    const old = new Date('2001-01-01T00:00:00Z');
    expect(checkFreshness(policy.freshness, old.getTime(), old)).toEqual({ ok: true, ageMs: 0 });
  });
});

describe('outbound correlation', () => {
  const known = new Set(['F20261125-0001', 'F20261125-0002']);
  const knownCase = (id: string) => known.has(id);
  const pkt = (x: Partial<OutboundPacket>): OutboundPacket => ({ from: 'intranet', to: 'public', kind: 'status', caseId: 'F20261125-0001', ...x });

  const TABLE: [name: string, p: OutboundPacket, expected: string][] = [
    ['a status for a case filed from outside', pkt({}), 'answers-case'],
    ['a decision from a department for a known case', pkt({ from: 'dept-market', kind: 'decision', caseId: 'F20261125-0002' }), 'answers-case'],
    ['a notice to the township that filed', pkt({ to: 'township-qinghe', kind: 'notice' }), 'answers-case'],
    ['the catalogue needs no case', pkt({ kind: 'catalogue', caseId: '' }), 'unsolicited-allowed'],
    ['inbound traffic is not outbound', pkt({ from: 'public', to: 'intranet', kind: 'submission', caseId: 'F20261125-9999' }), 'inbound'],
    ['a status for a case nobody filed', pkt({ caseId: 'F20261125-9999' }), 'FERRY_ERR_POLICY_UNSOLICITED'],
    ['a status naming no case', pkt({ caseId: '' }), 'FERRY_ERR_POLICY_UNSOLICITED'],
    ['a decision for an unknown case', pkt({ kind: 'decision', caseId: 'X' }), 'FERRY_ERR_POLICY_UNSOLICITED'],
    ['a notice to a township about an unknown case', pkt({ to: 'township-baishi', kind: 'notice', caseId: 'Y' }), 'FERRY_ERR_POLICY_UNSOLICITED'],
    ['an undeclared destination is still checked', pkt({ to: 'elsewhere', caseId: 'Z' }), 'FERRY_ERR_POLICY_UNSOLICITED'],
  ];
  it.each(TABLE)('%s', (_n, p, expected) => {
    const v = checkCorrelation(policy, p, knownCase);
    if (expected.startsWith('FERRY_ERR_')) expect(v).toMatchObject({ ok: false, code: expected });
    else expect(v).toEqual({ ok: true, why: expected });
  });

  it('asks the case store only when it has to', () => {
    const asked: string[] = [];
    const spy = (id: string) => { asked.push(id); return known.has(id); };
    checkCorrelation(policy, pkt({ kind: 'catalogue', caseId: 'C1' }), spy);
    checkCorrelation(policy, pkt({ from: 'public', to: 'intranet', kind: 'submission', caseId: 'C2' }), spy);
    checkCorrelation(policy, pkt({ caseId: 'C3' }), spy);
    expect(asked).toEqual(['C3']);
  });

  it('with requireCorrelation: false, anything the rules allow may go out', () => {
    const off = policyFrom(sampleText().replace('requireCorrelation: true', 'requireCorrelation: false'));
    expect(checkCorrelation(off, pkt({ caseId: 'nobody' }), knownCase)).toEqual({ ok: true, why: 'correlation-off' });
  });
});
