// The case secret, the throttle for wrong ones and the log mask, as pure functions.
import { describe, expect, it } from 'vitest';
import { caseSecretHash, caseSecretMatches, newCaseSecret, normalizeCaseSecret } from '../../src/external/case-secret.js';
import { SecretThrottle } from '../../src/external/secret-throttle.js';
import { maskCaseId, maskLogValue } from '../../src/gateway/case-mask.js';
import type { Clock } from '../../src/time/clock.js';

const CASE = 'F20261203-7K3MQ9XD2B4C6E8G';

describe('case secret', () => {
  it('encodes 140 bits as 7 groups of 4 Crockford characters, most significant first', () => {
    expect(newCaseSecret(() => Buffer.alloc(18, 0))).toBe('0000-0000-0000-0000-0000-0000-0000');
    expect(newCaseSecret(() => Buffer.alloc(18, 0xff))).toBe('ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ-ZZZZ');
    const one = Buffer.alloc(18, 0); one[17] = 1;
    expect(newCaseSecret(() => one)).toBe('0000-0000-0000-0000-0000-0000-0001');
    const seen = new Set(Array.from({ length: 1000 }, () => newCaseSecret()));
    expect(seen.size).toBe(1000);
    for (const s of seen) expect(s).toMatch(/^([0-9A-HJKMNP-TV-Z]{4}-){6}[0-9A-HJKMNP-TV-Z]{4}$/);
  });

  it.each([
    ['7k3m q9xd 2b4c 6e8g 1111 2222 3333', '7K3MQ9XD2B4C6E8G111122223333'],
    ['7K3M-Q9XD-2B4C-6E8G-IIII-LLLL-OOOO', '7K3MQ9XD2B4C6E8G111111110000'], // look-alikes read as digits
    ['7K3M-Q9XD-2B4C-6E8G-1111-2222-333', null], // one short
    ['7K3M-Q9XD-2B4C-6E8G-1111-2222-333U', null], // U is not in the alphabet
    ['x'.repeat(65), null],
  ])('normalises %j to %j', (typed, canonical) => {
    expect(normalizeCaseSecret(typed)).toBe(canonical);
  });

  it('matches only the right secret for the right case, in any typed form', () => {
    const secret = newCaseSecret();
    const stored = caseSecretHash(CASE, normalizeCaseSecret(secret)!);
    expect(caseSecretMatches(CASE, secret, stored)).toBe(true);
    expect(caseSecretMatches(CASE, secret.toLowerCase().replace(/-/g, ''), stored)).toBe(true);
    expect(caseSecretMatches(CASE, newCaseSecret(), stored)).toBe(false);
    expect(caseSecretMatches(CASE, null, stored)).toBe(false);
    expect(caseSecretMatches(CASE, 'garbage', stored)).toBe(false);
    expect(caseSecretMatches(CASE, secret, null)).toBe(false); // unknown case
    expect(caseSecretMatches('F20261203-0000000000000000', secret, stored)).toBe(false); // another case's hash
    expect(caseSecretMatches(CASE, secret, Buffer.alloc(5))).toBe(false); // a damaged row
    // The decoy never matches, even for the secret it is made from.
    expect(caseSecretMatches('F00000000-0000000000000000', '0000-0000-0000-0000-0000-0000-0000', null)).toBe(false);
  });
});

describe('secret throttle', () => {
  let t = 0;
  const clock: Clock = { now: () => new Date(t) };
  const limits = { perSource: 3, perCase: 5, windowMs: 60_000, maxKeys: 4 };

  it('blocks a source after its limit and lets it go when the window ends', () => {
    t = 0;
    const th = new SecretThrottle(clock, limits);
    for (let i = 0; i < 3; i++) { expect(th.blocked('a', 'c1')).toBeNull(); th.failed('a', 'c1'); }
    expect(th.blocked('a', 'c2')).toBe(60);
    expect(th.blocked('b', 'c2')).toBeNull();
    t = 59_001;
    expect(th.blocked('a', 'c2')).toBe(1);
    t = 60_000;
    expect(th.blocked('a', 'c2')).toBeNull();
  });

  it('blocks a case after its limit, whatever the source', () => {
    t = 0;
    const th = new SecretThrottle(clock, { ...limits, maxKeys: 100 });
    for (let i = 0; i < 5; i++) th.failed(`s${i}`, 'c1');
    expect(th.blocked('fresh', 'c1')).toBe(60);
    expect(th.blocked('fresh', 'c2')).toBeNull();
  });

  it('keeps at most maxKeys counters, dropping the oldest', () => {
    t = 0;
    const th = new SecretThrottle(clock, limits);
    for (let i = 0; i < 3; i++) th.failed('a', 'c1');
    for (let i = 0; i < 4; i++) th.failed(`x${i}`, `y${i}`);
    expect(th.blocked('a', 'zz')).toBeNull(); // a's counter was the oldest
  });
});

describe('case number mask', () => {
  it('keeps the date, hides the random part, and is the same everywhere', () => {
    const m = maskCaseId(CASE);
    expect(m).toMatch(/^F20261203~[0-9a-f]{8}$/);
    expect(maskCaseId(CASE)).toBe(m);
    expect(maskCaseId('F20261203-0000000000000000')).not.toBe(m);
    expect(maskCaseId(`body case ${CASE} vs header ${CASE}`)).toBe(`body case ${m} vs header ${m}`);
    expect(maskCaseId(m)).toBe(m);
  });

  it('masks every string of a log record, nested ones too', () => {
    expect(maskLogValue({ case: CASE, detail: `no case ${CASE}`, n: 1, list: [CASE], deep: { x: { case: CASE } } }))
      .toEqual({ case: maskCaseId(CASE), detail: `no case ${maskCaseId(CASE)}`, n: 1, list: [maskCaseId(CASE)], deep: { x: { case: maskCaseId(CASE) } } });
  });
});
