// The key-material lifecycle a running gateway keeps, wired once by start: expiry warnings over the
// certificates in force (pki/expiry-watch.ts) and the SIGHUP reload (reload.ts), which swaps the
// listeners' certificates, re-adopts an announced peer certificate and announces our own.
import type { X509Certificate } from 'node:crypto';
import { createGatewayMetrics, type GatewayMetrics } from './metrics.js';
import { loadGatewayKeys, type GatewayKeys, type KeyFiles, type LoadedTls, type PeerFiles } from './keys.js';
import { startRevocation, type PkiSection, type RevocationService } from '../pki/crl-service.js';
import { loadCertificates } from '../pki/key-files.js';
import type { Logger } from './logger.js';
import { reloadOnHup } from './reload.js';
import { readoptAnnounced, type AnnouncerDeps } from './key-announce.js';
import type { CrlHolder } from '../pki/crl-holder.js';
import { startExpiryWatch, type WatchedCert } from '../pki/expiry-watch.js';
import type { FerryRole } from '../pki/roles.js';

/** A listener whose certificate reloads: `role` is the deployment-CA role it must fit (none for the
 *  applicant API, which may carry a public CA's certificate); `label` names it in metrics and logs. */
export interface ReloadableListener {
  readonly name: string;
  readonly label: string;
  readonly files: { readonly cert: string; readonly key: string };
  readonly role?: FerryRole;
  readonly leaf: X509Certificate;
  apply(t: LoadedTls): void;
}

export interface KeyLifecycleDeps {
  readonly keys: GatewayKeys;
  readonly keyFiles: KeyFiles;
  readonly peerFiles: PeerFiles;
  readonly revocation: CrlHolder;
  readonly log: Logger;
  readonly listeners: readonly ReloadableListener[];
  readonly operator: { reloadTls(): void };
  /** Certificates that do not reload (the TSA's), watched for expiry all the same. */
  readonly fixedCerts?: readonly WatchedCert[];
  readonly announce: AnnouncerDeps;
  readonly link: () => { sendKeyAnnounce(): void; recheckPeer(): void } | null;
  /** Stopped with the lifecycle. */
  readonly revocationService?: RevocationService;
}

export function startKeyLifecycle(d: KeyLifecycleDeps): { stop(): Promise<void> } {
  // After each CRL refresh the live link's peer is judged again: a revocation drops it within one interval.
  d.revocation.onRefresh(() => d.link()?.recheckPeer());
  const leaves = new Map(d.listeners.map((l) => [l.label, l.leaf]));
  const { keys } = d;
  const expiry = startExpiryWatch(() => [
    { role: 'sign', cert: keys.signCert }, { role: 'enc', cert: keys.encCert }, { role: 'peer_enc', cert: keys.peerEncCert },
    ...[...leaves].map(([role, cert]) => ({ role, cert })), ...(d.fixedCerts ?? []), ...keys.ca.map((cert) => ({ role: 'ca', cert })),
  ], d.log);
  const hup = reloadOnHup({
    keyFiles: d.keyFiles, peerFiles: d.peerFiles, keys, revocation: d.revocation, log: d.log,
    tls: d.listeners.map((l) => ({
      name: l.name, files: l.files, ...(l.role ? { role: l.role } : {}),
      apply: (t: LoadedTls) => { l.apply(t); leaves.set(l.label, t.leaf); },
    })),
    others: [{ name: 'operator TLS', reload: () => d.operator.reloadTls() }],
    // The configured peer certificate was read again: keep sealing to a newer one the peer announced,
    // and announce our own (it may be the rotated one).
    onKeys: () => { readoptAnnounced(d.announce); d.link()?.sendKeyAnnounce(); },
  });
  return { async stop() { hup.stop(); expiry.stop(); await d.revocationService?.stop(); } };
}

/** Start's first step: the metrics registry, the CRLs (verified against the CA before the first
 *  handshake or packet) and their publisher, then the gateway keys judged with them (packet signers
 *  are checked against the lists on every packet). */
export async function loadKeysWithRevocation(cfg: { gateway: 'external' | 'internal'; keys: KeyFiles; peer: PeerFiles; pki: PkiSection }, log: Logger):
  Promise<{ keys: GatewayKeys; revocation: RevocationService; metrics: GatewayMetrics }> {
  const metrics = createGatewayMetrics(cfg.gateway);
  const revocation = await startRevocation(cfg.pki, loadCertificates(cfg.keys.ca), log, metrics.registry);
  // Published from the start: a CRL is public and signed, and a port clash should stop the start now.
  await revocation.publish();
  return { metrics, revocation, keys: loadGatewayKeys(cfg.keys, cfg.peer, { revocation: revocation.holder }) };
}
