// The one part of a first answer that must not be kept in clear: the applicant's case secret (the 202
// of a submission is the only place it is ever shown). A retry whose answer was lost still needs it,
// or the case it filed could never be read or acted on. So the secret is kept sealed under a key the
// gateway does not hold: HKDF-SHA256 (RFC 5869) over the client's Idempotency-Key and the exact
// request bytes, with a random salt per row. Only a client that sends the same key with the same
// bytes (which only it has: the body is in no table in clear, only sealed to the intranet) can open
// it; a copy of the database alone cannot, even for a short, guessable key.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

const INFO = Buffer.from('ferry-idempotency-secret/1');
const SALT_BYTES = 16;
const IV_BYTES = 12; // NIST SP 800-38D §8.2: a 96-bit random IV, one per key (the key is per row)
const TAG_BYTES = 16;

function keyFor(idempotencyKey: string, raw: Buffer, salt: Buffer): Buffer {
  // Length-prefixed so that (key, body) pairs cannot be shifted into one another.
  const k = Buffer.from(idempotencyKey, 'latin1');
  const len = Buffer.alloc(4);
  len.writeUInt32BE(k.length);
  return Buffer.from(hkdfSync('sha256', Buffer.concat([len, k, raw]), salt, INFO, 32));
}

/** salt | iv | tag | ciphertext; `aad` binds the box to its row (the key's digest). */
export function sealSecret(secret: string, idempotencyKey: string, raw: Buffer, aad: Buffer): Buffer {
  const salt = randomBytes(SALT_BYTES);
  const iv = randomBytes(IV_BYTES);
  const c = createCipheriv('aes-256-gcm', keyFor(idempotencyKey, raw, salt), iv);
  c.setAAD(aad);
  const ct = Buffer.concat([c.update(secret, 'utf8'), c.final()]);
  return Buffer.concat([salt, iv, c.getAuthTag(), ct]);
}

/** The secret, or null when the box does not open with this key and these bytes. */
export function openSecret(box: Buffer, idempotencyKey: string, raw: Buffer, aad: Buffer): string | null {
  if (box.length < SALT_BYTES + IV_BYTES + TAG_BYTES) return null;
  const salt = box.subarray(0, SALT_BYTES);
  const iv = box.subarray(SALT_BYTES, SALT_BYTES + IV_BYTES);
  const tag = box.subarray(SALT_BYTES + IV_BYTES, SALT_BYTES + IV_BYTES + TAG_BYTES);
  try {
    const d = createDecipheriv('aes-256-gcm', keyFor(idempotencyKey, raw, salt), iv);
    d.setAAD(aad);
    d.setAuthTag(tag);
    return Buffer.concat([d.update(box.subarray(SALT_BYTES + IV_BYTES + TAG_BYTES)), d.final()]).toString('utf8');
  } catch {
    return null;
  }
}
