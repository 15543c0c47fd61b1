// `ferry certs init`: a development PKI — one root CA and, for each gateway, separate signing,
// key-agreement and TLS certificates, plus a time-stamping authority. All keys are P-256.
// Not for production: operators bring their own certificates (see p12-import.ts).
import { createPrivateKey, KeyObject, randomBytes, webcrypto } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { isIP } from 'node:net';
import { join } from 'node:path';
import { FerryError } from '../errors.js';
import { writeCertificateFile, writePrivateKeyFile } from './key-files.js';
import { x509 } from './x509-provider.js';
import { FERRY_ROLE_OIDS, type FerryRole } from './roles.js';
import { emptyCaDb, normalSerial } from './ca-db.js';
import { writeDevCrl } from './dev-ca-crl.js';

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

/** End-entity roles, in the order they are made. File names are `<role>.crt` / `<role>.key`. */
export const DEV_PKI_ROLES = [
  'external-sign',
  'external-enc',
  'external-tls',
  'internal-sign',
  'internal-enc',
  'internal-tls',
  'tsa',
  // The intranet listener's server certificate, and TLS client certificates for the three kinds of
  // client the deployment CA serves: staff workstations, township centres, operators.
  'intranet-tls',
  'staff-client',
  'township-client',
  'operator-client',
] as const;
export type DevPkiRole = (typeof DEV_PKI_ROLES)[number];

export const DEV_GATEWAYS = ['external', 'internal'] as const;
export type DevGateway = (typeof DEV_GATEWAYS)[number];

export interface PkiFilePair {
  readonly cert: string;
  readonly key: string;
}
/** Paths of everything `initDevPki` wrote: the CA plus one pair per role. */
export type DevPkiFiles = { readonly [R in DevPkiRole | 'ca']: PkiFilePair };

export interface DevPkiOptions {
  /** End-entity validity in days (default 398). TLS server and client certificates never get more
   *  than MAX_TLS_DAYS whatever this says; signing, encryption and TSA certificates follow it (audit
   *  evidence tests want long-lived signers). The CA gets 3650. */
  days?: number;
  /** Extra DNS names or IP addresses for the intranet listener's certificate (its configured host). */
  intranetHosts?: readonly string[];
  /** CRL distribution point written into every end-entity certificate (RFC 5280 §4.2.1.13). */
  crlUrl?: string;
  /** Overwrite an existing PKI in `dir`. */
  force?: boolean;
  /** Issue time (default: the system clock). Tests pass a past date to make expired certificates. */
  now?: Date;
}

/** CA/Browser Forum Baseline Requirements §6.3.2 (since 2020-09): at most 398 days for TLS
 *  certificates; browsers and testssl.sh flag longer ones. Used as the default for every end entity. */
export const MAX_TLS_DAYS = 398;
export const DEFAULT_END_ENTITY_DAYS = MAX_TLS_DAYS;
/** Where the deployment publishes its CRL: the internal gateway's CRL listener (pki.publish, port 8320
 *  in config/internal.yaml; the intranet listener on 8318 speaks only HTTPS). Over plain http as
 *  RFC 5280 §4.2.1.13 expects (a CRL is signed; https would make fetching the revocation list itself
 *  depend on a certificate check). */
export const DEFAULT_DEV_CRL_URL = 'http://127.0.0.1:8320/crl/ferry-dev-ca.crl';
export const DEFAULT_CA_DAYS = 3650;
export const DEV_CA_SUBJECT = 'CN=Ferry Dev Root CA, O=Ferry Dev';
export const DEV_TSA_SUBJECT = 'CN=Ferry Dev TSA';
/** notBefore is backdated so that a peer whose clock is a little behind still accepts a fresh cert. */
const BACKDATE_MS = 5 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;

const ECDSA_GEN = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const ECDH_GEN = { name: 'ECDH', namedCurve: 'P-256' } as const;
const SIGNING_ALG = { name: 'ECDSA', hash: 'SHA-256' } as const;

const KU = x509.KeyUsageFlags;

/** RFC 5280 §4.1.2.2: positive, at most 20 octets. 16 random bytes with the top bit cleared (positive)
 *  and the next bit set (so DER keeps all 16 bytes and never needs a leading zero). */
export function randomSerialHex(rand: (n: number) => Buffer = randomBytes): string {
  const b = rand(16);
  b[0] = ((b[0] ?? 0) & 0x7f) | 0x40;
  return b.toString('hex');
}

interface Issued {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
}

async function genKeys(kind: 'ecdsa' | 'ecdh'): Promise<CryptoKeyPair> {
  return kind === 'ecdsa'
    ? webcrypto.subtle.generateKey(ECDSA_GEN, true, ['sign', 'verify'])
    : webcrypto.subtle.generateKey(ECDH_GEN, true, ['deriveBits']);
}

