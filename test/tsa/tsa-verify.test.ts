import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { encodeMessageImprint } from '../../src/time/tsa-algorithms.js';
import { OID } from '../../src/pki/oids.js';
import { TimeStampAuthority } from '../../src/time/tsa-issue.js';
import { MAX_TOKEN_BYTES } from '../../src/time/tsa-limits.js';
import { buildTimeStampReq, parseTimeStampReq } from '../../src/time/tsa-request.js';
import { parseTimeStampResp } from '../../src/time/tsa-response.js';
import { MemorySerialSource } from '../../src/time/tsa-serials.js';
import { readTokenParts } from '../../src/time/tsa-signed-data.js';
import { encodeTstInfo } from '../../src/time/tsa-tstinfo.js';
import { buildTimeStampToken, prepareTokenSigner } from '../../src/time/tsa-token.js';
import { verifyTimeStampResponse, verifyTimeStampToken, type VerifyTokenOptions } from '../../src/time/tsa-verify.js';
import { makeTestPki, openssl, opensslStatus, writeOpensslTsaConfig, type Party, type TestPki } from './pki-fixture.js';

const POLICY = '1.3.6.1.4.1.55555.1.1';
const data = Buffer.from('decision 2026-0042: approved\n');
const digest = createHash('sha256').update(data).digest();
const NONCE = 0x5eed_f00d_cafe_beefn;
let pki: TestPki;
const file = (name: string) => join(pki.dir, name);
const save = (name: string, b: Buffer) => (writeFileSync(file(name), b), name);

/** A token signed as `who` without TimeStampAuthority's certificate checks: how a misissued or
 *  foreign TSA's token looks (openssl ts -reply refuses such certificates outright). */
function rawToken(who: Party, opts: { genTime?: Date } = {}): Buffer {
  const tst = encodeTstInfo({
    policy: POLICY,
    messageImprintDer: encodeMessageImprint('SHA-256', digest),
    serial: 9n,
    genTime: opts.genTime ?? new Date(),
    withMillis: true,
  });
  return buildTimeStampToken(prepareTokenSigner(who.key, who.cert), tst, true);
}

function opensslReply(signer: Party, name: string, ess: 'sha256' | 'sha1', query: string, chain: Party[] = []): Buffer {
  const cnf = writeOpensslTsaConfig(pki, signer, name, ess, chain);
  openssl(['ts', '-reply', '-config', cnf, '-queryfile', query, '-out', `${name}.tsr`], pki.dir);
  return readFileSync(file(`${name}.tsr`));
}

const tokenOf = (resp: Buffer) => {
  const r = parseTimeStampResp(resp);
  if (!r.ok || !r.value.tokenDer) throw new Error('no token');
  return r.value.tokenDer;
};

let ferry: Buffer; // Ferry's own token: certReq, nonce NONCE, over `data`
let queryNonce: bigint; // the nonce openssl put in q.tsq

beforeAll(async () => {
  pki = makeTestPki();
  save('data.txt', data);
  save('other.txt', Buffer.from('decision 2026-0042: refused\n'));
  openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-cert', '-out', 'q.tsq'], pki.dir);
  openssl(['ts', '-query', '-data', 'data.txt', '-sha256', '-out', 'q-nocert.tsq'], pki.dir);
  const q = parseTimeStampReq(readFileSync(file('q.tsq')));
  queryNonce = q.ok ? q.value.nonce! : 0n;
  save('q-wrong-nonce.tsq', buildTimeStampReq(digest, { nonce: NONCE + 1n }));
  const tsa = new TimeStampAuthority({
    signingKey: pki.tsa.key, certificate: pki.tsa.cert, policyOid: POLICY, accuracy: { millis: 50 }, ordering: false,
    clock: { now: () => new Date() }, serials: new MemorySerialSource(),
  });
  ferry = await tsa.stamp(digest, 'SHA-256', { nonce: NONCE, certReq: true });
  save('ferry.der', ferry);
});
afterAll(() => pki.cleanup());

const trusted = () => [pki.ca.cert];

