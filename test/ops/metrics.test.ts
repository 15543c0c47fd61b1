// The operator listeners of a real pair of gateways (child processes, real mTLS link, real SQLite):
// /metrics is valid exposition by promtool's judgement and every family the operations issue asks
// for is there and sane after real submissions crossed; the alert rules pass promtool and fire on
// what they describe; every metric the rules and the dashboard read is one the gateways export.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { operatorHealth, sampleSubmission, startPair, type Pair } from '../helpers/gateways.js';
import { httpsCall } from '../helpers/https-client.js';
import { hasTool } from '../helpers/tools.js';
import { families, one, parseExposition, promtoolCheckMetrics, scrape, type Sample } from './exposition.js';

const RULES = 'deploy/prometheus/ferry-alerts.yml';
const CASES = 3;

async function until<T>(what: string, f: () => Promise<T | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f().catch(() => undefined);
    if (v) return v;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('alert rules (promtool)', () => {
  it.skipIf(!hasTool('promtool'))('pass promtool check rules', () => {
    const r = spawnSync('promtool', ['check', 'rules', RULES], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/SUCCESS: \d+ rules found/);
  });
  it.skipIf(!hasTool('promtool'))('fire on a link down past 2 min, an expiring certificate, a stuck outbox, new rejected packets — and not before', () => {
    const r = spawnSync('promtool', ['test', 'rules', 'deploy/prometheus/ferry-alerts.test.yml'], { encoding: 'utf8' });
    expect(r.status, r.stdout + r.stderr).toBe(0);
  });
});

describe('operator listeners of a live pair', () => {
  let pair: Pair;
  let ext: Sample[];
  let int: Sample[];
  let extText: string;
  let intText: string;

  beforeAll(async () => {
    pair = await startPair({ logLevel: 'warn', linkGraceSeconds: 2 });
    await pair.waitLinkUp();
    for (let i = 0; i < CASES; i++) {
      const r = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(i));
      expect(r.status).toBe(202);
    }
    await httpsCall('GET', `${pair.apiUrl}/api/v1/cases/not-a-case`, pair.ca);
    // Everything crossed: delivered inside, the status packets came back, both outboxes drained.
    await until('cases delivered and outboxes drained', async () => {
      const [i, e] = [await operatorHealth(pair.internalOperatorUrl), await operatorHealth(pair.externalOperatorUrl)];
      return i.cases === CASES && i.waitingForStamp === 0 && i.outbox === 0 && e.outbox === 0;
    });
    const [e, i] = [await scrape(pair.externalOperatorUrl), await scrape(pair.internalOperatorUrl)];
    for (const s of [e, i]) {
      expect(s.status).toBe(200);
      expect(s.type).toMatch(/^text\/plain; version=0\.0\.4/);
    }
    [extText, intText] = [e.text, i.text];
    [ext, int] = [parseExposition(e.text), parseExposition(i.text)];
  }, 90_000);
  afterAll(async () => { await pair?.stop(); });

  it.skipIf(!hasTool('promtool'))('serves exposition that promtool check metrics accepts, on both gateways', () => {
    for (const text of [extText, intText]) {
      const r = promtoolCheckMetrics(text);
      expect(r.status, r.output).toBe(0);
    }
  });

  it('labels every sample with its gateway and uses the ferry_ prefix only', () => {
    for (const [samples, gw] of [[ext, 'external'], [int, 'internal']] as const) {
      expect(samples.length).toBeGreaterThan(40);
      for (const s of samples) {
        expect(s.name).toMatch(/^ferry_/);
        expect(s.labels.gateway).toBe(gw);
      }
    }
  });

  it('reports the link up, its last frame seen within two heartbeats, no reconnect yet', () => {
    for (const s of [ext, int]) {
      expect(one(s, 'ferry_link_up')).toBe(1);
      expect(one(s, 'ferry_link_state_seconds')).toBeGreaterThan(0);
      expect(one(s, 'ferry_link_last_frame_age_seconds')).toBeLessThan(1.0); // heartbeatMs 500 in the test pair
      expect(one(s, 'ferry_link_reconnects_total')).toBe(0);
    }
  });

  it('reads queue depths back to 0 after the cases crossed, with the oldest age 0', () => {
    expect(one(ext, 'ferry_queue_packets', { queue: 'outbox' })).toBe(0);
    expect(one(int, 'ferry_queue_packets', { queue: 'outbox' })).toBe(0);
    expect(one(int, 'ferry_queue_packets', { queue: 'stamp' })).toBe(0);
    for (const [s, q] of [[ext, 'outbox'], [int, 'outbox'], [int, 'stamp']] as const) expect(one(s, 'ferry_queue_oldest_age_seconds', { queue: q })).toBe(0);
    expect(one(ext, 'ferry_queue_high_water_packets', { queue: 'outbox' })).toBe(80_000); // 80 % of maxOutbox 100 000
    for (const s of [ext, int]) {
      for (const state of ['held', 'released', 'rejected']) expect(one(s, 'ferry_quarantine_packets', { state })).toBe(0);
      expect(one(s, 'ferry_quarantine_held_oldest_age_seconds')).toBe(0);
      expect(one(s, 'ferry_rejected_packets')).toBe(0);
    }
  });

  it('counts at least a packet token and a receipt token per case issued by the intranet TSA', () => {
    expect(one(int, 'ferry_tsa_tokens_issued_total')).toBeGreaterThanOrEqual(2 * CASES);
    expect(ext.some((s) => s.name === 'ferry_tsa_tokens_issued_total')).toBe(false); // no TSA outside
  });

  it('reports time trust as exactly one state, with the sources behind it', () => {
    for (const s of [ext, int]) {
      const states = ['trusted', 'degraded', 'untrusted'].map((state) => one(s, 'ferry_time_state', { state }));
      expect(states.reduce((a, b) => a + b)).toBe(1);
      expect(one(s, 'ferry_time_state', { state: 'untrusted' })).toBe(1); // the test pair has no NTP sources
      expect(one(s, 'ferry_time_sources', { status: 'configured' })).toBe(0);
      expect(Number.isNaN(one(s, 'ferry_time_offset_seconds'))).toBe(true);
    }
  });

  it('gives notAfter of every certificate role, matching the files openssl reads', () => {
    const roles = (s: Sample[]) => s.filter((x) => x.name === 'ferry_cert_not_after_timestamp_seconds').map((x) => x.labels.role).sort();
    expect(roles(ext)).toEqual(['api_tls', 'ca', 'encrypt', 'link_tls', 'peer_encrypt', 'sign']);
    expect(roles(int)).toEqual(['ca', 'encrypt', 'link_tls', 'peer_encrypt', 'sign', 'tsa']);
    if (!hasTool('openssl')) return;
    for (const [s, role, file] of [[ext, 'api_tls', 'external-tls.crt'], [int, 'tsa', 'tsa.crt'], [int, 'ca', 'ca.crt']] as const) {
      const r = spawnSync('openssl', ['x509', '-noout', '-enddate', '-in', `${pair.dir}/certs/${file}`], { encoding: 'utf8' });
      const notAfter = Date.parse(r.stdout.trim().replace(/^notAfter=/, '')) / 1000;
      expect(one(s, 'ferry_cert_not_after_timestamp_seconds', { role })).toBe(notAfter);
    }
  });

  it('counts requests by route template and Ferry error code, with latency histograms', () => {
    expect(one(ext, 'ferry_http_requests_total', { listener: 'applicant', route: '/api/v1/submissions', status: '202', code: '' })).toBe(CASES);
    expect(one(ext, 'ferry_http_requests_total', { listener: 'applicant', route: '/api/v1/cases/:caseId', status: '400', code: 'FERRY_ERR_API_FIELD' })).toBe(1);
    expect(one(ext, 'ferry_http_request_duration_seconds_count', { listener: 'applicant', route: '/api/v1/submissions' })).toBe(CASES);
    expect(one(ext, 'ferry_http_request_duration_seconds_bucket', { listener: 'applicant', route: '/api/v1/submissions', le: '+Inf' })).toBe(CASES);
    expect(one(ext, 'ferry_http_request_duration_seconds_sum', { listener: 'applicant', route: '/api/v1/submissions' })).toBeGreaterThan(0);
  });

  it('shows the audit head and how long entries have waited for an anchor of each kind', () => {
    expect(one(ext, 'ferry_audit_head_seq')).toBeGreaterThan(CASES); // start + packet.out per case, at least
    expect(one(int, 'ferry_audit_head_seq')).toBeGreaterThan(CASES);
    expect(one(ext, 'ferry_audit_unanchored_age_seconds', { kind: 'signature' })).toBeGreaterThan(0); // nothing anchored yet: 10 min interval
    expect(one(int, 'ferry_audit_unanchored_age_seconds', { kind: 'rfc3161' })).toBeGreaterThan(0);
    expect(Number.isNaN(one(int, 'ferry_audit_anchor_age_seconds', { kind: 'signature' }))).toBe(true);
  });

  it('reports event-loop delay quantiles and the same catalogue hash on both sides', () => {
    for (const s of [ext, int]) {
      const [p50, p99, max] = ['p50', 'p99', 'max'].map((stat) => one(s, 'ferry_event_loop_lag_seconds', { stat }));
      expect(p50).toBeGreaterThanOrEqual(0);
      expect(p99).toBeGreaterThanOrEqual(p50!);
      expect(max).toBeGreaterThanOrEqual(p99!);
      expect(one(s, 'ferry_catalogue_items')).toBeGreaterThan(0);
      expect(one(s, 'ferry_health_ok')).toBe(1);
    }
    const hash = (s: Sample[]) => s.find((x) => x.name === 'ferry_catalogue_info')?.labels.sha256;
    expect(hash(ext)).toMatch(/^[0-9a-f]{64}$/);
    expect(hash(ext)).toBe(hash(int));
  });

  it('exports every ferry_ metric that the alert rules and the dashboard read', () => {
    const exported = new Set([...families(ext), ...families(int)]);
    const used = (text: string) => new Set([...text.matchAll(/\bferry_[a-z0-9_]+/g)].map((m) => m[0].replace(/_(bucket|sum|count)$/, '')));
    for (const f of [RULES, 'deploy/grafana/ferry-dashboard.json']) {
      const missing = [...used(readFileSync(f, 'utf8'))].filter((n) => !exported.has(n) && n !== 'ferry_gateways');
      expect(missing, `${f} reads metrics no gateway exports`).toEqual([]);
    }
  });

  it('keeps request labels bounded whatever paths and methods a client sends', async () => {
    for (let i = 0; i < 20; i++) await httpsCall('GET', `${pair.apiUrl}/x${i}/${Math.random().toString(36).slice(2)}?q=${i}`, pair.ca);
    await httpsCall('PROPFIND', `${pair.apiUrl}/`, pair.ca);
    const after = parseExposition((await scrape(pair.externalOperatorUrl)).text).filter((s) => s.name === 'ferry_http_requests_total' && s.labels.listener === 'applicant');
    const unmatched = after.filter((s) => s.labels.route === 'unmatched');
    expect(unmatched.map((s) => `${s.labels.method} ${s.labels.status} ${s.labels.code}`).sort()).toEqual(['GET 404 FERRY_ERR_API_NOT_FOUND', 'other 404 FERRY_ERR_API_NOT_FOUND']);
    expect(unmatched.find((s) => s.labels.method === 'GET')!.value).toBe(20);
    for (const s of after) expect(s.labels.route).not.toMatch(/\?|x\d/);
  });

  it('answers full health on the operator listener and 404 elsewhere on it', async () => {
    const h = await fetch(`${pair.externalOperatorUrl}/health`);
    expect(h.status).toBe(200);
    expect(await h.json()).toMatchObject({ status: 'ok', problems: [], gateway: 'external', link: 'up', outbox: 0, quarantined: { held: 0 } });
    expect((await fetch(`${pair.externalOperatorUrl}/api/v1/submissions`)).status).toBe(404);
  });

  // Last: it stops and starts the gateways.
  it('sees a silent peer within two heartbeats, then the link down past its grace as 503, then the reconnect', async () => {
    // SIGSTOP freezes the internal gateway: its socket stays open, it sends nothing.
    pair.internal.proc.kill('SIGSTOP');
    try {
      const silent = await until('link silent', async () => { const h = await operatorHealth(pair.externalOperatorUrl); return h.link === 'silent' && h; }, 5_000);
      expect(silent.linkLastFrameAgeSeconds).toBeGreaterThan(1); // 2 × heartbeatMs 500
      const m = parseExposition((await scrape(pair.externalOperatorUrl)).text);
      expect(one(m, 'ferry_link_last_frame_age_seconds')).toBeGreaterThan(1);
    } finally {
      pair.internal.proc.kill('SIGCONT');
    }
    pair.internal.proc.kill('SIGTERM');
    await pair.internal.exited;
    const down = await fetch(`${pair.externalOperatorUrl}/health`);
    const body = await until('503 after the grace period', async () => {
      const r = await fetch(`${pair.externalOperatorUrl}/health`);
      return r.status === 503 && (await r.json()) as Record<string, any>;
    }, 10_000);
    void down;
    expect(body).toMatchObject({ status: 'unhealthy', link: 'down', problems: [{ code: 'FERRY_ERR_OPS_LINK_DOWN', rule: 'link' }] });
    const m = parseExposition((await scrape(pair.externalOperatorUrl)).text);
    expect(one(m, 'ferry_link_up')).toBe(0);
    expect(one(m, 'ferry_link_state_seconds')).toBeGreaterThan(2);
    expect(one(m, 'ferry_health_ok')).toBe(0);
    expect(one(m, 'ferry_health_problem', { rule: 'link' })).toBe(1);

    pair.startInternal();
    await pair.waitLinkUp();
    const back = await fetch(`${pair.externalOperatorUrl}/health`);
    expect(back.status).toBe(200);
    const after = parseExposition((await scrape(pair.externalOperatorUrl)).text);
    expect(one(after, 'ferry_link_reconnects_total')).toBe(1);
    expect(one(after, 'ferry_link_up')).toBe(1);
  }, 60_000);
});

