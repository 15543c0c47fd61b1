// The inspection pool with its real worker threads (the compiled worker in dist/: npm test builds it
// first): verdicts as values, the gate before inspection, the queue limit, the deadline, a crashing
// worker, and the request bytes moved (not copied) to the worker and back.
import { afterEach, describe, expect, it } from 'vitest';
import { InspectPool } from '../../src/gateway/inspect-pool.js';
import { submission } from '../hostile/submissions.js';
import { makePdf, makePng } from '../policy-content/samples.js';
import { worstInputs } from '../hostile/worst-inputs.js';

const pools: InspectPool[] = [];
const pool = async (o: ConstructorParameters<typeof InspectPool>[0]) => { const p = new InspectPool(o); pools.push(p); await p.ready(); return p; };
afterEach(async () => { for (const p of pools.splice(0)) await p.close(); });

const body = (s: string) => Buffer.from(s);
/** A body big enough to own its ArrayBuffer (not in Node's small-buffer pool), so it is transferred. */
const bigBody = () => body(submission({ attachments: [{ fileName: 'scan.png', bytes: makePng() }, { fileName: 'a.pdf', bytes: makePdf({ content: 'x'.repeat(200_000) }) }] }));
const pdfBomb = worstInputs().find((w) => w.fileName === 'objstm.pdf')!;

describe('inspection pool', () => {
  it('parses and inspects a request in a worker and moves the bytes there and back without copying', async () => {
    const p = await pool({ workers: 1 });
    const raw = bigBody();
    const copy = Buffer.from(raw);
    const o = await p.run({ kind: 'submission', raw });
    expect(raw.byteLength).toBe(0); // transferred: the caller's buffer is detached
    expect(o.ok).toBe(true);
    if (!o.ok) return;
    expect(o.raw.equals(copy)).toBe(true);
    expect(o.types).toEqual(['png', 'pdf']);
    expect(o.parsed.kind === 'submission' && o.parsed.submission.attachments.map((a) => Buffer.isBuffer(a.bytes) && a.bytes.length > 0)).toEqual([true, true]);
    expect(p.stats().inspected).toBe(1);
  });

  it('refuses a bad shape with the shape checker\'s code and never inspects', async () => {
    const p = await pool({ workers: 1 });
    const o = await p.run({ kind: 'submission', raw: body('{"itemCode": 7}') });
    expect(o).toMatchObject({ ok: false, stage: 'refused', code: 'FERRY_ERR_API_FIELD' });
    expect(p.stats().inspected).toBe(0);
  });

  it('names the attachment a content refusal is about', async () => {
    const p = await pool({ workers: 1 });
    const o = await p.run({ kind: 'submission', raw: body(submission({ attachments: [{ fileName: 'ok.pdf', bytes: makePdf() }, { fileName: 'evil.pdf', bytes: makePdf({ catalogExtra: '/OpenAction 3 0 R' }) }] })) });
    expect(o).toMatchObject({ ok: false, stage: 'refused', code: 'FERRY_ERR_CONTENT_PDF_ACTION', rule: 'content' });
    expect(!o.ok && 'detail' in o && o.detail).toContain('attachments[1]:');
  });

  it('stops a request at its gate before any attachment is inspected', async () => {
    const p = await pool({ workers: 1 });
    let seen = '';
    const o = await p.run<string>({
      kind: 'submission', raw: Buffer.from(submission({ idNumber: '330100GATE0001', attachments: [{ fileName: 'objstm.pdf', bytes: pdfBomb.bytes }] })),
      gate: (parsed) => { seen = parsed.kind === 'submission' ? parsed.submission.applicant.idNumber : ''; return 'rate limited'; },
    });
    expect(o).toEqual({ ok: false, stage: 'gate', value: 'rate limited' });
    expect(seen).toBe('330100GATE0001');
    expect(p.stats().inspected).toBe(0);
    // The worker is free again at once: the next request is served.
    expect((await p.run({ kind: 'submission', raw: body(submission()) })).ok).toBe(true);
  });

  it('refuses at once with FERRY_ERR_API_BUSY when every worker is busy and the queue is full', async () => {
    const p = await pool({ workers: 1, maxQueue: 1, busyRetryAfterSeconds: 7 });
    const heavy = () => p.run({ kind: 'submission', raw: Buffer.from(submission({ attachments: [{ fileName: 'objstm.pdf', bytes: pdfBomb.bytes }] })) });
    const running = heavy();
    const queued = heavy();
    const refused = await p.run({ kind: 'submission', raw: body(submission()) });
    expect(refused).toMatchObject({ ok: false, stage: 'busy', code: 'FERRY_ERR_API_BUSY', retryAfterSeconds: 7 });
    expect(p.stats()).toMatchObject({ workers: 1, busy: 1, queued: 1, refusedBusy: 1 });
    // A packet on the intranet side waits instead of being refused.
    const waiting = p.run({ kind: 'submission', raw: body(submission()), waitWhenFull: true });
    expect(p.stats().queued).toBe(2);
    expect((await running).ok).toBe(true);
    expect((await queued).ok).toBe(true);
    expect((await waiting).ok).toBe(true);
  });

  it('stops a worker past the deadline, refuses the request naming the attachment, and serves the next one', async () => {
    const p = await pool({ workers: 1, deadlineMs: 300 });
    // ~3 s of inflating on one core against a 300 ms deadline.
    const o = await p.run({ kind: 'submission', raw: Buffer.from(submission({ attachments: [{ fileName: 'objstm.pdf', bytes: pdfBomb.bytes }, { fileName: 'ok.pdf', bytes: makePdf() }] })) });
    expect(o).toMatchObject({ ok: false, stage: 'refused', code: 'FERRY_ERR_CONTENT_DEADLINE', rule: 'content' });
    expect(!o.ok && 'detail' in o && o.detail).toContain('attachments[0]');
    expect(p.stats().deadlines).toBe(1);
    const next = await p.run({ kind: 'submission', raw: body(submission()) });
    expect(next.ok).toBe(true);
  });

  it('refuses the request of a worker that dies mid-job, and replaces the worker', async () => {
    const p = await pool({ workers: 1 });
    const job = p.run({ kind: 'submission', raw: Buffer.from(submission({ attachments: [{ fileName: 'objstm.pdf', bytes: pdfBomb.bytes }] })) });
    // The worker ends while it holds the job, as a crash in native code would end it.
    await new Promise((r) => setTimeout(r, 200));
    await (p as unknown as { slots: { worker: { terminate(): Promise<number> } }[] }).slots[0]!.worker.terminate();
    const o = await job;
    expect(o).toMatchObject({ ok: false, stage: 'refused', code: 'FERRY_ERR_CONTENT_INSPECT_FAILED', rule: 'content' });
    expect(p.stats().crashes).toBe(1);
    const next = await p.run({ kind: 'submission', raw: body(submission()) });
    expect(next.ok).toBe(true);
  });

  it('hands a request back parsed but uninspected when asked (a packet released from quarantine)', async () => {
    const p = await pool({ workers: 1 });
    const o = await p.run({ kind: 'submission', raw: Buffer.from(submission({ attachments: [{ fileName: 'evil.pdf', bytes: makePdf({ catalogExtra: '/OpenAction 3 0 R' }) }] })), skipInspection: true });
    expect(o.ok && o.types).toEqual([]);
    expect(p.stats().inspected).toBe(0);
  });
});
