// openPacket as a specification: every rule of docs/PROTOCOL.md §4 gets a hostile input and the exact
// code it must produce. Keys are real dev PKIs (initDevPki); forgeries are re-signed with real keys
// through the production signPacket, so a check that passes them would pass a real attacker too.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createECDH, X509Certificate } from 'node:crypto';
import { x509 } from '../../src/pki/x509-provider.js';
import { sealPacket, type PacketDraft } from '../../src/seal/seal.js';
import { withTimestampToken } from './fixtures.js';
import { openPacket, type OpenResult } from '../../src/seal/open.js';
import { sealKeys, sha256, type OpenKeys } from '../../src/seal/keyring.js';
import { KIND_NAMES } from '../../src/seal/packet-kind.js';
import { commonName } from '../../src/seal/signer-trust.js';
import { GCM_TAG_BYTES, MAX_HEADER_BYTES, MAX_SIGNATURE_BYTES } from '../../src/seal/limits.js';
import type { FerryErrorCode } from '../../src/errors.js';
import {
  ctx, editHeader, externalToInternal, flipByte, join_, makePki, resign, SEAL_CODES, split, tempDir,
  type DevPki, type Pair,
} from './fixtures.js';

const NOW = new Date('2026-06-01T08:00:00Z');
const ISSUED = new Date('2026-05-01T00:00:00Z');
const DAY = 86_400_000;

let tmp: ReturnType<typeof tempDir>;
let pki: DevPki;      // the deployment's CA
let other: DevPki;    // another CA, same subject names
let expired: DevPki;  // the deployment's CA of long ago: 30-day end-entity certificates, long expired
let future: DevPki;   // issued next month: not yet valid
let pair: Pair;

const draft = (over: Partial<PacketDraft> = {}): PacketDraft => ({
  kind: 'submission', fromDomain: 'public', toDomain: 'intranet', caseId: 'F20260601-0123456789ABCDEFGHJK',
  createdAt: NOW, body: Buffer.from('{"itemCode":"A-001","applicant":"test"}'), ...over,
});
const sealed = (over: Partial<PacketDraft> = {}): Buffer => sealPacket(draft(over), pair.seal).bytes;
const open = (bytes: Uint8Array, over: Partial<ReturnType<typeof ctx>> = {}): OpenResult =>
  openPacket(bytes, { ...ctx(pair, NOW), ...over });
const codeOf = (r: OpenResult): FerryErrorCode | 'ok' => (r.ok ? 'ok' : r.code);

beforeAll(async () => {
  tmp = tempDir('seal');
  [pki, other, expired, future] = await Promise.all([
    makePki(tmp.dir, 'main', { now: ISSUED }),
    makePki(tmp.dir, 'other', { now: ISSUED }),
    makePki(tmp.dir, 'expired', { now: new Date('2025-01-01T00:00:00Z'), days: 30 }),
    makePki(tmp.dir, 'future', { now: new Date(NOW.getTime() + 30 * DAY) }),
  ]);
  pair = externalToInternal(pki, [expired.ca, future.ca]);
});
afterAll(() => tmp.cleanup());

