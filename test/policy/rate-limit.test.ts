// Rate limits (GCRA) with an injected clock: bursts, refill across windows, independence of keys,
// no tokens spent on a refused request, and the documented behaviour at the key cap (evict oldest).
import { describe, expect, it } from 'vitest';
import { httpStatus } from '../../src/errors.js';
import { RateLimiter } from '../../src/policy/rate-limit.js';
import type { PolicyRule } from '../../src/policy/policy-model.js';
import { policyFrom } from './sample.js';

const policy = policyFrom(`
version: 1
domains:
  public:
  township-qinghe: { clientCert: { subjects: [qinghe] } }
  intranet:
freshness: { maxAgeSeconds: 60, maxFutureSeconds: 5 }
outbound: { requireCorrelation: true }
rules:
  - id: apply
    from: [public, township-*]
    to: [intranet]
    kinds: [submission]
    maxBytes: 1 MiB
    rate: { perApplicant: 3/h, perSourceAddress: 5/h, perTownship: 4/m }
  - id: evaluate
    from: [public]
    to: [intranet]
    kinds: [evaluation]
    maxBytes: 1 KiB
    rate: { perApplicant: 7/d }
`);
const apply = policy.ruleById.get('apply')!;
const evaluate = policy.ruleById.get('evaluate')!;

class FakeClock { constructor(public ms = Date.UTC(2026, 10, 25, 8, 0, 0)) {} now() { return new Date(this.ms); } advance(s: number) { this.ms += s * 1000; } }

function setup(maxKeys?: number) {
  const clock = new FakeClock();
  const rl = new RateLimiter(clock, maxKeys);
  const hit = (rule: PolicyRule, applicant: string | undefined, sourceAddress = '203.0.113.7', from = 'public') => rl.check(rule, { from, applicant, sourceAddress });
  return { clock, rl, hit };
}

describe('rate limits', () => {
  it('allows a burst of N, refuses the next with the rule, the limit hit and Retry-After', () => {
    const { hit } = setup();
    for (let i = 0; i < 3; i++) expect(hit(apply, '330100199001011234')).toEqual({ ok: true });
    const v = hit(apply, '330100199001011234');
    expect(v).toMatchObject({ ok: false, code: 'FERRY_ERR_POLICY_RATE', rule: 'apply', key: 'perApplicant', limit: '3/h', retryAfterSeconds: 1200 });
    expect(httpStatus('FERRY_ERR_POLICY_RATE')).toBe(429);
    if (!v.ok) expect(v.detail).not.toContain('330100199001011234'); // an id number is personal data
  });

  it('refills one request every period/N: the window slides, it does not reset', () => {
    const { clock, hit } = setup();
    for (let i = 0; i < 3; i++) hit(apply, 'A1');
    clock.advance(1199);
    expect(hit(apply, 'A1')).toMatchObject({ ok: false, retryAfterSeconds: 1 });
    clock.advance(1);
    expect(hit(apply, 'A1')).toEqual({ ok: true });
    expect(hit(apply, 'A1')).toMatchObject({ ok: false, retryAfterSeconds: 1200 });
    clock.advance(3600);
    for (let i = 0; i < 3; i++) expect(hit(apply, 'A1')).toEqual({ ok: true });
    expect(hit(apply, 'A1').ok).toBe(false);
  });

  it('waiting exactly Retry-After seconds is always enough', () => {
    const { clock, hit } = setup();
    let refusals = 0;
    for (let n = 0; n < 40; n++) {
      const v = hit(apply, 'A2', `198.51.100.${n % 7}`);
      if (!v.ok) {
        refusals++;
        clock.advance(v.retryAfterSeconds - 1);
        expect(hit(apply, 'A2', `198.51.100.${n % 7}`).ok).toBe(false); // and one second less is not
        clock.advance(1);
        expect(hit(apply, 'A2', `198.51.100.${n % 7}`)).toEqual({ ok: true });
      }
      clock.advance(n % 5 === 0 ? 400 : 10);
    }
    expect(refusals).toBeGreaterThan(5);
  });

  it('lets at most 2N−1 through inside any one period (burst, then refill), as documented', () => {
    const { clock, hit } = setup();
    let allowed = 0;
    for (let s = 0; s < 3600; s++) { if (hit(apply, 'A3', `192.0.2.${s % 250}`).ok) allowed++; clock.advance(1); }
    expect(allowed).toBe(2 * 3 - 1);
  });

  it('keys are independent: another applicant, another rule', () => {
    const { hit } = setup();
    for (let i = 0; i < 3; i++) hit(apply, 'A4', `192.0.2.${i}`);
    expect(hit(apply, 'A4', '192.0.2.9').ok).toBe(false);
    expect(hit(apply, 'B4', '192.0.2.9')).toEqual({ ok: true });
    expect(hit(evaluate, 'A4', '192.0.2.9')).toEqual({ ok: true });
  });

  it('a refused request spends no tokens in the other buckets', () => {
    const { hit } = setup();
    for (let i = 0; i < 3; i++) expect(hit(apply, 'A5').ok).toBe(true); // address: 3 of 5 used
    for (let i = 0; i < 10; i++) expect(hit(apply, 'A5')).toMatchObject({ ok: false, key: 'perApplicant' });
    expect(hit(apply, 'B5')).toEqual({ ok: true });
    expect(hit(apply, 'C5')).toEqual({ ok: true });
    expect(hit(apply, 'D5')).toMatchObject({ ok: false, key: 'perSourceAddress', limit: '5/h' });
  });

  it('limits a township centre as a whole, and only township sources', () => {
    const { hit } = setup();
    for (let i = 0; i < 4; i++) expect(hit(apply, `T${i}`, `10.9.0.${i}`, 'township-qinghe')).toEqual({ ok: true });
    expect(hit(apply, 'T9', '10.9.0.9', 'township-qinghe')).toMatchObject({ ok: false, key: 'perTownship', limit: '4/m', retryAfterSeconds: 15 });
    for (let i = 0; i < 5; i++) expect(hit(apply, `P${i}`, `10.8.0.${i}`, 'public').ok).toBe(true);
  });

  it('does not limit a dimension whose key is unknown', () => {
    const { hit } = setup();
    for (let i = 0; i < 5; i++) expect(hit(apply, undefined).ok).toBe(true);
    expect(hit(apply, undefined)).toMatchObject({ ok: false, key: 'perSourceAddress' });
  });

  it('names the limit with the longest wait when several are hit', () => {
    const { hit } = setup();
    for (let i = 0; i < 3; i++) hit(apply, 'A6');
    hit(apply, 'B6'); hit(apply, 'B6');
    const v = hit(apply, 'A6'); // applicant wait 1200 s; address (5 used) wait 720 s
    expect(v).toMatchObject({ ok: false, key: 'perApplicant', retryAfterSeconds: 1200 });
  });

  it('allows exactly N at once for every N, even where period/N is no whole number of ms', () => {
    for (const [unit, ms] of [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000]] as const) {
      for (let n = 1; n <= 60; n++) {
        const rule = { id: `r${n}${unit}`, rate: { perApplicant: { count: n, periodMs: ms, text: `${n}/${unit}` } } } as unknown as PolicyRule;
        const { clock, hit } = setup();
        for (let i = 0; i < n; i++) expect(hit(rule, 'N1').ok, `${n}/${unit}: request ${i + 1}`).toBe(true);
        expect(hit(rule, 'N1').ok, `${n}/${unit}: request ${n + 1}`).toBe(false);
        clock.ms += ms; // a whole period later the bucket is exactly full again
        for (let i = 0; i < n; i++) expect(hit(rule, 'N1').ok).toBe(true);
        expect(hit(rule, 'N1').ok).toBe(false);
      }
    }
  });

  it('a reload that changes N keeps the debt already run up', () => {
    const { clock, hit } = setup();
    const r3 = { id: 'x', rate: { perApplicant: { count: 3, periodMs: 3_600_000, text: '3/h' } } } as unknown as PolicyRule;
    const r6 = { id: 'x', rate: { perApplicant: { count: 6, periodMs: 3_600_000, text: '6/h' } } } as unknown as PolicyRule;
    for (let i = 0; i < 3; i++) hit(r3, 'R1');
    expect(hit(r6, 'R1')).toMatchObject({ ok: false, retryAfterSeconds: 600 }); // debt 1 h; 6/h tolerates 50 min
    clock.advance(600);
    expect(hit(r6, 'R1')).toEqual({ ok: true });
  });
});

