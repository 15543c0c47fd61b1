// Moved down to src/config/source-lines.ts: every config file (gateway configs and the policy) maps a
// key path to its line the same way.
export { lineOf, splitPath, type PathSegment } from '../config/source-lines.js';