describe('verifyTimeStampToken accepts good tokens', () => {
  it('Ferry\'s own token, with data, digest and nonce, and reports what it says', async () => {
    const v = await verifyTimeStampToken(ferry, { data, digest, nonce: NONCE, trusted: trusted() });
    expect(v).toMatchObject({ ok: true, value: { serial: 1n, policy: POLICY, hashAlg: 'SHA-256', digest, nonce: NONCE, accuracy: { millis: 50 } } });
    expect(v.ok && v.value.tsaCert.raw.equals(pki.tsa.cert.raw)).toBe(true);
    expect(v.ok && v.value.chain.map((c) => c.subject)).toEqual(['CN=Ferry Test TSA', 'CN=Ferry Test Root CA']);
    expect(v.ok && Math.abs(v.value.genTime.getTime() - Date.now())).toBeLessThan(60_000);
  });

  it('a token whose TSA certificate is itself the trust anchor (pinned)', async () => {
    expect(await verifyTimeStampToken(ferry, { data, trusted: [pki.tsa.cert] })).toMatchObject({ ok: true });
  });

  it.each(['sha256', 'sha1'] as const)('an openssl ts -reply response with ESS cert id hash %s (V2 for sha256, V1 for sha1)', async (ess) => {
    const resp = opensslReply(pki.tsa, `ossl-${ess}`, ess, 'q.tsq');
    const attrs = readTokenParts(tokenOf(resp)).attributes;
    expect(attrs.has(ess === 'sha256' ? OID.signingCertificateV2 : OID.signingCertificate)).toBe(true);
    const v = await verifyTimeStampResponse(resp, { data, nonce: queryNonce, trusted: trusted() });
    expect(v).toMatchObject({ ok: true, value: { policy: '1.2.3.4.1', accuracy: { seconds: 1, millis: 500, micros: 100 }, nonce: queryNonce } });
  });

  it('an openssl token from a TSA under an intermediate CA, chain carried in the token', async () => {
    const resp = opensslReply(pki.intTsa, 'ossl-int', 'sha256', 'q.tsq', [pki.intCa]);
    const v = await verifyTimeStampResponse(resp, { data, trusted: trusted() });
    expect(v.ok && v.value.chain.length).toBe(3);
  });

  it('an openssl token without certificates, given the TSA certificate', async () => {
    const token = tokenOf(opensslReply(pki.tsa, 'ossl-nocert', 'sha256', 'q-nocert.tsq'));
    expect(readTokenParts(token).certificates).toHaveLength(0);
    expect(await verifyTimeStampToken(token, { data, trusted: trusted(), tsaCertificate: pki.tsa.cert })).toMatchObject({ ok: true });
  });
});

interface Case {
  name: string;
  token: () => Buffer;
  opts?: () => Partial<VerifyTokenOptions>;
  code: string;
  /** openssl ts -verify arguments (besides -CAfile ca.pem) under which the judge must reject it too. */
  judge?: string[];
}

function tamper(token: Buffer, what: Buffer, change: (b: Buffer) => void): Buffer {
  const out = Buffer.from(token);
  const at = out.indexOf(what);
  if (at < 0) throw new Error('not found');
  change(out.subarray(at, at + what.length));
  return out;
}

