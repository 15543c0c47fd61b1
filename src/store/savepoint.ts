// Runs a delivery step inside a SAVEPOINT of the caller's transaction, so a step that refuses after
// writing (a case recorded, then the workflow refuses it) leaves nothing behind, while the rest of
// the batch still commits.
import type { Db } from './db.js';

class Refused<R> extends Error { constructor(readonly refusal: R) { super('refused'); } }

export function withSavepoint<R>(db: Db): (step: () => R | null) => R | null {
  const run = db.transaction((step: () => R | null) => {
    const r = step();
    if (r !== null) throw new Refused(r); // rolls the savepoint back
    return null;
  });
  return (step) => {
    try {
      return run(step);
    } catch (e) {
      if (e instanceof Refused) return e.refusal as R;
      throw e;
    }
  };
}
