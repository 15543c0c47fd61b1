// The pages' static files, read once at start and served by the gateway itself (the intranet has no
// internet, and the portal loads nothing from another origin). Names carry a hash of the content, so
// a browser may keep them for a year and a new release is never mixed with an old style sheet.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';

export interface Asset { readonly path: string; readonly type: string; readonly body: Buffer }

const TYPES: Readonly<Record<string, string>> = { css: 'text/css; charset=utf-8', js: 'text/javascript; charset=utf-8', svg: 'image/svg+xml' };

/** `web/assets/portal.css` → served at `/assets/portal.<8 hex of SHA-256>.css`. */
export function loadAsset(dir: string, name: string): Asset {
  const body = readFileSync(join(dir, name));
  const dot = name.lastIndexOf('.');
  const ext = name.slice(dot + 1);
  const type = TYPES[ext];
  if (!type) throw new Error(`web/assets/${name}: no media type known for .${ext}`);
  const hash = createHash('sha256').update(body).digest('hex').slice(0, 8);
  return { path: `/assets/${name.slice(0, dot)}.${hash}.${ext}`, type, body };
}

export function registerAssets(app: FastifyInstance, assets: readonly Asset[]): void {
  for (const a of assets) {
    app.get(a.path, { schema: { hide: true } }, async (_req, reply) => reply
      .header('content-type', a.type)
      .header('cache-control', 'public, max-age=31536000, immutable')
      .send(a.body));
  }
}
