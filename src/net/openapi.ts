// Declared HTTP APIs: each route's TypeBox schemas validate its parameters, headers, query and (where
// fastify parses it) body, and the same schemas make the OpenAPI 3.1 document served at
// GET /api/v1/openapi.json (@fastify/swagger), so a county's portal can integrate from the document
// alone.
//
// Validation keeps Ferry's own error format: a failing value answers with a stable FERRY_ERR_* code
// and a message that names the field, `<field>: <what it must be>`. The "what" is the schema's
// `x-ferry-refusal` (an OpenAPI specification extension, so it travels into the document), the code
// its `x-ferry-code` or the listener's field code. A body marked `x-ferry-checked-by` is documented
// here but checked by Ferry's own parser (exact bytes kept, messages naming the field), not twice.
import type { FastifyInstance, FastifySchema, FastifySchemaCompiler } from 'fastify';
import swagger from '@fastify/swagger';
import { Compile } from 'typebox/compile';
import { Type, type TSchema } from 'typebox';
import { ERRORS, FerryError, httpStatus, type FerryErrorCode } from '../errors.js';

export const OPENAPI_PATH = '/api/v1/openapi.json';
export const REFUSAL = 'x-ferry-refusal';
export const CODE = 'x-ferry-code';
export const CHECKED_BY = 'x-ferry-checked-by';

type Node = Record<string, unknown>;
interface SchemaError { keyword: string; schemaPath: string; instancePath: string; params: Record<string, unknown>; message: string }

const HEADER_CASE = (h: string) => h.replace(/(^|-)([a-z])/g, (_m, d: string, c: string) => d + c.toUpperCase());

/** The first failure as Ferry words it: the deepest schema on the failing path that carries a refusal. */
export function describeFailure(root: Node, part: string, e: SchemaError): { field: string; refusal: string; code: FerryErrorCode | undefined } {
  const segments = e.schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const missing = e.keyword === 'required' ? (e.params['requiredProperties'] as string[] | undefined)?.[0] : undefined;
  if (missing !== undefined) segments.push('properties', missing);
  let node: unknown = root;
  let field = part === 'body' ? 'body' : '';
  let best: { field: string; node: Node } | null = typeof root[REFUSAL] === 'string' ? { field, node: root } : null;
  for (let i = 0; i < segments.length && node && typeof node === 'object'; i++) {
    node = (node as Node)[segments[i]!];
    if (segments[i - 1] === 'properties') field = segments[i]!;
    if (node && typeof node === 'object' && typeof (node as Node)[REFUSAL] === 'string') best = { field, node: node as Node };
  }
  const name = (f: string) => (part === 'headers' ? HEADER_CASE(f) : f || part);
  if (best) return { field: name(best.field), refusal: best.node[REFUSAL] as string, code: best.node[CODE] as FerryErrorCode | undefined };
  const leaf = e.instancePath.split('/').filter(Boolean).pop() ?? missing ?? '';
  return { field: name(leaf), refusal: e.message, code: undefined };
}

/** A validator compiler on TypeBox's own compiler whose failures are FerryErrors (400 + field code). */
export function ferryValidatorCompiler(fieldCode: FerryErrorCode): FastifySchemaCompiler<TSchema> {
  return ({ schema, httpPart }) => {
    if (typeof (schema as Node)[CHECKED_BY] === 'string') return (value: unknown) => ({ value });
    const check = Compile(schema);
    return (value: unknown) => {
      if (check.Check(value)) return { value };
      const first = check.Errors(value)[0] as SchemaError | undefined;
      const f = first ? describeFailure(schema as Node, httpPart ?? 'body', first) : { field: httpPart ?? 'body', refusal: 'is not valid', code: undefined };
      return { error: new FerryError(f.code ?? fieldCode, `${f.field}: ${f.refusal}`) };
    };
  };
}

/** The error body every Ferry API answers with, narrowed to the codes one status can carry. */
function errorSchema(codes: readonly FerryErrorCode[]) {
  return Type.Object({
    error: Type.Object({
      code: Type.Union(codes.map((c) => Type.Literal(c))),
      message: Type.String({ description: 'names the field or rule; never quotes the request' }),
      rule: Type.Optional(Type.String({ description: 'the policy rule that decided' })),
    }),
  }, { description: codes.map((c) => `${c}: ${ERRORS[c].meaning}`).join('\n') });
}

/** Response schemas for a route's error codes, grouped by the status each code answers with. */
export function errorResponses(codes: readonly FerryErrorCode[]): Record<number, TSchema> {
  const byStatus = new Map<number, FerryErrorCode[]>();
  for (const c of new Set(codes)) {
    const s = httpStatus(c);
    byStatus.set(s, [...(byStatus.get(s) ?? []), c]);
  }
  return Object.fromEntries([...byStatus].map(([s, cs]) => [s, errorSchema(cs)]));
}

/** Registers the document generator (before any route, so every route is seen), keeps fastify's
 *  output byte-for-byte as without response schemas, and serves the document. */
export async function declareApi(app: FastifyInstance, o: { title: string; description: string; fieldCode: FerryErrorCode }): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: o.title, description: o.description, version: '1' },
    },
  });
  app.setValidatorCompiler(ferryValidatorCompiler(o.fieldCode));
  // Response schemas document; they must not reshape an answer (fast-json-stringify drops unknown keys).
  app.setSerializerCompiler(() => (data: unknown) => JSON.stringify(data));
  const doc: FastifySchema = {
    summary: 'This document (OpenAPI 3.1)',
    response: { 200: Type.Object({ openapi: Type.Literal('3.1.0') }, { description: 'the OpenAPI 3.1 document of this listener' }) },
  };
  app.get(OPENAPI_PATH, { schema: doc }, async (_req, reply) =>
    reply.header('cache-control', 'no-cache').send(app.swagger()));
}
