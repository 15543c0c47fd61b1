// End-to-end benchmark: submissions per second through both real gateway processes (1 KiB and 1 MiB
// bodies) and latency from POST to intranet commit, beside this machine's raw ECDSA and ECDH rates.
// Run: npm run bench. Prints figures; asserts nothing.
import Database from 'better-sqlite3';
import { Agent } from 'node:https';
import { join } from 'node:path';
import { startPair, type Pair } from '../test/helpers/gateways.js';
import { httpsCall } from '../test/helpers/https-client.js';
import { policyWithoutRateLimits } from '../test/helpers/policy-variants.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fmt, measureCryptoLimits, measureDiskCommits, percentile } from './crypto-limits.js';

function body(bytes: number, i: number): string {
  const base = {
    itemCode: 'SCJG-001',
    applicant: { type: 'enterprise', name: `Bench Co ${i}`, idNumber: `91330${String(i).padStart(8, '0')}`, phone: '+86 571 8888 0000' },
    fields: {
      companyName: `基准测试有限公司${i}`, companyType: '有限责任公司', registeredCapital: i,
      legalRepresentative: '王基准', legalRepresentativeIdNo: '33010219800101123X', businessScope: '软件开发', address: '清河镇1号',
    },
  };
  const overhead = JSON.stringify({ ...base, attachments: [{ fileName: 'a.pdf', mediaType: 'application/pdf', contentBase64: '' }] }).length;
  // A real (minimal) PDF padded with a content stream: attachments are inspected from their bytes.
  const head = `%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n3 0 obj << /Length `;
  const tail = '\nendstream\nendobj\ntrailer << /Root 1 0 R >>\n%%EOF\n';
  const raw = Math.max(16, Math.floor(((bytes - overhead) * 3) / 4) - head.length - tail.length - 20);
  const content = Buffer.concat([Buffer.from(`${head}${raw} >>\nstream\n`), Buffer.alloc(raw, 0x41 + (i % 26)), Buffer.from(tail)]).toString('base64');
  return JSON.stringify({ ...base, attachments: [{ fileName: 'a.pdf', mediaType: 'application/pdf', contentBase64: content }] });
}

async function run(pair: Pair, label: string, size: number, count: number, concurrency: number) {
  // Applicants' browsers keep connections alive; a fresh TLS handshake per POST would measure TLS.
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency, ca: pair.ca });
  const bodies = Array.from({ length: Math.min(count, 64) }, (_, i) => body(size, i));
  const posted = new Map<string, number>();
  let next = 0;
  const t0 = Date.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) {
      const i = next++;
      const start = Date.now();
      const r = await httpsCall('POST', `${pair.apiUrl}/api/v1/submissions`, pair.ca, bodies[i % bodies.length], {}, agent);
      if (r.status !== 202) throw new Error(`POST ${r.status} ${r.body.toString().slice(0, 200)}`);
      posted.set(r.json.caseId, start);
    }
  }));
  agent.destroy();
  // Wait until the intranet has committed all of them.
  const db = new Database(join(pair.dir, 'var/internal/internal.sqlite'), { readonly: true });
  const ids = [...posted.keys()];
  const q = db.prepare('SELECT received_at FROM intranet_cases WHERE case_id = ?');
  const committed = new Map<string, number>();
  const until = Date.now() + 300_000;
  while (committed.size < ids.length && Date.now() < until) {
    for (const id of ids) if (!committed.has(id)) { const r = q.get(id) as { received_at: number } | undefined; if (r) committed.set(id, r.received_at); }
    if (committed.size < ids.length) await new Promise((r) => setTimeout(r, 20));
  }
  const elapsed = (Math.max(...committed.values()) - t0) / 1000;
  db.close();
  const lat = ids.map((id) => committed.get(id)! - posted.get(id)!).sort((a, b) => a - b);
  const perSec = committed.size / elapsed;
  console.log(`${label.padEnd(8)} n=${count} conc=${concurrency}: ${fmt(perSec)} submissions/s (${fmt((perSec * size) / 1048576)} MiB/s); POST->intranet commit p50 ${percentile(lat, 50)} ms, p99 ${percentile(lat, 99)} ms`);
  return perSec;
}

async function main() {
  console.log(`Ferry end-to-end benchmark — node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
  const limits = measureCryptoLimits();
  console.log(`machine crypto limits: ECDSA P-256 sign ${fmt(limits.ecdsaSign)}/s, verify ${fmt(limits.ecdsaVerify)}/s, ECDH derive ${fmt(limits.ecdhDerive)}/s, ECDH keygen+derive ${fmt(limits.ecdhKeygenDerive)}/s`);
  // Per case: 2 seals (keygen+derive, sign) and 2 opens (verify, derive), spread over two processes.
  const perCase = 2 / limits.ecdsaSign + 2 / limits.ecdsaVerify + 2 / limits.ecdhKeygenDerive + 2 / limits.ecdhDerive;
  const ceiling = 1 / perCase;
  console.log(`crypto ceiling for one core doing all the per-case public-key work: ${fmt(ceiling)} cases/s`);
  const scratch = mkdtempSync(join(tmpdir(), 'ferry-disk-'));
  const disk1k = await measureDiskCommits(scratch, 1024);
  const disk1m = await measureDiskCommits(scratch, 1024 * 1024);
  rmSync(scratch, { recursive: true, force: true });
  console.log(`machine disk limits: fsync'd SQLite commits (1 row/txn) ${fmt(disk1k)}/s at 1 KiB, ${fmt(disk1m)}/s at 1 MiB`);
  const pair = await startPair({ logLevel: 'warn', policyFile: policyWithoutRateLimits() });
  try {
    await pair.waitLinkUp();
    await run(pair, 'warm-up', 1024, 200, 16);
    const small = await run(pair, '1 KiB', 1024, 3000, 32);
    const large = await run(pair, '1 MiB', 1024 * 1024, 150, 8);
    console.log(`ratio to the crypto ceiling: 1 KiB ${(small / ceiling).toFixed(3)}, 1 MiB ${(large / ceiling).toFixed(3)}`);
    console.log(`ratio to this disk's 1-row commit rate: 1 KiB ${(small / disk1k).toFixed(2)}, 1 MiB ${(large / disk1m).toFixed(2)} (each case costs ~6 commits across both gateways, grouped where they coincide)`);
  } finally {
    await pair.stop();
  }
}

main().catch((e) => { console.error(e); process.exit(1); });