const cases: Case[] = [
  { name: 'a TSA certificate without the timeStamping EKU', token: () => rawToken(pki.noEku), code: 'FERRY_ERR_TSA_EKU', judge: ['-token_in', '-data', 'data.txt'] },
  { name: 'a non-critical timeStamping EKU', token: () => rawToken(pki.nonCriticalEku), code: 'FERRY_ERR_TSA_EKU', judge: ['-token_in', '-data', 'data.txt'] },
  { name: 'timeStamping beside serverAuth', token: () => rawToken(pki.multiEku), code: 'FERRY_ERR_TSA_EKU', judge: ['-token_in', '-data', 'data.txt'] },
  { name: 'data other than what was stamped', token: () => ferry, opts: () => ({ data: Buffer.from('decision 2026-0042: refused\n') }), code: 'FERRY_ERR_TSA_IMPRINT', judge: ['-token_in', '-data', 'other.txt'] },
  { name: 'a digest other than the imprint', token: () => ferry, opts: () => ({ digest: Buffer.alloc(32, 7) }), code: 'FERRY_ERR_TSA_IMPRINT' },
  { name: 'a nonce other than the request\'s', token: () => ferry, opts: () => ({ nonce: NONCE + 1n }), code: 'FERRY_ERR_TSA_NONCE', judge: ['-token_in', '-queryfile', 'q-wrong-nonce.tsq'] },
  { name: 'no nonce where the request had one', token: () => rawToken(pki.tsa), opts: () => ({ nonce: NONCE }), code: 'FERRY_ERR_TSA_NONCE' },
  { name: 'a TSA under another, untrusted CA', token: () => rawToken(pki.otherTsa), code: 'FERRY_ERR_TSA_CHAIN', judge: ['-token_in', '-data', 'data.txt'] },
  { name: 'a good token checked against another CA only', token: () => ferry, opts: () => ({ trusted: [pki.otherCa.cert] }), code: 'FERRY_ERR_TSA_CHAIN' },
  { name: 'a TSA under an intermediate the token does not carry', token: () => rawToken(pki.intTsa), code: 'FERRY_ERR_TSA_CHAIN', judge: ['-token_in', '-data', 'data.txt'] },
  {
    name: 'one flipped signature byte', code: 'FERRY_ERR_TSA_SIGNATURE', judge: ['-token_in', '-data', 'data.txt'],
    token: () => tamper(ferry, readTokenParts(ferry).signature, (b) => { b[b.length - 1]! ^= 0x01; }),
  },
  {
    name: 'a genTime moved by a minute', code: 'FERRY_ERR_TSA_MESSAGE_DIGEST', judge: ['-token_in', '-data', 'data.txt'],
    token: () => tamper(ferry, readTokenParts(ferry).eContent.subarray(-40), (b) => {
      const i = b.indexOf(0x18) + 2 + 11; // GeneralizedTime content: YYYYMMDDHHMM → the minutes' last digit
      b[i] = b[i] === 0x30 ? 0x31 : 0x30;
    }),
  },
  { name: 'a TSA certificate not yet valid at genTime', token: () => rawToken(pki.tsa, { genTime: new Date(Date.now() - 3 * 86_400_000) }), code: 'FERRY_ERR_TSA_CERT_EXPIRED' },
  { name: 'a TSA certificate expired at genTime', token: () => rawToken(pki.tsa, { genTime: new Date(Date.now() + 2 * 365 * 86_400_000) }), code: 'FERRY_ERR_TSA_CERT_EXPIRED' },
  {
    name: 'a twin certificate (same key, issuer, serial; other bytes) put forward as signer', code: 'FERRY_ERR_TSA_ESS',
    token: () => tokenOf(opensslReply(pki.tsa, 'ossl-twin', 'sha256', 'q-nocert.tsq')), opts: () => ({ tsaCertificate: pki.tsaTwin.cert }),
    judge: ['-token_in', '-data', 'data.txt', '-untrusted', 'tsa-twin.pem'],
  },
  {
    name: 'a TSTInfo signed without the ESS attribute (openssl cms -sign)', code: 'FERRY_ERR_TSA_ESS', judge: ['-token_in', '-data', 'data.txt'],
    token: () => cmsSign(['-econtent_type', OID.tstInfo, '-signer', 'tsa.pem', '-inkey', 'tsa.key'], 'cms-noess.der'),
  },
  {
    name: 'a CMS signature over plain data', code: 'FERRY_ERR_TSA_CONTENT_TYPE',
    token: () => cmsSign(['-signer', 'tsa.pem', '-inkey', 'tsa.key'], 'cms-data.der'),
  },
  {
    name: 'two signers', code: 'FERRY_ERR_TSA_SIGNER',
    token: () => cmsSign(['-econtent_type', OID.tstInfo, '-signer', 'tsa.pem', '-inkey', 'tsa.key', '-signer', 'multi.pem', '-inkey', 'multi.key'], 'cms-two.der'),
  },
  { name: 'no certificate in the token and none given', token: () => tokenOf(opensslReply(pki.tsa, 'ossl-nocert2', 'sha256', 'q-nocert.tsq')), code: 'FERRY_ERR_TSA_NO_CERT' },
  { name: 'bytes that are no token', token: () => Buffer.from('0123456789'), code: 'FERRY_ERR_TSA_MALFORMED' },
  { name: 'a truncated token', token: () => ferry.subarray(0, ferry.length - 1), code: 'FERRY_ERR_TSA_MALFORMED' },
  { name: 'a token with trailing bytes', token: () => Buffer.concat([ferry, Buffer.from([0])]), code: 'FERRY_ERR_TSA_MALFORMED' },
  { name: 'a token over the size limit', token: () => Buffer.alloc(MAX_TOKEN_BYTES + 1), code: 'FERRY_ERR_TSA_TOO_LARGE' },
];