describe('rate limits at the key cap', () => {
  it('never holds more keys than the cap', () => {
    const { rl, hit } = setup(1000);
    let most = 0;
    for (let i = 0; i < 5000; i++) { hit(evaluate, `X${i}`); most = Math.max(most, rl.stats().keys); }
    expect(most).toBe(1000 - 1);
    expect(rl.stats().evicted + rl.stats().keys).toBe(5000);
  });

  it('forgets the keys unused longest: they restart with a full bucket, and stats count the lost debt', () => {
    const { rl, hit } = setup(10);
    for (let i = 0; i < 7; i++) hit(evaluate, 'A');
    expect(hit(evaluate, 'A').ok).toBe(false);
    for (let i = 0; i < 10; i++) hit(evaluate, `new${i}`); // 10 newer keys: A is evicted
    expect(rl.stats().evictedLive).toBeGreaterThanOrEqual(1);
    expect(hit(evaluate, 'A').ok).toBe(true); // forgotten: the documented cost of not failing closed
  });

  it('keeps a key used (even refused) within the last cap/2 distinct keys', () => {
    const { rl, hit } = setup(10);
    for (let i = 0; i < 7; i++) hit(evaluate, 'F');
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 4; i++) hit(evaluate, `k${round}-${i}`);
      expect(hit(evaluate, 'F').ok, `round ${round}`).toBe(false); // the flooder stays limited
    }
    expect(rl.stats().keys).toBeLessThanOrEqual(10);
  });

  it('evicting keys idle for a whole period loses nothing', () => {
    const { clock, rl, hit } = setup(4);
    for (let i = 0; i < 7; i++) hit(evaluate, 'A');
    hit(evaluate, 'B');
    clock.advance(86_400);
    for (let i = 0; i < 2; i++) expect(hit(evaluate, `C${i}`).ok).toBe(true); // the second rotates A and B out
    expect(rl.stats()).toEqual({ keys: 2, evicted: 2, evictedLive: 0 });
  });
});
