// A pipeline refusal, placed on the form that caused it: the API's message names the field
// (`fields.companyName: is required`, `applicant.phone: …`, `score: …`) or the attachment by position
// (`attachments[2]: …`, never by file name: refusals reach logs). The page knows which file input each
// position came from, so it shows the message next to that input with the file's name. The words are
// the API's own, with its code, so an applicant and a support desk read the same thing.
import type { FerryErrorCode } from '../errors.js';

export interface PlacedErrors {
  /** Input name → message, shown next to that input. */
  readonly byField: ReadonlyMap<string, string>;
  /** Messages that belong to no one input (a rate limit, a busy gateway). */
  readonly general: readonly string[];
  readonly code: FerryErrorCode;
}

const FIELD_PATH = /^(fields\.[A-Za-z][A-Za-z0-9_]{0,63}|applicant\.[A-Za-z]{1,16}|score|comment|reason|materials(?:\[\d+\])?|type)(?::\s*|\s)(.*)$/s;
const ATTACHMENT = /attachments\[(\d+)\](?:\.[A-Za-z]+)?:?\s*/;

/** Places one refusal. `files[i]` is the input and name of the request's attachments[i]. */
export function placeErrors(
  code: FerryErrorCode, message: string, files: readonly { field: string; fileName: string }[], at?: { field?: string; fileName?: string },
): PlacedErrors {
  const byField = new Map<string, string>();
  const general: string[] = [];
  // A refusal found while reading the form already knows its input (a file too large).
  if (at?.field) {
    byField.set(at.field, `${at.fileName ? `${at.fileName}：` : ''}${message}（${code}）`);
    return { byField, general, code };
  }
  // A form refusal lists every bad field at once, joined by '; '.
  for (const one of message.split('; ')) {
    const a = ATTACHMENT.exec(one);
    const file = a ? files[Number(a[1])] : undefined;
    if (file) {
      byField.set(file.field, `${file.fileName}：${one.replace(ATTACHMENT, '')}（${code}）`);
      continue;
    }
    const f = FIELD_PATH.exec(one);
    if (f) {
      const name = f[1]!.replace(/\[\d+\]$/, '');
      byField.set(name, `${f[2] || one}（${code}）`);
      continue;
    }
    general.push(`${one}（${code}）`);
  }
  return { byField, general, code };
}
