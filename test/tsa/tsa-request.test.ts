import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../src/errors.js';
import { OID } from '../../src/pki/oids.js';
import { NULL_DER, boolean, ctx, integer, octets, oid, seq, tlv } from '../../src/pki/der.js';
import { MAX_REQUEST_BYTES } from '../../src/time/tsa-limits.js';
import { buildTimeStampReq, parseTimeStampReq } from '../../src/time/tsa-request.js';
import { openssl } from './pki-fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'ferry-tsq-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const data = Buffer.from('a submission worth time-stamping\n');
writeFileSync(join(dir, 'data.txt'), data);

function opensslQuery(args: string[]): Buffer {
  openssl(['ts', '-query', '-data', 'data.txt', ...args, '-out', 'q.tsq'], dir);
  return readFileSync(join(dir, 'q.tsq'));
}

const imprint = (alg: string, digest: Buffer, params?: Buffer) => seq(seq(oid(alg), ...(params ? [params] : [])), octets(digest));
const sha256 = createHash('sha256').update(data).digest();

describe('parseTimeStampReq reads what openssl ts -query writes', () => {
  it.each([
    ['-sha256', 'SHA-256', 'sha256'],
    ['-sha384', 'SHA-384', 'sha384'],
    ['-sha512', 'SHA-512', 'sha512'],
  ] as const)('accepts %s with its digest, a nonce and certReq', (flag, name, node) => {
    const v = parseTimeStampReq(opensslQuery([flag, '-cert']));
    expect(v.ok && v.value).toMatchObject({ hashAlg: name, certReq: true, digest: createHash(node).update(data).digest() });
    expect(v.ok && typeof v.value.nonce).toBe('bigint');
    expect(v.ok && v.value.reqPolicy).toBeUndefined();
  });

  it('reads a request without nonce and certReq, with a policy', () => {
    const v = parseTimeStampReq(opensslQuery(['-sha256', '-no_nonce', '-tspolicy', '1.3.6.1.4.1.55555.1.9']));
    expect(v).toMatchObject({ ok: true, value: { certReq: false, reqPolicy: '1.3.6.1.4.1.55555.1.9' } });
    expect(v.ok && v.value.nonce).toBeUndefined();
  });

  it('refuses SHA-1 and MD5 imprints as a bad algorithm', () => {
    expect(parseTimeStampReq(opensslQuery(['-sha1']))).toMatchObject({ ok: false, code: 'FERRY_ERR_TSA_BAD_ALG' });
    expect(parseTimeStampReq(opensslQuery(['-md5']))).toMatchObject({ ok: false, code: 'FERRY_ERR_TSA_BAD_ALG' });
  });
});

