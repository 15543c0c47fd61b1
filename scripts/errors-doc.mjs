// Writes docs/ERRORS.md from the registry in src/errors.ts (compiled: run `npm run build` first).
// test/errors-registry.test.ts fails when the doc and the registry disagree.
import { writeFileSync } from 'node:fs';
import { ERRORS } from '../dist/src/errors.js';

const rows = Object.entries(ERRORS).map(([code, spec]) => `| \`${code}\` | ${spec.status ?? '—'} | ${spec.meaning} |`);
writeFileSync(new URL('../docs/ERRORS.md', import.meta.url), `# Ferry error codes

Every error Ferry reports carries one of these stable codes: in an HTTP error body
(\`{"error":{"code":...,"message":...}}\`), in a log line (\`"code"\`), in a CLI error on stderr, or as the
reason a packet was refused. Codes are never renamed or reused. HTTP status "—" means the code does
not reach an HTTP client by itself (it is logged, or kept with a refused packet).

| code | HTTP | meaning |
|---|---|---|
${rows.join('\n')}
`);
