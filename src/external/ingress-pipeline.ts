// The one pipeline every applicant POST that files something goes through (a submission, an action on
// a case), in this order, cheapest first (src/external/ingress-steps.ts says why):
//   0. the route's own schema (fastify, before this runs): case number, Idempotency-Key header
//      then intake open? (not paused, storage above its threshold) → 503 + Retry-After, one comparison
//   1. the case secret (actions)                      → 404 / 429, no parsing
//   2. client domain from the TLS client certificate  → 403
//   3. rule, size and per-address / per-township rate, when the kind is known before parsing
//   4. Idempotency-Key: a repeat answers the first answer; a different body 422; one in progress 409
//   5. parse in a worker → the route's gate (catalogue, form, or the action's kind and its rates)
//      → attachment inspection in the worker
//   6. policy decision with the inspected types       → audit policy.deny / policy.allow
//   7. intake: sealed into the outbox in one transaction (with the idempotency row) → 202
// Every refusal goes through one helper; every policy decision, allow or deny, reaches the audit chain.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TLSSocket } from 'node:tls';
import { ERRORS, httpStatus, type FerryErrorCode } from '../errors.js';
import type { InspectPool } from '../gateway/inspect-pool.js';
import type { Logger } from '../gateway/logger.js';
import { withoutQuotedInput } from '../gateway/quoted-input.js';
import type { ParsedRequest } from '../policy/check-submission.js';
import { clientDomain, type ClientCertFacts } from '../policy/client-domain.js';
import type { Policy, PolicyRule } from '../policy/policy-model.js';
import type { RateLimiter } from '../policy/rate-limit.js';
import type { Clock } from '../time/clock.js';
import { errorBody, type ErrorOptions } from './api-error.js';
import type { CaseAccess } from './case-access.js';
import { presentedSecret } from './case-access.js';
import { IDEMPOTENCY_HEADER, IN_PROGRESS_RETRY_AFTER_S, type Claim, type FirstAnswer, type IdempotencyStore } from './idempotency.js';
import type { IntakeClosed } from '../gateway/intake-gate.js';
import { beforeParsing, notInspected, refusal, type Refusal } from './ingress-steps.js';

export interface PipelineDeps {
  policy: () => Policy;
  limiter: RateLimiter;
  inspect: Pick<InspectPool, 'run'>;
  idempotency: IdempotencyStore;
  /** Every ingress policy decision, allow or deny, with the rule that made it (audit chain). */
  recordDecision: (allow: boolean, subject: string, detail: Record<string, unknown>) => void;
  access: (caseId: string, presented: string | null, source: string) => CaseAccess;
  clock: Clock;
  log: Logger;
  afterIntake: () => void;
  /** Null while intake is open; else why not (src/gateway/intake-gate.ts). Not an audit event per
   *  request: the pause or the storage state change is audited once. */
  intakeClosed?: () => IntakeClosed | null;
  /** The per-source refusal budget, asked before any audit or log write of a refusal
   *  (src/audit/refusal-summary.ts): false = counted into the window's summary, not written. */
  shouldRecordRefusal?: (address: string, code: FerryErrorCode, scope: string) => boolean;
}

/** What one request has established by the time its route's steps run. */
export interface IngressContext {
  policy: Policy;
  from: string;
  cert: ClientCertFacts | null;
  ip: string;
  caseId: string | undefined;
  /** The rule found before parsing (submissions), for the per-applicant limit in the gate. */
  rule: PolicyRule | undefined;
  /** Body length, measured before the body moves to a worker. */
  bytes: number;
}

export interface Allowed { kind: string; rule: string; audit: Record<string, unknown>; log: Record<string, unknown> }