describe('operator health of an internal gateway that holds packets for trusted time', () => {
  let pair: Pair;
  beforeAll(async () => {
    // No NTP sources and whenUntrusted: hold — time is never trusted, so packets wait for a stamp.
    pair = await startPair({ logLevel: 'warn', timeInternal: 'time: { sources: [], whenUntrusted: hold }' });
    await pair.waitLinkUp();
  }, 60_000);
  afterAll(async () => { await pair?.stop(); });

  it('answers 503 with FERRY_ERR_TIME_UNTRUSTED once a packet waits, and shows the stamp queue and its age', async () => {
    const before = await fetch(`${pair.internalOperatorUrl}/health`);
    expect(before.status).toBe(200); // untrusted, but nothing waits
    expect((await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, sampleSubmission(7))).status).toBe(202);
    const body = await until('503 for untrusted time', async () => {
      const r = await fetch(`${pair.internalOperatorUrl}/health`);
      return r.status === 503 && (await r.json()) as Record<string, any>;
    });
    expect(body).toMatchObject({ status: 'unhealthy', waitingForStamp: 1, time: { state: 'untrusted' }, problems: [{ code: 'FERRY_ERR_TIME_UNTRUSTED', rule: 'time' }] });
    await new Promise((r) => setTimeout(r, 1100));
    const s = parseExposition((await scrape(pair.internalOperatorUrl)).text);
    expect(one(s, 'ferry_queue_packets', { queue: 'stamp' })).toBe(1);
    expect(one(s, 'ferry_queue_oldest_age_seconds', { queue: 'stamp' })).toBeGreaterThan(1);
    expect(one(s, 'ferry_health_problem', { rule: 'time' })).toBe(1);
    expect(s.some((x) => x.name === 'ferry_tsa_tokens_issued_total' && x.value > 0)).toBe(false); // nothing stamped
    // The external side is not held by the intranet's clock.
    expect((await fetch(`${pair.externalOperatorUrl}/health`)).status).toBe(200);
  }, 30_000);
});
