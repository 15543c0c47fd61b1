// Key rotation with overlap (issue 13): the receiver opens with its CURRENT decryption key and, until
// the grace period ends, its PREVIOUS one — so packets sealed to the old certificate while the rotation
// was under way are not lost. Outside the grace, or for a certificate it never held, the verdict is
// FERRY_ERR_SEAL_WRONG_RECIPIENT with a detail that says which. Real dev PKIs, real sealing.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPacket } from '../../src/seal/open.js';
import { sealPacket } from '../../src/seal/seal.js';
import { openKeys, sealKeys } from '../../src/seal/keyring.js';
import { SignerTrust } from '../../src/seal/signer-trust.js';
import { makePki, tempDir, type DevPki } from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let now: DevPki;      // the gateway's PKI: its current internal-enc key
let before: DevPki;   // another internal-enc key: the one it held before the rotation
let stranger: DevPki; // a key it never held
const NOW = new Date();
const GRACE_END = new Date(NOW.getTime() + 86_400_000);

beforeAll(async () => {
  tmp = tempDir('prev-key');
  [now, before, stranger] = await Promise.all([makePki(tmp.dir, 'now'), makePki(tmp.dir, 'before'), makePki(tmp.dir, 'stranger')]);
});
afterAll(() => tmp.cleanup());

const sealedTo = (pki: DevPki) => sealPacket({
  kind: 'submission', fromDomain: 'public', toDomain: 'intranet', caseId: 'F20261203-0123456789ABCDEF', createdAt: NOW, body: Buffer.from('{"a":1}'),
}, sealKeys(now.own('external'), { encCert: pki.cert('internal-enc') })).bytes;
const open = (bytes: Buffer, at: Date, previous = [{ encKey: before.key('internal-enc'), encCert: before.cert('internal-enc'), until: GRACE_END }]) =>
  openPacket(bytes, {
    keys: openKeys(now.own('internal'), previous), now: at,
    signers: new SignerTrust({ roots: [now.ca], expectedSubjects: ['ferry-external-sign'] }),
  });

describe('current and previous decryption keys', () => {
  it('opens a packet sealed to the current certificate', () => {
    const r = open(sealedTo(now), NOW);
    expect(r.ok && r.packet.body.toString()).toBe('{"a":1}');
  });
  it('opens a packet sealed to the previous certificate inside the grace period', () => {
    const r = open(sealedTo(before), NOW);
    expect(r.ok && r.packet.body.toString()).toBe('{"a":1}');
  });
  it.each([
    ['the previous certificate after the grace period', () => open(sealedTo(before), new Date(GRACE_END.getTime() + 1)), /grace period ended/],
    ['a certificate it never held', () => open(sealedTo(stranger), NOW), /nor a previous one/],
    ['the previous certificate when no previous key is configured', () => open(sealedTo(before), NOW, []), /not the current certificate sha256:[0-9a-f]{64}$/],
  ])('refuses a packet sealed to %s: FERRY_ERR_SEAL_WRONG_RECIPIENT', (_n, run, detail) => {
    const r = run();
    expect(r.ok ? 'opened' : r.code).toBe('FERRY_ERR_SEAL_WRONG_RECIPIENT');
    if (!r.ok) expect(r.detail).toMatch(detail);
  });
  it('ignores a "previous" key that is the current one (certs import run twice with the same file)', () => {
    const keys = openKeys(now.own('internal'), [{ encKey: now.key('internal-enc'), encCert: now.cert('internal-enc'), until: GRACE_END }]);
    expect(keys.previous).toEqual([]);
  });
});