/** The route-specific steps; everything else is the pipeline's. */
export interface IngressRoute<V extends Allowed> {
  /** Audit subject and log wording: 'submission', 'case action'. */
  name: string;
  /** Method and path template, part of the idempotency request digest. */
  route: string;
  inspectKind: 'submission' | 'action';
  /** The packet kind when the route alone says it (submissions); else the gate checks the rule. */
  kindBeforeParsing: string | null;
  gate: (parsed: ParsedRequest, c: IngressContext) => Refusal | null;
  decide: (parsed: ParsedRequest, c: IngressContext, raw: Buffer, types: string[]) => { ok: true; value: V } | { ok: false; refusal: Refusal };
  /** Seals and commits; `inTransaction` gets the case and (for a new case) its secret, to remember. */
  intake: (v: V, c: IngressContext, raw: Buffer, now: Date, inTransaction: (r: { caseId: string; secret?: string }) => void)
    => Promise<{ ok: true; caseId: string; secret?: string } | { ok: false }>;
  answer: (r: { caseId: string; secret?: string }, v: V, now: Date) => FirstAnswer;
}

export function clientCert(socket: TLSSocket): ClientCertFacts | null {
  const c = typeof socket.getPeerCertificate === 'function' ? socket.getPeerCertificate() : null;
  if (!c || !c.raw || c.raw.length === 0) return null;
  const cn = c.subject?.CN;
  return { authorized: socket.authorized, subjectCN: typeof cn === 'string' ? cn : undefined, sha256: c.fingerprint256 };
}

/** What one filing request brings to the pipeline, however it arrived: the JSON API's body and headers,
 *  or a web form's parts turned into the same JSON bytes (src/external/multipart-ingress.ts). */
export interface IngressInput {
  /** The exact request bytes: what is parsed, inspected, sealed and time-stamped. */
  body: Buffer;
  ip: string;
  socket: TLSSocket;
  idempotencyKey: string | undefined;
  /** The case secret as presented (actions); never part of `body`. */
  secret: string | null;
  caseId: string | undefined;
}

/** The pipeline's answer as a value: the JSON API sends it as is, a page renders it. */
export type IngressAnswer = FirstAnswer & { refused: boolean };

const answerOf = (a: FirstAnswer, refused = false): IngressAnswer => ({ ...a, refused });

/** The answer an error gets (the shape sendError sends; src/external/api-error.ts). */
function errorAnswer(code: FerryErrorCode, message: string, o: ErrorOptions = {}): IngressAnswer {
  const headers: Record<string, string> = o.retryAfterSeconds !== undefined ? { 'retry-after': String(o.retryAfterSeconds) } : {};
  return { status: o.status ?? httpStatus(code), headers, body: errorBody(code, message, o.rule) as unknown as Record<string, unknown>, refused: true };
}

/** The scope an idempotency key belongs to (src/external/idempotency.ts). */
function keyScope(c: IngressContext): string {
  if (c.caseId !== undefined) return `case:${c.caseId}`;
  return c.cert?.authorized ? `cert:${c.cert.sha256.replace(/:/g, '').toLowerCase()}` : `ip:${c.ip}`;
}

/** The JSON API's entry: the body fastify kept as bytes, the secret and key from the headers. */
export async function runIngress<V extends Allowed>(
  d: PipelineDeps, route: IngressRoute<V>, req: FastifyRequest, reply: FastifyReply, caseId?: string,
): Promise<FastifyReply> {
  const key = req.headers[IDEMPOTENCY_HEADER];
  const a = await ingest(d, route, {
    body: req.body as Buffer, ip: req.ip, socket: req.raw.socket as TLSSocket, idempotencyKey: typeof key === 'string' ? key : undefined,
    // The case secret comes in a header only: the body's exact bytes are sealed and cross to the
    // intranet, and the secret must not.
    secret: caseId !== undefined ? presentedSecret(req.headers) : null, caseId,
  });
  return reply.code(a.status).headers(a.headers).send(a.body);
}

