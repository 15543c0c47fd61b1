// Announces this gateway's packet-encryption certificate to the peer over the link, and adopts the
// peer's (PROTOCOL.md §6a), so that after an encryption-key rotation the peer seals to the new
// certificate without an operator copying files. The previous key (keys.previous / *.prev) keeps
// opening what was sealed to the old one during the switch.
//
// An announcement is adopted only when ALL hold: it came over the authenticated link, and its signed
// statement names the link certificate the peer presented on this session (binding to the peer's
// authenticated identity); it is signed by the peer's packet-signing key, judged exactly as packet
// signers are (pinned subject, role marker, chain, revocation); the announced certificate chains to
// the configured CA at now, carries the packet-encryption role with keyAgreement, is not revoked,
// has the subject of the configured peer encryption certificate, and is not older (notBefore) than
// the one in use. The adopted certificate is kept in the data directory and re-judged at each start.
import { createHash, sign, verify, X509Certificate } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fail, type Verdict } from '../errors.js';
import type { GatewayKeys } from './keys.js';
import type { KeyAnnounceFrame, KeyAnnouncer } from '../link/session.js';
import type { RevocationCheck } from '../pki/revocation.js';
import { roleFit } from '../pki/role-fit.js';
import { toPem } from '../pki/pem.js';
import { ecPoint } from '../seal/suite.js';
import { commonName } from '../seal/signer-trust.js';
import { sha256 } from '../seal/keyring.js';

const CONTEXT = Buffer.from('ferry-key-announce-v1\0', 'latin1');
/** Where the adopted peer certificate is kept, in the gateway's data directory. */
export const ANNOUNCED_PEER_ENC_FILE = 'peer-enc-announced.crt';

/** The signed statement: context || SHA-256(enc cert) || SHA-256(sender's link cert) || at_ms (u64 BE). */
export function announceStatement(encDer: Uint8Array, senderLinkDer: Uint8Array, atMs: number): Buffer {
  const at = Buffer.alloc(8);
  at.writeBigUInt64BE(BigInt(atMs));
  return Buffer.concat([CONTEXT, sha256(encDer), sha256(senderLinkDer), at]);
}

export function makeAnnouncement(keys: GatewayKeys, ownLinkCertDer: Uint8Array, atMs: number): KeyAnnounceFrame {
  const stmt = announceStatement(keys.encCert.raw, ownLinkCertDer, atMs);
  return { encCertificate: keys.encCert.raw, signerCertificate: keys.signCert.raw, atMs, signature: sign('sha256', stmt, { key: keys.signKey, dsaEncoding: 'der' }) };
}

export interface JudgeContext {
  readonly keys: GatewayKeys;
  /** The link certificate the peer presented on the session the frame came over. */
  readonly peerLinkCertDer: Buffer | null;
  readonly revocation?: RevocationCheck;
  readonly now: Date;
}

/** The certificate to seal to from now on, or why not. */
export function judgeCertificate(cert: X509Certificate, keys: GatewayKeys, revocation: RevocationCheck | undefined, now: Date): Verdict<X509Certificate> {
  const fit = roleFit({ role: 'packet-encryption', cert, ca: keys.ca, at: now });
  if (!fit.ok) return fail('FERRY_ERR_LINK_ANNOUNCE', `announced certificate: ${fit.code}: ${fit.detail}`);
  const r = revocation?.check(cert);
  if (r && !r.ok) return fail(r.code, `announced certificate: ${r.detail}`);
  const want = commonName(keys.peerEncCert.subject);
  if (commonName(cert.subject) !== want) return fail('FERRY_ERR_LINK_ANNOUNCE', `announced certificate CN=${commonName(cert.subject)} is not the peer's encryption identity CN=${want}`);
  if (new Date(cert.validFrom).getTime() < new Date(keys.peerEncCert.validFrom).getTime()) {
    return fail('FERRY_ERR_LINK_ANNOUNCE', `announced certificate (notBefore ${cert.validFrom}) is older than the one in use (${keys.peerEncCert.validFrom})`);
  }
  return { ok: true, value: cert };
}

