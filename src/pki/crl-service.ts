// A gateway's revocation service, as start wires it: the CRL holder (loaded before any port opens, so
// the first handshake is already checked), its metrics, and the HTTP publisher of the list it holds.
import type { X509Certificate } from 'node:crypto';
import type { Registry } from 'prom-client';
import { CrlHolder } from './crl-holder.js';
import { startCrlPublisher, type CrlPublisher } from './crl-http.js';
import { registerCrlMetrics } from './crl-metrics.js';
import type { StalePolicy } from './revocation.js';
import type { CrlPublishConfig } from './crl-http.js';

/** The gateway config's pki: section (src/config/pki-section.ts), as this needs it. */
export interface PkiSection {
  readonly crl: ReadonlyArray<{ readonly file: string | null; readonly url: string | null; readonly refreshSeconds: number }>;
  readonly whenStale: StalePolicy;
  readonly publish: CrlPublishConfig | null;
}

interface Log { info(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void }

export interface RevocationService {
  readonly holder: CrlHolder;
  /** Starts the publisher (after the gateway's own listeners). */
  publish(): Promise<CrlPublisher | null>;
  stop(): Promise<void>;
}

export async function startRevocation(pki: PkiSection, cas: readonly X509Certificate[], log: Log, registry: Registry): Promise<RevocationService> {
  const holder = new CrlHolder({ crl: pki.crl.map((c) => ({ ...(c.file ? { file: c.file } : { url: c.url! }), refreshSeconds: c.refreshSeconds })), whenStale: pki.whenStale }, cas, log);
  await holder.start();
  registerCrlMetrics(registry, holder);
  if (holder.enabled) log.info({ stage: 'pki', sources: pki.crl.length, whenStale: pki.whenStale }, 'revocation checks on');
  let publisher: CrlPublisher | null = null;
  return {
    holder,
    async publish() {
      if (pki.publish) publisher = await startCrlPublisher(pki.publish, () => holder.current()?.der, log);
      return publisher;
    },
    async stop() { holder.stop(); await publisher?.close(); },
  };
}
