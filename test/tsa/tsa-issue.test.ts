import { createHash, generateKeyPairSync } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isFerryError } from '../../src/errors.js';
import { OID } from '../../src/pki/oids.js';
import { children, ctx, octets, oid, parseDer, raw, seq, tlv } from '../../src/pki/der.js';
import { TimeStampAuthority, type TimeStampAuthorityOptions } from '../../src/time/tsa-issue.js';
import { buildTimeStampReq } from '../../src/time/tsa-request.js';
import { parseTimeStampResp } from '../../src/time/tsa-response.js';
import { MemorySerialSource, type SerialSource } from '../../src/time/tsa-serials.js';
import { readTokenParts } from '../../src/time/tsa-signed-data.js';
import { decodeTstInfo } from '../../src/time/tsa-tstinfo.js';
import { verifyTimeStampResponse } from '../../src/time/tsa-verify.js';
import { makeTestPki, openssl, opensslStatus, type TestPki } from './pki-fixture.js';

const POLICY = '1.3.6.1.4.1.55555.1.1'; // a private arc openssl has no name for, so -text prints it as is
let pki: TestPki;
const data = Buffer.from('case 2026-0042: application form and three attachments\n');
const digest = createHash('sha256').update(data).digest();

beforeAll(() => {
  pki = makeTestPki();
  writeFileSync(join(pki.dir, 'data.txt'), data);
});
afterAll(() => pki.cleanup());

function options(over: Partial<TimeStampAuthorityOptions> = {}): TimeStampAuthorityOptions {
  return {
    signingKey: pki.tsa.key,
    certificate: pki.tsa.cert,
    policyOid: POLICY,
    accuracy: { millis: 10 },
    ordering: false,
    clock: { now: () => new Date() },
    serials: new MemorySerialSource(42n),
    ...over,
  };
}

function save(name: string, b: Buffer): string {
  writeFileSync(join(pki.dir, name), b);
  return name;
}

const verifyOk = (args: string[]) => {
  const r = opensslStatus(['ts', '-verify', ...args, '-CAfile', 'ca.pem'], pki.dir);
  expect(r.out).toContain('Verification: OK');
  expect(r.status).toBe(0);
};

describe('openssl accepts what TimeStampAuthority issues', () => {
  it('a response to a Ferry request verifies with -data and with -queryfile', async () => {
    const req = buildTimeStampReq(digest, { nonce: 0x075bcd15n, certReq: true });
    const resp = await new TimeStampAuthority(options()).respond(req);
    save('q1.tsq', req);
    save('r1.tsr', resp);
    verifyOk(['-data', 'data.txt', '-in', 'r1.tsr']);
    verifyOk(['-queryfile', 'q1.tsq', '-in', 'r1.tsr']);
  });

  it('openssl ts -reply -text shows the policy, serial, accuracy and nonce', async () => {
    const resp = await new TimeStampAuthority(options({ accuracy: { seconds: 1, millis: 500, micros: 100 } })).respond(
      buildTimeStampReq(digest, { nonce: 0x075bcd15n }),
    );
    const text = openssl(['ts', '-reply', '-in', save('r2.tsr', resp), '-text'], pki.dir).toString();
    expect(text).toContain('Status: Granted.');
    expect(text).toContain(`Policy OID: ${POLICY}`);
    expect(text).toContain('Serial number: 0x2A');
    expect(text).toContain('Accuracy: 0x01 seconds, 0x01F4 millis, 0x64 micros');
    expect(text).toContain('Nonce: 0x075BCD15');
    expect(text).toContain('Ordering: no');
  });

  it.each(['sha256', 'sha384', 'sha512'])('an openssl -%s query → respond() → openssl ts -verify -queryfile OK', async (alg) => {
    openssl(['ts', '-query', '-data', 'data.txt', `-${alg}`, '-cert', '-out', `q-${alg}.tsq`], pki.dir);
    const resp = await new TimeStampAuthority(options()).respond(readFileSync(join(pki.dir, `q-${alg}.tsq`)));
    save(`r-${alg}.tsr`, resp);
    verifyOk(['-queryfile', `q-${alg}.tsq`, '-in', `r-${alg}.tsr`]);
    verifyOk(['-data', 'data.txt', '-in', `r-${alg}.tsr`]);
  });

  it('without certReq the token carries no certificate, and verifies given the TSA certificate', async () => {
    openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-out', 'q-nocert.tsq'], pki.dir);
    const resp = await new TimeStampAuthority(options()).respond(readFileSync(join(pki.dir, 'q-nocert.tsq')));
    const token = parseTimeStampResp(resp);
    expect(token.ok && readTokenParts(token.value.tokenDer!).certificates).toHaveLength(0);
    save('r-nocert.tsr', resp);
    verifyOk(['-queryfile', 'q-nocert.tsq', '-in', 'r-nocert.tsr', '-untrusted', 'tsa.pem']);
  });

  it('stamp() gives a bare token that openssl verifies by digest, chain included on request', async () => {
    const tsa = new TimeStampAuthority(options({ signingKey: pki.intTsa.key, certificate: pki.intTsa.cert, chain: [pki.intCa.cert] }));
    const token = await tsa.stamp(digest, 'SHA-256', { certReq: true, nonce: Buffer.from('0102030405060708', 'hex') });
    expect(readTokenParts(token).certificates).toHaveLength(2);
    verifyOk(['-digest', digest.toString('hex'), '-token_in', '-in', save('t-int.der', token)]);
  });

  it('a second, independent reader (pkijs) verifies the token signature and imprint', async () => {
    const token = await new TimeStampAuthority(options()).stamp(digest, 'SHA-256', { certReq: true });
    const ci = new pkijs.ContentInfo({ schema: asn1js.fromBER(new Uint8Array(token)).result });
    const sd = new pkijs.SignedData({ schema: ci.content });
    // pkijs checks a TSTInfo's imprint against the data itself, so it needs the data.
    const r = await sd.verify({ signer: 0, checkChain: false, extendedMode: true, data: new Uint8Array(data).buffer });
    expect(r.signatureVerified).toBe(true);
  });
});

