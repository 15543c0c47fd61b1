// Benchmark (prints figures, asserts nothing): RFC 3161 tokens issued/s and verified/s beside raw
// ECDSA P-256 crypto.sign / crypto.verify in the same run, and the pkijs/WebCrypto way of doing both.
// Run: npx tsc -p tsconfig.build.json && node dist/bench/tsa.js
import { createHash, sign, verify, webcrypto, type KeyObject, type X509Certificate } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import Database from 'better-sqlite3';
import * as pkijs from 'pkijs';
import { encodeMessageImprint } from '../src/time/tsa-algorithms.js';
import { OID } from '../src/pki/oids.js';
import { children, parseDer, raw } from '../src/pki/der.js';
import { TimeStampAuthority } from '../src/time/tsa-issue.js';
import { buildTimeStampReq } from '../src/time/tsa-request.js';
import { MemorySerialSource, SqliteSerialSource, type SerialSource } from '../src/time/tsa-serials.js';
import { encodeAccuracy, encodeTstInfo } from '../src/time/tsa-tstinfo.js';
import { prepareTokenSigner } from '../src/time/tsa-token.js';
import { verifyTimeStampToken } from '../src/time/tsa-verify.js';
import { makeTestPki, opensslStatus } from '../test/tsa/pki-fixture.js';

const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 250);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 7);

type Op = () => unknown | Promise<unknown>;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** ops/s of `fn` over one window of SAMPLE_MS. */
async function window(fn: Op): Promise<number> {
  let n = 0;
  const t0 = process.hrtime.bigint();
  const end = t0 + BigInt(SAMPLE_MS) * 1_000_000n;
  let t = t0;
  while (t < end) {
    for (let i = 0; i < 8; i++) await fn();
    n += 8;
    t = process.hrtime.bigint();
  }
  return n / (Number(t - t0) / 1e9);
}

/** Measure `fn` and its baseline in alternating windows, so both see the same machine load (other
 *  work shares these 2 cores): medians of each, and the median of the per-round ratios. */
async function paired(fn: Op, base: Op): Promise<{ rate: number; base: number; ratio: number }> {
  await window(fn);
  await window(base);
  const r: number[] = [];
  const b: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    b.push(await window(base));
    r.push(await window(fn));
  }
  return { rate: median(r), base: median(b), ratio: median(r.map((x, i) => x / b[i]!)) };
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9);
function row(name: string, m: { rate: number; base: number; ratio: number }, baseName: string, note = ''): void {
  console.log(`${name.padEnd(52)} ${fmt(m.rate)} /s   ${baseName} ${fmt(m.base)} /s   ratio ${m.ratio.toFixed(2)}  ${note}`);
}

