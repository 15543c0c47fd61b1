// The applicant's case secret: the credential that goes with a case number. Made at submission,
// shown once in the 202 answer, and kept only as a hash; the case number alone opens nothing.
//
// 140 random bits from crypto.randomBytes, written as 28 Crockford base32 characters in groups of four
// (no I, L, O or U: nothing to misread when copying from a receipt slip). A secret this random cannot
// be found by trying candidates against a stolen hash, so a slow password hash would buy nothing: one
// SHA-256, salted with the case number (unique per case) and a domain label, is enough and keeps the
// check cheap enough to run in constant time on every request.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CASE_SECRET_CHARS = 28;
const GROUP = 4;
const ENCODED = new RegExp(`^[${ALPHABET}]{${CASE_SECRET_CHARS}}$`);
/** The longest text we will even look at as a presented secret (separators included). */
export const MAX_PRESENTED_SECRET_CHARS = 64;

/** A fresh secret, grouped for humans: `7K3M-Q9XD-…` (7 groups of 4). */
export function newCaseSecret(random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(18); // 144 bits; the low 140 are used
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < CASE_SECRET_CHARS; i++) { out = ALPHABET[Number(bits & 31n)]! + out; bits >>= 5n; }
  return out.match(new RegExp(`.{${GROUP}}`, 'g'))!.join('-');
}

/** What an applicant typed, in canonical form: case folded, separators dropped, and Crockford's
 *  look-alikes read as the digit they resemble. Null when it cannot be a secret at all. */
export function normalizeCaseSecret(presented: string): string | null {
  if (presented.length > MAX_PRESENTED_SECRET_CHARS) return null;
  const s = presented.toUpperCase().replace(/[\s-]/g, '').replace(/[IL]/g, '1').replace(/O/g, '0');
  return ENCODED.test(s) ? s : null;
}

/** The stored form: SHA-256 over a label, the case number and the canonical secret. */
export function caseSecretHash(caseId: string, canonicalSecret: string): Buffer {
  return createHash('sha256').update(`ferry-case-secret/1\0${caseId}\0${canonicalSecret}`).digest();
}

// Compared against when there is no case or no usable secret, so every refusal does the same work.
const DECOY = caseSecretHash('F00000000-0000000000000000', '0'.repeat(CASE_SECRET_CHARS));

/** Constant-time check of a presented secret against the stored hash. An unknown case (stored null)
 *  or an unusable secret still costs one hash and one comparison, and answers false. */
export function caseSecretMatches(caseId: string, presented: string | null, stored: Buffer | null): boolean {
  const canonical = presented === null ? null : normalizeCaseSecret(presented);
  const candidate = caseSecretHash(caseId, canonical ?? '');
  const against = stored !== null && stored.length === candidate.length ? stored : DECOY;
  const same = timingSafeEqual(candidate, against);
  return same && canonical !== null && against !== DECOY;
}
