// The decryption key a gateway held before its last encryption-key rotation: named in config
// (keys.previous), or by default the `<encCert>.prev` / `<encKey>.prev` pair that `ferry certs import`
// leaves when it replaces the current files. Accepted for keys.previousGraceDays from the rotation —
// the later of the current certificate's notBefore and when the previous file was written (a CA may
// backdate notBefore; the copy is made at the rotation) — so packets sealed to the old certificate
// while the peer still used it open.
import { chmodSync, copyFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { X509Certificate } from 'node:crypto';
import { loadCertificate, loadPrivateKey } from '../pki/key-files.js';
import type { PreviousKey } from '../seal/keyring.js';
import { DEFAULT_PREVIOUS_KEY_GRACE_DAYS } from '../seal/limits.js';

export interface PreviousKeyFiles {
  encCert: string;
  encKey: string;
  previous?: { readonly encCert: string; readonly encKey: string } | null;
  previousGraceDays?: number;
}

/** The suffix `ferry certs import` gives the files it replaces. */
export const PREVIOUS_SUFFIX = '.prev';

export function loadPreviousKeys(files: PreviousKeyFiles, current: X509Certificate): PreviousKey[] {
  const named = files.previous ?? null;
  const prev = named ?? { encCert: files.encCert + PREVIOUS_SUFFIX, encKey: files.encKey + PREVIOUS_SUFFIX };
  // A named pair must exist (a typo is an error); the default pair is used only when both are there.
  if (!named && !(existsSync(prev.encCert) && existsSync(prev.encKey))) return [];
  const days = files.previousGraceDays ?? DEFAULT_PREVIOUS_KEY_GRACE_DAYS;
  const rotatedAt = Math.max(new Date(current.validFrom).getTime(), statSync(prev.encCert).mtimeMs);
  const until = new Date(rotatedAt + days * 86_400_000);
  return [{ encCert: loadCertificate(prev.encCert), encKey: loadPrivateKey(prev.encKey), until }];
}

/**
 * Before `ferry certs import --force` replaces a role's files: copies the current certificate, key and
 * chain to `*.prev` (key 0600), so the gateway keeps decrypting what was sealed to the old certificate
 * (loadPreviousKeys). A copy, not a rename: if the import then fails, the current files are untouched.
 * Returns the files kept.
 */
export function keepPreviousFiles(dir: string, role: string): string[] {
  const kept: string[] = [];
  for (const name of [`${role}.crt`, `${role}.key`, `${role}-chain.crt`]) {
    const from = join(dir, name);
    if (!existsSync(from)) continue;
    copyFileSync(from, from + PREVIOUS_SUFFIX);
    if (name.endsWith('.key')) chmodSync(from + PREVIOUS_SUFFIX, 0o600);
    kept.push(from + PREVIOUS_SUFFIX);
  }
  return kept;
}
