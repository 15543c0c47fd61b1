// Messages between the inspection pool (main thread) and its workers. One job is one request:
//   main → worker  job      the request bytes (transferred), its kind and decode budget
//   worker → main  ready    its modules are loaded: it may be given jobs (once, at start)
//   worker → main  parsed   the shape-checked request without attachment bytes (or a refusal)
//   main → worker  inspect  go on (the cheap checks on the main thread passed) | drop (they refused)
//                  | return (parse only)
//   worker → main  progress which attachment is being inspected (a deadline names it)
//   worker → main  done     the verdict, with the request bytes and the attachments (transferred back)
import type { FerryErrorCode } from '../errors.js';
import type { ParsedRequest, RequestKind } from '../policy/check-submission.js';

export interface JobMessage { type: 'job'; id: number; kind: RequestKind; raw: Uint8Array; inflateBudgetBytes: number }
/** inspect: go on; drop: the cheap checks refused, forget it; return: send the parsed request back
 *  without inspecting (a packet an operator released from quarantine). */
export interface GoMessage { type: 'inspect' | 'drop' | 'return'; id: number }
export type ToWorker = JobMessage | GoMessage;

export interface Refused { code: FerryErrorCode; detail: string; rule?: string }

export type FromWorker =
  | { type: 'ready' }
  | { type: 'parsed'; id: number; parsed: ParsedRequest | null; refused: Refused | null }
  | { type: 'progress'; id: number; index: number; fileName: string }
  | { type: 'done'; id: number; raw: Uint8Array; parsed: ParsedRequest | null; types: string[] | null; refused: Refused | null };
