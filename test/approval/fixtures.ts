// Shared test fixtures: the shipped sample catalogue and calendars, an injected trusted clock, actors,
// and a driver that runs a list of commands and fails loudly if any is refused.

import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { loadCalendar } from '../../src/approval/calendar.js';
import { apply, receive, type Applied, type Submission } from '../../src/approval/case-machine.js';
import { loadCatalogue } from '../../src/approval/catalogue.js';
import type { Actor, CaseState } from '../../src/approval/case-state.js';
import type { Command } from '../../src/approval/command.js';
import type { OutboundEvent } from '../../src/approval/events.js';
import type { Item } from '../../src/approval/item.js';
import type { Verdict } from '../../src/errors.js';

export const ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const calendar = loadCalendar(`${ROOT}config/calendar`);
export const catalogue = loadCatalogue(`${ROOT}config/items`);

export function item(code: string): Item {
  const i = catalogue.byCode[code];
  if (!i) throw new Error(`no sample item ${code}`);
  return i;
}

/** County time (UTC+8): cst('2026-02-13T10:00') is 10:00 in the county. */
export function cst(local: string): Date {
  return new Date(`${local}${local.length === 10 ? 'T00:00' : ''}:00+08:00`);
}

/** An injected trusted clock that tests move by hand. */
export class TestClock {
  private t: Date;
  constructor(start: string) { this.t = cst(start); }
  now(): Date { return new Date(this.t); }
  set(local: string): Date { this.t = cst(local); return this.now(); }
}

export const applicant: Actor = { role: 'applicant', id: 'applicant-1' };
export const window = (dept: string, id = `win-${dept}`): Actor => ({ role: 'window', id, department: dept });
export const officer = (dept: string, id = `${dept}-a`): Actor => ({ role: 'officer', id, department: dept });
export const chief = (dept: string): Actor => ({ role: 'chief', id: `chief-${dept}`, department: dept });
/** A cashier of `dept` (only the item's charging department's cashier may record its fee). */
export const cashier = (dept: string, id = 'cashier-1'): Actor => ({ role: 'cashier', id, department: dept });
export const supervisor: Actor = { role: 'supervisor', id: 'sup-1', department: 'supervision' };

/** A/B assignments for every involved department: <dept>-a and <dept>-b. */
export function assignments(it: Item): Record<string, { a: string; b: string }> {
  return Object.fromEntries([it.leadDepartment, ...it.parallelDepartments].map((d) => [d.code, { a: `${d.code}-a`, b: `${d.code}-b` }]));
}

export const FORMS: Record<string, Record<string, unknown>> = {
  'SCJG-001': {
    companyName: '青溪县明远农业科技有限公司', companyType: '有限责任公司', registeredCapital: 100,
    legalRepresentative: '王明', legalRepresentativeIdNo: '33012319800101123X', businessScope: '农业技术推广服务', address: '青溪县城关镇解放路12号',
  },
  'FGW-002': { projectName: '青溪县滨江花园住宅项目', site: '青溪县城关镇', scale: '住宅12栋，建筑面积8万平方米', totalInvestment: 32000, industry: '房地产业', plannedStart: '2026-12-01' },
  'BDC-003': { transferee: '李华', transfereeIdNo: '330123199002021234', propertyAddress: '青溪县城关镇人民路8号2幢301室', certificateNo: '浙(2016)青溪县不动产权第0001234号', floorArea: 96.5, transferType: '买卖' },
  'SPJY-004': { operatorName: '青溪县石门乡好味小吃店', businessType: '餐饮服务经营者', premisesAddress: '石门乡石门街5号', premisesArea: 40, township: '石门乡便民服务中心' },
};

export function submission(code: string, over: Partial<Submission> = {}): Submission {
  return { caseId: `C-${code}`, applicantId: applicant.id, form: FORMS[code], materials: item(code).materials.map((m) => m.id), ...over };
}

export function ok<T>(v: Verdict<T>): T {
  if (!v.ok) throw new Error(`refused: ${v.code}: ${v.detail}`);
  return v.value;
}

export function refused<T>(v: Verdict<T>, code: string, detail?: RegExp): void {
  expect(v.ok ? 'accepted' : v.code).toBe(code);
  if (detail && !v.ok) expect(v.detail).toMatch(detail);
}

/** Receive a case at `at`. */
export function received(code: string, at: string, over: Partial<Submission> = {}): CaseState {
  return ok(receive(item(code), submission(code, over), { now: cst(at), actor: applicant })).next;
}

export type StepSpec = [at: string, actor: Actor, command: Command];

/** Run steps in order; every one must be allowed. Returns the final state and all events. */
export function run(c: CaseState, steps: readonly StepSpec[]): { c: CaseState; events: OutboundEvent[] } {
  const events: OutboundEvent[] = [];
  for (const [at, actor, command] of steps) {
    const r: Applied = ok(apply(c, command, { now: cst(at), actor, calendar }));
    c = r.next;
    events.push(...r.events);
  }
  return { c, events };
}

export function step(c: CaseState, at: string, actor: Actor, command: unknown): Verdict<Applied> {
  return apply(c, command, { now: cst(at), actor, calendar });
}
