// Supervision settings: their named defaults and type. The `approval.supervision` block of internal.yaml
// is declared and validated with the rest of the config (src/config/approval-section.ts); the desk fills
// absent keys from these defaults (desk/settings.ts), so the core only ever receives checked values.

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

export const DEFAULT_SUPERVISION_SETTINGS: SupervisionSettings = Object.freeze({
  yellowShare: DEFAULT_YELLOW_SHARE,
  acceptanceDecisionDays: DEFAULT_ACCEPTANCE_DECISION_DAYS,
});

/** Settings from a validated block: each absent key takes its default. */
export function supervisionSettings(block: { readonly yellowShare?: number | undefined; readonly acceptanceDecisionDays?: number | undefined } = {}): SupervisionSettings {
  return Object.freeze({
    yellowShare: block.yellowShare ?? DEFAULT_YELLOW_SHARE,
    acceptanceDecisionDays: block.acceptanceDecisionDays ?? DEFAULT_ACCEPTANCE_DECISION_DAYS,
  });
}
