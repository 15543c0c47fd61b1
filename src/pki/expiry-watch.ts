// Expiry warnings: from EXPIRY_WARN_DAYS before a certificate's notAfter, one log line per certificate
// per UTC day (an operator reading yesterday's journal sees it once, not every hour), for every
// certificate the gateway has in force — read through `list` at each tick, so what a SIGHUP reload
// swapped in is what is watched. The alert is the Prometheus rule on ferry_cert_not_after_timestamp_seconds
// (deploy/prometheus/ferry-alerts.yml); this is the log side of the same 30 days.
import { createHash, type X509Certificate } from 'node:crypto';

/** 30 days: a CA's renewal (request, approval, issue, import on two hosts) fits in it with room to spare. */
export const EXPIRY_WARN_DAYS = 30;
/** How often the list is looked at: hourly is enough to see a new UTC day within the hour. */
export const EXPIRY_CHECK_INTERVAL_MS = 3_600_000;
const DAY_MS = 86_400_000;

export interface WatchedCert { readonly role: string; readonly cert: X509Certificate }

export interface ExpiryWarning { role: string; subject: string; sha256: string; notAfter: string; daysLeft: number; expired: boolean }

/** The warnings due at `now` that `seen` (keys of lines already written) does not hold; records them. */
export function dueWarnings(certs: readonly WatchedCert[], now: Date, seen: Set<string>, warnDays = EXPIRY_WARN_DAYS): ExpiryWarning[] {
  const day = now.toISOString().slice(0, 10);
  const out: ExpiryWarning[] = [];
  for (const { role, cert } of certs) {
    const notAfter = new Date(cert.validTo);
    const left = notAfter.getTime() - now.getTime();
    if (left > warnDays * DAY_MS) continue;
    const sha256 = createHash('sha256').update(cert.raw).digest('hex');
    const key = `${role}:${sha256}:${day}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({ role, subject: cert.subject.replace(/\n/g, ', '), sha256, notAfter: notAfter.toISOString(), daysLeft: Math.floor(left / DAY_MS), expired: left <= 0 });
  }
  // Bounded: yesterday's keys are never asked for again.
  for (const k of seen) if (!k.endsWith(day)) seen.delete(k);
  return out;
}

export function startExpiryWatch(list: () => readonly WatchedCert[], log: { warn(o: object, m: string): void },
  opts: { now?: () => Date; intervalMs?: number; warnDays?: number } = {}): { stop(): void; tick(): void } {
  const seen = new Set<string>();
  const now = opts.now ?? (() => new Date());
  const tick = () => {
    for (const w of dueWarnings(list(), now(), seen, opts.warnDays)) {
      log.warn({ stage: 'pki', rule: 'cert-expiry', ...w },
        w.expired ? `certificate ${w.role} has expired: rotate it now (docs/OPERATIONS.md "Key rotation")`
          : `certificate ${w.role} expires in ${w.daysLeft} days: rotate it with overlap (docs/OPERATIONS.md "Key rotation")`);
    }
  };
  tick();
  const t = setInterval(tick, opts.intervalMs ?? EXPIRY_CHECK_INTERVAL_MS);
  t.unref();
  return { stop: () => clearInterval(t), tick };
}
