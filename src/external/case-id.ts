// Case numbers applicants quote: "F" + the acceptance date + 16 Crockford base32 characters (80
// random bits). Status queries need no login, so the number itself must be unguessable.
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
export const CASE_ID_PATTERN = /^F\d{8}-[0-9A-HJKMNP-TV-Z]{16}$/;

export function newCaseId(now: Date, random: (n: number) => Buffer = randomBytes): string {
  const bytes = random(10);
  let bits = 0n;
  for (const b of bytes) bits = (bits << 8n) | BigInt(b);
  let out = '';
  for (let i = 0; i < 16; i++) { out = ALPHABET[Number(bits & 31n)] + out; bits >>= 5n; }
  const d = now.toISOString().slice(0, 10).replace(/-/g, '');
  return `F${d}-${out}`;
}