describe('round trip', () => {
  it.each(KIND_NAMES)('opens a %s packet with every header field and the body as sealed', (kind) => {
    const d = draft({ kind, caseId: kind === 'catalogue' ? '' : `case-${kind}` });
    const s = sealPacket(d, pair.seal);
    const r = open(s.bytes);
    if (!r.ok) throw new Error(`${r.code}: ${r.detail}`);
    expect(r.packet).toEqual({
      packetId: s.packetId, kind, fromDomain: 'public', toDomain: 'intranet', caseId: d.caseId, createdAt: NOW,
      body: Buffer.from(d.body), signerSubject: 'ferry-external-sign', signerCertificate: pair.seal.signCertDer, timestampToken: null,
    });
  });

  it.each([0, 1, 1024 * 1024])('opens a %i-byte body byte for byte', (n) => {
    const body = Buffer.alloc(n);
    for (let i = 0; i < n; i++) body[i] = (i * 131 + 7) & 0xff;
    const r = open(sealed({ body }));
    expect(r.ok && r.packet.body.equals(body)).toBe(true);
  });

  it('keeps a caller-chosen packet id and draws a fresh one otherwise', () => {
    const id = Buffer.alloc(16, 0xab);
    expect(sealPacket(draft({ packetId: id }), pair.seal).packetId).toEqual(id);
    expect(sealPacket(draft(), pair.seal).packetId).not.toEqual(sealPacket(draft(), pair.seal).packetId);
  });

  it("opens the signature's other valid form (s -> n - s) to the same content: no low-S rule, so nothing may key on packet bytes", () => {
    const N = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551'); // P-256 group order
    const p = sealed();
    const parts = split(p);
    const sig = parts.signature; // SEQUENCE { INTEGER r, INTEGER s }, short-form lengths for P-256
    const rLen = sig[3]!;
    const r = sig.subarray(4, 4 + rLen);
    const sVal = BigInt(`0x${sig.subarray(6 + rLen).toString('hex')}`);
    const int = (v: bigint): Buffer => { let h = v.toString(16); if (h.length % 2) h = `0${h}`; const b = Buffer.from(h, 'hex'); return b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b; };
    const s2 = int(N - sVal);
    const body = Buffer.concat([Buffer.from([0x02, r.length]), r, Buffer.from([0x02, s2.length]), s2]);
    const other = Buffer.concat([Buffer.from([0x30, body.length]), body]);
    expect(other).not.toEqual(sig);
    const a = open(p);
    const b = open(join_({ ...parts, signature: other }));
    if (!a.ok || !b.ok) throw new Error(`did not open: ${codeOf(a)} / ${codeOf(b)}`);
    expect(b.packet).toEqual(a.packet);
  });

  it('lets the unsigned timestamp_token slot be added and replaced without breaking the signature', () => {
    const once = withTimestampToken(sealed(), Buffer.from('token-one'));
    const r1 = open(once);
    expect(r1.ok && r1.packet.timestampToken?.toString()).toBe('token-one');
    const r2 = open(withTimestampToken(once, Buffer.from('token-two')));
    expect(r2.ok && r2.packet.timestampToken?.toString()).toBe('token-two');
  });
});

const headerEdits: Array<[string, (h: Parameters<Parameters<typeof editHeader>[1]>[0]) => void]> = [
  ['version', (h) => { h.version = 2; }],
  ['packet_id', (h) => { h.packetId = flipByte(h.packetId, 0); }],
  ['kind', (h) => { h.kind = 2; }],
  ['from_domain', (h) => { h.fromDomain = 'intranet'; }],
  ['to_domain', (h) => { h.toDomain = 'public'; }],
  ['created_at_ms', (h) => { h.createdAtMs = NOW.getTime() + 1; }],
  ['case_id', (h) => { h.caseId = 'F20260601-0123456789ABCDEFGHJM'; }],
  ['sender_cert_sha256', (h) => { h.senderCertSha256 = flipByte(h.senderCertSha256, 31); }],
  ['recipient_cert_sha256', (h) => { h.recipientCertSha256 = flipByte(h.recipientCertSha256, 0); }],
  ['ephemeral_public_key', (h) => { h.ephemeralPublicKey = flipByte(h.ephemeralPublicKey, 64); }],
  ['iv', (h) => { h.iv = flipByte(h.iv, 11); }],
  ['body_length', (h) => { h.bodyLength += 1; }],
];