describe('TSTInfo contents', () => {
  const at = (ms: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + ms);
  it.each([
    [{ millis: 10 }, 250, /^\d{14}\.25Z$/],
    [{ millis: 1 }, 7, /^\d{14}\.007Z$/],
    [{ micros: 500 }, 120, /^\d{14}\.12Z$/],
    [{ millis: 10 }, 0, /^\d{14}Z$/],
    [{ seconds: 1 }, 250, /^\d{14}Z$/],
    [{ seconds: 1, millis: 500 }, 250, /^\d{14}Z$/],
  ] as const)('accuracy %o at +%i ms writes genTime as %s (fraction only below a second, no trailing zeros)', async (accuracy, ms, form) => {
    const t = at(ms);
    const token = await new TimeStampAuthority(options({ accuracy, clock: { now: () => t } })).stamp(digest);
    const tst = decodeTstInfo(readTokenParts(token).eContent);
    expect(tst.genTimeText).toMatch(form);
    expect(tst.genTimeText.slice(0, 14)).toBe(t.toISOString().replace(/[-:T]/g, '').slice(0, 14));
    expect(tst.genTime.getTime()).toBe('seconds' in accuracy ? Math.floor(t.getTime() / 1000) * 1000 : t.getTime());
  });

  it('copies the request imprint and nonce, and takes serials from the source in order', async () => {
    const tsa = new TimeStampAuthority(options());
    const serials: bigint[] = [];
    for (const nonce of [1n, 2n ** 63n, 2n ** 200n]) {
      const resp = parseTimeStampResp(await tsa.respond(buildTimeStampReq(digest, { nonce })));
      const tst = decodeTstInfo(readTokenParts(resp.ok ? resp.value.tokenDer! : Buffer.alloc(0)).eContent);
      expect(tst).toMatchObject({ nonce, digest, policy: POLICY, hashAlg: 'SHA-256', ordering: false });
      serials.push(tst.serial);
    }
    expect(serials).toEqual([42n, 43n, 44n]);
  });

  it('signs with ECDSA-SHA-256 and carries contentType, messageDigest and signingCertificateV2 only', async () => {
    const parts = readTokenParts(await new TimeStampAuthority(options()).stamp(digest));
    expect(parts.signatureAlgorithm.oid).toBe(OID.ecdsaWithSha256);
    expect(parts.digestAlg).toBe('SHA-256');
    expect([...parts.attributes.keys()].sort()).toEqual([OID.contentType, OID.messageDigest, OID.signingCertificateV2].sort());
  });
});