/** The pipeline itself, for every entry (the JSON API, the portal's forms): one order of checks. */
export async function ingest<V extends Allowed>(d: PipelineDeps, route: IngressRoute<V>, input: IngressInput): Promise<IngressAnswer> {
  const { caseId } = input;
  // Paused intake or low disk: one comparison, before anything is read or written.
  const closed = d.intakeClosed?.();
  if (closed) return errorAnswer(closed.code, closed.detail, { retryAfterSeconds: closed.retryAfterSeconds });
  if (caseId !== undefined) {
    const a = d.access(caseId, input.secret, input.ip);
    if (!a.ok) return { status: a.status, headers: a.headers, body: a.body as unknown as Record<string, unknown>, refused: true };
  }
  const policy = d.policy();
  const cert = clientCert(input.socket);
  const from = clientDomain(policy, cert);
  if (!from.ok) {
    if (d.shouldRecordRefusal?.(input.ip, from.code, route.name) ?? true) d.log.warn({ stage: 'ingress', case: caseId, code: from.code, detail: from.detail, ip: input.ip }, `${route.name} refused`);
    return errorAnswer(from.code, from.detail);
  }
  const body = input.body;
  const c: IngressContext = { policy, from: from.value, cert, ip: input.ip, caseId, rule: undefined, bytes: body.length };
  const refuse = (r: Refusal): IngressAnswer => {
    // The budget first: a flood from one address costs a counter, not a row and a line per request.
    if (!(d.shouldRecordRefusal?.(input.ip, r.code, route.name) ?? true)) return errorAnswer(r.code, r.detail, { rule: r.rule, retryAfterSeconds: r.retryAfterSeconds, status: r.status });
    if (r.decision) d.recordDecision(false, route.name, { domain: c.from, ...(caseId ? { case: caseId } : {}), code: r.code, rule: r.rule ?? 'shape', detail: withoutQuotedInput(r.detail) });
    d.log.warn({ stage: 'ingress', case: caseId, domain: c.from, code: r.code, rule: r.rule, detail: r.detail, ip: input.ip }, `${route.name} refused`);
    return errorAnswer(r.code, r.detail, { rule: r.rule, retryAfterSeconds: r.retryAfterSeconds, status: r.status });
  };
  // Content-Type and Content-Length were checked by the parser; now what needs no parsing.
  if (route.kindBeforeParsing !== null) {
    const pre = beforeParsing(policy, d.limiter, { from: c.from, to: 'intranet', kind: route.kindBeforeParsing, bytes: c.bytes, sourceAddress: input.ip });
    if (!pre.ok) return refuse(pre.refusal);
    c.rule = pre.rule;
  }
  const key = input.idempotencyKey;
  const claim: Claim | null = key !== undefined
    ? d.idempotency.claim({ scope: keyScope(c), key, route: route.route, raw: body, nowMs: d.clock.now().getTime() }) : null;
  if (claim?.kind === 'repeat') {
    d.log.info({ stage: 'ingress', case: claim.answer.body['caseId'], domain: c.from }, `${route.name} repeated with its Idempotency-Key: first answer`);
    return answerOf(claim.answer);
  }
  if (claim?.kind === 'mismatch') return refuse(refusal('FERRY_ERR_API_IDEMPOTENCY_MISMATCH', `${IDEMPOTENCY_HEADER}: already used for a different request; use a new key for a new request`, undefined, false));
  if (claim?.kind === 'in-progress') {
    return refuse({ ...refusal('FERRY_ERR_API_IDEMPOTENCY_IN_PROGRESS', `${IDEMPOTENCY_HEADER}: a request with this key is still being processed`, undefined, false), retryAfterSeconds: IN_PROGRESS_RETRY_AFTER_S });
  }
  try {
    return await inspectAndFile(d, route, c, body, claim, refuse);
  } finally {
    if (claim?.kind === 'new') claim.release();
  }
}