describe('signature covers every signed byte (FERRY_ERR_SEAL_BAD_SIGNATURE)', () => {
  it('re-encodes an unchanged header to the identical bytes (so each edit below changes one field only)', () => {
    const { header } = split(sealed());
    expect(editHeader(header, () => {})).toEqual(header);
  });

  it.each(headerEdits)('rejects a header whose %s was changed under the original signature', (_name, edit) => {
    const p = sealed();
    const parts = split(p);
    const header = editHeader(parts.header, edit);
    expect(header).not.toEqual(parts.header);
    expect(codeOf(open(join_({ ...parts, header })))).toBe('FERRY_ERR_SEAL_BAD_SIGNATURE');
  });

  it('rejects a header with an extra unknown field appended under the original signature', () => {
    const parts = split(sealed());
    const header = Buffer.concat([parts.header, Buffer.from([0x68, 0x01])]); // field 13, varint 1
    expect(codeOf(open(join_({ ...parts, header })))).toBe('FERRY_ERR_SEAL_BAD_SIGNATURE');
  });

  const BODY = 100;
  const positions: Array<[string, number]> = [
    ['first body byte', 0], ['middle body byte', BODY / 2], ['last body byte', BODY - 1],
    ...Array.from({ length: GCM_TAG_BYTES }, (_, i): [string, number] => [`tag byte ${i}`, BODY + i]),
  ];
  it.each(positions)('rejects a flipped ciphertext %s', (_name, at) => {
    const parts = split(sealed({ body: Buffer.alloc(BODY, 0x5a) }));
    expect(parts.ciphertext.length).toBe(BODY + GCM_TAG_BYTES);
    expect(codeOf(open(join_({ ...parts, ciphertext: flipByte(parts.ciphertext, at) })))).toBe('FERRY_ERR_SEAL_BAD_SIGNATURE');
  });

  it('rejects a flipped signature byte at every position', () => {
    const parts = split(sealed());
    for (let i = 0; i < parts.signature.length; i++) {
      expect([i, codeOf(open(join_({ ...parts, signature: flipByte(parts.signature, i, 0x80) })))]).toEqual([i, 'FERRY_ERR_SEAL_BAD_SIGNATURE']);
    }
  });

  it('rejects a signature moved between header and ciphertext (the length prefix separates them)', () => {
    const parts = split(sealed());
    // Same concatenation header||ciphertext, different split point: only the uint32be prefix tells them apart.
    const header = Buffer.concat([parts.header, parts.ciphertext.subarray(0, 1)]);
    const ciphertext = parts.ciphertext.subarray(1);
    expect(codeOf(open(join_({ ...parts, header, ciphertext })))).toBe('FERRY_ERR_SEAL_BAD_SIGNATURE');
  });
});

describe('signer identity', () => {
  it('rejects a packet re-signed with a key of the same CA under another subject (FERRY_ERR_SEAL_UNKNOWN_SIGNER)', () => {
    for (const role of ['internal-sign', 'external-tls'] as const) {
      const forged = resign(sealed(), pki.key(role), { signerCertificate: pki.cert(role).raw });
      expect([role, codeOf(open(forged))]).toEqual([role, 'FERRY_ERR_SEAL_UNKNOWN_SIGNER']);
    }
  });

  it('rejects a signer with the expected CN issued by another CA (FERRY_ERR_SEAL_UNKNOWN_SIGNER)', () => {
    const forged = sealPacket(draft(), sealKeys(other.own('external'), { encCert: pki.cert('internal-enc') })).bytes;
    const r = open(forged);
    expect(codeOf(r)).toBe('FERRY_ERR_SEAL_UNKNOWN_SIGNER');
    expect(!r.ok && r.detail).toMatch(/ferry-external-sign/);
  });

  it('rejects the genuine signer when a different fingerprint is pinned, accepts it when its own is', () => {
    const wrong = sha256(pki.cert('internal-sign').raw).toString('hex');
    expect(codeOf(open(sealed(), { signers: pair.trust({ pinnedSha256: [wrong] }) }))).toBe('FERRY_ERR_SEAL_UNKNOWN_SIGNER');
    const right = pki.cert('external-sign').fingerprint256; // "AB:CD:..." — the pin accepts openssl's notation
    expect(codeOf(open(sealed(), { signers: pair.trust({ pinnedSha256: [right] }) }))).toBe('ok');
  });

  it('rejects an encryption certificate used as signer: unknown subject first, and KEY_USAGE even if its CN were expected', () => {
    const forged = resign(sealed(), pki.key('external-enc'), { signerCertificate: pki.cert('external-enc').raw });
    expect(codeOf(open(forged))).toBe('FERRY_ERR_SEAL_UNKNOWN_SIGNER');
    const lax = pair.trust({ expectedSubjects: ['ferry-external-sign', 'ferry-external-enc'] });
    // With its CN expected, the encryption certificate still lacks the packet-signer role marker.
    expect(codeOf(open(forged, { signers: lax }))).toBe('FERRY_ERR_SEAL_SIGNER_ROLE');
  });

  it('answers a signer certificate that node parses but the stricter ASN.1 schema rejects with MALFORMED, not a throw', () => {
    const der = pki.cert('external-sign').raw;
    let damaged: Buffer | undefined;
    search: for (let i = 0; i < der.length; i++) {
      for (let bit = 0; bit < 8; bit++) {
        const m = flipByte(der, i, 1 << bit);
        try { if (commonName(new X509Certificate(m).subject) !== 'ferry-external-sign') continue; } catch { continue; }
        try { new x509.X509Certificate(m); } catch { damaged = m; break search; }
      }
    }
    expect(damaged).toBeDefined();
    const forged = join_({ ...split(sealed()), signerCertificate: damaged! });
    expect(codeOf(open(forged))).toBe('FERRY_ERR_SEAL_MALFORMED');
  });

  it('rejects a header naming another signer certificate, though properly signed (FERRY_ERR_SEAL_SIGNER_MISMATCH)', () => {
    const p = sealed();
    const header = editHeader(split(p).header, (h) => { h.senderCertSha256 = sha256(pki.cert('internal-sign').raw); });
    expect(codeOf(open(resign(p, pki.key('external-sign'), { header })))).toBe('FERRY_ERR_SEAL_SIGNER_MISMATCH');
  });
});

