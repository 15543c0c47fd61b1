// The intranet TSA issues audit anchors under a policy OID of their own, which the public POST /tsa
// (respond()) never issues under: a request naming it is refused, and a request naming none gets the
// public policy. So a token anyone on the intranet can fetch never passes as an anchor.
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../src/errors.js';
import { TimeStampAuthority, type TimeStampAuthorityOptions } from '../../src/time/tsa-issue.js';
import { buildTimeStampReq } from '../../src/time/tsa-request.js';
import { parseTimeStampResp } from '../../src/time/tsa-response.js';
import { MemorySerialSource } from '../../src/time/tsa-serials.js';
import { verifyTimeStampToken } from '../../src/time/tsa-verify.js';
import { anchorPolicyOf } from '../../src/internal/tsa-service.js';
import { makeTestPki, type TestPki } from '../tsa/pki-fixture.js';

const PUBLIC = '1.3.6.1.4.1.55555.1.1';
const ANCHOR = '1.3.6.1.4.1.55555.1.2';
let pki: TestPki;
const digest = createHash('sha256').update('ferry-audit-head/1 seq=7 hash=00\n').digest();

beforeAll(() => { pki = makeTestPki(); });
afterAll(() => pki.cleanup());

const options = (over: Partial<TimeStampAuthorityOptions> = {}): TimeStampAuthorityOptions => ({
  signingKey: pki.tsa.key, certificate: pki.tsa.cert, policyOid: PUBLIC, anchorPolicyOid: ANCHOR,
  accuracy: { millis: 10 }, ordering: false, clock: { now: () => new Date() }, serials: new MemorySerialSource(1n), ...over,
});
const policyOf = async (token: Buffer) => {
  const v = await verifyTimeStampToken(token, { digest, trusted: [pki.ca.cert] });
  if (!v.ok) throw new Error(v.detail);
  return v.value.policy;
};

describe('anchor policy OID', () => {
  const tsa = () => new TimeStampAuthority(options());

  it('stamps audit anchors under the anchor policy, packets under the public one', async () => {
    expect(await policyOf(await tsa().stamp(digest, 'SHA-256', { certReq: true, purpose: 'audit-anchor' }))).toBe(ANCHOR);
    expect(await policyOf(await tsa().stamp(digest, 'SHA-256', { certReq: true }))).toBe(PUBLIC);
  });

  it.each([
    ['names the anchor policy', { reqPolicy: ANCHOR, certReq: true }, 'rejected'],
    ['names another policy', { reqPolicy: '1.3.6.1.4.1.55555.1.3', certReq: true }, 'rejected'],
    ['names no policy', { certReq: true }, PUBLIC],
    ['names the public policy', { reqPolicy: PUBLIC, certReq: true }, PUBLIC],
  ] as const)('POST /tsa with a request that %s: %s', async (_what, req, want) => {
    const r = parseTimeStampResp(await tsa().respond(buildTimeStampReq(digest, req)));
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    if (want === 'rejected') {
      expect(r.value.status).toBe(2); // rejection
      expect(r.value.failures).toEqual(['unacceptedPolicy']);
      expect(r.value.tokenDer).toBeUndefined();
    } else {
      expect(await policyOf(r.value.tokenDer!)).toBe(want);
    }
  });

  it('refuses to start when the anchor policy is the public policy, or not an OID', () => {
    for (const anchorPolicyOid of [PUBLIC, 'not-an-oid']) {
      try {
        new TimeStampAuthority(options({ anchorPolicyOid }));
        expect.unreachable();
      } catch (e) {
        expect(isFerryError(e) && e.code).toBe('FERRY_ERR_TSA_CONFIG');
      }
    }
  });

  it('cannot stamp an anchor when no anchor policy is configured', async () => {
    const { anchorPolicyOid: _none, ...rest } = options();
    await expect(new TimeStampAuthority(rest).stamp(digest, 'SHA-256', { purpose: 'audit-anchor' })).rejects.toMatchObject({ code: 'FERRY_ERR_TSA_CONFIG' });
  });

  it('defaults the anchor policy to the sub-arc .1 of the public policy', () => {
    expect(anchorPolicyOf({ policyOid: '2.25.99', anchorPolicyOid: '' })).toBe('2.25.99.1');
    expect(anchorPolicyOf({ policyOid: '2.25.99', anchorPolicyOid: '2.25.100' })).toBe('2.25.100');
  });
});
