// Supervision settings: named defaults, and a strict parser for the block the integrator keeps in its
// own config file (e.g. internal.yaml → approval.supervision). Unknown keys are errors (STYLE 9).

import { ConfigNode, deepFreeze } from './config-node.js';

/** Yellow card (预警) once a task or case has used this share of its limit: 80 % leaves a day or more
 *  of warning on any limit of 5 working days or longer. */
export const DEFAULT_YELLOW_SHARE = 0.8;

/** Working days the window has, from receipt (or a supplement), to accept, notify or refuse.
 *  Administrative Licensing Law art. 32(4): a notice of missing materials is due on the spot or within
 *  five days, failing which the application counts as accepted on receipt. */
export const DEFAULT_ACCEPTANCE_DECISION_DAYS = 5;

export interface SupervisionSettings {
  /** In (0, 1): share of a limit after which a yellow card is raised. */
  readonly yellowShare: number;
  /** Working days allowed for the acceptance decision; later → yellow card. */
  readonly acceptanceDecisionDays: number;
}

export const DEFAULT_SUPERVISION_SETTINGS: SupervisionSettings = deepFreeze({
  yellowShare: DEFAULT_YELLOW_SHARE,
  acceptanceDecisionDays: DEFAULT_ACCEPTANCE_DECISION_DAYS,
});

/** Validate a decoded settings block (absent keys take the defaults). Throws FERRY_ERR_APPROVAL_SETTINGS
 *  naming `source` and the key. */
export function parseSupervisionSettings(value: unknown, source: string): SupervisionSettings {
  if (value === undefined || value === null) return DEFAULT_SUPERVISION_SETTINGS;
  const n = new ConfigNode(value, source, '', 'FERRY_ERR_APPROVAL_SETTINGS').object(['yellowShare', 'acceptanceDecisionDays']);
  const share = n.key('yellowShare');
  const days = n.key('acceptanceDecisionDays');
  const yellowShare = share.present ? share.number({ min: 0.01, max: 0.99 }) : DEFAULT_YELLOW_SHARE;
  return deepFreeze({
    yellowShare,
    acceptanceDecisionDays: days.present ? days.int({ min: 1, max: 60 }) : DEFAULT_ACCEPTANCE_DECISION_DAYS,
  });
}
