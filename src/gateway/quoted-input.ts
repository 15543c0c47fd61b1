// Refusal details name the field, the rule and the position; when one quotes what the client sent
// (a file name, a zip member's name, a key), the quote is the client's data. Logs and the append-only
// audit chain keep the detail with every quoted span replaced, so personal data in a name never
// becomes permanent; the applicant's own HTTP answer may still show it to them.

const QUOTED = /"(?:[^"\\]|\\.){0,1000}"/g;
/** A detail is bounded too: a log line or an audit entry is not a place for a whole message. */
export const MAX_DETAIL_CHARS = 500;

export function withoutQuotedInput(detail: string): string {
  return detail.slice(0, 4 * MAX_DETAIL_CHARS).replace(QUOTED, '"…"').slice(0, MAX_DETAIL_CHARS);
}
