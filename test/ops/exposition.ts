// Reads the Prometheus text exposition format (what promtool judges) into samples, for assertions.
import { spawnSync } from 'node:child_process';

export interface Sample { name: string; labels: Record<string, string>; value: number }

const LINE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseExposition(text: string): Sample[] {
  const out: Sample[] = [];
  for (const line of text.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const m = LINE.exec(line);
    if (!m) throw new Error(`not an exposition line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(LABEL)) labels[l[1]!] = l[2]!;
    out.push({ name: m[1]!, labels, value: m[3]!.toLowerCase() === 'nan' ? Number.NaN : Number(m[3]) });
  }
  return out;
}

/** The one sample of `name` whose labels include `match`; throws when there is none or several. */
export function one(samples: Sample[], name: string, match: Record<string, string> = {}): number {
  const hits = samples.filter((s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v));
  if (hits.length !== 1) throw new Error(`${name}${JSON.stringify(match)}: ${hits.length} samples`);
  return hits[0]!.value;
}

export function families(samples: Sample[]): Set<string> {
  return new Set(samples.map((s) => s.name.replace(/_(bucket|sum|count)$/, '')));
}

/** promtool's own verdict on an exposition (`promtool check metrics` reads stdin). */
export function promtoolCheckMetrics(text: string): { status: number | null; output: string } {
  const r = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

export async function scrape(operatorUrl: string): Promise<{ status: number; type: string; text: string }> {
  const r = await fetch(`${operatorUrl}/metrics`);
  return { status: r.status, type: r.headers.get('content-type') ?? '', text: await r.text() };
}
