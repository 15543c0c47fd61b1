// Response headers every answer of an HTTPS listener carries (both gateways). Set in onSend so that
// errors, 404s and 503s carry them too; a route that sets its own (a page with its CSP, an asset
// with a cache lifetime) keeps its value.
import type { FastifyInstance } from 'fastify';

export const SECURITY_HEADERS: Readonly<Record<string, string>> = Object.freeze({
  // RFC 6797: HTTPS only for two years, subdomains too. Sent over HTTPS only (these listeners are).
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
  // No MIME sniffing: a case attachment or JSON body is never run as script or HTML.
  'x-content-type-options': 'nosniff',
  // Case data (status, receipts, staff views) must not sit in shared or browser caches (RFC 9111 §5.2.2.5).
  'cache-control': 'no-store',
  'referrer-policy': 'no-referrer',
  // Clickjacking: never framed (X-Frame-Options for old browsers, CSP frame-ancestors for the rest).
  'x-frame-options': 'DENY',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'cross-origin-resource-policy': 'same-origin',
});

export function addSecurityHeaders(app: FastifyInstance): void {
  app.addHook('onSend', async (_req, reply, payload) => {
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      if (!reply.hasHeader(name)) void reply.header(name, value);
    }
    return payload;
  });
}
