// Who may be on the other end: mutual TLS 1.3 to the deployment CA, then the peer's role marker (the
// OTHER gateway's link role, a certificate policy only the CA issues) and the pinned identity (subject
// CN, optionally the certificate's SHA-256). A certificate from the same CA with another CN or another
// role (a township centre's), a gateway's own certificate reflected back, a CA certificate posing as a
// leaf, and a certificate from another CA are all refused.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { X509Certificate } from 'node:crypto';
import { connect } from 'node:tls';
import { join } from 'node:path';
import { issueWithCa, type Issued } from '../pki/openssl-issue.js';
import {
  EXTERNAL_CN, fillOutbox, Harness, INTERNAL_CN, makePki, rawPeer, sleep, tempDir, waitFor, type ClientEnd, type Pki, type ServerEnd,
} from './fixtures.js';

let tmp: ReturnType<typeof tempDir>;
let pki: Pki;
let other: Pki; // a second dev PKI: another CA, same CNs
let h: Harness;
let township: Issued; // CN=ferry-internal-tls, same CA, but the township-client role
let rogueCn: Issued; // internal-gateway-link role, CN not pinned
let caLeaf: Issued; // a CA certificate with the right CN and role, presented as a leaf
let externalLook: Issued; // CN=ferry-external-tls with the township-client role

beforeAll(async () => {
  tmp = tempDir('link-id');
  [pki, other] = await Promise.all([makePki(join(tmp.dir, 'pki')), makePki(join(tmp.dir, 'other'))]);
  const ca = join(tmp.dir, 'pki');
  const out = join(tmp.dir, 'issued');
  township = issueWithCa(ca, out, 'township', { cn: INTERNAL_CN, roles: ['township-client'] });
  rogueCn = issueWithCa(ca, out, 'rogue', { cn: 'ferry-rogue-tls', roles: ['internal-gateway-link'] });
  caLeaf = issueWithCa(ca, out, 'ca-leaf', { cn: INTERNAL_CN, roles: ['internal-gateway-link'], ca: true });
  externalLook = issueWithCa(ca, out, 'ext-look', { cn: EXTERNAL_CN, roles: ['township-client'] });
});
const mat = (c: Issued) => ({ key: c.key, cert: c.cert, ca: pki.ca });
beforeEach(() => { h = new Harness(tmp.dir, pki); });
afterEach(() => h.cleanup());
afterAll(() => tmp.cleanup());

const errs = (c: ClientEnd): string[] => c.log.find('link dial failed').map((l) => String(l.obj.err));

/** The client keeps trying (at least three dials) and never gets a link; the server never had one. */
async function expectRefused(srv: ServerEnd, cli: ClientEnd): Promise<void> {
  await waitFor(() => errs(cli).length >= 3, 'three refused dials');
  expect(cli.ups()).toBe(0);
  expect(cli.client.connected).toBe(false);
  expect(srv.ups()).toBe(0);
}

