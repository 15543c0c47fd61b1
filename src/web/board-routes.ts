// The hall board on the intranet listener: GET /board (the page) and GET /board/events (server-sent
// events: the board's version, sent on connect and whenever it changes). A screen that loses the
// gateway (restart) reconnects by itself and reloads if the board moved meanwhile.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import type { ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { loadAsset, registerAssets } from './assets.js';
import { boardPage, departmentLines, type BoardCase } from './board-page.js';
import { PAGE_CSP } from './layout.js';
import { loadStrings } from './strings.js';
import { webDir } from './web-root.js';

export interface BoardDeps {
  board(): { at: string; cases: readonly BoardCase[] };
  /** The department (display name) of each red card not yet resolved. */
  redCardDepartments(): readonly string[];
  webDir?: string;
  /** How often the events stream looks for a change (the board updates within this). */
  pollMs?: number;
}

/** Checked once a second: a screen shows a decision within about a second of it. */
export const BOARD_POLL_MS = 1000;
/** A comment line now and then keeps proxies and the screen's browser from closing an idle stream. */
const KEEPALIVE_MS = 15_000;

function snapshot(d: BoardDeps) {
  const b = d.board();
  const red = d.redCardDepartments();
  const version = createHash('sha256').update(JSON.stringify([b.cases, red])).digest('hex').slice(0, 16);
  return { at: new Date(b.at), cases: b.cases, red, version };
}

export function registerBoard(app: FastifyInstance, d: BoardDeps): void {
  const dir = d.webDir ?? webDir();
  const assets = { css: loadAsset(join(dir, 'assets'), 'board.css'), js: loadAsset(join(dir, 'assets'), 'board.js'), icon: loadAsset(join(dir, 'assets'), 'favicon.svg') };
  registerAssets(app, [assets.css, assets.js, assets.icon]);
  const t = loadStrings(join(dir, 'strings', 'zh-CN.yaml'));
  const hide = { schema: { hide: true } } as const;

  app.get('/board', hide, async (_req, reply) => {
    const s = snapshot(d);
    const body = boardPage(t, { stylesheet: assets.css.path, script: assets.js.path, icon: assets.icon.path }, s.at, s.version, s.cases, departmentLines(s.cases, s.red));
    return reply.header('content-type', 'text/html; charset=utf-8').header('content-security-policy', PAGE_CSP).send(body);
  });

  // One poller serves every open screen (the board is read once a tick, not once per screen), runs
  // only while a screen is connected, and ends the streams when the gateway closes (else a screen on
  // the wall would hold its shutdown); the screens reconnect to the next process by themselves.
  const streams = new Set<ServerResponse>();
  let last = '';
  let quiet = 0;
  let timer: NodeJS.Timeout | null = null;
  const tick = () => {
    const v = snapshot(d).version;
    if (v !== last) { last = v; quiet = 0; for (const res of streams) res.write(`data: ${v}\n\n`); }
    else if ((quiet += d.pollMs ?? BOARD_POLL_MS) >= KEEPALIVE_MS) { quiet = 0; for (const res of streams) res.write(': keep-alive\n\n'); }
  };
  app.addHook('preClose', async () => { if (timer) clearInterval(timer); for (const res of streams) res.end(); });
  app.get('/board/events', hide, (req, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
    // A new screen gets the current version at once (it compares it with the page it loaded).
    if (timer) res.write(`data: ${last}\n\n`);
    streams.add(res);
    if (!timer) { last = ''; tick(); timer = setInterval(tick, d.pollMs ?? BOARD_POLL_MS); }
    req.raw.on('close', () => {
      streams.delete(res);
      if (streams.size === 0 && timer) { clearInterval(timer); timer = null; }
    });
  });
}