describe('respond() refuses with the PKIFailureInfo RFC 3161 names', () => {
  const hostile: [string, () => Buffer, string, string][] = [
    ['a SHA-1 imprint', () => (openssl(['ts', '-query', '-data', 'data.txt', '-sha1', '-out', 'q-sha1.tsq'], pki.dir), readFileSync(join(pki.dir, 'q-sha1.tsq'))), 'badAlg', 'unrecognized or unsupported algorithm identifier'],
    ['bytes that are no request', () => Buffer.from('GET / HTTP/1.1\r\n'), 'badDataFormat', 'the data submitted has the wrong format'],
    ['a truncated request', () => buildTimeStampReq(digest).subarray(0, 20), 'badDataFormat', 'the data submitted has the wrong format'],
    ['an oversized body', () => Buffer.alloc(5000, 0x30), 'badRequest', 'transaction not permitted or supported'],
    ['a policy the TSA does not issue under', () => buildTimeStampReq(digest, { reqPolicy: '1.3.6.1.4.1.55555.1.2' }), 'unacceptedPolicy', 'the requested TSA policy is not supported by the TSA'],
    ['a request with an extension', () => seq(...children(parseDer(buildTimeStampReq(digest))).map(raw), tlv(ctx(0, true), seq(seq(oid('1.2.3.4'), octets(Buffer.from([5, 0])))))), 'unacceptedExtension', 'the requested extension is not supported by the TSA'],
  ];
  it.each(hostile.map(([name, req, failure, text]) => ({ name, req, failure, text })))('$name → $failure', async ({ req, failure, text }) => {
    const resp = await new TimeStampAuthority(options()).respond(req());
    expect(parseTimeStampResp(resp)).toMatchObject({ ok: true, value: { status: 2, failures: [failure] } });
    const shown = openssl(['ts', '-reply', '-in', save(`rej-${failure}.tsr`, resp), '-text'], pki.dir).toString();
    expect(shown).toContain('Status: Rejected.');
    expect(shown).toContain(text);
    expect(await verifyTimeStampResponse(resp, { trusted: [pki.ca.cert] })).toMatchObject({ ok: false, code: 'FERRY_ERR_TSA_STATUS' });
  });

  it('a failing serial store → systemFailure, and the fault reaches onSystemFailure', async () => {
    const faults: unknown[] = [];
    const broken: SerialSource = { next: () => { throw new Error('SQLITE_BUSY'); } };
    const resp = await new TimeStampAuthority(options({ serials: broken, onSystemFailure: (e) => faults.push(e) })).respond(buildTimeStampReq(digest));
    expect(parseTimeStampResp(resp)).toMatchObject({ ok: true, value: { status: 2, failures: ['systemFailure'] } });
    expect(openssl(['ts', '-reply', '-in', save('rej-sys.tsr', resp), '-text'], pki.dir).toString()).toContain('the request cannot be handled due to system failure');
    expect(String(faults[0])).toContain('SQLITE_BUSY');
  });

  it('a clock gone past the certificate validity → systemFailure, not a token verifiers would reject', async () => {
    let now = new Date();
    const tsa = new TimeStampAuthority(options({ clock: { now: () => now } }));
    now = new Date(Date.now() + 2 * 365 * 86_400_000);
    expect(parseTimeStampResp(await tsa.respond(buildTimeStampReq(digest)))).toMatchObject({ ok: true, value: { failures: ['systemFailure'] } });
    await expect(tsa.stamp(digest)).rejects.toMatchObject({ code: 'FERRY_ERR_TSA_SYSTEM' });
  });
});

describe('TimeStampAuthority refuses to start with an unfit setup', () => {
  const p384 = generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
  const table: [string, () => Partial<TimeStampAuthorityOptions>, RegExp][] = [
    ['a certificate without the timeStamping EKU', () => ({ certificate: pki.noEku.cert, signingKey: pki.noEku.key }), /no extendedKeyUsage/],
    ['a non-critical timeStamping EKU', () => ({ certificate: pki.nonCriticalEku.cert, signingKey: pki.nonCriticalEku.key }), /not critical/],
    ['timeStamping beside serverAuth', () => ({ certificate: pki.multiEku.cert, signingKey: pki.multiEku.key }), /not timeStamping alone/],
    ['a CA certificate', () => ({ certificate: pki.ca.cert, signingKey: pki.ca.key }), /extendedKeyUsage/],
    ['a key that is not the certificate\'s', () => ({ signingKey: pki.otherTsa.key }), /does not belong/],
    ['a P-384 key', () => ({ signingKey: p384 }), /P-256/],
    ['a certificate not valid now', () => ({ clock: { now: () => new Date(Date.now() + 3 * 365 * 86_400_000) } }), /not valid now/],
    ['a chain that did not issue the certificate', () => ({ chain: [pki.otherCa.cert] }), /did not issue/],
    ['a policy that is no OID', () => ({ policyOid: 'tsa-policy-1' }), /not an OID/],
    ['millis of 1000', () => ({ accuracy: { millis: 1000 } }), /0\.\.999/],
    ['ordering true', () => ({ ordering: true as unknown as false }), /ordering/],
  ];
  it.each(table.map(([name, over, msg]) => ({ name, over, msg })))('$name', ({ over, msg }) => {
    try {
      new TimeStampAuthority(options(over()));
      expect.unreachable();
    } catch (e) {
      expect(isFerryError(e) && e.code).toBe('FERRY_ERR_TSA_CONFIG');
      expect((e as Error).message).toMatch(msg);
    }
  });

  it('stamp() throws on a digest of the wrong length (a caller bug, not hostile input)', async () => {
    await expect(new TimeStampAuthority(options()).stamp(Buffer.alloc(20))).rejects.toMatchObject({ code: 'FERRY_ERR_TSA_DIGEST_LENGTH' });
  });
});
