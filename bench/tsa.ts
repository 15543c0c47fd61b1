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
import { OID, encodeMessageImprint } from '../src/time/tsa-algorithms.js';
import { children, parseDer, raw } from '../src/time/tsa-der.js';
import { TimeStampAuthority } from '../src/time/tsa-issue.js';
import { buildTimeStampReq } from '../src/time/tsa-request.js';
import { MemorySerialSource, SqliteSerialSource, type SerialSource } from '../src/time/tsa-serials.js';
import { encodeAccuracy, encodeTstInfo } from '../src/time/tsa-tstinfo.js';
import { prepareTokenSigner } from '../src/time/tsa-token.js';
import { verifyTimeStampToken } from '../src/time/tsa-verify.js';
import { makeTestPki, opensslStatus } from '../test/tsa/pki-fixture.js';

const SAMPLE_MS = Number(process.env.BENCH_SAMPLE_MS ?? 400);
const SAMPLES = 5;

/** Median ops/s over SAMPLES windows of SAMPLE_MS each (after one warm-up window). */
async function rate(fn: () => unknown | Promise<unknown>): Promise<number> {
  const window = async () => {
    let n = 0;
    const t0 = process.hrtime.bigint();
    const end = t0 + BigInt(SAMPLE_MS) * 1_000_000n;
    let t = t0;
    while (t < end) {
      for (let i = 0; i < 16; i++) await fn();
      n += 16;
      t = process.hrtime.bigint();
    }
    return n / (Number(t - t0) / 1e9);
  };
  await window();
  const rs: number[] = [];
  for (let i = 0; i < SAMPLES; i++) rs.push(await window());
  return rs.sort((a, b) => a - b)[Math.floor(SAMPLES / 2)]!;
}

