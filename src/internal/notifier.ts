// Sends applicant notifications to the configured SMS gateway webhook: POST JSON with the applicant's
// phone and the message, Idempotency-Key = event id (a retry after a lost answer is not a second SMS at
// a well-behaved gateway). Retried with capped exponential backoff and jitter; after maxAttempts the
// row is marked failed and logged. Runs beside the workflow, never in its way.
import type { Db } from '../store/db.js';
import type { Notifications } from './store/notifications.js';
import type { Logger } from '../gateway/logger.js';
import type { OutboundEvent } from '../approval/events.js';

export interface NotifyConfig { url: string; timeoutMs: number; maxAttempts: number; backoffBaseMs: number; backoffCapMs: number }

/** Which events an applicant is told about at once, and the text (no staff names, no internals). */
export function notificationText(e: OutboundEvent): string | null {
  switch (e.type) {
    case 'accepted': return `您的申请（${e.caseId}）已受理，承诺办结日期 ${e.dueDate}。`;
    case 'notice': return `您的申请（${e.caseId}）需补正材料：${e.materials.map((m) => m.name).join('、')}。请一次性补齐。`;
    case 'not-accepted': return `您的申请（${e.caseId}）不予受理：${e.reason}`;
    case 'fee-due': return `您的申请（${e.caseId}）应缴费用 ${(e.amountFen / 100).toFixed(2)} 元（${e.legalBasis}）。`;
    case 'decision': return `您的申请（${e.caseId}）已作出${e.outcome === 'approved' ? '准予许可' : '不予许可'}决定。`;
    case 'result-ready': return `您的申请（${e.caseId}）办理结果已出具，${e.delivery === 'online' ? '可在线领取' : '请到窗口领取'}。`;
    case 'closed': return e.outcome === 'withdrawn' ? `您的申请（${e.caseId}）已撤回。` : `您的申请（${e.caseId}）已办结，请对本次服务作出评价。`;
    default: return null;
  }
}

export function startNotifier(o: {
  db: Db; queue: Notifications; cfg: NotifyConfig; log: Logger; phoneOf: (caseId: string) => string | null; intervalMs?: number;
}): { stop(): void; tick(): Promise<void> } {
  let running = false;
  const tick = async () => {
    if (running || !o.cfg.url) return;
    running = true;
    try {
      for (const n of o.queue.due(Date.now(), 32)) {
        const phone = o.phoneOf(n.caseId);
        if (!phone) { o.queue.failed(n.eventId, 'no phone number on the case'); continue; }
        let error: string | null = null;
        try {
          const res = await fetch(o.cfg.url, {
            method: 'POST', signal: AbortSignal.timeout(o.cfg.timeoutMs),
            headers: { 'content-type': 'application/json', 'idempotency-key': n.eventId },
            body: JSON.stringify({ to: phone, message: n.message, caseId: n.caseId, event: n.type, eventId: n.eventId }),
          });
          if (res.status < 200 || res.status >= 300) error = `HTTP ${res.status}`;
          await res.body?.cancel();
        } catch (e) {
          error = (e as Error).name === 'TimeoutError' ? `timeout after ${o.cfg.timeoutMs} ms` : (e as Error).message;
        }
        if (!error) { o.queue.sent(n.eventId, Date.now()); o.log.info({ stage: 'notify', case: n.caseId, event: n.type }, 'notification sent'); continue; }
        if (n.attempts + 1 >= o.cfg.maxAttempts) {
          o.queue.failed(n.eventId, error);
          o.log.error({ stage: 'notify', case: n.caseId, event: n.type, attempts: n.attempts + 1, err: error }, 'notification given up');
          continue;
        }
        const ceiling = Math.min(o.cfg.backoffCapMs, o.cfg.backoffBaseMs * 2 ** Math.min(n.attempts, 20));
        o.queue.retry(n.eventId, Date.now() + Math.floor(ceiling / 2 + Math.random() * (ceiling / 2)), error);
        o.log.warn({ stage: 'notify', case: n.caseId, event: n.type, attempt: n.attempts + 1, err: error }, 'notification failed; will retry');
      }
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => { void tick(); }, o.intervalMs ?? 500);
  return { stop: () => clearInterval(timer), tick };
}