describe('parseTimeStampReq refuses hostile requests with a code', () => {
  const good = seq(integer(1n), imprint(OID.sha256, sha256), integer(99n), boolean(true));
  const table: [string, Buffer, string][] = [
    ['an empty body', Buffer.alloc(0), 'FERRY_ERR_TSA_MALFORMED'],
    ['random bytes', Buffer.from('not a request at all'), 'FERRY_ERR_TSA_MALFORMED'],
    ['a truncated request', good.subarray(0, good.length - 3), 'FERRY_ERR_TSA_MALFORMED'],
    ['trailing bytes', Buffer.concat([good, Buffer.from([0])]), 'FERRY_ERR_TSA_MALFORMED'],
    ['an indefinite (BER) length', Buffer.concat([Buffer.from([0x30, 0x80]), good.subarray(2), Buffer.from([0, 0])]), 'FERRY_ERR_TSA_MALFORMED'],
    ['a non-minimal INTEGER version', seq(tlv(0x02, Buffer.from([0, 1])), imprint(OID.sha256, sha256)), 'FERRY_ERR_TSA_MALFORMED'],
    ['version 2', seq(integer(2n), imprint(OID.sha256, sha256)), 'FERRY_ERR_TSA_VERSION'],
    ['a 31-byte SHA-256 digest', seq(integer(1n), imprint(OID.sha256, sha256.subarray(1))), 'FERRY_ERR_TSA_DIGEST_LENGTH'],
    ['a 48-byte digest labelled SHA-512', seq(integer(1n), imprint(OID.sha512, Buffer.alloc(48))), 'FERRY_ERR_TSA_DIGEST_LENGTH'],
    ['hash parameters that are not NULL', seq(integer(1n), imprint(OID.sha256, sha256, integer(0n))), 'FERRY_ERR_TSA_MALFORMED'],
    ['an unknown hash OID', seq(integer(1n), imprint('1.2.3.4', sha256)), 'FERRY_ERR_TSA_BAD_ALG'],
    ['extensions', seq(integer(1n), imprint(OID.sha256, sha256), tlv(ctx(0, true), seq(seq(oid('1.2.3'), octets(Buffer.alloc(1)))))), 'FERRY_ERR_TSA_EXTENSION'],
    ['fields out of order', seq(integer(1n), imprint(OID.sha256, sha256), boolean(true), integer(5n)), 'FERRY_ERR_TSA_MALFORMED'],
    ['a 33-byte nonce', seq(integer(1n), imprint(OID.sha256, sha256), integer(1n << 260n)), 'FERRY_ERR_TSA_TOO_LARGE'],
    ['a body over the size limit', Buffer.alloc(MAX_REQUEST_BYTES + 1, 0x30), 'FERRY_ERR_TSA_TOO_LARGE'],
  ];
  it.each(table.map(([name, der, code]) => ({ name, der, code })))('$name → $code', ({ der, code }) => {
    expect(parseTimeStampReq(der)).toMatchObject({ ok: false, code });
  });

  it('accepts hash parameters given as NULL (RFC 5754 §2: accept both forms)', () => {
    expect(parseTimeStampReq(seq(integer(1n), imprint(OID.sha256, sha256, NULL_DER)))).toMatchObject({ ok: true });
  });

  it('returns a verdict, never throws, for any mutation of a valid request', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(good.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }), fc.nat(good.length), (flips, cut) => {
        const m = Buffer.from(good);
        for (const [i, b] of flips) m[i] = b;
        for (const input of [m, m.subarray(0, cut)]) {
          const v = parseTimeStampReq(input);
          expect(typeof v.ok).toBe('boolean');
        }
      }),
      { numRuns: 2000 },
    );
  });
});

describe('buildTimeStampReq', () => {
  it('writes a request openssl reads back with the same imprint, nonce and certReq', () => {
    const der = buildTimeStampReq(sha256, { nonce: 0x075bcd15n, certReq: true, reqPolicy: '1.3.6.1.4.1.55555.1.1' });
    writeFileSync(join(dir, 'ferry.tsq'), der);
    const text = openssl(['ts', '-query', '-in', 'ferry.tsq', '-text'], dir).toString();
    expect(text).toContain('Hash Algorithm: sha256');
    expect(text).toContain('Nonce: 0x075BCD15');
    expect(text).toContain('Certificate required: yes');
    expect(text).toContain('Policy OID: 1.3.6.1.4.1.55555.1.1');
    // openssl prints "0000 - cf 82 d2 d9 61 ff 69 9e-da 33 …": compare the first eight bytes.
    expect(text).toContain([...sha256.subarray(0, 8)].map((b) => b.toString(16).padStart(2, '0')).join(' '));
    expect(parseTimeStampReq(der)).toMatchObject({ ok: true, value: { nonce: 0x075bcd15n, certReq: true, digest: sha256 } });
  });

  it('reads a Buffer nonce as an unsigned number and leaves certReq out when false', () => {
    const der = buildTimeStampReq(createHash('sha512').update(data).digest(), { hashAlg: 'SHA-512', nonce: Buffer.from('ff01', 'hex') });
    expect(parseTimeStampReq(der)).toMatchObject({ ok: true, value: { hashAlg: 'SHA-512', nonce: 0xff01n, certReq: false } });
    expect(der.subarray(der.length - 5).equals(integer(0xff01n))).toBe(true); // the nonce ends it: no certReq BOOLEAN
  });

  it('throws FERRY_ERR_TSA_DIGEST_LENGTH when the digest does not fit the algorithm', () => {
    try {
      buildTimeStampReq(Buffer.alloc(20));
      expect.unreachable();
    } catch (e) {
      expect(isFerryError(e) && e.code).toBe('FERRY_ERR_TSA_DIGEST_LENGTH');
    }
  });
});