const fmt = (n: number) => Math.round(n).toLocaleString('en-US').padStart(9);
const rows: [string, number, string][] = [];
function row(name: string, r: number, note = ''): void {
  rows.push([name, r, note]);
  console.log(`${name.padEnd(58)} ${fmt(r)} /s  ${note}`);
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
    console.log(`node ${process.version}, ${SAMPLES} samples x ${SAMPLE_MS} ms, median\n`);
    const data = Buffer.from('a 1 KiB submission '.repeat(54));
    const digest = createHash('sha256').update(data).digest();
    const msg = Buffer.alloc(200, 1); // about the size of a token's signed attributes
    const pub = pki.tsa.cert.publicKey;
    const sig = sign('sha256', msg, pki.tsa.key);

    const rawSign = await rate(() => sign('sha256', msg, pki.tsa.key));
    row('raw crypto.sign ECDSA P-256 (200 B)', rawSign);
    const rawVerify = await rate(() => verify('sha256', msg, pub, sig));
    row('raw crypto.verify ECDSA P-256 (200 B)', rawVerify);
    const wcKey = await webcrypto.subtle.importKey('pkcs8', pki.tsa.key.export({ type: 'pkcs8', format: 'der' }), { name: 'ECDSA', namedCurve: 'P-256' }, false, ['sign']);
    const wcSign = await rate(() => webcrypto.subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, wcKey, msg));
    row('raw WebCrypto subtle.sign ECDSA P-256 (what pkijs calls)', wcSign);

    const tsaWith = (serials: SerialSource) => new TimeStampAuthority({
      signingKey: pki.tsa.key, certificate: pki.tsa.cert, policyOid: '1.3.6.1.4.1.55555.1.1', accuracy: { millis: 10 },
      ordering: false, clock: { now: () => new Date() }, serials,
    });
    const tsa = tsaWith(new MemorySerialSource());
    const stampRate = await rate(() => tsa.stamp(digest, 'SHA-256', { certReq: true, nonce: 12345n }));
    row('Ferry stamp() token, node:crypto, serials in memory', stampRate, `${(stampRate / rawSign * 100).toFixed(0)}% of raw sign`);
    const req = buildTimeStampReq(digest, { nonce: 0x1234_5678_9abc_def0n, certReq: true });
    const respondRate = await rate(() => tsa.respond(req));
    row('Ferry respond() request → response', respondRate, `${(respondRate / rawSign * 100).toFixed(0)}% of raw sign`);

    for (const block of [1, 100]) {
      const db = new Database(join(dbDir, `serials-${block}.db`));
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const t = tsaWith(new SqliteSerialSource(db, { block }));
      row(`Ferry stamp(), SQLite serials (WAL, sync FULL, block ${block})`, await rate(() => t.stamp(digest)));
      db.close();
    }

    const pkijsStamp = await pkijsStamper(pki.tsa.key, pki.tsa.cert);
    const tst = () => encodeTstInfo({
      policy: '1.3.6.1.4.1.55555.1.1', messageImprintDer: encodeMessageImprint('SHA-256', digest), serial: 1n, genTime: new Date(),
      withMillis: true, accuracyDer: encodeAccuracy({ millis: 10 })!,
    });
    const pkijsToken = await pkijsStamp(tst());
    writeFileSync(join(pki.dir, 'pkijs.der'), pkijsToken);
    const judged = opensslStatus(['ts', '-verify', '-in', 'pkijs.der', '-token_in', '-digest', digest.toString('hex'), '-CAfile', 'ca.pem'], pki.dir);
    const pkijsRate = await rate(() => pkijsStamp(tst()));
    row('pkijs SignedData.sign token (WebCrypto)', pkijsRate, `openssl: ${judged.out.trim().split('\n').pop()}`);

    const token = await tsa.stamp(digest, 'SHA-256', { certReq: true, nonce: 12345n });
    const trusted = [pki.ca.cert];
    const check = await verifyTimeStampToken(token, { digest, nonce: 12345n, trusted });
    if (!check.ok) throw new Error(`bench token does not verify: ${check.code}`);
    const verifyRate = await rate(() => verifyTimeStampToken(token, { digest, nonce: 12345n, trusted }));
    row('Ferry verifyTimeStampToken (TSA → root, 2 ECDSA verifies)', verifyRate, `${(verifyRate / rawVerify * 100).toFixed(0)}% of raw verify, ${(verifyRate / (rawVerify / 2) * 100).toFixed(0)}% of 2 raw verifies`);

    const pTrusted = [pkijs.Certificate.fromBER(new Uint8Array(pki.ca.cert.raw))];
    const pkijsVerify = async () => {
      const ci = pkijs.ContentInfo.fromBER(new Uint8Array(token));
      const sd = new pkijs.SignedData({ schema: ci.content });
      const r = await sd.verify({ signer: 0, checkChain: true, trustedCerts: pTrusted, data: new Uint8Array(data).buffer, extendedMode: true });
      if (!r.signatureVerified) throw new Error('pkijs rejected the token');
    };
    row('pkijs SignedData.verify checkChain:true (WebCrypto)', await rate(pkijsVerify));

    console.log('\nratios');
    const get = (p: string) => rows.find(([n]) => n.startsWith(p))![1];
    console.log(`  tokens issued / raw sign          ${(get('Ferry stamp() token') / rawSign).toFixed(2)}`);
    console.log(`  tokens verified / raw verify      ${(get('Ferry verifyTimeStampToken') / rawVerify).toFixed(2)}`);
    console.log(`  Ferry stamp / pkijs sign          ${(get('Ferry stamp() token') / get('pkijs SignedData.sign')).toFixed(1)}x`);
    console.log(`  Ferry verify / pkijs verify       ${(get('Ferry verifyTimeStampToken') / get('pkijs SignedData.verify')).toFixed(1)}x`);
    console.log(`  node sign / WebCrypto sign        ${(rawSign / wcSign).toFixed(1)}x`);
  } finally {
    pki.cleanup();
    rmSync(dbDir, { recursive: true, force: true });
  }
}

await main();