describe('signer validity (FERRY_ERR_SEAL_SIGNER_EXPIRED)', () => {
  const withKeys = (p: DevPki, createdAt: Date): Buffer =>
    sealPacket(draft({ createdAt }), sealKeys(p.own('external'), { encCert: pki.cert('internal-enc') })).bytes;

  it('rejects a packet whose signer certificate expired, even when created inside its validity', () => {
    expect(codeOf(open(withKeys(expired, new Date('2025-01-10T00:00:00Z'))))).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
  });
  it('rejects a packet whose signer certificate is not yet valid', () => {
    expect(codeOf(open(withKeys(future, NOW)))).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
  });
  it("rejects a packet created before its signer certificate's notBefore", () => {
    expect(codeOf(open(withKeys(pki, new Date(ISSUED.getTime() - DAY))))).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
  });
  it("rejects a packet claiming creation after its signer certificate's notAfter", () => {
    expect(codeOf(open(withKeys(pki, new Date(ISSUED.getTime() + 900 * DAY))))).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
  });
  it('rejects a valid packet opened after its signer expired (validity is judged now as well)', () => {
    expect(codeOf(open(sealed(), { now: new Date(ISSUED.getTime() + 900 * DAY) }))).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
  });
  it('fails closed when SignerTrust.check is asked about an invalid Date', () => {
    const v = pair.trust().check(pki.cert('external-sign').raw, new Date(Number.NaN), NOW);
    expect(!v.ok && v.code).toBe('FERRY_ERR_SEAL_SIGNER_EXPIRED');
  });
  it('rejects a created_at beyond what a Date can hold as malformed, not as a valid time', () => {
    const p = sealed();
    const header = editHeader(split(p).header, (h) => { h.createdAtMs = 2 ** 62; });
    expect(codeOf(open(resign(p, pki.key('external-sign'), { header })))).toBe('FERRY_ERR_SEAL_MALFORMED');
  });
});

