// The pages' wording, one file per language (web/strings/<lang>.yaml), so a county changes text
// without touching code. Checked once at start: every key present, none unknown, and each text keeps
// the {placeholders} its page fills in — a county's edit that drops one fails at start, naming the
// file and key, instead of showing applicants a half-filled sentence.
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { FerryError } from '../errors.js';

/** Every key the pages use, with the placeholders its text must keep. */
export const STRING_KEYS = {
  'site.title': [], 'site.skip': [], 'site.footer': [],
  'nav.home': [], 'nav.items': [], 'nav.case': [],
  'home.heading': [], 'home.lead': [],
  'search.label': [], 'search.placeholder': [], 'search.button': [],
  'browse.byDepartment': [], 'browse.byCategory': [], 'browse.itemCount': ['n'],
  'category.administrative-permit': [], 'category.filing': [], 'category.public-service': [],
  'items.heading': [], 'items.count': ['n'], 'items.none': [], 'items.filterDepartment': ['name'],
  'items.filterCategory': ['name'], 'items.filterQuery': ['q'], 'items.clear': [], 'items.prev': [],
  'items.next': [], 'items.page': ['page', 'pages'],
  'item.code': [], 'item.category': [], 'item.department': [], 'item.parallel': [], 'item.mode': [],
  'item.basis': [], 'item.conditions': [], 'item.materials': [], 'item.tolerable': ['days'],
  'item.tolerableNoLimit': [], 'item.procedure': [], 'item.limits': [], 'item.statutory': ['days'],
  'item.statutoryNone': [], 'item.promised': ['days'], 'item.sameDay': [], 'item.green': ['days'],
  'item.fee': [], 'item.feeBasis': ['basis'], 'item.result': [], 'item.notFoundTitle': [],
  'item.notFoundBody': ['code'],
  'catalogue.unavailableTitle': [], 'catalogue.unavailableBody': [],
  'case.heading': [], 'case.lead': [], 'case.caseId': [], 'case.secret': [], 'case.lookup': [], 'case.refused': [],
  'case.badForm': [], 'case.throttled': ['seconds'], 'case.status': [], 'case.submittedAt': [], 'case.receivedAt': [],
  'case.timeline': [], 'case.receipt': [], 'case.receiptDownload': [], 'case.receiptNone': [], 'case.receiptVerify': [],
  'case.resultDownload': [], 'case.noticeHeading': [], 'case.noticePaused': [], 'case.feeDue': ['amount', 'basis'],
  'case.decisionApproved': [], 'case.decisionDenied': [], 'case.notAcceptedReason': ['reason'], 'case.dueDate': ['date'],
  'status.submitted': [], 'status.received': [], 'status.accepted': [], 'status.notice-issued': [], 'status.supplemented': [],
  'status.not-accepted': [], 'status.under-review': [], 'status.decided-approved': [], 'status.decided-denied': [],
  'status.result-issued': [], 'status.closed': [], 'status.withdrawn': [], 'status.delayed': [], 'status.other': ['status'],
  'board.title': [], 'board.updated': ['time'], 'board.summary': [], 'board.department': [], 'board.open': [],
  'board.overdue': [], 'board.onTime': [], 'board.redCards': [], 'board.cases': [], 'board.ref': [], 'board.item': [],
  'board.status': [], 'board.days': [], 'board.none': [], 'board.green': [],
  'workbench.title': [], 'workbench.skip': [], 'workbench.nav': [], 'workbench.queue': [], 'workbench.supervision': [],
  'workbench.supervisionLink': [], 'workbench.signedInAs': ['name', 'department'], 'workbench.logout': [],
  'workbench.back': [], 'workbench.errorCode': ['code'], 'workbench.refusedTitle': [], 'workbench.login': [],
  'workbench.name': [], 'workbench.password': [], 'workbench.loginButton': [], 'workbench.loginFailed': [],
  'workbench.throttled': [], 'workbench.csrfRefused': [], 'workbench.forbidden': [], 'workbench.notYourCase': [],
  'workbench.unknownStep': [], 'workbench.count': ['n'], 'workbench.empty': [], 'workbench.caseId': [],
  'workbench.item': [], 'workbench.status': [], 'workbench.due': [], 'workbench.green': [], 'workbench.amount': [],
  'workbench.toAccept': [], 'workbench.toFinish': [], 'workbench.toDecide': [], 'workbench.fees': [],
  'workbench.tasks': [], 'workbench.ab': [], 'workbench.roleA': [], 'workbench.roleB': ['a'],
  'workbench.roleNone': ['a', 'b'], 'workbench.daysLeft': [], 'workbench.daysOf': ['left', 'limit'],
  'workbench.dueDate': [], 'workbench.colourNow': [], 'workbench.heading': [], 'workbench.colour.green': [],
  'workbench.colour.yellow': [], 'workbench.colour.red': [], 'workbench.case': [], 'workbench.receivedAt': [],
  'workbench.channel': [], 'workbench.online': [], 'workbench.township': ['name'], 'workbench.applicant': [],
  'workbench.applicantName': [], 'workbench.idNumber': [], 'workbench.phone': [], 'workbench.email': [],
  'workbench.formFields': [], 'workbench.actions': [], 'workbench.noActions': [], 'workbench.materials': [],
  'workbench.material': [], 'workbench.file': [], 'workbench.mediaType': [], 'workbench.size': [],
  'workbench.other': [], 'workbench.notHeld': [], 'workbench.outstanding': [], 'workbench.missing': [],
  'workbench.missingReason': [], 'workbench.deadlines': [], 'workbench.clock': [], 'workbench.caseClock': [],
  'workbench.taskDone': [], 'workbench.used': [], 'workbench.state': [], 'workbench.late': [], 'workbench.onTime': [],
  'workbench.noClock': [], 'workbench.history': [], 'workbench.time': [], 'workbench.event': [], 'workbench.actor': [],
  'workbench.reasonCol': [], 'workbench.theApplicant': [], 'workbench.cards': [], 'workbench.noCards': [],
  'workbench.detail': [], 'workbench.reason': [], 'workbench.reasonRequired': [], 'workbench.assignments': [],
  'workbench.officerA': [], 'workbench.officerB': [], 'workbench.tolerance': [], 'workbench.commitBy': [],
  'workbench.noticeMaterials': [], 'workbench.noticeReason': [], 'workbench.verdict': [], 'workbench.approve': [],
  'workbench.deny': [], 'workbench.feeAt': ['amount'], 'workbench.reference': [], 'workbench.documentNo': [],
  'workbench.originalsChecked': [], 'workbench.doneStep': ['step'], 'workbench.do.accept': [],
  'workbench.do.notify': [], 'workbench.do.refuse': [], 'workbench.do.resume-review': [],
  'workbench.do.give-opinion': [], 'workbench.do.decide': [], 'workbench.do.record-payment': [],
  'workbench.do.issue-result': [], 'workbench.do.close': [], 'workbench.month': [], 'workbench.show': [],
  'workbench.report': ['month'], 'workbench.noReport': [], 'workbench.chartOnTime': ['month'],
  'workbench.chartCards': ['month'], 'workbench.department': [], 'workbench.decided': [],
  'workbench.decisionsOnTime': [], 'workbench.avgDays': [], 'workbench.reviews': [], 'workbench.reviewsOnTime': [],
  'workbench.avgScore': [],
  'error.badQueryTitle': [], 'error.badQueryBody': [], 'error.notFoundTitle': [], 'error.notFoundBody': [],
  // The filing page, the page after filing and the case page's actions (src/web/filing-*.ts, case-page.ts).
  'filing.start': [], 'filing.heading': ['name'], 'filing.lead': [], 'filing.applicant': [], 'filing.applicantType': [],
  'filing.person': [], 'filing.enterprise': [], 'filing.name': [], 'filing.idNumber': [], 'filing.phone': [], 'filing.email': [],
  'filing.optional': [], 'filing.form': [], 'filing.materials': [], 'filing.materialsLead': [], 'filing.submit': [],
  'filing.refused': [], 'filing.progress': ['name'], 'filing.busy': [],
  'filed.heading': [], 'filed.lead': [], 'filed.secretOnce': [], 'filed.item': [], 'filed.imprint': [], 'filed.print': [],
  'filed.view': [], 'filed.receiptLater': [],
  'caseAction.supplementHeading': [], 'caseAction.supplementLead': [], 'caseAction.supplementSubmit': [], 'caseAction.reason': [],
  'caseAction.withdrawHeading': [], 'caseAction.withdrawLead': [], 'caseAction.withdrawConfirm': [], 'caseAction.withdrawSubmit': [],
  'caseAction.confirmMissing': [], 'caseAction.evaluateHeading': [], 'caseAction.score': [], 'caseAction.scoreValue': ['n'],
  'caseAction.comment': [], 'caseAction.evaluateSubmit': [], 'caseAction.evaluated': ['score'], 'caseAction.alreadyEvaluated': [],
  'caseAction.supplementSent': [], 'caseAction.withdrawSent': [], 'caseAction.evaluateSent': [], 'caseAction.refused': [],
  'case.receiptVerifyDigest': [],
  'kiosk.title': [], 'kiosk.lead': [], 'kiosk.home': [], 'kiosk.idle': ['seconds'], 'kiosk.toFile': [],
} as const satisfies Record<string, readonly string[]>;