describe('link peer identity', () => {
  it('the server refuses a client with the internal link role whose CN is not pinned (403 at upgrade)', async () => {
    const srv = await h.server(pki, h.outbox().source, h.sink());
    const out = h.outbox();
    fillOutbox(out, 3);
    const cli = h.client(pki, srv.port, out.source, h.sink(), { tls: mat(rogueCn) });
    await expectRefused(srv, cli);
    expect(errs(cli)[0]).toBe('Unexpected server response: 403');
    expect(srv.log.find('link peer refused')[0]?.obj.reason).toBe('FERRY_ERR_LINK_PEER: peer CN=ferry-rogue-tls is not pinned');
    expect(out.outbox.count()).toBe(3);
  });

  it.each([
    ['a township client certificate with the pinned CN', () => township, `peer CN=${INTERNAL_CN} lacks the Ferry internal-gateway-link role marker`],
    ["the external gateway's own link certificate reflected back", () => ({ key: Buffer.from(pki.external.key), cert: Buffer.from(pki.external.cert) }) as Issued, `peer CN=${EXTERNAL_CN} lacks the Ferry internal-gateway-link role marker`],
    ['a CA certificate (cA=true) with the pinned CN and the right role', () => caLeaf, `peer CN=${INTERNAL_CN} is a CA certificate`],
  ])('the server refuses %s, though it chains to the same CA', async (_name, cert, why) => {
    const srv = await h.server(pki, h.outbox().source, h.sink());
    const cli = h.client(pki, srv.port, h.outbox().source, h.sink(), { tls: mat(cert()) });
    await expectRefused(srv, cli);
    expect(String(srv.log.find('link peer refused')[0]?.obj.reason)).toContain(`FERRY_ERR_LINK_PEER: ${why}`);
  });

  it.each([
    ["the internal gateway's own link certificate (right CA, wrong gateway)", () => ({ key: Buffer.from(pki.internal.key), cert: Buffer.from(pki.internal.cert) }) as Issued, `peer CN=${INTERNAL_CN} lacks the Ferry external-gateway-link role marker`],
    ['a township client certificate named like the external gateway', () => externalLook, `peer CN=${EXTERNAL_CN} lacks the Ferry external-gateway-link role marker`],
  ])('the client refuses a server presenting %s, and never reaches up', async (_name, cert, why) => {
    const srv = await h.server(pki, h.outbox().source, h.sink(), { tls: mat(cert()) });
    const cli = h.client(pki, srv.port, h.outbox().source, h.sink()); // pins ferry-external-tls
    await expectRefused(srv, cli);
    expect(errs(cli)[0]).toContain(`FERRY_ERR_LINK_PEER: ${why}`);
  });

  it('a client certificate from another CA fails the TLS handshake (same CN, other issuer)', async () => {
    const srv = await h.server(pki, h.outbox().source, h.sink());
    const cli = h.client(pki, srv.port, h.outbox().source, h.sink(), { tls: { ...other.internal, ca: pki.ca } });
    await expectRefused(srv, cli);
    await waitFor(() => srv.log.find('link TLS handshake refused').length > 0, 'the server to log the refused handshake');
    expect(srv.log.find('link peer refused')).toEqual([]); // it never got as far as the pin check
  });

  it('a server certificate from another CA fails the TLS handshake at the client', async () => {
    const srv = await h.server(pki, h.outbox().source, h.sink(), { tls: { ...other.external, ca: pki.ca } });
    const cli = h.client(pki, srv.port, h.outbox().source, h.sink());
    await expectRefused(srv, cli);
    expect(errs(cli)[0]).toMatch(/unable to verify|self.signed|unable to get local issuer/i);
  });

  it('with a pinned SHA-256 each end takes only that exact certificate', async () => {
    const fp = (pem: string | Buffer) => new X509Certificate(pem).fingerprint256;
    const good = await h.server(pki, h.outbox().source, h.sink(), { peer: { subjects: [INTERNAL_CN], sha256: [fp(pki.internal.cert)] } });
    const ok = h.client(pki, good.port, h.outbox().source, h.sink());
    await waitFor(() => ok.client.connected, 'the pinned client to come up');

    // Right CN, right CA, but the pin names another certificate.
    const strict = await h.server(pki, h.outbox().source, h.sink(), { peer: { subjects: [INTERNAL_CN], sha256: [fp(pki.external.cert)] } });
    const cli = h.client(pki, strict.port, h.outbox().source, h.sink());
    await expectRefused(strict, cli);
    expect(strict.log.find('link peer refused')[0]?.obj.reason).toBe(`FERRY_ERR_LINK_PEER: peer CN=${INTERNAL_CN} fingerprint is not pinned`);

    // The client's pin, the same way round.
    const picky = h.client(pki, good.port, h.outbox().source, h.sink(), { peer: { subjects: [EXTERNAL_CN], sha256: [fp(pki.internal.cert)] } });
    await waitFor(() => errs(picky).length >= 2, 'two refused dials');
    expect(errs(picky)[0]).toBe(`FERRY_ERR_LINK_PEER: peer CN=${EXTERNAL_CN} fingerprint is not pinned`);
    expect(picky.ups()).toBe(0);
  });

  it('speaks TLS 1.3 only: a TLS 1.2 client is refused and the real link negotiates TLSv1.3', async () => {
    const srv = await h.server(pki, h.outbox().source, h.sink());
    const p = await rawPeer(srv.port, pki.internal);
    h.defer(() => p.ws.terminate());
    const sock = (p.ws as unknown as { _socket: import('node:tls').TLSSocket })._socket;
    expect(sock.getProtocol()).toBe('TLSv1.3');

    const err = await new Promise<Error | null>((resolve) => {
      const s = connect({ host: '127.0.0.1', port: srv.port, key: pki.internal.key, cert: pki.internal.cert, ca: pki.ca,
        maxVersion: 'TLSv1.2', checkServerIdentity: () => undefined }, () => { s.end(); resolve(null); });
      s.on('error', (e) => resolve(e));
    });
    expect(err?.message).toMatch(/protocol version|alert/i);
    await sleep(20);
    expect(srv.log.find('link TLS handshake refused').length).toBeGreaterThan(0);
  });
});
