// What the workbench's server-side rendering costs: the case page (the heaviest: applicant data,
// materials, history, deadlines and every form) and the queue page, each rendered from a real desk.
// The figures are printed for the report; the test asserts what holds everywhere (the page is whole,
// escaped, and under the 150 KB page budget), never a speed.
import { afterEach, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { harness, incoming, staffTheCentre, cst, type Harness } from '../desk/helpers.js';
import { casePage } from '../../src/web/workbench-case-page.js';
import { queuePage } from '../../src/web/workbench-pages.js';
import { workFor } from '../../src/desk/staff-queues.js';
import { loadStrings } from '../../src/web/strings.js';
import { webDir } from '../../src/web/web-root.js';

let h: Harness;
afterEach(async () => { await h?.close(); });

const shell = { t: loadStrings(join(webDir(), 'strings', 'zh-CN.yaml')), stylesheet: '/assets/w.css', script: '/assets/w.js', icon: '/assets/i.svg' };
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;

describe('workbench rendering', () => {
  it('renders the case page and a 200-case queue whole and under 150 KB (figures printed)', async () => {
    h = await harness('2026-03-02T09:00');
    await staffTheCentre(h);
    for (let i = 0; i < 200; i++) h.desk.receiveSubmission(incoming('SCJG-001', `F20260302-R${String(i).padStart(4, '0')}`, cst('2026-03-02T09:01'), i % 2 ? ['name-approval'] : []));
    const staff = h.auth.listStaff().find((s) => s.id === 'aic.win')!;
    const viewer = { staff, csrf: 'x'.repeat(43) };
    const officers = h.auth.listStaff().filter((s) => s.roles.includes('officer'));
    const times = { case: [] as number[], queue: [] as number[] };
    let casePageBytes = 0;
    let queueBytes = 0;
    for (let i = 0; i < 200; i++) {
      const t0 = performance.now();
      const v = h.desk.caseView(`F20260302-R${String(i).padStart(4, '0')}`);
      if (!v.ok) throw new Error(v.detail);
      const page = casePage(shell, viewer, { view: v.value, officers, downloadable: new Set([0]) });
      times.case.push(performance.now() - t0);
      casePageBytes = Math.max(casePageBytes, Buffer.byteLength(page));
      expect(page).toContain('</html>');
      expect(page).not.toContain('<script>');
    }
    for (let i = 0; i < 20; i++) {
      const t0 = performance.now();
      const page = queuePage(shell, viewer, workFor(h.desk, staff, 0.8));
      times.queue.push(performance.now() - t0);
      queueBytes = Buffer.byteLength(page);
      expect((page.match(/<tr>/g) ?? []).length).toBe(201); // 200 cases + the header row
    }
    console.log(`workbench render (data + HTML): case page p50 ${pct(times.case, 0.5).toFixed(2)} ms, p99 ${pct(times.case, 0.99).toFixed(2)} ms, ${(casePageBytes / 1024).toFixed(1)} KB; `
      + `queue of 200 p50 ${pct(times.queue, 0.5).toFixed(1)} ms, p99 ${pct(times.queue, 0.99).toFixed(1)} ms, ${(queueBytes / 1024).toFixed(1)} KB`);
    expect(casePageBytes).toBeLessThan(150 * 1024);
    expect(queueBytes).toBeLessThan(150 * 1024);
  }, 60_000);
});
