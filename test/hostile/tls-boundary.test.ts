// The listeners as an outside reviewer meets them, against the real gateway processes: the intranet
// listener is HTTPS with the deployment CA (never plain HTTP), every answer of both listeners carries
// the security headers, the public /health says only {status}, TLS 1.2 offers ECDHE+AEAD only, and
// connections are capped per address and cut when a handshake, the headers or a body stall.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { startPair, externalHealth, intranetCall, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { SECURITY_HEADERS } from '../../src/net/security-headers.js';
import { issueWithCa } from '../pki/openssl-issue.js';

let pair: Pair;
const port = (url: string) => Number(new URL(url).port);
// Small limits so that the caps and deadlines show within a test; the defaults are in net/connection-guard.ts.
const LIMITS = '{ maxPerAddress: 4, handshakeTimeoutMs: 1000, headersTimeoutMs: 1500, minBodyBytesPerSecond: 4096, rateWindowMs: 1000 }';

beforeAll(async () => {
  pair = await startPair({ apiExtra: `limits: ${LIMITS}` });
  await pair.waitLinkUp();
}, 60_000);
afterAll(async () => { await pair?.stop(); });

const cert = (name: string) => ({ key: readFileSync(join(pair.dir, 'certs', `${name}.key`)), cert: readFileSync(join(pair.dir, 'certs', `${name}.crt`)) });

/** Resolves when the server closes the socket (or it errors); `write` runs once connected. */
function closedByServer(s: Socket): Promise<string> {
  return new Promise((resolve) => {
    s.resume(); // read (and drop) whatever the server answers (e.g. 408), so 'end' and 'close' can come
    s.on('error', (e) => resolve(`error ${e.message}`));
    s.on('close', () => resolve('closed'));
  });
}

describe('intranet listener', () => {
  it('serves HTTPS with the CA-issued intranet certificate (hostname 127.0.0.1 verified) and the staff API works over it', async () => {
    const sock = await new Promise<TLSSocket>((resolve, reject) => {
      const s = tlsConnect({ host: '127.0.0.1', port: port(pair.intranetUrl), ca: pair.ca }, () => resolve(s));
      s.on('error', reject);
    });
    expect(sock.authorized).toBe(true);
    expect(sock.getPeerCertificate().subject.CN).toBe('ferry-intranet');
    sock.end();
    const login = await intranetCall(pair, 'POST', '/api/v1/staff/login', JSON.stringify({ name: 'nobody', password: 'wrong-password-1' }));
    expect(login.status).toBe(401);
    expect((await intranetCall(pair, 'GET', '/health')).json).toMatchObject({ status: 'ok', gateway: 'internal', link: 'up' });
  });

  it('answers nothing to plain HTTP: passwords and bearer tokens never cross in clear', async () => {
    const r = await new Promise<string>((resolve) => {
      const req = httpRequest({ host: '127.0.0.1', port: port(pair.intranetUrl), path: '/health' }, (res) => resolve(`HTTP ${res.statusCode}`));
      req.on('error', (e) => resolve(`error ${e.message}`));
      req.setTimeout(5000, () => req.destroy(new Error('timeout')));
      req.end();
    });
    expect(r).toMatch(/^error/);
  });
});

describe('security headers on every answer of both listeners', () => {
  const cases: Array<[string, () => Promise<{ status: number; headers: Record<string, string | string[] | undefined> }>]> = [
    ['applicant /health', () => httpsCall('GET', `${pair.apiUrl}/health`, pair.ca)],
    ['applicant 404', () => httpsCall('GET', `${pair.apiUrl}/nope`, pair.ca)],
    ['applicant case status 400', () => httpsCall('GET', `${pair.apiUrl}/api/v1/cases/..%2f`, pair.ca)],
    ['applicant bad JSON 4xx', () => httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, '{')],
    ['intranet /health', () => intranetCall(pair, 'GET', '/health')],
    ['intranet staff 401', () => intranetCall(pair, 'GET', '/api/v1/staff/me')],
    ['intranet board', () => intranetCall(pair, 'GET', '/api/v1/board')],
  ];
  it.each(cases)('%s', async (_name, call) => {
    const r = await call();
    for (const [h, v] of Object.entries(SECURITY_HEADERS)) expect(r.headers[h], h).toBe(v);
  });
});

describe('public /health', () => {
  it('tells the public only {status}; link state and counts only to an operator client certificate', async () => {
    const pub = await httpsCall('GET', `${pair.apiUrl}/health`, pair.ca);
    expect(pub.json).toEqual({ status: 'ok' });
    expect((await externalHealth(pair)).json).toMatchObject({ status: 'ok', gateway: 'external', link: 'up' });
  });

  it('does not show details to a township centre, nor to a CA certificate with the operator role', async () => {
    const { Agent } = await import('node:https');
    const twp = new Agent({ ...cert('township-client'), ca: pair.ca, keepAlive: false });
    expect((await httpsCall('GET', `${pair.apiUrl}/health`, pair.ca, undefined, {}, twp)).json).toEqual({ status: 'ok' });
    const c = issueWithCa(join(pair.dir, 'certs'), join(pair.dir, 'issued'), 'op-ca', { cn: 'ferry-dev-operator', roles: ['operator-client'], ca: true, eku: 'clientAuth' });
    const caOp = new Agent({ key: c.key, cert: c.cert, ca: pair.ca, keepAlive: false });
    expect((await httpsCall('GET', `${pair.apiUrl}/health`, pair.ca, undefined, {}, caOp)).json).toEqual({ status: 'ok' });
  });
});

