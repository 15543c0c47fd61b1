// Shared set-up for the seal tests: real dev PKIs made by initDevPki in temp dirs, the key material the
// gateways build from them, and the few tools an attacker would use to craft packets (decode, edit,
// re-encode, re-sign). Nothing here re-implements what it tests: crafting goes through the same
// protobuf schema, and re-signing through signPacket, so a forged packet is exactly as good as a real one.
import { X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ferry } from '../../src/proto/ferry.js';
import { initDevPki, type DevPkiOptions, type DevPkiRole, type DevGateway } from '../../src/pki/dev-ca.js';
import { loadCertificate, loadPrivateKey } from '../../src/pki/key-files.js';
import { openKeys, sealKeys, type OpenKeys, type OwnKeys, type SealKeys } from '../../src/seal/keyring.js';
import { SignerTrust, type SignerPolicy } from '../../src/seal/signer-trust.js';
import { signPacket } from '../../src/seal/suite.js';
import type { OpenContext } from '../../src/seal/open.js';
import type { FerryErrorCode } from '../../src/errors.js';

export interface DevPki {
  ca: X509Certificate;
  cert(role: DevPkiRole): X509Certificate;
  key(role: DevPkiRole): KeyObject;
  own(gateway: DevGateway): OwnKeys;
}

export async function makePki(parent: string, name: string, opts: DevPkiOptions = {}): Promise<DevPki> {
  const files = await initDevPki(join(parent, name), opts);
  const certs = new Map<string, X509Certificate>();
  const keys = new Map<string, KeyObject>();
  const cert = (role: DevPkiRole): X509Certificate => {
    let c = certs.get(role);
    if (!c) { c = loadCertificate(files[role].cert); certs.set(role, c); }
    return c;
  };
  const key = (role: DevPkiRole): KeyObject => {
    let k = keys.get(role);
    if (!k) { k = loadPrivateKey(files[role].key); keys.set(role, k); }
    return k;
  };
  return {
    ca: loadCertificate(files.ca.cert),
    cert,
    key,
    own: (g) => ({ signKey: key(`${g}-sign`), signCert: cert(`${g}-sign`), encKey: key(`${g}-enc`), encCert: cert(`${g}-enc`) }),
  };
}

export function tempDir(prefix: string): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), `ferry-${prefix}-`));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The usual direction: the external gateway seals to the internal one, which opens. */
export interface Pair { seal: SealKeys; open: OpenKeys; trust(extra?: Partial<SignerPolicy>): SignerTrust }

export function externalToInternal(pki: DevPki, extraRoots: readonly X509Certificate[] = []): Pair {
  return {
    seal: sealKeys(pki.own('external'), { encCert: pki.cert('internal-enc') }),
    open: openKeys(pki.own('internal')),
    trust: (extra = {}) => new SignerTrust({ roots: [pki.ca, ...extraRoots], expectedSubjects: ['ferry-external-sign'], ...extra }),
  };
}

export function ctx(pair: Pair, now: Date, trust = pair.trust()): OpenContext {
  return { keys: pair.open, signers: trust, now };
}

/** Every code openPacket may answer with: the SEAL section of the registry. */
export const SEAL_CODES: readonly FerryErrorCode[] = [
  'FERRY_ERR_SEAL_MALFORMED', 'FERRY_ERR_SEAL_TOO_LARGE', 'FERRY_ERR_SEAL_VERSION', 'FERRY_ERR_SEAL_UNKNOWN_SIGNER',
  'FERRY_ERR_SEAL_SIGNER_EXPIRED', 'FERRY_ERR_SEAL_SIGNER_MISMATCH', 'FERRY_ERR_SEAL_BAD_SIGNATURE',
  'FERRY_ERR_SEAL_WRONG_RECIPIENT', 'FERRY_ERR_SEAL_DECRYPT', 'FERRY_ERR_SEAL_KEY_USAGE', 'FERRY_ERR_SEAL_SIGNER_ROLE',
];

// ---- crafting -------------------------------------------------------------------------------------

export interface Parts { header: Buffer; ciphertext: Buffer; signature: Buffer; signerCertificate: Buffer; timestampToken: Buffer }

export function split(packet: Uint8Array): Parts {
  const p = ferry.v1.Packet.decode(packet);
  const b = (x: Uint8Array | null | undefined): Buffer => Buffer.from(x ?? []);
  return { header: b(p.header), ciphertext: b(p.ciphertext), signature: b(p.signature), signerCertificate: b(p.signerCertificate), timestampToken: b(p.timestampToken) };
}

export function join_(parts: Parts): Buffer {
  return Buffer.from(ferry.v1.Packet.encode(parts).finish());
}

/** Decodes the header, lets `edit` change it, and encodes it again (field order as the schema writes it). */
export function editHeader(header: Uint8Array, edit: (h: ferry.v1.PacketHeader) => void): Buffer {
  const h = ferry.v1.PacketHeader.decode(header);
  edit(h);
  return Buffer.from(ferry.v1.PacketHeader.encode(h).finish());
}

/** Replaces parts and signs header and ciphertext again with `key` (an attacker who holds that key). */
export function resign(packet: Uint8Array, key: KeyObject, change: Partial<Parts> = {}): Buffer {
  const parts = { ...split(packet), ...change };
  parts.signature = signPacket(key, parts.header, parts.ciphertext);
  return join_(parts);
}

export function flipByte(b: Uint8Array, at: number, mask = 0x01): Buffer {
  const out = Buffer.from(b);
  out[at] = (out[at] ?? 0) ^ mask;
  return out;
}

/** Fills the envelope's timestamp_token slot, which the sender's signature does not cover (receivers
 *  must accept any content there without the packet changing meaning). */
export function withTimestampToken(packetBytes: Uint8Array, token: Uint8Array): Buffer {
  const p = ferry.v1.Packet.decode(packetBytes);
  p.timestampToken = token;
  return Buffer.from(ferry.v1.Packet.encode(p).finish());
}
