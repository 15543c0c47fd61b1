// `ferry policy check <file>` (names the bad line) and `ferry policy explain <file> --from --to --kind
// [--item CODE] [--attachment F]` (what a packet would get, and why, step by step).
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { FerryError } from '../errors.js';
import { formatIssues, loadPolicyFile } from '../policy/policy-file.js';
import { explain } from '../policy/explain.js';
import { inspectAttachment } from '../policy/content/index.js';
import { parse } from './args.js';

export async function policyCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  if (sub === 'check') {
    const { positionals, values } = parse(rest, { json: { type: 'boolean', default: false } }, true);
    const file = positionals[0] ?? 'config/policy.yaml';
    const r = loadPolicyFile(file);
    if (!r.ok) {
      process.stderr.write(formatIssues(r) + '\n');
      return 1;
    }
    const summary = { file, sha256: r.policy.sha256, domains: r.policy.domains.size, rules: r.policy.rules.map((x) => x.id) };
    process.stdout.write(values.json ? JSON.stringify(summary) + '\n' : `${file}: OK — ${summary.domains} domains, ${summary.rules.length} rules (${summary.rules.join(', ')}), sha256 ${summary.sha256}\n`);
    return 0;
  }
  if (sub === 'explain') {
    const { positionals, values } = parse(rest, {
      from: { type: 'string' }, to: { type: 'string' }, kind: { type: 'string' }, item: { type: 'string' },
      attachment: { type: 'string' }, bytes: { type: 'string' },
    }, true);
    const file = positionals[0] ?? 'config/policy.yaml';
    if (!values.from || !values.to || !values.kind) throw new FerryError('FERRY_ERR_CLI_USAGE', 'policy explain needs --from --to --kind');
    const r = loadPolicyFile(file);
    if (!r.ok) { process.stderr.write(formatIssues(r) + '\n'); return 2; }
    const att = values.attachment ? { name: basename(values.attachment), bytes: readFileSync(values.attachment) } : undefined;
    // The same content inspection the gateways run: the type comes from the bytes, never the name.
    const detect = async (bytes: Uint8Array) => {
      const v = await inspectAttachment({ fileName: att?.name ?? 'attachment', bytes });
      return v.ok ? v.value.type : undefined;
    };
    const text = await explain(r.policy, {
      from: values.from, to: values.to, kind: values.kind, ...(values.item ? { itemCode: values.item } : {}),
      ...(values.bytes ? { bytes: Number(values.bytes) } : {}), ...(att ? { attachmentFile: att } : {}),
    }, detect);
    process.stdout.write(text + '\n');
    return /verdict: ALLOW/.test(text) ? 0 : 1;
  }
  throw new FerryError('FERRY_ERR_CLI_USAGE', 'policy: unknown subcommand (check, explain)');
}