/** The same token the pkijs way: SignedData.sign through WebCrypto (pkijs 4 default engine). */
async function pkijsStamper(key: KeyObject, cert: X509Certificate): Promise<(tst: Buffer) => Promise<Buffer>> {
  const cryptoKey = await webcrypto.subtle.importKey('pkcs8', key.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
  const pc = pkijs.Certificate.fromBER(new Uint8Array(cert.raw));
  const essAttr = prepareTokenSigner(key, cert).essAttributeDer;
  const essValue = raw(children(children(parseDer(essAttr))[1]!)[0]!);
  return async (tst) => {
    const md = createHash('sha256').update(tst).digest();
    const sd = new pkijs.SignedData({
      version: 3,
      encapContentInfo: new pkijs.EncapsulatedContentInfo({ eContentType: OID.tstInfo, eContent: new asn1js.OctetString({ valueHex: new Uint8Array(tst) }) }),
      signerInfos: [new pkijs.SignerInfo({
        version: 1,
        sid: new pkijs.IssuerAndSerialNumber({ issuer: pc.issuer, serialNumber: pc.serialNumber }),
        signedAttrs: new pkijs.SignedAndUnsignedAttributes({
          type: 0,
          attributes: [
            new pkijs.Attribute({ type: OID.contentType, values: [new asn1js.ObjectIdentifier({ value: OID.tstInfo })] }),
            new pkijs.Attribute({ type: OID.messageDigest, values: [new asn1js.OctetString({ valueHex: new Uint8Array(md) })] }),
            new pkijs.Attribute({ type: OID.signingCertificateV2, values: [asn1js.fromBER(new Uint8Array(essValue)).result] }),
          ],
        }),
      })],
      certificates: [pc],
    });
    await sd.sign(cryptoKey, 0, 'SHA-256'); // TOOLCHAIN: the default would be SHA-1
    const ci = new pkijs.ContentInfo({ contentType: OID.signedData, content: sd.toSchema(true) });
    return Buffer.from(ci.toSchema().toBER());
  };
}

async function main(): Promise<void> {
  const pki = makeTestPki();
  const dbDir = mkdtempSync(join(tmpdir(), 'ferry-bench-'));
  try {
    console.log(`node ${process.version}; ${ROUNDS} rounds of ${SAMPLE_MS} ms windows, each figure alternating with its baseline; medians\n`);
    const data = Buffer.from('a 1 KiB submission '.repeat(54));
    const digest = createHash('sha256').update(data).digest();
    const msg = Buffer.alloc(200, 1); // about the size of a token's signed attributes
    const pub = pki.tsa.cert.publicKey;
    const sig = sign('sha256', msg, pki.tsa.key);

    const rawSign: Op = () => sign('sha256', msg, pki.tsa.key);
    const rawVerify: Op = () => verify('sha256', msg, pub, sig);
    const wcKey = await webcrypto.subtle.importKey('pkcs8', pki.tsa.key.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    row('WebCrypto subtle.sign ECDSA P-256 (what pkijs calls)', await paired(() => webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, wcKey, msg), rawSign), 'crypto.sign');

    const tsaWith = (serials: SerialSource) => new TimeStampAuthority({
      signingKey: pki.tsa.key, certificate: pki.tsa.cert, policyOid: '1.3.6.1.4.1.55555.1.1', accuracy: { millis: 10 },
      ordering: false, clock: { now: () => new Date() }, serials,
    });
    const tsa = tsaWith(new MemorySerialSource());
    row('Ferry stamp() token, serials in memory', await paired(() => tsa.stamp(digest, 'SHA-256', { certReq: true, nonce: 12345n }), rawSign), 'crypto.sign');
    const req = buildTimeStampReq(digest, { nonce: 0x1234_5678_9abc_def0n, certReq: true });
    row('Ferry respond() request → response', await paired(() => tsa.respond(req), rawSign), 'crypto.sign');

    for (const block of [1, 100]) {
      const db = new Database(join(dbDir, `serials-${block}.db`));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const t = tsaWith(new SqliteSerialSource(db, { block }));
      row(`Ferry stamp(), SQLite serials WAL+FULL, block ${block}`, await paired(() => t.stamp(digest), rawSign), 'crypto.sign');
      db.close();
    }

    const pkijsStamp = await pkijsStamper(pki.tsa.key, pki.tsa.cert);
    const tst = () => encodeTstInfo({
      policy: '1.3.6.1.4.1.55555.1.1', messageImprintDer: encodeMessageImprint('SHA-256', digest), serial: 1n, genTime: new Date(),
      withMillis: true, accuracyDer: encodeAccuracy({ millis: 10 })!,
    });
    writeFileSync(join(pki.dir, 'pkijs.der'), await pkijsStamp(tst()));
    const judged = opensslStatus(['ts', '-verify', '-in', 'pkijs.der', '-token_in', '-digest', digest.toString('hex'), '-CAfile', 'ca.pem'], pki.dir);
    row('pkijs SignedData.sign token (WebCrypto)', await paired(() => pkijsStamp(tst()), rawSign), 'crypto.sign', `openssl: ${judged.out.trim().split('\n').pop()}`);

    const token = await tsa.stamp(digest, 'SHA-256', { certReq: true, nonce: 12345n });
    const trusted = [pki.ca.cert];
    const check = await verifyTimeStampToken(token, { digest, nonce: 12345n, trusted });
    if (!check.ok) throw new Error(`bench token does not verify: ${check.code}`);
    // The TSA → root link is checked once and remembered (src/pki/chain.ts), and the certificate
    // parsed once (parseCertificate, src/pki/cert-extensions.ts), so from the second token on a
    // verification costs one ECDSA verify + parsing.
    row('Ferry verifyTimeStampToken (TSA → root)', await paired(() => verifyTimeStampToken(token, { digest, nonce: 12345n, trusted }), rawVerify), 'crypto.verify');

    const pTrusted = [pkijs.Certificate.fromBER(new Uint8Array(pki.ca.cert.raw))];
    const pkijsVerify = async () => {
      const ci = pkijs.ContentInfo.fromBER(new Uint8Array(token));
      const sd = new pkijs.SignedData({ schema: ci.content });
      const r = await sd.verify({ signer: 0, checkChain: true, trustedCerts: pTrusted, data: new Uint8Array(data).buffer, extendedMode: true });
      if (!r.signatureVerified) throw new Error('pkijs rejected the token');
    };
    row('pkijs SignedData.verify checkChain:true (WebCrypto)', await paired(pkijsVerify, rawVerify), 'crypto.verify');
  } finally {
    pki.cleanup();
    rmSync(dbDir, { recursive: true, force: true });
  }
}

await main();
