// Benchmark (prints figures, asserts nothing): the applicant portal's catalogue pages with the county
// sample (312 items, 36 departments) — the listing, a search and an item page — through the real
// routes (registerPortal on Fastify, inject(): routing, query parsing, search, rendering, headers; no
// TLS). Issue 12 asks for each < 20 ms p99. Wall time and this process's CPU time per request are both
// printed: on a machine shared with other work, wall p99 carries the others' load too.
// Run: npm run build && node dist/bench/catalogue-pages.js
import Fastify from 'fastify';
import { performance } from 'node:perf_hooks';
import { publicView } from '../src/approval/public-view.js';
import { readCatalogueSheet } from '../src/catalogue-io/sheet-read.js';
import { registerPortal } from '../src/web/portal-routes.js';

const N = 2000;
const sheet = await readCatalogueSheet('config/catalogue/county-sample.xlsx');
if (!sheet.ok) throw new Error(sheet.errors.join('\n'));
const items = sheet.catalogue.items.map(publicView);
const byCode = new Map(items.map((i) => [i.code, i]));
const app = Fastify();
registerPortal(app, {
  catalogue: () => ({ items, byCode }),
  cases: { get: () => null, isCaseId: () => false, access: () => ({ ok: false, status: 404, headers: {} }) },
});
await app.ready();

const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))]!;
async function measure(name: string, urls: readonly string[]): Promise<void> {
  for (let i = 0; i < 200; i++) await app.inject({ method: 'GET', url: urls[i % urls.length]! }); // warm-up
  const ms: number[] = [];
  const cpu: number[] = [];
  let bytes = 0;
  for (let i = 0; i < N; i++) {
    const t = performance.now();
    const c = process.cpuUsage();
    const r = await app.inject({ method: 'GET', url: urls[i % urls.length]! });
    const used = process.cpuUsage(c);
    ms.push(performance.now() - t);
    cpu.push((used.user + used.system) / 1000);
    if (r.statusCode !== 200) throw new Error(`${urls[i % urls.length]}: ${r.statusCode}`);
    bytes += r.rawPayload.length;
  }
  console.log(`${name.padEnd(34)} ${items.length} items  p50 ${pct(ms, 0.5).toFixed(2).padStart(6)} ms  p99 ${pct(ms, 0.99).toFixed(2).padStart(6)} ms  max ${Math.max(...ms).toFixed(2).padStart(6)} ms  (CPU p99 ${pct(cpu, 0.99).toFixed(2).padStart(5)} ms: the rest is the shared machine)  ${Math.round(bytes / N)} B/page`);
}

const codes = items.map((i) => i.code);
await measure('catalogue listing (/items, pages)', [1, 2, 5, 11].map((p) => `/items?page=${p}`));
await measure('search (/items?q=…&department=…)', ['登记', '许可', '证明', '补贴', '查询'].map((q) => `/items?q=${encodeURIComponent(q)}`));
await measure('item page (/items/:code)', codes.map((c) => `/items/${encodeURIComponent(c)}`));
await measure('home (/)', ['/']);
await app.close();