function validity(now: Date, days: number): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() - BACKDATE_MS), notAfter: new Date(now.getTime() + days * DAY_MS) };
}

async function makeCa(now: Date): Promise<Issued> {
  const keys = await genKeys('ecdsa');
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerialHex(),
    name: DEV_CA_SUBJECT,
    keys: keys as unknown as CryptoKeyPair & Parameters<typeof x509.X509CertificateGenerator.createSelfSigned>[0]['keys'],
    ...validity(now, DEFAULT_CA_DAYS),
    signingAlgorithm: SIGNING_ALG,
    extensions: [
      // RFC 5280 §4.2.1.9: basicConstraints MUST be critical in CA certificates.
      new x509.BasicConstraintsExtension(true, undefined, true),
      // RFC 5280 §4.2.1.3: a CA that signs certificates and CRLs asserts keyCertSign and cRLSign.
      new x509.KeyUsagesExtension(KU.keyCertSign | KU.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    ],
  });
  return { cert, keys };
}

interface EndEntityProfile {
  subject: string;
  kind: 'ecdsa' | 'ecdh';
  keyUsage: number;
  eku?: { usages: string[]; critical: boolean };
  /** Subject alternative names: DNS names and IP addresses. */
  san?: readonly string[];
  /** The Ferry role marker (certificate policy) this certificate carries. */
  role: FerryRole;
  /** TLS certificates are capped at MAX_TLS_DAYS. */
  tls: boolean;
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1'] as const;

function profileFor(role: DevPkiRole, intranetHosts: readonly string[]): EndEntityProfile {
  const clientAuth = (subject: string, r: FerryRole): EndEntityProfile => ({
    subject, kind: 'ecdsa', keyUsage: KU.digitalSignature, role: r, tls: true,
    eku: { usages: [x509.ExtendedKeyUsage.clientAuth], critical: false },
  });
  switch (role) {
    case 'tsa':
      // RFC 3161 §2.3: the TSA certificate MUST have exactly one EKU, id-kp-timeStamping, marked critical.
      return {
        subject: DEV_TSA_SUBJECT, kind: 'ecdsa', keyUsage: KU.digitalSignature | KU.nonRepudiation, role: 'tsa', tls: false,
        eku: { usages: [x509.ExtendedKeyUsage.timeStamping], critical: true },
      };
    case 'intranet-tls':
      return {
        subject: 'CN=ferry-intranet', kind: 'ecdsa', keyUsage: KU.digitalSignature, role: 'intranet-server', tls: true,
        eku: { usages: [x509.ExtendedKeyUsage.serverAuth], critical: false },
        san: [...new Set([...LOOPBACK_NAMES, ...intranetHosts])],
      };
    case 'staff-client': return clientAuth('CN=ferry-dev-staff', 'staff-client');
    case 'township-client': return clientAuth('CN=ferry-dev-township', 'township-client');
    case 'operator-client': return clientAuth('CN=ferry-dev-operator', 'operator-client');
    default: break;
  }
  const [gateway, purpose] = role.split('-') as [DevGateway, 'sign' | 'enc' | 'tls'];
  const subject = `CN=ferry-${gateway}-${purpose}`;
  switch (purpose) {
    case 'sign':
      // Packet signatures are evidence (non-repudiation) as well as authentication.
      return { subject, kind: 'ecdsa', keyUsage: KU.digitalSignature | KU.nonRepudiation, role: 'packet-signer', tls: false };
    case 'enc':
      // RFC 5480 §3: an ECDH key that only agrees keys asserts keyAgreement alone.
      return { subject, kind: 'ecdh', keyUsage: KU.keyAgreement, role: 'packet-encryption', tls: false };
    case 'tls':
      // RFC 8446 + RFC 5280 §4.2.1.12: ECDHE-ECDSA TLS needs digitalSignature; both link ends
      // authenticate (mutual TLS), so the cert serves as server and client. The role marker says which
      // gateway's link identity it is: the other gateway accepts nothing else.
      return {
        subject,
        kind: 'ecdsa',
        keyUsage: KU.digitalSignature,
        eku: { usages: [x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth], critical: false },
        san: LOOPBACK_NAMES,
        role: gateway === 'external' ? 'external-gateway-link' : 'internal-gateway-link',
        tls: true,
      };
  }
}

/** The Ferry role marker a certificate stored under a dev-PKI file name must carry (`certs import`). */
export function roleMarkerFor(fileRole: string): FerryRole | undefined {
  return (DEV_PKI_ROLES as readonly string[]).includes(fileRole) ? profileFor(fileRole as DevPkiRole, []).role : undefined;
}

function generalName(n: string): { type: 'dns' | 'ip'; value: string } {
  return { type: isIP(n) ? 'ip' : 'dns', value: n };
}

async function makeEndEntity(role: DevPkiRole, ca: Issued, now: Date, days: number, opts: DevPkiOptions): Promise<Issued> {
  const p = profileFor(role, opts.intranetHosts ?? []);
  const keys = await genKeys(p.kind);
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(p.keyUsage, true),
    await x509.SubjectKeyIdentifierExtension.create(keys.publicKey as never),
    await x509.AuthorityKeyIdentifierExtension.create(ca.keys.publicKey as never),
  ];
  if (p.eku) extensions.push(new x509.ExtendedKeyUsageExtension(p.eku.usages, p.eku.critical));
  if (p.san) extensions.push(new x509.SubjectAlternativeNameExtension(p.san.map(generalName)));
  // Non-critical (RFC 5280 §4.2.1.4): a relying party that does not know Ferry's arc ignores it.
  extensions.push(new x509.CertificatePolicyExtension([FERRY_ROLE_OIDS[p.role]], false));
  extensions.push(new x509.CRLDistributionPointsExtension([opts.crlUrl ?? DEFAULT_DEV_CRL_URL], false));
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerialHex(),
    subject: p.subject,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey as never,
    signingKey: ca.keys.privateKey as never,
    ...validity(now, p.tls ? Math.min(days, MAX_TLS_DAYS) : days),
    signingAlgorithm: SIGNING_ALG,
    extensions,
  });
  return { cert, keys };
}