export function judgeAnnouncement(f: KeyAnnounceFrame, ctx: JudgeContext): Verdict<X509Certificate> {
  if (!ctx.peerLinkCertDer) return fail('FERRY_ERR_LINK_ANNOUNCE', 'no authenticated peer link certificate on this session');
  const signer = ctx.keys.signers.check(f.signerCertificate, ctx.now, ctx.now);
  if (!signer.ok) return fail(signer.code, `announcement signer: ${signer.detail}`);
  const stmt = announceStatement(f.encCertificate, ctx.peerLinkCertDer, f.atMs);
  let good = false;
  try { good = verify('sha256', stmt, { key: signer.value.publicKey, dsaEncoding: 'der' }, f.signature); } catch { good = false; }
  // A signature over another link certificate fails here too: the statement names the session's peer.
  if (!good) return fail('FERRY_ERR_LINK_ANNOUNCE', `announcement signature by ${signer.value.subject} does not verify for this link peer`);
  let cert: X509Certificate;
  try { cert = new X509Certificate(f.encCertificate); } catch { return fail('FERRY_ERR_LINK_ANNOUNCE', 'announced certificate is not DER X.509'); }
  return judgeCertificate(cert, ctx.keys, ctx.revocation, ctx.now);
}

/** Seals to `cert` from now on (in place: the outbound path holds keys.seal). */
export function adoptPeerEncCert(keys: GatewayKeys, cert: X509Certificate): void {
  keys.seal.recipientPoint = ecPoint(cert.publicKey);
  keys.seal.recipientCertSha256 = sha256(cert.raw);
  keys.peerEncCert = cert;
}

interface Log { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void }

export interface AnnouncerDeps {
  readonly keys: GatewayKeys;
  /** The link certificate this side presented on the live session (the statement names it). */
  readonly ownLinkCertDer: () => Buffer | null;
  readonly peerLinkCertDer: () => Buffer | null;
  readonly revocation?: RevocationCheck;
  readonly dataDir: string;
  readonly log: Log;
  readonly now?: () => Date;
}

/** Re-adopts the announced certificate kept in dataDir, if it still passes (at start and after a reload
 *  read the configured peer certificate again). */
export function readoptAnnounced(d: AnnouncerDeps): void {
  const file = join(d.dataDir, ANNOUNCED_PEER_ENC_FILE);
  if (!existsSync(file)) return;
  let cert: X509Certificate;
  try { cert = new X509Certificate(readFileSync(file)); } catch (e) {
    d.log.error({ stage: 'key-announce', file, code: 'FERRY_ERR_LINK_ANNOUNCE', detail: String(e) }, 'kept peer encryption certificate does not parse; sealing to the configured one');
    return;
  }
  if (cert.raw.equals(d.keys.peerEncCert.raw)) return;
  const v = judgeCertificate(cert, d.keys, d.revocation, (d.now ?? (() => new Date()))());
  if (!v.ok) { d.log.warn({ stage: 'key-announce', file, code: v.code, detail: v.detail }, 'kept peer encryption certificate not used'); return; }
  adoptPeerEncCert(d.keys, cert);
  d.log.info({ stage: 'key-announce', file, sha256: createHash('sha256').update(cert.raw).digest('hex') }, 'sealing to the peer encryption certificate it announced earlier');
}

export function keyAnnouncer(d: AnnouncerDeps): KeyAnnouncer {
  const now = d.now ?? (() => new Date());
  return {
    make: () => { const own = d.ownLinkCertDer(); return own ? makeAnnouncement(d.keys, own, now().getTime()) : null; },
    receive(f) {
      if (sha256(f.encCertificate).equals(d.keys.seal.recipientCertSha256)) return; // already sealing to it
      const v = judgeAnnouncement(f, { keys: d.keys, peerLinkCertDer: d.peerLinkCertDer(), ...(d.revocation ? { revocation: d.revocation } : {}), now: now() });
      if (!v.ok) { d.log.error({ stage: 'key-announce', code: v.code, detail: v.detail }, 'peer encryption certificate announcement refused; sealing to the one in use'); return; }
      const before = d.keys.peerEncCert;
      adoptPeerEncCert(d.keys, v.value);
      const file = join(d.dataDir, ANNOUNCED_PEER_ENC_FILE);
      writeFileSync(`${file}.tmp`, toPem(v.value.raw, 'CERTIFICATE'), { mode: 0o644 });
      renameSync(`${file}.tmp`, file);
      d.log.info({ stage: 'key-announce', from: sha256(before.raw).toString('hex'), to: sha256(v.value.raw).toString('hex'), kept: file },
        'peer announced a new encryption certificate; sealing to it from now on');
    },
  };
}

/** The announcer's dependencies for a link end (server or client), with the announced certificate kept
 *  from an earlier run adopted again now (before the first packet is sealed). */
export function announceOver(base: Omit<AnnouncerDeps, 'ownLinkCertDer' | 'peerLinkCertDer'>,
  link: () => { ownCertificateDer: Buffer | null; peerCertificateDer: Buffer | null } | null): AnnouncerDeps {
  const d: AnnouncerDeps = { ...base, ownLinkCertDer: () => link()?.ownCertificateDer ?? null, peerLinkCertDer: () => link()?.peerCertificateDer ?? null };
  readoptAnnounced(d);
  return d;
}
