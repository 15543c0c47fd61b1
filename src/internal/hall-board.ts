// What the hall board shows, from the desk: each open case (no personal data: desk-views.ts masks the
// number) and this month's red cards by department name.
import type { Catalogue } from '../approval/catalogue.js';
import { startOfLocalDay } from '../approval/index.js';
import { monthOf, type ApprovalDesk } from '../desk/index.js';
import type { Clock } from '../time/clock.js';
import type { BoardDeps } from '../web/board-routes.js';

export function hallBoard(desk: ApprovalDesk, catalogue: Catalogue, clock: Clock): BoardDeps {
  // Rebuilt when the catalogue is swapped (ferry catalogue import --apply): a new department's cards
  // show its name, not its code.
  let built: { items: Catalogue['items']; names: Map<string, string> } | undefined;
  const namesOf = () => {
    if (built?.items !== catalogue.items) {
      built = { items: catalogue.items, names: new Map(catalogue.items.flatMap((i) => [i.leadDepartment, ...i.parallelDepartments].map((d) => [d.code, d.name] as const))) };
    }
    return built.names;
  };
  return {
    board: () => desk.board(),
    redCardDepartments: () => {
      const since = startOfLocalDay(`${monthOf(clock.now())}-01`).toISOString();
      const names = namesOf();
      return desk.cards({ colour: 'red', since }).map((c) => names.get(c.department) ?? c.department);
    },
  };
}
