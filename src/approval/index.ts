// The approval core's public surface, for the internal gateway that wires it to its store and APIs.
// Pure throughout except loadCatalogue/loadCalendar, which read config files once at start.

export { loadCatalogue, catalogueFromSources, parseItem, findItem, MAX_LIMIT_DAYS, MAX_FEE_FEN, type Catalogue } from './catalogue.js';
export { involvedDepartments, chargingDepartmentOf, feeFen, type Item, type Department, type Material, type FormField, type Fee, type GreenChannel, type ItemMode, type ItemCategory } from './item.js';
export { validateForm, type FormValues } from './form.js';
export { publicView, formatFen } from './public-view.js';
export {
  loadCalendar, calendarFromYears, parseCalendarYear, isWorkingDay, addWorkingDays, workingDaysBetween, coveredThrough,
  type Calendar, type CalendarYear,
} from './calendar.js';
export { localDateOf, startOfLocalDay, endOfLocalDay, isLocalDate, type LocalDate } from './local-date.js';
export { TRANSITIONS, rowsFor, isAllowedStep, type Transition } from './transitions.js';
export { receive, apply, type CaseContext, type Applied, type Submission } from './case-machine.js';
export { parseCommand, type Command } from './command.js';
export type { CaseState, CaseStatus, Actor, Role, HistoryEntry, Task, Evaluation } from './case-state.js';
export { ENDED_STATES } from './case-state.js';
export type { OutboundEvent, OutboundEventType } from './events.js';
export { caseClock, taskClock, dueDate, dueInstant, usedDays, isLate, warningDay, type Clocked } from './deadlines.js';
export { queueEntry, orderQueue, compareQueueEntries, type QueueEntry } from './queue.js';
export { inspect, nextDeadline, refusedFeeCard, type Card, type CardKind, type CardColour } from './supervision.js';
export { supervisionSettings, DEFAULT_SUPERVISION_SETTINGS, DEFAULT_YELLOW_SHARE, DEFAULT_ACCEPTANCE_DECISION_DAYS, type SupervisionSettings } from './settings.js';
export { monthlyReport, type DepartmentMonth } from './monthly-report.js';
export { evaluate, type EvaluationInput } from './evaluation.js';