describe('recipient and decryption', () => {
  it('rejects a packet encrypted to another recipient certificate (FERRY_ERR_SEAL_WRONG_RECIPIENT)', () => {
    for (const enc of [pki.cert('external-enc'), other.cert('internal-enc')]) {
      const p = sealPacket(draft(), sealKeys(pki.own('external'), { encCert: enc })).bytes;
      expect(codeOf(open(p))).toBe('FERRY_ERR_SEAL_WRONG_RECIPIENT');
    }
  });

  const otherPoint = (): Buffer => { const e = createECDH('prime256v1'); e.generateKeys(); return e.getPublicKey(); };
  const decryptCases: Array<[string, (p: Buffer) => Partial<ReturnType<typeof split>>]> = [
    ['a ciphertext byte', (p) => ({ ciphertext: flipByte(split(p).ciphertext, 3) })],
    ['a tag byte', (p) => ({ ciphertext: flipByte(split(p).ciphertext, split(p).ciphertext.length - 1) })],
    ['the iv (GCM nonce)', (p) => ({ header: editHeader(split(p).header, (h) => { h.iv = flipByte(h.iv, 0); }) })],
    ['the packet id (HKDF salt)', (p) => ({ header: editHeader(split(p).header, (h) => { h.packetId = flipByte(h.packetId, 15); }) })],
    ['the ephemeral key (another valid point)', (p) => ({ header: editHeader(split(p).header, (h) => { h.ephemeralPublicKey = otherPoint(); }) })],
    ['the case id (AAD only)', (p) => ({ header: editHeader(split(p).header, (h) => { h.caseId = 'other'; }) })],
  ];
  it.each(decryptCases)('rejects a correctly signed packet whose GCM check fails after altering %s (FERRY_ERR_SEAL_DECRYPT)', (_n, change) => {
    const p = sealed();
    expect(codeOf(open(resign(p, pki.key('external-sign'), change(p))))).toBe('FERRY_ERR_SEAL_DECRYPT');
  });

  it('rejects a signed ephemeral key that is not a P-256 point as malformed', () => {
    const p = sealed();
    const header = editHeader(split(p).header, (h) => { h.ephemeralPublicKey = Buffer.alloc(65, 0x04); });
    expect(codeOf(open(resign(p, pki.key('external-sign'), { header })))).toBe('FERRY_ERR_SEAL_MALFORMED');
  });
});

describe('signed but unacceptable headers', () => {
  type Edit = (h: Parameters<Parameters<typeof editHeader>[1]>[0]) => void;
  const cases: Array<[string, Edit, FerryErrorCode]> = [
    ['version 2', (h) => { h.version = 2; }, 'FERRY_ERR_SEAL_VERSION'],
    ['version 0 (field absent)', (h) => { h.version = 0; }, 'FERRY_ERR_SEAL_VERSION'],
    ['kind 0 (unspecified)', (h) => { h.kind = 0; }, 'FERRY_ERR_SEAL_MALFORMED'],
    ['kind 8 (unknown)', (h) => { h.kind = 8 as never; }, 'FERRY_ERR_SEAL_MALFORMED'],
    ['a 15-byte packet id', (h) => { h.packetId = h.packetId.subarray(1); }, 'FERRY_ERR_SEAL_MALFORMED'],
    ['an 11-byte iv', (h) => { h.iv = h.iv.subarray(1); }, 'FERRY_ERR_SEAL_MALFORMED'],
    ['a 64-byte ephemeral key', (h) => { h.ephemeralPublicKey = h.ephemeralPublicKey.subarray(1); }, 'FERRY_ERR_SEAL_MALFORMED'],
    ['a 31-byte sender hash', (h) => { h.senderCertSha256 = h.senderCertSha256.subarray(1); }, 'FERRY_ERR_SEAL_MALFORMED'],
    ['a 33-byte recipient hash', (h) => { h.recipientCertSha256 = Buffer.concat([h.recipientCertSha256, Buffer.alloc(1)]); }, 'FERRY_ERR_SEAL_MALFORMED'],
    ['body_length one more than the ciphertext holds', (h) => { h.bodyLength += 1; }, 'FERRY_ERR_SEAL_TOO_LARGE'],
    ['body_length one less than the ciphertext holds', (h) => { h.bodyLength -= 1; }, 'FERRY_ERR_SEAL_TOO_LARGE'],
  ];
  it.each(cases)('answers a re-signed header with %s', (_n, edit, code) => {
    const p = sealed();
    const header = editHeader(split(p).header, edit);
    expect(codeOf(open(resign(p, pki.key('external-sign'), { header })))).toBe(code);
  });

  it('rejects a signed header that is not a PacketHeader as malformed', () => {
    const garbage = Buffer.from([0x0a, 0xff]); // field 1 as length-delimited with a length past the end
    expect(codeOf(open(resign(sealed(), pki.key('external-sign'), { header: garbage })))).toBe('FERRY_ERR_SEAL_MALFORMED');
  });

  it('rejects a declared body over maxBodyBytes before decrypting (FERRY_ERR_SEAL_TOO_LARGE)', () => {
    expect(codeOf(open(sealed({ body: Buffer.alloc(2000) }), { maxBodyBytes: 1999 }))).toBe('FERRY_ERR_SEAL_TOO_LARGE');
  });
});