async function inspectAndFile<V extends Allowed>(
  d: PipelineDeps, route: IngressRoute<V>, c: IngressContext, body: Buffer, claim: Claim | null,
  refuse: (r: Refusal) => IngressAnswer,
): Promise<IngressAnswer> {
  // Parsed and inspected in a worker; the gate runs here between the two, on what parsing found.
  const o = await d.inspect.run<Refusal>({
    kind: route.inspectKind, raw: body,
    gate: (p) => (p.kind !== route.inspectKind ? refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false) : route.gate(p, c)),
  });
  if (!o.ok) return refuse(notInspected(o));
  if (o.parsed.kind !== route.inspectKind) return refuse(refusal('FERRY_ERR_API_INTERNAL', 'parsed as the wrong kind', undefined, false));
  const raw = o.raw; // the request bytes came back from the worker
  const v = route.decide(o.parsed, c, raw, o.types);
  if (!v.ok) return refuse(v.refusal);
  d.log.info({ stage: 'policy', case: c.caseId, domain: c.from, kind: v.value.kind, rule: v.value.rule, decision: 'allow' }, `${route.name} allowed`);
  d.recordDecision(true, route.name, { domain: c.from, ...(c.caseId ? { case: c.caseId } : {}), kind: v.value.kind, rule: v.value.rule, ...v.value.audit });
  const now = d.clock.now();
  let first: FirstAnswer | null = null;
  const r = await route.intake(v.value, c, raw, now, (done) => {
    first = route.answer(done, v.value, now);
    if (claim?.kind === 'new') claim.remember(done.caseId, first, raw);
  });
  if (!r.ok || first === null) {
    d.log.warn({ stage: 'ingress', case: c.caseId, code: 'FERRY_ERR_API_UNAVAILABLE' }, `outbox full: ${route.name} refused`);
    return errorAnswer('FERRY_ERR_API_UNAVAILABLE', 'the gateway is busy; retry later', { retryAfterSeconds: 30 });
  }
  d.afterIntake();
  d.log.info({ stage: 'ingress', case: r.caseId, domain: c.from, kind: v.value.kind, rule: v.value.rule, ...v.value.log }, `${route.name} sealed`);
  return answerOf(first);
}

/** Codes a filing route can answer with, besides its own parser's: for its OpenAPI document. */
export const PIPELINE_CODES: readonly FerryErrorCode[] = [
  'FERRY_ERR_API_FIELD', 'FERRY_ERR_API_JSON', 'FERRY_ERR_API_MEDIA_TYPE', 'FERRY_ERR_API_TOO_LARGE', 'FERRY_ERR_API_BAD_ATTACHMENT',
  'FERRY_ERR_API_IDEMPOTENCY_KEY', 'FERRY_ERR_API_IDEMPOTENCY_MISMATCH', 'FERRY_ERR_API_IDEMPOTENCY_IN_PROGRESS',
  'FERRY_ERR_POLICY_CLIENT_CERT', 'FERRY_ERR_POLICY_DIRECTION', 'FERRY_ERR_POLICY_KIND', 'FERRY_ERR_POLICY_DOMAIN', 'FERRY_ERR_POLICY_TOO_LARGE',
  'FERRY_ERR_POLICY_ATTACHMENT_TYPE', 'FERRY_ERR_POLICY_ATTACHMENT_COUNT', 'FERRY_ERR_POLICY_ATTACHMENT_SIZE', 'FERRY_ERR_POLICY_RATE',
  'FERRY_ERR_API_BUSY', 'FERRY_ERR_API_UNAVAILABLE', 'FERRY_ERR_API_INTERNAL',
  'FERRY_ERR_OPS_INTAKE_PAUSED', 'FERRY_ERR_STORE_LOW_SPACE', 'FERRY_ERR_STORE_FULL', 'FERRY_ERR_STORE_UNAVAILABLE',
  // The attachment inspectors' refusals: each names the attachment.
  ...(Object.keys(ERRORS) as FerryErrorCode[]).filter((c) => c.split('_')[2] === 'CONTENT' && 'status' in ERRORS[c]),
];