export type StringKey = keyof typeof STRING_KEYS;

/** Text for a key with its {placeholders} filled; the page escapes the result like any other text. */
export type Translate = (key: StringKey, vars?: Readonly<Record<string, string | number>>) => string;

function flatten(node: unknown, prefix: string, out: Map<string, unknown>): void {
  if (node !== null && typeof node === 'object' && !Array.isArray(node)) {
    for (const [k, v] of Object.entries(node)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.set(prefix, node);
}

function refuse(file: string, what: string): never {
  throw new FerryError('FERRY_ERR_CONFIG', `${file}: ${what}`);
}

export function parseStrings(text: string, file: string): Translate {
  const flat = new Map<string, unknown>();
  let doc: unknown;
  try { doc = parse(text); } catch (e) { refuse(file, `not valid YAML: ${(e as Error).message}`); }
  flatten(doc, '', flat);
  for (const key of flat.keys()) if (!(key in STRING_KEYS)) refuse(file, `unknown key ${key} (the keys are listed in src/web/strings.ts)`);
  const texts = new Map<string, string>();
  for (const [key, needs] of Object.entries(STRING_KEYS)) {
    const v = flat.get(key);
    if (typeof v !== 'string' || v.trim() === '') refuse(file, `${key}: missing or not a text`);
    for (const p of needs) if (!v.includes(`{${p}}`)) refuse(file, `${key}: the text must keep the placeholder {${p}}`);
    texts.set(key, v);
  }
  return (key, vars = {}) => texts.get(key)!.replace(/\{(\w+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m));
}

export function loadStrings(file: string): Translate {
  let text: string;
  try { text = readFileSync(file, 'utf8'); } catch (e) { refuse(file, `cannot be read: ${(e as NodeJS.ErrnoException).code ?? String(e)}`); }
  return parseStrings(text, file);
}
