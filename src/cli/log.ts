// `ferry log mask <case number>...`: the token a case number appears as in both gateways' logs
// (src/gateway/case-mask.ts), so an operator can grep the journal for one case:
//   journalctl -u ferry-external -u ferry-internal | grep "$(ferry log mask F20261203-…)"
import { FerryError } from '../errors.js';
import { CASE_ID_PATTERN } from '../external/case-id.js';
import { maskCaseId } from '../gateway/case-mask.js';
import { parse } from './args.js';

export async function logCommand(args: string[]): Promise<number> {
  const [sub, ...rest] = args;
  const { values, positionals } = parse(rest, { json: { type: 'boolean', default: false } }, true);
  if (sub !== 'mask' || positionals.length === 0) throw new FerryError('FERRY_ERR_CLI_USAGE', 'usage: ferry log mask <case number>... [--json]');
  const bad = positionals.find((p) => !CASE_ID_PATTERN.test(p));
  if (bad !== undefined) throw new FerryError('FERRY_ERR_CLI_USAGE', `log mask: '${bad.slice(0, 40)}' is not a case number (F<yyyymmdd>-<16 characters>)`);
  const rows = positionals.map((caseId) => ({ caseId, logged: maskCaseId(caseId) }));
  process.stdout.write(values.json ? `${JSON.stringify(rows)}\n` : rows.map((r) => `${r.logged}\n`).join(''));
  return 0;
}
