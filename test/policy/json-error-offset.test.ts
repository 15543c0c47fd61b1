// The JSON fault position: agrees with JSON.parse on what is JSON, points at the fault, and the
// refusal built from it never repeats a byte of the body.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { invalidJsonMessage, jsonErrorOffset } from '../../src/policy/json-error-offset.js';
import { parseJsonBody } from '../../src/policy/submission-shape.js';
import { parseApplicantAction } from '../../src/policy/applicant-action.js';

const parses = (s: string) => { try { JSON.parse(s); return true; } catch { return false; } };

describe('jsonErrorOffset', () => {
  it.each([
    ['{"a":1}', -1], ['{"a":', 5], ['{"a" 1}', 5], ['[1,2,]', 5], ['tru', 3], ['01', 1], ['"\\x"', 2],
    ['{} x', 3], ['', 0], ['-', 1], ['1.e3', 2], ['{"a":"\u0001"}', 6], ['"\\u12G4"', 5], ['[1 2]', 3],
    ['{"a":1,}', 7], ['{,}', 1], ['[]', -1], ['{"a":[{"b":null}],"c":-0.5e+3}', -1], ['\ufeff{}', 0],
    // Offsets count bytes: 王 is three bytes in UTF-8.
    ['{"王":x}', 7],
  ])('%j fails at byte %i', (text, at) => {
    expect(jsonErrorOffset(Buffer.from(text))).toBe(at);
    expect(at === -1).toBe(parses(text));
  });

  it('scans a body nested a million deep without recursion', () => {
    expect(jsonErrorOffset(Buffer.from('['.repeat(1_000_000)))).toBe(1_000_000);
  });

  it('says "JSON" exactly when JSON.parse does, for mutated JSON texts', () => {
    const mutated = fc.tuple(fc.json(), fc.nat(), fc.constantFrom('', ',', '}', ']', '"', ':', 'x', '\\', '\u0000', '王'), fc.boolean())
      .map(([j, p, ins, del]) => { const k = p % (j.length + 1); return j.slice(0, k) + ins + j.slice(k + (del ? 1 : 0)); });
    fc.assert(fc.property(mutated, (text) => (jsonErrorOffset(Buffer.from(text)) === -1) === parses(text)), { numRuns: 3000 });
  });
});

describe('parser refusals carry the position, never the text', () => {
  const personal = '{"applicant":{"name":"王清河","idNumber":"33010219800101123X" "phone":"+86 138 0000 0000"}}';
  it.each([
    ['parseJsonBody', () => parseJsonBody(Buffer.from(personal))],
    ['parseApplicantAction', () => parseApplicantAction(Buffer.from(personal))],
  ])('%s', (_name, run) => {
    const v = run();
    expect(v.ok).toBe(false);
    if (v.ok) return;
    expect(v.code).toBe('FERRY_ERR_API_JSON');
    expect(v.detail).toBe(`body: invalid JSON at byte ${Buffer.from(personal).indexOf('"phone"')}`);
    for (const piece of ['王清河', '33010219800101123X', '0000', 'phone']) expect(v.detail).not.toContain(piece);
  });

  it('a message is built from the offset alone', () => {
    expect(invalidJsonMessage(Buffer.from('{"name":"王清河"'))).toBe('body: invalid JSON at byte 19');
  });
});
