// Holds the CRLs a gateway checks revocation against: loads each configured source (pki.crl: a file or
// an http:// URL) at start, verifies each list's signature against the configured CA BEFORE using it
// (crl.ts), refreshes every source on its own interval, and answers `check(cert)` from the newest
// verified lists (revocation.ts). A list that fails to arrive or to verify leaves the previous one in
// force and is logged; an older list (lower CRL number, or an earlier thisUpdate) never replaces a
// newer one, so a replayed old CRL cannot un-revoke a certificate.
import type { X509Certificate } from 'node:crypto';
import { FerryError, type Verdict } from '../errors.js';
import { certFacts } from './cert-extensions.js';
import { verifyCrl, type VerifiedCrl } from './crl.js';
import { readCrlBytes, sourceName, type CrlSource } from './crl-fetch.js';
import { isStale, revocationVerdict, type RevocationCheck, type StalePolicy } from './revocation.js';

export interface CrlSourceConfig { readonly file?: string; readonly url?: string; readonly refreshSeconds: number }
export interface PkiRevocationConfig { readonly crl: readonly CrlSourceConfig[]; readonly whenStale: StalePolicy }

/** The log this needs: pino's shape. */
interface Log {
  info(o: object, msg: string): void;
  warn(o: object, msg: string): void;
  error(o: object, msg: string): void;
}

export interface CrlHolderStats {
  readonly lists: ReadonlyArray<{ issuer: string; crlNumber: string; thisUpdate: Date; nextUpdate: Date | null; stale: boolean; revoked: number }>;
  readonly failures: ReadonlyMap<string, number>;
}

export class CrlHolder implements RevocationCheck {
  private lists = new Map<string, VerifiedCrl>();
  private covered = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly listeners: Array<() => void> = [];
  private readonly failures = new Map<string, number>();

  constructor(private readonly cfg: PkiRevocationConfig, private cas: readonly X509Certificate[], private readonly log: Log,
    private readonly now: () => Date = () => new Date()) {
    this.cover();
  }

  get enabled(): boolean { return this.cfg.crl.length > 0; }
  get whenStale(): StalePolicy { return this.cfg.whenStale; }

  /** Loads every source once. A file source that is missing or does not verify stops the start
   *  (FerryError naming the file); a URL that does not answer is logged and tried again at each refresh
   *  (with whenStale: hold nothing its CA issued is accepted until a list arrives). */
  async start(): Promise<void> {
    for (const src of this.cfg.crl) {
      const r = await this.load(src);
      if (!r.ok && src.file !== undefined) throw new FerryError('FERRY_ERR_PKI_CRL', `${src.file}: ${r.detail}`);
    }
    for (const src of this.cfg.crl) {
      const t = setInterval(() => { void this.load(src).then(() => this.afterRefresh()); }, src.refreshSeconds * 1000);
      t.unref();
      this.timers.push(t);
    }
  }

  /** Runs after every refresh (and every reload): the link re-checks its live peer there, so a
   *  revocation drops the session within one refresh interval. */
  onRefresh(f: () => void): void { this.listeners.push(f); }

  /** Refreshes every source now (SIGHUP). Never throws: a bad list leaves the old one in force. */
  async refreshAll(): Promise<void> {
    for (const src of this.cfg.crl) await this.load(src);
    this.afterRefresh();
  }

  /** A new CA bundle (SIGHUP): lists are kept only if they still verify against it. */
  setCas(cas: readonly X509Certificate[]): void {
    this.cas = cas;
    this.cover();
    for (const [k, crl] of [...this.lists]) if (!verifyCrl(crl.der, cas).ok) this.lists.delete(k);
  }

  check(cert: X509Certificate): Verdict<void> {
    return revocationVerdict(cert, { lists: this.lists, covered: this.covered, whenStale: this.cfg.whenStale }, this.now());
  }

