// Prometheus series for the CRLs a gateway holds (docs/OPERATIONS.md "Revocation"), read from the holder
// at scrape time: nextUpdate per issuer, whether it is stale, and failed loads per source.
import { Gauge, type Registry } from 'prom-client';
import type { CrlHolder } from './crl-holder.js';

export function registerCrlMetrics(registry: Registry, holder: CrlHolder): void {
  const registers = [registry];
  new Gauge({
    name: 'ferry_crl_next_update_timestamp_seconds', help: 'nextUpdate of the newest verified CRL held, by issuing CA (Unix time; NaN when it has none).',
    labelNames: ['issuer'] as const, registers,
    collect() { this.reset(); for (const l of holder.stats().lists) this.set({ issuer: l.issuer }, l.nextUpdate ? Math.floor(l.nextUpdate.getTime() / 1000) : Number.NaN); },
  });
  new Gauge({
    name: 'ferry_crl_stale', help: 'Whether the newest CRL held for an issuing CA is past its nextUpdate (1) or current (0).',
    labelNames: ['issuer'] as const, registers,
    collect() { this.reset(); for (const l of holder.stats().lists) this.set({ issuer: l.issuer }, l.stale ? 1 : 0); },
  });
  new Gauge({
    name: 'ferry_crl_load_failures', help: 'CRL loads that failed (unreadable, unreachable, or not verifying), by source, since start.',
    labelNames: ['source'] as const, registers,
    collect() { this.reset(); for (const [source, n] of holder.stats().failures) this.set({ source }, n); },
  });
  new Gauge({
    name: 'ferry_crl_configured', help: 'CRL sources configured (pki.crl); 0 means revocation is not checked.', registers,
    collect() { this.set(holder.enabled ? 1 : 0); },
  });
}
