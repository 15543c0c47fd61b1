// `ferry certs import`: turn an operator's PKCS#12 file (RFC 7292) into Ferry's PEM files.
//
// pkijs parses the structure, checks the MAC and decrypts modern PBES2 (PBKDF2 + AES) bags, RSA or
// EC alike. Legacy bags (pbeWithSHAAnd3-KeyTripleDES-CBC, pbeWithSHAAnd40BitRC2-CBC; `openssl
// pkcs12 -legacy`, older Windows exports) are decrypted with node-forge's PKCS#12 PBE ciphers —
// pkijs lacks them, and Node's OpenSSL 3 has no RC2 without the legacy provider. Only forge's
// cipher is used, not its PKCS#12 parser, which cannot read EC keys and re-encodes certificates:
// certificates are written with the exact DER bytes found in the bag (STYLE §7), so their SHA-256
// fingerprints match what the CA issued.
import { createPrivateKey, createPublicKey, webcrypto, X509Certificate, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import * as asn1js from 'asn1js';
import * as pkijs from 'pkijs';
import forge from 'node-forge';
import { FerryError } from '../errors.js';
import { certFacts, certSha256, colonHex } from './cert-extensions.js';
import { MAX_PKI_FILE_BYTES, writeCertificateFile, writePrivateKeyFile } from './key-files.js';
import { toPem } from './pem.js';
import { roleMarkerFor } from './dev-ca.js';
import { isCaAsserted } from './roles.js';
import { roleFit } from './role-fit.js';

pkijs.setEngine('node', new pkijs.CryptoEngine({ name: 'node', crypto: webcrypto as unknown as ConstructorParameters<typeof pkijs.CryptoEngine>[0]['crypto'] }));

const OID_DATA = '1.2.840.113549.1.7.1';
const OID_ENCRYPTED_DATA = '1.2.840.113549.1.7.6';
const OID_PBES2 = '1.2.840.113549.1.5.13';
const OID_PBE_SHA1_3DES = '1.2.840.113549.1.12.1.3';
const OID_PBE_SHA1_RC2_40 = '1.2.840.113549.1.12.1.6';
const OID_PBE_SHA1_RC2_128 = '1.2.840.113549.1.12.1.5';
// RFC 7292 §4.2 bag types
const BAG_KEY = '1.2.840.113549.1.12.10.1.1';
const BAG_SHROUDED_KEY = '1.2.840.113549.1.12.10.1.2';
const BAG_CERT = '1.2.840.113549.1.12.10.1.3';
const BAG_SAFE_CONTENTS = '1.2.840.113549.1.12.10.1.6';
const CERT_X509 = '1.2.840.113549.1.9.22.1';
/** Nested SafeContents bags deeper than this are refused rather than recursed into. */
const MAX_BAG_NESTING = 4;

/** Role names become file names: keep them to what `ferry certs` itself uses. */
const ROLE_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface ImportedFiles {
  readonly cert: string;
  readonly key: string;
  /** Present when the bag held certificates other than the leaf (its CA chain). */
  readonly chain?: string;
  readonly subject: string;
  /** SHA-256 fingerprint of the leaf, colon hex. */
  readonly sha256: string;
  /** 'rsa', 'ec', 'ed25519', … as node:crypto names it. */
  readonly keyType: string;
  readonly chainLength: number;
  /** Which code decrypted the bags: pkijs alone, or with forge for legacy PBE ciphers. */
  readonly decoder: 'pkijs' | 'pkijs+forge';
}

export interface ImportP12Options {
  /** Overwrite existing `<role>.*` files in outDir. */
  readonly force?: boolean;
  /** The configured CA: the imported certificate must chain to it (with the bag's other certificates
   *  as intermediates). Absent: the chain is not judged. */
  readonly ca?: readonly X509Certificate[];
  /** The instant the certificate must be valid at (default: now). */
  readonly now?: Date;
}

interface Extracted {
  keys: Buffer[];
  certs: Buffer[];
  usedForge: boolean;
}

function p12Error(file: string, why: string, cause?: unknown): FerryError {
  return new FerryError('FERRY_ERR_PKI_P12', `${file}: ${why}`, cause === undefined ? undefined : { cause });
}

function errText(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

/** A fresh ArrayBuffer holding exactly the UTF-8 bytes (a small Buffer's .buffer is Node's shared
 *  8 KiB pool, which pkijs would take whole as the password). */
function utf8ArrayBuffer(s: string): ArrayBuffer {
  return new Uint8Array(Buffer.from(s, 'utf8')).buffer;
}

function bytes(ab: ArrayBuffer | Uint8Array): Buffer {
  return Buffer.from(ab instanceof Uint8Array ? ab : new Uint8Array(ab));
}

type ForgeCipher = { update(b: forge.util.ByteStringBuffer): void; finish(): boolean; output: forge.util.ByteStringBuffer };
type ForgePbe = { getCipher(oid: string, params: forge.asn1.Asn1, password: string): ForgeCipher };

/** RFC 7292 Appendix B + C: PKCS#12 PBE (SHA-1 KDF over the BMPString password) with 3DES or RC2. */
function forgeDecrypt(oid: string, paramsDer: Buffer, ciphertext: Buffer, password: string): Buffer {
  const params = forge.asn1.fromDer(forge.util.createBuffer(paramsDer.toString('binary')));
  const pbe = (forge.pki as unknown as { pbe: ForgePbe }).pbe;
  const cipher = pbe.getCipher(oid, params, password);
  cipher.update(forge.util.createBuffer(ciphertext.toString('binary')));
  // A wrong key shows up as bad CBC padding (finish() false) — or, 1 time in ~256, as garbage that
  // the DER parse of the plaintext then rejects.
  if (!cipher.finish()) throw new Error('decryption failed (bad padding: wrong password?)');
  return Buffer.from(cipher.output.getBytes(), 'binary');
}

async function decrypt(alg: pkijs.AlgorithmIdentifier, ciphertext: Buffer, password: string, out: Extracted): Promise<Buffer> {
  const oid = alg.algorithmId;
  if (oid === OID_PBES2) {
    // RFC 8018 §6.2: PBES2 takes the password as an octet string; OpenSSL passes its UTF-8 bytes.
    const ed = new pkijs.EncryptedData({
      encryptedContentInfo: new pkijs.EncryptedContentInfo({
        contentType: OID_DATA,
        contentEncryptionAlgorithm: alg,
        encryptedContent: new asn1js.OctetString({ valueHex: ciphertext }),
      }),
    });
    return bytes(await ed.decrypt({ password: utf8ArrayBuffer(password) }));
  }
  if (oid === OID_PBE_SHA1_3DES || oid === OID_PBE_SHA1_RC2_40 || oid === OID_PBE_SHA1_RC2_128) {
    out.usedForge = true;
    const paramsDer = alg.algorithmParams ? bytes(alg.algorithmParams.toBER(false)) : Buffer.alloc(0);
    return forgeDecrypt(oid, paramsDer, ciphertext, password);
  }
  throw new Error(`unsupported encryption algorithm ${oid}`);
}

async function readSafeContents(der: Buffer, password: string, out: Extracted, depth: number): Promise<void> {
  if (depth > MAX_BAG_NESTING) throw new Error('SafeContents nested too deeply');
  const sc = pkijs.SafeContents.fromBER(der);
  for (const bag of sc.safeBags) {
    switch (bag.bagId) {
      case BAG_KEY:
        out.keys.push(bytes((bag.bagValue as pkijs.PrivateKeyInfo).toSchema().toBER(false)));
        break;
      case BAG_SHROUDED_KEY: {
        const sk = bag.bagValue as pkijs.PKCS8ShroudedKeyBag;
        out.keys.push(await decrypt(sk.encryptionAlgorithm, bytes(sk.encryptedData.getValue()), password, out));
        break;
      }
      case BAG_CERT: {
        const cb = bag.bagValue as pkijs.CertBag;
        // The certificate's own DER as it sits in the bag's OCTET STRING: never re-encoded.
        if (cb.certId === CERT_X509) out.certs.push(bytes((cb.certValue as asn1js.OctetString).valueBlock.valueHexView));
        break;
      }
      case BAG_SAFE_CONTENTS:
        await readSafeContents(bytes((bag.bagValue as pkijs.SafeContents).toSchema().toBER(false)), password, out, depth + 1);
        break;
      default:
        // CRL and secret bags carry nothing Ferry imports.
        break;
    }
  }
}

async function extract(file: string, der: Buffer, password: string): Promise<Extracted> {
  let pfx: pkijs.PFX;
  try {
    pfx = pkijs.PFX.fromBER(der);
  } catch (e) {
    throw p12Error(file, `not a PKCS#12 file (${errText(e)})`, e);
  }
  try {
    // RFC 7292 §5.1: with a MAC, a wrong password is detected here, before any decryption.
    await pfx.parseInternalValues({ password: utf8ArrayBuffer(password), checkIntegrity: pfx.macData !== undefined });
  } catch (e) {
    const msg = errText(e);
    if (/integrity/i.test(msg)) throw p12Error(file, 'wrong password, or the file is damaged (MAC check failed)', e);
    throw p12Error(file, `cannot read the PKCS#12 structure (${msg}); only password privacy and integrity modes are supported`, e);
  }
  const safe = pfx.parsedValue?.authenticatedSafe;
  if (!safe) throw p12Error(file, 'no AuthenticatedSafe (public-key integrity mode is not supported)');
  const out: Extracted = { keys: [], certs: [], usedForge: false };
  for (const ci of safe.safeContents) {
    let contents: Buffer;
    try {
      if (ci.contentType === OID_DATA) {
        contents = bytes((ci.content as asn1js.OctetString).getValue());
      } else if (ci.contentType === OID_ENCRYPTED_DATA) {
        const ed = new pkijs.EncryptedData({ schema: ci.content });
        const eci = ed.encryptedContentInfo;
        contents = await decrypt(eci.contentEncryptionAlgorithm, bytes(eci.getEncryptedContent()), password, out);
      } else {
        throw new Error(`content type ${ci.contentType} (public-key privacy mode) is not supported`);
      }
      await readSafeContents(contents, password, out, 0);
    } catch (e) {
      if (e instanceof FerryError) throw e;
      throw p12Error(file, `cannot decrypt or read its contents (${errText(e)}); wrong password or unsupported algorithm`, e);
    }
  }
  return out;
}

function spki(k: KeyObject): Buffer {
  return (k.type === 'public' ? k : createPublicKey(k)).export({ type: 'spki', format: 'der' });
}

/** Orders CA certificates from the leaf's issuer upward; certificates that do not fit the path
 *  follow in bag order, so nothing the operator supplied is dropped. */
function orderChain(leaf: X509Certificate, rest: X509Certificate[]): X509Certificate[] {
  const left = [...rest];
  const ordered: X509Certificate[] = [];
  let cur = leaf;
  for (;;) {
    const i = left.findIndex((c) => certFacts(cur).issuerDer.equals(certFacts(c).subjectDer) && cur.verify(c.publicKey));
    if (i < 0) break;
    const [next] = left.splice(i, 1);
    if (!next) break;
    ordered.push(next);
    cur = next;
  }
  return [...ordered, ...left];
}

/**
 * Imports the key and certificate(s) of a PKCS#12 file into `outDir` as `<role>.crt` (the leaf:
 * the certificate whose public key matches the one private key), `<role>.key` (PKCS#8 PEM, mode
 * 0600) and, when the bag holds other certificates, `<role>-chain.crt` (issuer first).
 * Throws FERRY_ERR_PKI_P12 naming the file for a wrong password, an unsupported algorithm or a bag
 * without exactly one key and its certificate; FERRY_ERR_PKI_EXISTS if the files exist and not force.
 */
export async function importP12(file: string, password: string, outDir: string, role: string, opts: ImportP12Options = {}): Promise<ImportedFiles> {
  if (!ROLE_PATTERN.test(role)) throw new FerryError('FERRY_ERR_CLI_USAGE', `role "${role}" must be lower-case letters, digits and dashes`);
  let der: Buffer;
  try {
    const st = statSync(file);
    if (st.size > MAX_PKI_FILE_BYTES) throw p12Error(file, `${st.size} bytes is too large for a PKCS#12 key store`);
    der = readFileSync(file);
  } catch (e) {
    if (e instanceof FerryError) throw e;
    throw p12Error(file, `cannot be read (${errText(e)})`, e);
  }

  const ex = await extract(file, der, password);
  if (ex.keys.length !== 1) throw p12Error(file, `holds ${ex.keys.length} private keys; Ferry imports a file with exactly one`);
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: ex.keys[0] as Buffer, format: 'der', type: 'pkcs8' });
  } catch (e) {
    throw p12Error(file, `the private key cannot be read (${errText(e)}); wrong password or unsupported key type`, e);
  }
  const certs = ex.certs.map((c, i) => {
    try {
      return new X509Certificate(c);
    } catch (e) {
      throw p12Error(file, `certificate ${i + 1} in the bag is not valid X.509 (${errText(e)})`, e);
    }
  });
  const pub = spki(key);
  const leafIdx = certs.findIndex((c) => spki(c.publicKey).equals(pub));
  if (leafIdx < 0) throw p12Error(file, `none of its ${certs.length} certificate(s) matches the private key`);
  const leaf = certs[leafIdx] as X509Certificate;
  const chain = orderChain(leaf, certs.filter((_, i) => i !== leafIdx));
  // No CA certificate is ever an end entity, and a key stored under one of Ferry's role file names must
  // be able to do that role's job (key type and curve, marker, key usage, EKU, chain to the CA):
  // refuse now, naming the file and the reason, not at the first handshake or packet.
  if (isCaAsserted(leaf)) throw new FerryError('FERRY_ERR_PKI_LEAF_IS_CA', `${file}: the key's certificate is a CA certificate (basicConstraints cA=true); import an end-entity certificate`);
  const marker = roleMarkerFor(role);
  if (marker) {
    const fit = roleFit({ role: marker, key, cert: leaf, intermediates: chain, at: opts.now ?? new Date(), ...(opts.ca ? { ca: opts.ca } : {}) });
    if (!fit.ok) throw new FerryError(fit.code, `${file}: cannot be imported as ${role}: ${fit.detail}`);
  }

  const paths = { cert: join(outDir, `${role}.crt`), key: join(outDir, `${role}.key`), chain: join(outDir, `${role}-chain.crt`) };
  if (!opts.force) {
    for (const p of Object.values(paths)) {
      if (existsSync(p)) throw new FerryError('FERRY_ERR_PKI_EXISTS', `${p} already exists; refusing to overwrite it (use --force)`);
    }
  }
  await mkdir(outDir, { recursive: true, mode: 0o700 });
  await writePrivateKeyFile(paths.key, key.export({ type: 'pkcs8', format: 'pem' }) as string);
  await writeCertificateFile(paths.cert, toPem(leaf.raw, 'CERTIFICATE'));
  if (chain.length > 0) await writeCertificateFile(paths.chain, chain.map((c) => toPem(c.raw, 'CERTIFICATE')).join(''));

  return {
    cert: paths.cert,
    key: paths.key,
    ...(chain.length > 0 ? { chain: paths.chain } : {}),
    subject: leaf.subject.split('\n').join(', '),
    sha256: colonHex(certSha256(leaf)),
    keyType: key.asymmetricKeyType ?? 'unknown',
    chainLength: chain.length,
    decoder: ex.usedForge ? 'pkijs+forge' : 'pkijs',
  };
}
