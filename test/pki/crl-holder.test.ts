// The CRL holder a gateway runs: sources from a file and from a real HTTP publisher, refresh, and the
// rules that keep a list in force — a forged or damaged list does not replace it, an older one (a
// replay) cannot un-revoke, and a file source that does not verify at start stops the start.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer } from 'node:http';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';
import { initDevPki } from '../../src/pki/dev-ca.js';
import { revokeDevCertificate } from '../../src/pki/dev-ca-crl.js';
import { CrlHolder } from '../../src/pki/crl-holder.js';
import { startCrlPublisher } from '../../src/pki/crl-http.js';
import { MAX_CRL_BYTES } from '../../src/pki/limits.js';
import { tempDir } from './helpers.js';

let tmp: ReturnType<typeof tempDir>;
let dir: string;
let other: string;
const cert = (name: string, d = dir) => new X509Certificate(readFileSync(join(d, `${name}.crt`)));
const lines: string[] = [];
const log = { info: (o: object, m: string) => lines.push(`info ${m} ${JSON.stringify(o)}`), warn: (o: object, m: string) => lines.push(`warn ${m} ${JSON.stringify(o)}`), error: (o: object, m: string) => lines.push(`error ${m} ${JSON.stringify(o)}`) };

beforeAll(async () => {
  tmp = tempDir('crlholder');
  dir = join(tmp.dir, 'certs');
  other = join(tmp.dir, 'other');
  await initDevPki(dir);
  await initDevPki(other);
});
afterAll(() => tmp.cleanup());

describe('CrlHolder with a file source', () => {
  it('checks nothing as revoked at first, sees a revocation at the next refresh, and keeps it against a forged list and a replayed old one', async () => {
    const file = join(tmp.dir, 'served.crl');
    copyFileSync(join(dir, 'ca.crl'), file);
    const old = readFileSync(file);
    const h = new CrlHolder({ crl: [{ file, refreshSeconds: 3600 }], whenStale: 'hold' }, [cert('ca')], log);
    await h.start();
    expect(h.check(cert('external-tls')).ok).toBe(true);

    await revokeDevCertificate(dir, { cert: join(dir, 'external-tls.crt'), reason: 'keyCompromise', now: new Date() });
    copyFileSync(join(dir, 'ca.crl'), file);
    let refreshed = 0;
    h.onRefresh(() => { refreshed++; });
    await h.refreshAll();
    expect(refreshed).toBe(1);
    expect(h.check(cert('external-tls'))).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_REVOKED' });
    expect(h.check(cert('internal-tls')).ok).toBe(true);

    // A list signed by another CA of the same name in its place: refused, logged, the revocation stays.
    copyFileSync(join(other, 'ca.crl'), file);
    await h.refreshAll();
    expect(h.check(cert('external-tls'))).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_REVOKED' });
    expect(lines.some((l) => l.startsWith('error CRL refused') && l.includes('FERRY_ERR_PKI_CRL'))).toBe(true);

    // The genuine earlier list (CRL number 1) replayed: older than the one held, so it un-revokes nothing.
    writeFileSync(file, old);
    await h.refreshAll();
    expect(h.check(cert('external-tls'))).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_REVOKED' });
    expect(h.current()?.crlNumber).toBe(2n);
    h.stop();
  });

  it('stops the start when a file source is missing or does not verify, naming the file', async () => {
    const bad = join(tmp.dir, 'foreign.crl');
    copyFileSync(join(other, 'ca.crl'), bad);
    await expect(new CrlHolder({ crl: [{ file: bad, refreshSeconds: 60 }], whenStale: 'hold' }, [cert('ca')], log).start())
      .rejects.toThrow(new RegExp(`${bad}: the CRL signature does not verify with the CA key`));
    await expect(new CrlHolder({ crl: [{ file: join(tmp.dir, 'nope.crl'), refreshSeconds: 60 }], whenStale: 'hold' }, [cert('ca')], log).start())
      .rejects.toMatchObject({ code: 'FERRY_ERR_PKI_CRL' });
  });
});

describe('CrlHolder with a URL source and the HTTP publisher', () => {
  it('fetches what a publisher serves (application/pkix-crl), and refuses every other path', async () => {
    const der = readFileSync(join(dir, 'ca.crl'));
    const pub = await startCrlPublisher({ host: '127.0.0.1', port: 0, path: '/crl/ferry-dev-ca.crl' }, () => der, log);
    try {
      const r = await fetch(`http://127.0.0.1:${pub.port}/crl/ferry-dev-ca.crl`);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/pkix-crl');
      expect(Buffer.from(await r.arrayBuffer()).equals(der)).toBe(true);
      expect((await fetch(`http://127.0.0.1:${pub.port}/metrics`)).status).toBe(404);
      expect((await fetch(`http://127.0.0.1:${pub.port}/crl/ferry-dev-ca.crl`, { method: 'POST', body: 'x' })).status).toBe(405);
      const h = new CrlHolder({ crl: [{ url: `http://127.0.0.1:${pub.port}/crl/ferry-dev-ca.crl`, refreshSeconds: 3600 }], whenStale: 'hold' }, [cert('ca')], log);
      await h.start();
      expect(h.check(cert('external-tls'))).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_REVOKED' });
      h.stop();
    } finally { await pub.close(); }
  });

  it('a URL that does not answer leaves nothing accepted under hold (and the start goes on); a body over the limit is refused', async () => {
    const h = new CrlHolder({ crl: [{ url: 'http://127.0.0.1:9/crl/x.crl', refreshSeconds: 3600 }], whenStale: 'hold' }, [cert('ca')], log);
    await h.start();
    expect(h.check(cert('internal-tls'))).toMatchObject({ ok: false, code: 'FERRY_ERR_PKI_CRL_STALE' });
    const big = createServer((_q, res) => { res.writeHead(200, { 'content-length': MAX_CRL_BYTES + 1 }); res.end(); });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', () => r()));
    const port = (big.address() as { port: number }).port;
    const h2 = new CrlHolder({ crl: [{ url: `http://127.0.0.1:${port}/c.crl`, refreshSeconds: 3600 }], whenStale: 'warn' }, [cert('ca')], log);
    await h2.start();
    expect(lines.some((l) => l.includes(`127.0.0.1:${port}`) && l.includes('Content-Length'))).toBe(true);
    expect(h2.check(cert('internal-tls')).ok).toBe(true); // warn: accepted without a list
    big.closeAllConnections();
    await new Promise<void>((r) => big.close(() => r()));
  });
});
