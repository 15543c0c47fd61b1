// Trusted time end to end: real chronyd sources (one of them five minutes wrong), the internal
// gateway's NTP quorum, RFC 3161 stamping of every packet, the applicant's receipt checked by
// `openssl ts -verify` against the published CA, the intranet TSA answering `openssl ts -query`, and
// stamping that stops while time is untrusted and resumes with every waiting packet stamped once.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startChronyServer, type ChronyServer } from '../helpers/chrony.js';
import { intranetCall, startPair, sampleSubmission, TEST_POLICY_OID, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { CaseSecrets } from '../helpers/case-secret.js';

let pair: Pair;
const good: ChronyServer[] = [];
let wrong: ChronyServer;

beforeAll(async () => {
  for (let i = 0; i < 3; i++) good.push(await startChronyServer());
  wrong = await startChronyServer({ offsetSeconds: 300 });
  const src = (s: ChronyServer, n: string) => `{ name: ${n}, host: 127.0.0.1, port: ${s.port} }`;
  pair = await startPair({
    timeInternal: `time:
  sources: [${good.map((s, i) => src(s, `good${i}`)).join(', ')}, ${src(wrong, 'wrong')}]
  quorum: 2
  pollIntervalMs: 150
  timeoutMs: 300
  whenUntrusted: hold`,
  });
  await pair.waitLinkUp();
}, 60_000);

afterAll(async () => {
  await pair?.stop();
  for (const s of [...good, wrong]) await s?.stop();
});

const health = async () => (await intranetCall(pair, 'GET', '/health')).json as any;
async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 20_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}\n${pair.internal.log.slice(-15).join('\n')}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
const secrets = new CaseSecrets();
const status = async (caseId: string) => (await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/${caseId}`, pair.ca, undefined, secrets.header(caseId))).json;
const openssl = (args: string[]) => spawnSync('openssl', args, { encoding: 'utf8' });

describe('trusted time and RFC 3161 receipts', () => {
  it('outvotes the wrong source and trusts the quorum', async () => {
    const h = await until('trusted time', async () => { const x = await health(); return x.time.state === 'trusted' && x; });
    expect(h.time.reason).toBeTypeOf('string');
  });

  it('gives the applicant a receipt that openssl verifies against the published CA and their own bytes', async () => {
    const body = sampleSubmission(11);
    const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, body));
    expect(r.status).toBe(202);
    const s = await until('received', async () => { const x = await status(r.json.caseId); return x.status === 'received' && x; });
    expect(s.receipt).toBe(`/api/v1/cases/${r.json.caseId}/receipt`);

    const receipt = await httpsCall('GET', `${pair.apiUrl}${s.receipt}`, pair.ca, undefined, secrets.header(r.json.caseId));
    expect(receipt.status).toBe(200);
    expect(receipt.headers['content-type']).toBe('application/timestamp-reply');
    const ca = await httpsCall('GET', `${pair.apiUrl}/api/v1/trust/ca.pem`, pair.ca);
    const dataFile = join(pair.dir, 'my-submission.json');
    writeFileSync(dataFile, body);
    writeFileSync(join(pair.dir, 'receipt.tsr'), receipt.body);
    writeFileSync(join(pair.dir, 'published-ca.pem'), ca.body);
    const v = openssl(['ts', '-verify', '-data', dataFile, '-in', join(pair.dir, 'receipt.tsr'), '-CAfile', join(pair.dir, 'published-ca.pem')]);
    expect(v.stdout + v.stderr).toContain('Verification: OK');
    const text = execFileSync('openssl', ['ts', '-reply', '-in', join(pair.dir, 'receipt.tsr'), '-text'], { encoding: 'utf8' });
    expect(text).toContain(`Policy OID: ${TEST_POLICY_OID}`);
    // The case status shows the trusted receipt time: the token's genTime.
    const gen = /Time stamp: (.*)/.exec(text)![1]!;
    expect(Math.abs(Date.parse(gen) - Date.parse(s.receivedAt))).toBeLessThan(1000);

    // A changed byte of the submission no longer matches.
    writeFileSync(dataFile, body.replace('Qinghe', 'Qinghf'));
    const bad = openssl(['ts', '-verify', '-data', dataFile, '-in', join(pair.dir, 'receipt.tsr'), '-CAfile', join(pair.dir, 'published-ca.pem')]);
    expect(bad.stdout + bad.stderr).not.toContain('Verification: OK');
  });

  it('stamps every packet that enters the intranet with a token over its exact bytes', async () => {
    const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true });
    const rows = db.prepare('SELECT s.digest, s.token, c.case_id FROM packet_stamps s JOIN intranet_cases c ON c.packet_id = s.packet_id').all() as { digest: Buffer; token: Buffer }[];
    db.close();
    expect(rows.length).toBeGreaterThan(0);
    const tok = join(pair.dir, 'packet.tst');
    writeFileSync(tok, rows[0]!.token);
    const v = openssl(['ts', '-verify', '-digest', rows[0]!.digest.toString('hex'), '-in', tok, '-token_in', '-CAfile', join(pair.dir, 'certs/ca.crt'), '-untrusted', join(pair.dir, 'certs/tsa.crt')]);
    expect(v.stdout + v.stderr).toContain('Verification: OK');
  });

  it('answers openssl ts -query at POST /tsa with a reply openssl verifies', async () => {
    const data = join(pair.dir, 'doc.bin');
    writeFileSync(data, 'an intranet document');
    execFileSync('openssl', ['ts', '-query', '-data', data, '-sha256', '-cert', '-out', join(pair.dir, 'q.tsq')]);
    const res = await intranetCall(pair, 'POST', '/tsa', readFileSync(join(pair.dir, 'q.tsq')), { 'content-type': 'application/timestamp-query' });
    expect(res.headers['content-type']).toBe('application/timestamp-reply');
    writeFileSync(join(pair.dir, 'r.tsr'), res.body);
    const v = openssl(['ts', '-verify', '-queryfile', join(pair.dir, 'q.tsq'), '-in', join(pair.dir, 'r.tsr'), '-CAfile', join(pair.dir, 'certs/ca.crt')]);
    expect(v.stdout + v.stderr).toContain('Verification: OK');
  });

  it('stops stamping without quorum, keeps packets waiting durably, and stamps each once when trust returns', async () => {
    const ports = [good[0]!.port, good[1]!.port];
    await good[0]!.stop();
    await good[1]!.stop();
    await until('untrusted time', async () => (await health()).time.state === 'untrusted');

    // The intranet TSA refuses with timeNotAvailable rather than stamp a time it cannot defend.
    const data = join(pair.dir, 'doc2.bin');
    writeFileSync(data, 'while untrusted');
    execFileSync('openssl', ['ts', '-query', '-data', data, '-sha256', '-out', join(pair.dir, 'q2.tsq')]);
    const res = await intranetCall(pair, 'POST', '/tsa', readFileSync(join(pair.dir, 'q2.tsq')), { 'content-type': 'application/timestamp-query' });
    writeFileSync(join(pair.dir, 'r2.tsr'), res.body);
    expect(execFileSync('openssl', ['ts', '-reply', '-in', join(pair.dir, 'r2.tsr'), '-text'], { encoding: 'utf8' })).toMatch(/Status: Rejected\.[\s\S]*Failure info: the TSA's time source is not available/);

    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const r = secrets.keep(await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(100 + i)));
      expect(r.status).toBe(202);
      ids.push(r.json.caseId);
    }
    await until('packets waiting for a stamp', async () => (await health()).waitingForStamp === 3);
    for (const id of ids) expect((await status(id)).status).toBe('submitted');
    expect(pair.internal.log.some((l) => l.includes('FERRY_ERR_TIME_UNTRUSTED'))).toBe(true);

    // The internal gateway restarts while waiting: nothing is lost.
    pair.internal.proc.kill('SIGKILL');
    await pair.internal.exited;
    pair.startInternal();
    await pair.waitLinkUp();

    good[0] = await startChronyServer({ port: ports[0] });
    good[1] = await startChronyServer({ port: ports[1] });
    await until('trusted again', async () => (await health()).time.state === 'trusted');
    for (const id of ids) await until(`${id} received`, async () => (await status(id)).status === 'received');
    const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true });
    for (const id of ids) {
      const n = db.prepare('SELECT COUNT(*) AS n FROM packet_stamps s JOIN intranet_cases c ON c.packet_id = s.packet_id WHERE c.case_id = ?').get(id) as { n: number };
      expect(n.n).toBe(1);
    }
    const serials = db.prepare('SELECT serial FROM packet_stamps').all() as { serial: string }[];
    db.close();
    expect(new Set(serials.map((s) => s.serial)).size).toBe(serials.length); // unique across the restart
    expect((await health()).waitingForStamp).toBe(0);
  }, 90_000);
});