/** A SignedData over the eContent of Ferry's token, made by openssl cms instead of a TSA. */
function cmsSign(args: string[], out: string): Buffer {
  save('tstinfo.der', readTokenParts(ferry).eContent);
  openssl(['cms', '-sign', '-binary', '-nodetach', '-md', 'sha256', '-nosmimecap', '-outform', 'DER', '-in', 'tstinfo.der', ...args, '-out', out], pki.dir);
  return readFileSync(file(out));
}

describe('verifyTimeStampToken rejects, each with its own code', () => {
  it.each(cases)('$name → $code', async ({ token, opts, code, judge }) => {
    const t = token();
    const v = await verifyTimeStampToken(t, { data, trusted: trusted(), ...opts?.() });
    expect(v).toMatchObject({ ok: false, code });
    if (judge) {
      const r = opensslStatus(['ts', '-verify', '-in', save('judged.der', t), ...judge, '-CAfile', 'ca.pem'], pki.dir);
      expect(r.status, `openssl accepted it:\n${r.out}`).not.toBe(0);
      expect(r.out).not.toContain('Verification: OK');
    }
  });

  it('the judge accepts the untampered token under the same arguments (the rejections above are not noise)', () => {
    const r = opensslStatus(['ts', '-verify', '-in', 'ferry.der', '-token_in', '-data', 'data.txt', '-CAfile', 'ca.pem'], pki.dir);
    expect(r.out).toContain('Verification: OK');
  });

  it('a rejected response → FERRY_ERR_TSA_STATUS naming the failure', async () => {
    const tsa = new TimeStampAuthority({
      signingKey: pki.tsa.key, certificate: pki.tsa.cert, policyOid: POLICY, accuracy: {}, ordering: false,
      clock: { now: () => new Date() }, serials: new MemorySerialSource(),
    });
    const v = await verifyTimeStampResponse(await tsa.respond(Buffer.from('x')), { trusted: trusted() });
    expect(v).toMatchObject({ ok: false, code: 'FERRY_ERR_TSA_STATUS' });
    expect(!v.ok && v.detail).toMatch(/badDataFormat/);
  });
});

describe('verifyTimeStampToken under mutation', () => {
  it('never throws, and never accepts a change to the TSTInfo, the signed attributes or the signature', async () => {
    const parts = readTokenParts(ferry);
    const spans = [parts.eContent, parts.signedAttrs.subarray(2), parts.signature].map((b) => {
      const at = ferry.indexOf(b);
      return [at, at + b.length] as const;
    });
    const samples = fc.sample(fc.tuple(fc.nat(ferry.length - 1), fc.integer({ min: 1, max: 255 }), fc.boolean()), 600);
    for (const [i, x, cut] of samples) {
      const m = Buffer.from(ferry);
      m[i]! ^= x;
      const input = cut ? m.subarray(0, i) : m;
      const v = await verifyTimeStampToken(input, { data, trusted: trusted() });
      if (!cut && spans.some(([a, b]) => i >= a && i < b)) expect(v.ok, `byte ${i} ^ ${x} was accepted`).toBe(false);
      if (cut) expect(v.ok).toBe(false);
    }
  });
});