describe('envelope limits, checked before any crypto', () => {
  const big = (n: number): Buffer => Buffer.alloc(n, 1);
  const cases: Array<[string, () => Uint8Array, Partial<ReturnType<typeof ctx>>, FerryErrorCode]> = [
    ['an empty input', () => Buffer.alloc(0), {}, 'FERRY_ERR_SEAL_MALFORMED'],
    ['a packet over maxPacketBytes', () => sealed(), { maxPacketBytes: 100 }, 'FERRY_ERR_SEAL_TOO_LARGE'],
    ['a header over MAX_HEADER_BYTES', () => join_({ ...split(sealed()), header: big(MAX_HEADER_BYTES + 1) }), {}, 'FERRY_ERR_SEAL_MALFORMED'],
    ['a ciphertext shorter than the tag', () => join_({ ...split(sealed()), ciphertext: big(GCM_TAG_BYTES - 1) }), {}, 'FERRY_ERR_SEAL_MALFORMED'],
    ['a signature over MAX_SIGNATURE_BYTES', () => join_({ ...split(sealed()), signature: big(MAX_SIGNATURE_BYTES + 1) }), {}, 'FERRY_ERR_SEAL_MALFORMED'],
    ['no signer certificate', () => join_({ ...split(sealed()), signerCertificate: Buffer.alloc(0) }), {}, 'FERRY_ERR_SEAL_MALFORMED'],
    ['a signer certificate that is not DER', () => join_({ ...split(sealed()), signerCertificate: big(300) }), {}, 'FERRY_ERR_SEAL_MALFORMED'],
  ];
  it.each(cases)('rejects %s', (_n, make, over, code) => {
    expect(codeOf(open(make(), over))).toBe(code);
  });

  it('answers every truncation (each 7th byte) with a SEAL code, never a throw', () => {
    const p = sealed();
    let n = 0;
    for (let cut = 0; cut < p.length; cut += 7, n++) {
      const r = open(p.subarray(0, cut));
      expect(r.ok).toBe(false);
      expect(SEAL_CODES).toContain(codeOf(r));
    }
    expect(n).toBeGreaterThan(50);
  });
});

describe('openPacket verifies before it decrypts', () => {
  const counting = (): { keys: OpenKeys; calls: () => number } => {
    let n = 0;
    return { keys: { encCertSha256: pair.open.encCertSha256, agree: (pt) => { n++; return pair.open.agree(pt); } }, calls: () => n };
  };
  const cases: Array<[string, () => Buffer, FerryErrorCode | 'ok', number]> = [
    ['a genuine packet', () => sealed(), 'ok', 1],
    ['a correctly signed packet with a bad tag', () => { const p = sealed(); return resign(p, pki.key('external-sign'), { ciphertext: flipByte(split(p).ciphertext, 0) }); }, 'FERRY_ERR_SEAL_DECRYPT', 1],
    ['a flipped signature', () => { const p = split(sealed()); return join_({ ...p, signature: flipByte(p.signature, 10) }); }, 'FERRY_ERR_SEAL_BAD_SIGNATURE', 0],
    ['a flipped ciphertext byte', () => { const p = split(sealed()); return join_({ ...p, ciphertext: flipByte(p.ciphertext, 0) }); }, 'FERRY_ERR_SEAL_BAD_SIGNATURE', 0],
    ['a signer from another CA', () => sealPacket(draft(), sealKeys(other.own('external'), { encCert: pki.cert('internal-enc') })).bytes, 'FERRY_ERR_SEAL_UNKNOWN_SIGNER', 0],
  ];
  it.each(cases)('calls the ECDH agree function %#: %s -> %s, %i time(s)', (_n, make, code, calls) => {
    const spy = counting();
    expect(codeOf(open(make(), { keys: spy.keys }))).toBe(code);
    expect(spy.calls()).toBe(calls);
  });
});