  /** The newest verified list issued by `ca` (the first CA when not given): what the gateway publishes. */
  current(ca?: X509Certificate): VerifiedCrl | undefined {
    const c = ca ?? this.cas[0];
    return c ? this.lists.get(certFacts(c).subjectDer.toString('hex')) : undefined;
  }

  stats(): CrlHolderStats {
    const now = this.now();
    return {
      lists: [...this.lists.values()].map((l) => ({
        issuer: l.issuer.subject.replace(/\n/g, ', '), crlNumber: l.crlNumber?.toString() ?? '', thisUpdate: l.thisUpdate,
        nextUpdate: l.nextUpdate ?? null, stale: isStale(l, now), revoked: l.revoked.size,
      })),
      failures: this.failures,
    };
  }

  stop(): void { for (const t of this.timers) clearInterval(t); }

  /** The CAs a source is configured for: every CA in the bundle, once any source is configured. */
  private cover(): void {
    this.covered = new Set(this.enabled ? this.cas.map((c) => certFacts(c).subjectDer.toString('hex')) : []);
  }

  private afterRefresh(): void {
    const now = this.now();
    for (const l of this.lists.values()) {
      if (isStale(l, now)) {
        this.log.warn({ stage: 'pki', code: 'FERRY_ERR_PKI_CRL_STALE', issuer: l.issuer.subject.replace(/\n/g, ', '), nextUpdate: l.nextUpdate?.toISOString(), whenStale: this.cfg.whenStale },
          this.cfg.whenStale === 'hold' ? 'CRL is past its nextUpdate: certificates of its CA are refused until a fresh list arrives' : 'CRL is past its nextUpdate: accepting (pki.whenStale: warn)');
      }
    }
    for (const f of this.listeners) {
      try { f(); } catch (e) { this.log.error({ stage: 'pki', err: String(e) }, 'CRL refresh listener failed'); }
    }
  }

  private async load(src: CrlSource | CrlSourceConfig): Promise<Verdict<VerifiedCrl>> {
    const name = sourceName(src as CrlSource);
    let bytes: Buffer;
    try {
      bytes = await readCrlBytes(src as CrlSource);
    } catch (e) {
      return this.failed(name, `cannot be read: ${(e as Error).message}`);
    }
    const v = verifyCrl(bytes, this.cas);
    if (!v.ok) return this.failed(name, v.detail);
    const key = v.value.issuerDer.toString('hex');
    const held = this.lists.get(key);
    if (held && isOlder(v.value, held)) {
      if (!held.der.equals(v.value.der)) {
        this.log.warn({ stage: 'pki', source: name, code: 'FERRY_ERR_PKI_CRL', held: held.crlNumber?.toString(), got: v.value.crlNumber?.toString() },
          'CRL older than the one held; keeping the newer list');
      }
      return { ok: true, value: held };
    }
    if (!held || !held.der.equals(v.value.der)) {
      this.log.info({ stage: 'pki', source: name, crlNumber: v.value.crlNumber?.toString(), revoked: v.value.revoked.size,
        thisUpdate: v.value.thisUpdate.toISOString(), nextUpdate: v.value.nextUpdate?.toISOString() }, 'CRL loaded');
    }
    this.lists.set(key, v.value);
    return v;
  }

  private failed(name: string, detail: string): Verdict<VerifiedCrl> {
    this.failures.set(name, (this.failures.get(name) ?? 0) + 1);
    this.log.error({ stage: 'pki', source: name, code: 'FERRY_ERR_PKI_CRL', detail }, 'CRL refused; the list held before stays in force');
    return { ok: false, code: 'FERRY_ERR_PKI_CRL', detail };
  }
}

/** RFC 5280 §5.2.3: CRL numbers only grow; without numbers, thisUpdate orders the lists. */
function isOlder(a: VerifiedCrl, b: VerifiedCrl): boolean {
  if (a.crlNumber !== undefined && b.crlNumber !== undefined) return a.crlNumber < b.crlNumber;
  return a.thisUpdate.getTime() < b.thisUpdate.getTime();
}
