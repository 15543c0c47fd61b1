// Maps a key path as the schema reports it (`rules[4].kinds[1]`, `link.window`) back to the line of
// the YAML document it came from, so every config fault reads `config/internal.yaml:42: link.window: …`
// (gateway configs, `ferry policy check`). Uses the node ranges the `yaml` package keeps (parseDocument + LineCounter).
import { isMap, isSeq, isScalar, type Document, type LineCounter, type Node } from 'yaml';

export type PathSegment = string | number;

/** `rules[4].kinds[1]` → ['rules', 4, 'kinds', 1]. Keys with dots or brackets cannot be told
 *  apart from a path; they are located at their nearest parent, which is still the right area. */
export function splitPath(path: string): PathSegment[] {
  if (path === '' || path === '(top level)') return [];
  const out: PathSegment[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[[0-9]+\])*)$/.exec(part);
    if (!m) { out.push(part); continue; }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[([0-9]+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** Line (1-based) of the node the path names; for a missing key, the line of the deepest mapping or
 *  list that exists on the way (where the key should have been). A key's own line is used for a
 *  mapping entry, so `kinds:` followed by a block list points at `kinds:`. */
export function lineOf(doc: Document, counter: LineCounter, path: string): number {
  let node: unknown = doc.contents;
  let line = startLine(node, counter) ?? 1;
  for (const seg of splitPath(path)) {
    if (isMap(node)) {
      const pair = node.items.find((it) => (isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(seg));
      if (!pair) break;
      line = startLine(pair.key, counter) ?? line;
      node = pair.value;
      // A value on the same line as its key is where the fault is; a block value starts below.
      if (isScalar(node)) line = startLine(node, counter) ?? line;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg];
      if (item === undefined) break;
      line = startLine(item, counter) ?? line;
      node = item;
    } else break;
  }
  return line;
}

function startLine(node: unknown, counter: LineCounter): number | undefined {
  const range = (node as Node | null | undefined)?.range;
  return range ? counter.linePos(range[0]).line : undefined;
}