describe('applicant TLS (openssl s_client as the client)', () => {
  const sClient = (args: string[]) => spawnSync('openssl', ['s_client', '-connect', `127.0.0.1:${port(pair.apiUrl)}`, '-CAfile', join(pair.dir, 'certs/ca.crt'), ...args],
    { input: 'Q\n', encoding: 'utf8', timeout: 20_000 });
  it.each([
    ['ECDHE-ECDSA-AES128-SHA'], ['ECDHE-ECDSA-AES256-SHA384'], ['AES128-GCM-SHA256'], ['ECDHE-RSA-AES128-SHA'],
  ])('refuses TLS 1.2 with %s (CBC, SHA-1 MAC or RSA key exchange)', (cipher) => {
    const r = sClient(['-tls1_2', '-cipher', cipher]);
    expect(r.stdout + r.stderr).toMatch(/handshake failure|no cipher|alert|Cipher is \(NONE\)|Cipher    : 0000/);
    expect(r.stdout).not.toMatch(new RegExp(`Cipher is ${cipher}`));
  });
  it('negotiates TLS 1.2 ECDHE-ECDSA-AES256-GCM-SHA384 and TLS 1.3, refuses TLS 1.1', () => {
    expect(sClient(['-tls1_2']).stdout).toMatch(/Cipher is ECDHE-ECDSA-AES256-GCM-SHA384/);
    expect(sClient(['-tls1_3']).stdout).toMatch(/TLSv1\.3/);
    const old = sClient(['-tls1_1']);
    expect(old.stdout).toMatch(/no peer certificate available/);
    expect(old.stdout).toMatch(/Cipher is \(NONE\)|Cipher    : 0000/);
  });
});

describe('connection caps and deadlines (applicant port; limits from config)', () => {
  it('closes the connection over the per-address cap at once, and admits again when one closes', async () => {
    const open: Socket[] = [];
    for (let i = 0; i < 4; i++) {
      open.push(await new Promise<Socket>((resolve) => { const s = tcpConnect(port(pair.apiUrl), '127.0.0.1', () => resolve(s)); }));
    }
    const fifth = tcpConnect(port(pair.apiUrl), '127.0.0.1');
    expect(await closedByServer(fifth)).toMatch(/closed|ECONNRESET/);
    for (const s of open) s.destroy();
    await new Promise((r) => setTimeout(r, 200));
    expect((await httpsCall('GET', `${pair.apiUrl}/health`, pair.ca)).status).toBe(200);
  });

  it('cuts a client that opens TCP and never starts the TLS handshake', async () => {
    const s = tcpConnect(port(pair.apiUrl), '127.0.0.1');
    expect(await closedByServer(s)).toMatch(/closed|ECONNRESET/);
  }, 20_000);

  it('cuts a client that sends half its headers and stalls', async () => {
    const s = tlsConnect({ host: '127.0.0.1', port: port(pair.apiUrl), ca: pair.ca }, () => s.write('GET /health HTTP/1.1\r\nHost: x\r\nX-Slow: '));
    expect(await closedByServer(s)).toMatch(/closed|ECONNRESET/);
  }, 20_000);

  it('cuts a body that trickles below the minimum rate, while the headers were fine', async () => {
    const s = tlsConnect({ host: '127.0.0.1', port: port(pair.apiUrl), ca: pair.ca }, () => {
      s.write('POST /api/v1/submissions HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{');
    });
    const drip = setInterval(() => { if (!s.destroyed) s.write(' '); }, 200);
    const how = await closedByServer(s);
    clearInterval(drip);
    expect(how).toMatch(/closed|ECONNRESET/);
  }, 20_000);

  it('caps connections to the link port per address too', async () => {
    const linkPort = Number(readFileSync(join(pair.dir, 'external.yaml'), 'utf8').match(/^ {2}port: (\d+)/m)![1]);
    const open: Socket[] = [];
    // The internal gateway holds one link connection from 127.0.0.1 already; the default cap is 4.
    for (let i = 0; i < 3; i++) open.push(await new Promise<Socket>((resolve) => { const s = tcpConnect(linkPort, '127.0.0.1', () => resolve(s)); }));
    const extra = tcpConnect(linkPort, '127.0.0.1');
    expect(await closedByServer(extra)).toMatch(/closed|ECONNRESET/);
    for (const s of open) s.destroy();
    // The real link stayed up throughout.
    expect((await externalHealth(pair)).json.link).toBe('up');
  }, 20_000);
});
