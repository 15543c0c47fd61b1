// SIGHUP: read the gateway's key material again without a restart — its signing and encryption keys
// (current and previous), the peer's certificates, the CA bundle, the link's TLS certificate and key,
// the other listeners' certificates, and the CRLs. Each part is loaded and judged in full (the same
// role checks as start) before anything is swapped; a part that fails leaves what was in force and
// logs a `ferry:` error naming the file. The units' ExecReload runs `ferry config check` first.
//
// The swap is in place: the packet paths hold the GatewayKeys objects made at start (seal keys, open
// keys, the signer trust), so reload rewrites their contents rather than handing out new objects.
import type { X509Certificate } from 'node:crypto';
import { isFerryError } from '../errors.js';
import { loadGatewayKeys, loadTls, type GatewayKeys, type KeyFiles, type LoadedTls, type PeerFiles } from './keys.js';
import type { Logger } from './logger.js';
import type { CrlHolder } from '../pki/crl-holder.js';
import type { FerryRole } from '../pki/roles.js';

/** A listener whose certificate can be swapped: the next handshake presents the new one. */
export interface TlsTarget {
  readonly name: string;
  readonly files: { readonly cert: string; readonly key: string };
  /** The deployment-CA role the certificate must fit (link, intranet); none for the applicant API. */
  readonly role?: FerryRole;
  apply(tls: LoadedTls): void;
}

export interface ReloadTargets {
  readonly keyFiles: KeyFiles;
  readonly peerFiles: PeerFiles;
  readonly keys: GatewayKeys;
  readonly revocation: CrlHolder;
  readonly tls: readonly TlsTarget[];
  /** Certificates with their own reload (the operator listener). */
  readonly others?: ReadonlyArray<{ name: string; reload(): void }>;
  /** After a successful swap of the gateway keys (the announcer re-announces the encryption cert). */
  readonly onKeys?: (keys: GatewayKeys) => void;
  readonly log: Logger;
}

export interface ReloadOutcome { readonly reloaded: string[]; readonly refused: Array<{ part: string; code: string; detail: string }> }

/** Rewrites `into` with the contents of `from`: the objects the packet paths hold stay the same. */
export function adoptKeys(into: GatewayKeys, from: GatewayKeys): void {
  Object.assign(into.seal, from.seal);
  into.open.agree = from.open.agree;
  into.open.encCertSha256 = from.open.encCertSha256;
  (into.open as { previous?: typeof from.open.previous }).previous = from.open.previous ?? [];
  into.signers.adopt(from.signers.currentPolicy);
  const { seal: _s, open: _o, signers: _g, ...rest } = from;
  Object.assign(into, rest);
}

function describe(e: unknown): { code: string; detail: string } {
  return isFerryError(e) ? { code: e.code, detail: e.message } : { code: 'FERRY_ERR_PKI_CERT_FILE', detail: String(e) };
}

export async function reloadKeyMaterial(t: ReloadTargets): Promise<ReloadOutcome> {
  const out: ReloadOutcome = { reloaded: [], refused: [] };
  const refuse = (part: string, e: unknown) => {
    const d = describe(e);
    out.refused.push({ part, ...d });
    t.log.error({ stage: 'reload', part, code: d.code, detail: d.detail }, `ferry: ${d.detail}; the ${part} loaded before stays in force`);
  };
  let keys: GatewayKeys = t.keys;
  try {
    const fresh = loadGatewayKeys(t.keyFiles, t.peerFiles, { revocation: t.revocation });
    adoptKeys(t.keys, fresh);
    keys = t.keys;
    out.reloaded.push('keys');
    t.onKeys?.(t.keys);
  } catch (e) { refuse('keys', e); }
  for (const target of t.tls) {
    try {
      target.apply(loadTls(target.files, keys, target.role));
      out.reloaded.push(target.name);
    } catch (e) { refuse(target.name, e); }
  }
  for (const o of t.others ?? []) {
    try { o.reload(); out.reloaded.push(o.name); } catch (e) { refuse(o.name, e); }
  }
  // The CA bundle may have changed: lists that no longer verify against it go; then every source is
  // read again, and the live link's peer is judged against the result.
  t.revocation.setCas(keys.ca as X509Certificate[]);
  await t.revocation.refreshAll();
  out.reloaded.push('crl');
  t.log.info({ stage: 'reload', reloaded: out.reloaded, refused: out.refused.map((r) => r.part) }, out.refused.length ? 'key material reloaded in part' : 'key material reloaded');
  return out;
}

/** Installs the SIGHUP handler; reloads never overlap (a second HUP waits for the first). */
export function reloadOnHup(t: ReloadTargets): { stop(): void; reload(): Promise<ReloadOutcome> } {
  let chain: Promise<unknown> = Promise.resolve();
  const reload = () => {
    const p = chain.then(() => reloadKeyMaterial(t));
    chain = p.catch(() => undefined);
    return p;
  };
  const onHup = () => { reload().catch((e: unknown) => t.log.error({ stage: 'reload', err: String(e) }, 'ferry: reload failed')); };
  process.on('SIGHUP', onHup);
  return { stop: () => { process.off('SIGHUP', onHup); }, reload };
}
