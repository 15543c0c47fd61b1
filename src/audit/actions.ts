// The closed vocabulary of audit actions. A supervisor reading an export sees only these words, so a
// new kind of event is a new entry here (and in docs/OPERATIONS.md "Audit trail"), never free text.

export const AUDIT_ACTIONS = [
  'packet.in', // a packet was committed from the link (inbox)
  'packet.out', // a packet was sealed into the outbox
  'packet.refused', // a packet was refused and kept with its reason
  'policy.allow', // a domain-policy rule allowed a packet
  'policy.deny', // a domain-policy rule denied a packet
  'quarantine.release', // a quarantined item was released by staff
  'quarantine.reject', // a quarantined item was rejected by staff
  'rejected.retry', // an operator asked for another attempt at a packet that could not be opened
  'rejected.drop', // an operator gave up a packet that could not be opened (evidence kept)
  'outbox.retry', // an operator put packets the peer had refused back in the outbox
  'outbox.drop', // an operator gave up a held packet (with a reason); the case shows the loss
  'intake.pause', // an operator paused intake (`ferry intake pause`), or storage ran low
  'intake.resume', // intake reopened
  'refusal.summary', // refusals from one source address with one code, counted over a window
  'link.replay', // a replay after a restore was requested from the peer, or served to it (counts, any gap)
  'cert.change', // a certificate or key was installed, rotated or removed
  'config.change', // configuration or policy changed (seen at start or reload)
  'time.trust', // the trusted-time verdict changed (NTP quorum gained or lost)
  'gateway.start',
  'gateway.stop',
  'audit.anchor', // the chain head was anchored (signature or RFC 3161 token); see anchor.ts
  'staff.action', // an intranet user did something the approval core records
] as const;

export type AuditAction = (typeof AUDIT_ACTIONS)[number];

const ACTION_SET: ReadonlySet<string> = new Set(AUDIT_ACTIONS);

export function isAuditAction(s: string): s is AuditAction {
  return ACTION_SET.has(s);
}