/** PKCS#8 PEM through node:crypto, so the file is exactly what `createPrivateKey` reads back. An ECDH
 *  WebCrypto key exports as a plain id-ecPublicKey P-256 key: node's `diffieHellman` accepts it. */
function keyPem(key: CryptoKey): string {
  const ko: KeyObject = KeyObject.from(key);
  return ko.export({ type: 'pkcs8', format: 'pem' }) as string;
}

export function devPkiPaths(dir: string): DevPkiFiles {
  const pair = (name: string): PkiFilePair => ({ cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) });
  const out: Record<string, PkiFilePair> = { ca: pair('ca') };
  for (const role of DEV_PKI_ROLES) out[role] = pair(role);
  return out as DevPkiFiles;
}

/**
 * Creates the development PKI in `dir` (made with mode 0700 if missing). Refuses, with
 * FERRY_ERR_PKI_EXISTS naming the first file found, to overwrite an existing PKI unless `force`.
 */
export async function initDevPki(dir: string, opts: DevPkiOptions = {}): Promise<DevPkiFiles> {
  const days = opts.days ?? DEFAULT_END_ENTITY_DAYS;
  if (!Number.isFinite(days) || days <= 0) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', `days must be a positive number, got ${String(opts.days)}`);
  }
  if (opts.crlUrl !== undefined && !/^http:\/\/[^\s/]+\/\S*$/.test(opts.crlUrl)) {
    throw new FerryError('FERRY_ERR_CLI_USAGE', `crl URL must be an http:// URL with a path, got ${opts.crlUrl}`);
  }
  for (const h of opts.intranetHosts ?? []) {
    if (!isIP(h) && !/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?)*$/i.test(h)) {
      throw new FerryError('FERRY_ERR_CLI_USAGE', `intranet host ${h} is neither an IP address nor a DNS name`);
    }
  }
  const now = opts.now ?? new Date();
  const paths = devPkiPaths(dir);
  if (!opts.force) {
    for (const pair of Object.values(paths)) {
      for (const p of [pair.cert, pair.key]) {
        if (existsSync(p)) {
          throw new FerryError('FERRY_ERR_PKI_EXISTS', `${p} already exists; refusing to overwrite a PKI (use --force)`);
        }
      }
    }
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });

  const ca = await makeCa(now);
  const issued: Array<[PkiFilePair, Issued]> = [[paths.ca, ca]];
  for (const role of DEV_PKI_ROLES) issued.push([paths[role], await makeEndEntity(role, ca, now, days, opts)]);

  for (const [pair, { cert, keys }] of issued) {
    await writePrivateKeyFile(pair.key, keyPem(keys.privateKey));
    await writeCertificateFile(pair.cert, cert.toString('pem') + '\n');
  }
  // Guard: what we wrote must read back as node KeyObjects (catches an export format node rejects).
  for (const [pair] of issued) createPrivateKey(readFileSync(pair.key));
  // The CA database (what was issued; nothing revoked yet) and the first CRL, so a gateway configured
  // with pki.crl starts at once and `ferry certs revoke` has something to add to.
  const db = emptyCaDb();
  for (const [pair, { cert }] of issued.slice(1)) {
    db.issued.push({ serial: normalSerial(cert.serialNumber), subject: cert.subject, notAfter: cert.notAfter.toISOString(), file: pair.cert });
  }
  await writeDevCrl(dir, db, now);
  return paths;
}
