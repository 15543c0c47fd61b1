// `ferry status --config F [--json]`: one screen about a running gateway, asked over its local status
// socket (src/gateway/status-socket.ts), as `chronyc tracking` asks chronyd. Exit codes: 0 healthy,
// 1 degraded (the gateway answers but /health would say 503: the problems are listed), 2 unreachable
// (no socket, not running, no answer) or a usage error.
import { isFerryError } from '../errors.js';
import { parse } from './args.js';
import { askGateway, socketOf } from './status-client.js';

export const STATUS_USAGE = `  ferry status --config config/external.yaml [--json]   the running gateway, over its local socket (exit 0 healthy, 1 degraded, 2 unreachable)
`;

type Obj = Record<string, unknown>;
const o = (v: unknown): Obj => (v && typeof v === 'object' ? v as Obj : {});
const n = (v: unknown, unit = ''): string => (v === null || v === undefined ? '-' : `${String(v)}${unit}`);
const mib = (v: unknown) => (typeof v === 'number' ? `${(v / 1048576).toFixed(0)} MiB` : '-');

export function renderStatus(r: Obj): string {
  const h = o(r['health']);
  const link = o(r['link']);
  const time = o(r['time']);
  const storage = o(r['storage']);
  const intake = r['intake'] ? o(r['intake']) : null;
  const problems = (Array.isArray(h['problems']) ? h['problems'] : []) as Obj[];
  const lines = [
    `Gateway         : ${n(r['gateway'])} (ferry ${n(r['version'])}, pid ${n(r['pid'])}, up since ${n(r['startedAt'])})`,
    `Health          : ${n(h['status'])}`,
    ...problems.map((p) => `  ! ${n(p['rule']).padEnd(8)} ${n(p['code'])}: ${n(p['detail'])}`),
    `Link            : ${n(link['state'])} for ${n(link['sinceSeconds'], ' s')}, last frame ${n(link['lastFrameAgeSeconds'], ' s')} ago (heartbeat ${n(link['heartbeatMs'], ' ms')}), ${n(link['reconnects'])} reconnects`,
    'Queues          : NAME          COUNT  OLDEST',
  ];
  for (const [name, q] of Object.entries(o(r['queues']))) {
    const v = o(q);
    if (name === 'quarantine') lines.push(`                  quarantine   ${n(v['held']).padStart(6)}  ${n(v['oldestHeldAgeSeconds'], ' s')}  (released ${n(v['released'])}, rejected ${n(v['rejected'])})`);
    else lines.push(`                  ${name.padEnd(12)} ${n(v['count']).padStart(6)}  ${'oldestAgeSeconds' in v ? n(v['oldestAgeSeconds'], ' s') : ''}`);
  }
  const src = time['sources'] ? o(time['sources']) : null;
  lines.push(`Time            : ${n(time['state'])}, offset ${n(time['offsetMs'], ' ms')}${src ? `, sources ${n(src['answering'])}/${n(src['configured'])} answering, ${n(src['agreeing'])} agreeing (quorum ${n(src['quorum'])})` : ''} — ${n(time['reason'])}`);
  for (const c of (Array.isArray(r['certificates']) ? r['certificates'] : []) as Obj[]) {
    lines.push(`Certificate     : ${n(c['role']).padEnd(13)} not after ${n(c['notAfter'])} (${n(c['daysLeft'])} days)`);
  }
  const cat = r['catalogue'] ? o(r['catalogue']) : null;
  lines.push(`Catalogue       : ${cat ? `${n(cat['sha256'])} (${n(cat['items'])} items)` : 'none yet'}`);
  if (intake) {
    const p = intake['pause'] ? o(intake['pause']) : null;
    lines.push(`Intake          : ${n(intake['state'])}${p ? ` since ${n(p['since'])} by ${n(p['operator'])}: ${n(p['reason'])}` : ''}`);
  }
  lines.push(`Storage         : ${n(storage['state'])}, ${mib(storage['freeBytes'])} free of ${mib(storage['totalBytes'])} (intake stops below ${mib(storage['thresholdBytes'])}) in ${n(storage['dir'])}`);
  return lines.join('\n') + '\n';
}

export async function statusCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { config: { type: 'string', default: 'config/external.yaml' }, json: { type: 'boolean', default: false } });
  const { file } = socketOf(values.config!);
  try {
    const a = await askGateway(file, 'status');
    if (!a.ok) { process.stderr.write(`ferry: ${a.error.code}: ${a.error.message}\n`); return 2; }
    const healthy = o(a.result['health'])['status'] === 'ok';
    process.stdout.write(values.json ? JSON.stringify(a.result, null, 2) + '\n' : renderStatus(a.result));
    return healthy ? 0 : 1;
  } catch (e) {
    if (!isFerryError(e)) throw e;
    if (values.json) process.stdout.write(JSON.stringify({ reachable: false, socket: file, error: { code: e.code, message: e.message } }) + '\n');
    process.stderr.write(`ferry: ${e.code}: ${e.message}\n`);
    return 2;
  }
}
